import { cbc } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, bytesToHex, randomBytes, utf8Decode, utf8Encode } from './encoding.ts';
import { keyBundleFromBase64Pair, randomKeyBundle, type KeyBundle } from './keyBundle.ts';
import {
  RecordCryptoError,
  RecordFormatError,
  RecordHmacError,
  bundleForCollection,
  decryptCryptoKeys,
  decryptPayload,
  decryptPayloadString,
  decryptPayloadStrings,
  encryptCryptoKeys,
  encryptPayload,
  encryptPayloadString,
} from './records.ts';

// Published vector: mozilla/application-services components/sync15/src/key_bundle.rs (mod test:
// HMAC_B16, IV_B64, HMAC_KEY_B64, ENC_KEY_B64, CIPHERTEXT_B64_PIECES, CLEARTEXT_B64_PIECES).
const ENC_KEY_B64 = '9K/wLdXdw+nrTtXo4ZpECyHFNr4d7aYHqeg3KW9+m6Q=';
const HMAC_KEY_B64 = 'MMntEfutgLTc8FlTLQFms8/xMPmCldqPlq/QQXEjx70=';
const IV_B64 = 'GX8L37AAb2FZJMzIoXlX8w==';
const HMAC_B16 = 'b1e6c18ac30deb70236bc0d65a46f7a4dce3b8b0e02cf92182b914e3afa5eebc';
const CIPHERTEXT_B64 = [
  'NMsdnRulLwQsVcwxKW9XwaUe7ouJk5Wn80QhbD80l0HEcZGCynh45qIbeYBik0lgcHbK',
  'mlIxTJNwU+OeqipN+/j7MqhjKOGIlvbpiPQQLC6/ffF2vbzL0nzMUuSyvaQzyGGkSYM2',
  'xUFt06aNivoQTvU2GgGmUK6MvadoY38hhW2LCMkoZcNfgCqJ26lO1O0sEO6zHsk3IVz6',
  'vsKiJ2Hq6VCo7hu123wNegmujHWQSGyf8JeudZjKzfi0OFRRvvm4QAKyBWf0MgrW1F8S',
  'FDnVfkq8amCB7NhdwhgLWbN+21NitNwWYknoEWe1m6hmGZDgDT32uxzWxCV8QqqrpH/Z',
  'ggViEr9uMgoy4lYaWqP7G5WKvvechc62aqnsNEYhH26A5QgzmlNyvB+KPFvPsYzxDnSC',
  'jOoRSLx7GG86wT59QZw=',
].join('');
const CLEARTEXT = utf8Decode(
  base64ToBytes(
    [
      'eyJpZCI6IjVxUnNnWFdSSlpYciIsImhpc3RVcmkiOiJmaWxlOi8vL1VzZXJzL2phc29u',
      'L0xpYnJhcnkvQXBwbGljYXRpb24lMjBTdXBwb3J0L0ZpcmVmb3gvUHJvZmlsZXMva3Nn',
      'ZDd3cGsuTG9jYWxTeW5jU2VydmVyL3dlYXZlL2xvZ3MvIiwidGl0bGUiOiJJbmRleCBv',
      'ZiBmaWxlOi8vL1VzZXJzL2phc29uL0xpYnJhcnkvQXBwbGljYXRpb24gU3VwcG9ydC9G',
      'aXJlZm94L1Byb2ZpbGVzL2tzZ2Q3d3BrLkxvY2FsU3luY1NlcnZlci93ZWF2ZS9sb2dz',
      'LyIsInZpc2l0cyI6W3siZGF0ZSI6MTMxOTE0OTAxMjM3MjQyNSwidHlwZSI6MX1dfQ==',
    ].join(''),
  ),
);
const VECTOR_BUNDLE = keyBundleFromBase64Pair([ENC_KEY_B64, HMAC_KEY_B64]);
const VECTOR_PAYLOAD = JSON.stringify({ ciphertext: CIPHERTEXT_B64, IV: IV_B64, hmac: HMAC_B16 });

describe('published Sync record vector (application-services key_bundle.rs)', () => {
  it('decrypts to the known cleartext', async () => {
    expect(await decryptPayloadString(VECTOR_PAYLOAD, VECTOR_BUNDLE)).toBe(CLEARTEXT);
    const rec = (await decryptPayload(VECTOR_PAYLOAD, VECTOR_BUNDLE, '5qRsgXWRJZXr')) as { id: string; visits: unknown[] };
    expect(rec.id).toBe('5qRsgXWRJZXr');
    expect(rec.visits).toEqual([{ date: 1319149012372425, type: 1 }]);
  });

  it('encrypts the known cleartext with the known IV to the known ciphertext and HMAC', async () => {
    const out = JSON.parse(await encryptPayloadString(CLEARTEXT, VECTOR_BUNDLE, base64ToBytes(IV_B64)));
    expect(out).toEqual({ ciphertext: CIPHERTEXT_B64, IV: IV_B64, hmac: HMAC_B16 });
  });

  it('accepts an uppercase hex HMAC', async () => {
    const upper = JSON.stringify({ ciphertext: CIPHERTEXT_B64, IV: IV_B64, hmac: HMAC_B16.toUpperCase() });
    expect(await decryptPayloadString(upper, VECTOR_BUNDLE)).toBe(CLEARTEXT);
  });

  it('rejects a payload whose id does not match the BSO id', async () => {
    await expect(decryptPayload(VECTOR_PAYLOAD, VECTOR_BUNDLE, 'otherid')).rejects.toThrow(RecordFormatError);
  });
});

describe('encryptPayload / decryptPayload', () => {
  it('round-trips and produces the Firefox payload shape', async () => {
    const bundle = randomKeyBundle();
    const record = { id: 'abcdefghijkl', title: 'ünïcödé ✓', n: 1 };
    const payload = await encryptPayload(record, bundle);
    const parsed = JSON.parse(payload) as Record<string, string>;
    expect(Object.keys(parsed)).toEqual(['ciphertext', 'IV', 'hmac']);
    expect(parsed.hmac).toMatch(/^[0-9a-f]{64}$/);
    expect(base64ToBytes(parsed.IV!).length).toBe(16);
    expect(await decryptPayload(payload, bundle, 'abcdefghijkl')).toEqual(record);
  });

  it('uses a fresh IV each time', async () => {
    const bundle = randomKeyBundle();
    const a = JSON.parse(await encryptPayload({ id: 'x' }, bundle)).IV;
    const b = JSON.parse(await encryptPayload({ id: 'x' }, bundle)).IV;
    expect(a).not.toBe(b);
  });

  it('throws RecordHmacError on a tampered HMAC, tampered ciphertext, or wrong key', async () => {
    const bundle = randomKeyBundle();
    const payload = await encryptPayload({ id: 'a', secret: 'x'.repeat(40) }, bundle);
    const p = JSON.parse(payload) as { ciphertext: string; IV: string; hmac: string };
    const badHmac = JSON.stringify({ ...p, hmac: (p.hmac[0] === 'a' ? 'b' : 'a') + p.hmac.slice(1) });
    await expect(decryptPayload(badHmac, bundle)).rejects.toThrow(RecordHmacError);
    const ct = base64ToBytes(p.ciphertext);
    ct[0]! ^= 1;
    const badCt = JSON.stringify({ ...p, ciphertext: bytesToBase64(ct) });
    await expect(decryptPayload(badCt, bundle)).rejects.toThrow(RecordHmacError);
    await expect(decryptPayload(payload, randomKeyBundle())).rejects.toThrow(RecordHmacError);
    await expect(decryptPayload(JSON.stringify({ ...p, hmac: 'zz' }), bundle)).rejects.toThrow(RecordHmacError);
  });

  it('throws RecordFormatError on bad JSON or missing fields', async () => {
    const bundle = randomKeyBundle();
    await expect(decryptPayload('not json', bundle)).rejects.toThrow(RecordFormatError);
    await expect(decryptPayload('null', bundle)).rejects.toThrow(RecordFormatError);
    await expect(decryptPayload('{"ciphertext":"AAAA","IV":"AAAA"}', bundle)).rejects.toThrow(RecordFormatError);
    await expect(decryptPayload('{"ciphertext":1,"IV":"AAAA","hmac":"00"}', bundle)).rejects.toThrow(RecordFormatError);
  });
});

/** A payload whose plaintext bytes (a multiple of 16, padding included or not) are exactly `plain`, with a good HMAC. */
function rawPayload(plain: Uint8Array, bundle: KeyBundle): string {
  const iv = randomBytes(16);
  const ciphertext = bytesToBase64(cbc(bundle.encKey, iv, { disablePadding: true }).encrypt(plain));
  return JSON.stringify({ ciphertext, IV: bytesToBase64(iv), hmac: bytesToHex(hmac(sha256, bundle.hmacKey, utf8Encode(ciphertext))) });
}

/** PKCS#7-padded bytes of a text, with the last pad byte replaced by `lastPad` when given. */
function padded(text: string | Uint8Array, lastPad?: number): Uint8Array {
  const bytes = typeof text === 'string' ? utf8Encode(text) : text;
  const n = 16 - (bytes.length % 16);
  const out = new Uint8Array(bytes.length + n).fill(n);
  out.set(bytes);
  if (lastPad !== undefined) out[out.length - 1] = lastPad;
  return out;
}

/** Each payload on its own, as decryptPayloadString reads it. */
async function oneByOne(payloads: readonly string[], bundle: KeyBundle): Promise<Array<string | RecordCryptoError>> {
  return Promise.all(payloads.map((p) => decryptPayloadString(p, bundle).catch((e: RecordCryptoError) => e)));
}

describe('decryptPayloadStrings: a page of records in one AES call', () => {
  it('reads every record as decryptPayloadString does, whatever their lengths (one block, whole blocks of padding, long)', async () => {
    const bundle = randomKeyBundle();
    const texts = ['{"id":"a"}', '{"id":"abcdefghij"}', '{"id":"x","t":"ünïcödé ✓"}', `{"id":"long","t":"${'z'.repeat(5000)}"}`,
      '{"id":"b"}', '{"id":"c","n":123456}', '{"id":"sixteen_b"}xx'.slice(0, 16), '{"id":"last-one","t":"end"}'];
    const payloads = await Promise.all(texts.map((t) => encryptPayloadString(t, bundle)));
    const batch = await decryptPayloadStrings(payloads, bundle);
    expect(batch).toEqual(texts);
    expect(batch).toEqual(await oneByOne(payloads, bundle));
    // The published vector, in the middle of a page of its own key bundle.
    const others = await Promise.all(['{"id":"p"}', '{"id":"q","t":"a longer record than one block"}'].map((t) => encryptPayloadString(t, VECTOR_BUNDLE)));
    expect(await decryptPayloadStrings([others[0]!, VECTOR_PAYLOAD, others[1]!], VECTOR_BUNDLE)).toEqual(['{"id":"p"}', CLEARTEXT, '{"id":"q","t":"a longer record than one block"}']);
  });

  it('fails only the records that are broken, each with the error it fails with alone, wherever it sits in the page', async () => {
    const bundle = randomKeyBundle();
    const good = (i: number): Promise<string> => encryptPayloadString(`{"id":"r${i}","t":"${'g'.repeat(i * 7)}"}`, bundle);
    const p = JSON.parse(await good(99)) as { ciphertext: string; IV: string; hmac: string };
    const broken = {
      hmac: JSON.stringify({ ...p, hmac: (p.hmac[0] === 'a' ? 'b' : 'a') + p.hmac.slice(1) }),
      notHex: JSON.stringify({ ...p, hmac: 'zz' }),
      notJson: 'not json',
      otherKey: await encryptPayloadString('{"id":"k"}', randomKeyBundle()),
      shortIv: rawPayloadWithIv(padded('{"id":"iv","t":"0123456789abcdef"}'), bundle, 8),
      badPadding: rawPayload(padded('{"id":"pad","t":"0123456789abcdef"}', 0), bundle),
      padTooLong: rawPayload(padded('{"id":"pad","t":"0123456789abcdef"}', 17), bundle),
      notUtf8: rawPayload(padded(new Uint8Array([0x7b, 0xff, 0xfe, 0x80, ...utf8Encode('"id":"u","t":"0123456789"}')])), bundle),
    };
    for (const [name, bad] of Object.entries(broken)) {
      for (const place of ['first', 'middle', 'last']) {
        const page = await Promise.all([0, 1, 2, 3].map(good));
        const at = place === 'first' ? 0 : place === 'middle' ? 2 : 4;
        page.splice(at, 0, bad);
        const batch = await decryptPayloadStrings(page, bundle);
        const alone = await oneByOne(page, bundle);
        const failedAt = batch.flatMap((r, i) => (typeof r === 'string' ? [] : [i]));
        expect({ name, place, failedAt }).toEqual({ name, place, failedAt: [at] });
        expect(batch[at]).toBeInstanceOf(RecordCryptoError);
        expect(batch[at]!.constructor).toBe((alone[at] as RecordCryptoError).constructor);
        expect((batch[at] as RecordCryptoError).message).toBe((alone[at] as RecordCryptoError).message);
        expect(batch.filter((r) => typeof r === 'string')).toEqual(alone.filter((r) => typeof r === 'string'));
      }
    }
  });

  it('an empty page is no call', async () => {
    expect(await decryptPayloadStrings([], randomKeyBundle())).toEqual([]);
  });
});

/** rawPayload with an IV of another length (servers have sent those). */
function rawPayloadWithIv(plain: Uint8Array, bundle: KeyBundle, ivLength: number): string {
  const p = JSON.parse(rawPayload(plain, bundle)) as { ciphertext: string; IV: string; hmac: string };
  return JSON.stringify({ ...p, IV: bytesToBase64(randomBytes(ivLength)) });
}

describe('crypto/keys', () => {
  it('round-trips default and per-collection keys under the root bundle', async () => {
    const root = randomKeyBundle();
    const def = randomKeyBundle();
    const bm = randomKeyBundle();
    const payload = await encryptCryptoKeys(def, { bookmarks: bm }, root);
    const clear = (await decryptPayload(payload, root)) as Record<string, unknown>;
    expect(clear.id).toBe('keys');
    expect(clear.collection).toBe('crypto');
    expect(Array.isArray(clear.default)).toBe(true);
    const keys = await decryptCryptoKeys(payload, root);
    expect(keys.default).toEqual(def);
    expect(keys.collections).toEqual({ bookmarks: bm });
    expect(bundleForCollection(keys, 'bookmarks')).toEqual(bm);
    expect(bundleForCollection(keys, 'history')).toEqual(def);
    expect(bundleForCollection(keys, 'constructor')).toEqual(def);
  });

  it('wrong root key is an HMAC error; malformed key lists are format errors', async () => {
    const root = randomKeyBundle();
    const payload = await encryptCryptoKeys(randomKeyBundle(), {}, root);
    await expect(decryptCryptoKeys(payload, randomKeyBundle())).rejects.toThrow(RecordHmacError);
    const bad = await encryptPayload({ id: 'keys', collection: 'crypto', default: ['AAAA', 'AAAA'], collections: {} }, root);
    await expect(decryptCryptoKeys(bad, root)).rejects.toThrow(RecordFormatError);
  });
});
