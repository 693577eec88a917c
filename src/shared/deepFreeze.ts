// Freezes an object graph in place. Used for data shared between runs while the worker lives
// (the mirror's records and what is parsed from them): code that would change one in place then
// fails where it does so, instead of silently changing what the next sync starts from.
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
