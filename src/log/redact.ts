// Secrets (tokens, keys, passwords, Hawk/Bearer headers) must never reach the log, which a person
// may copy into a bug report. Redaction happens before an entry is stored or printed.

const SECRET_FIELD = /(token|key|secret|password|authorization|auth|kb|ksync|hawk|jwe|jwk|code_verifier|verifier|bundle|unwrap)/i;
// Long hex (token ids, keys) and long base64/base64url runs (keys, ciphertext).
const LONG_HEX = /\b[0-9a-f]{32,}\b/gi;
const LONG_B64 = /[A-Za-z0-9+/_-]{40,}={0,2}/g;
const AUTH_HEADER = /\b(Bearer|Hawk)\s+[^\s,]+(?:,\s*\w+="[^"]*")*/g;

export const REDACTED = '[redacted]';

export function redactString(s: string): string {
  return s.replace(AUTH_HEADER, `$1 ${REDACTED}`).replace(LONG_HEX, REDACTED).replace(LONG_B64, REDACTED);
}

export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return redactString(`${value.name}: ${value.message}`);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELD.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' && typeof v !== 'number'
      ? REDACTED
      : redactValue(v, depth + 1);
  }
  return out;
}
