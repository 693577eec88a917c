// Byte/string helpers shared by the identity services (node:crypto world, Buffers throughout).

export function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

export function isHex(text: unknown, length?: number): text is string {
  if (typeof text !== 'string' || !/^[0-9a-f]*$/.test(text) || text.length % 2 !== 0) return false;
  return length === undefined || text.length === length;
}

export function xor(a: Uint8Array, b: Uint8Array): Buffer {
  if (a.length !== b.length) throw new Error('xor: length mismatch');
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
