// The stack's clock: real time plus an offset the fault API can change, so tests can move the
// server into the future (batch expiry, token expiry) without sleeping.
export class AdjustableClock {
  offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;
}
