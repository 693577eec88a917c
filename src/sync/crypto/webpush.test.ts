// aes128gcm (RFC 8188 / RFC 8291): the published example both ways, several records as Firefox
// writes them (built here with node:crypto, independently of the module), and failures.
import { createCipheriv, createECDH, hkdfSync, randomBytes as nodeRandom } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64UrlToBytes, bytesToBase64Url, utf8Decode, utf8Encode } from './encoding.ts';
import { aes128gcmDecrypt, aes128gcmEncrypt, generateWebPushKeys, p256PrivateJwk, publicKeyOfJwk, WebPushError } from './webpush.ts';

// RFC 8291 §5 (and Appendix A), line breaks removed.
const RFC = {
  plaintext: 'When I grow up, I want to be a watermelon',
  asPublic: 'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8',
  asPrivate: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
  uaPublic: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  salt: 'DGv6ra1nlYgDCS1FRnbzlw',
  authSecret: 'BTBZMqHH6r4Tts7J_aSIgg',
  message:
    'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
};
const b = base64UrlToBytes;
const uaReceiver = () => ({ privateKey: p256PrivateJwk(b(RFC.uaPrivate), b(RFC.uaPublic)), authSecret: b(RFC.authSecret) });

/**
 * An aes128gcm encoder written from RFC 8188/8291 with node:crypto, splitting into records of `rs`
 * bytes as Firefox's PushCrypto does (every record but the last exactly rs long, delimiter 1; the
 * last with delimiter 2), and padding the last record with `pad` zeros.
 */
function nodeEncrypt(plaintext: Uint8Array, uaPublic: Uint8Array, authSecret: Uint8Array, rs: number, pad = 0): Uint8Array {
  const sender = createECDH('prime256v1');
  sender.generateKeys();
  const asPublic = sender.getPublicKey();
  const secret = sender.computeSecret(uaPublic);
  const salt = nodeRandom(16);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', secret, authSecret, info, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const baseNonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const header = Buffer.alloc(21);
  salt.copy(header, 0);
  header.writeUInt32BE(rs, 16);
  header[20] = 65;
  const chunks: Buffer[] = [header, asPublic];
  const per = rs - 17;
  for (let seq = 0, off = 0; ; seq++, off += per) {
    const last = off + per >= plaintext.length;
    const nonce = Buffer.from(baseNonce);
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
    const cipher = createCipheriv('aes-128-gcm', cek, nonce);
    const record = Buffer.concat([Buffer.from(plaintext.subarray(off, off + per)), Buffer.from([last ? 2 : 1]), Buffer.alloc(last ? pad : 0)]);
    chunks.push(cipher.update(record), cipher.final(), cipher.getAuthTag());
    if (last) break;
  }
  return new Uint8Array(Buffer.concat(chunks));
}

describe('aes128gcm: RFC 8291 §5', () => {
  it('decrypts exactly the published message', async () => {
    const clear = await aes128gcmDecrypt(b(RFC.message), uaReceiver());
    expect(utf8Decode(clear)).toBe(RFC.plaintext);
  });

  it('encrypts to exactly the published message with the vector’s sender key and salt', async () => {
    const message = await aes128gcmEncrypt(utf8Encode(RFC.plaintext), b(RFC.uaPublic), b(RFC.authSecret), {
      salt: b(RFC.salt),
      senderPrivateKey: p256PrivateJwk(b(RFC.asPrivate), b(RFC.asPublic)),
    });
    expect(bytesToBase64Url(message)).toBe(RFC.message);
  });
});

describe('aes128gcm: our messages', () => {
  it('round-trips; the header is salt ‖ rs ‖ 65 ‖ a fresh sender key; one record sized to fit', async () => {
    const keys = await generateWebPushKeys();
    expect(keys.publicKey).toHaveLength(65);
    expect(keys.authSecret).toHaveLength(16);
    expect(publicKeyOfJwk(keys.privateKey)).toEqual(keys.publicKey);
    const text = utf8Encode(JSON.stringify({ entries: [{ title: 'é'.repeat(3000), url: 'https://example.com/' }] }));
    expect(text.length).toBeGreaterThan(4079);
    const a = await aes128gcmEncrypt(text, keys.publicKey, keys.authSecret);
    const c = await aes128gcmEncrypt(text, keys.publicKey, keys.authSecret);
    const rs = new DataView(a.buffer, a.byteOffset).getUint32(16, false);
    expect(rs).toBe(text.length + 17);
    expect(a[20]).toBe(65);
    expect(a.length).toBe(21 + 65 + text.length + 17); // exactly one record
    expect(a.subarray(0, 16)).not.toEqual(c.subarray(0, 16)); // random salt
    expect(a.subarray(21, 86)).not.toEqual(c.subarray(21, 86)); // ephemeral key
    expect(await aes128gcmDecrypt(a, keys)).toEqual(text);
    // A small message keeps Firefox's 4096 record size.
    const small = await aes128gcmEncrypt(utf8Encode('{}'), keys.publicKey, keys.authSecret);
    expect(new DataView(small.buffer, small.byteOffset).getUint32(16, false)).toBe(4096);
  });

  it('several records when asked for a smaller record size, read back whole', async () => {
    const keys = await generateWebPushKeys();
    const text = nodeRandom(10_000);
    const message = await aes128gcmEncrypt(text, keys.publicKey, keys.authSecret, { recordSize: 4096 });
    expect(message.length).toBe(86 + 4096 * 2 + (10_000 - 2 * 4079) + 17);
    expect(await aes128gcmDecrypt(message, keys)).toEqual(new Uint8Array(text));
  });
});

describe('aes128gcm: messages written elsewhere', () => {
  it('decrypts a plaintext over 4079 bytes split into several 4096-byte records, as Firefox writes it', async () => {
    const keys = await generateWebPushKeys();
    const text = utf8Encode(JSON.stringify({ entries: [{ title: 'x'.repeat(9000), url: 'https://example.org/' }], flowID: 'f', streamID: 's' }));
    const message = nodeEncrypt(text, keys.publicKey, keys.authSecret, 4096);
    expect(message.length).toBeGreaterThan(86 + 2 * 4096);
    expect(utf8Decode(await aes128gcmDecrypt(message, keys))).toBe(utf8Decode(text));
  });

  it('strips zero padding after the delimiter; a plaintext that fills records exactly', async () => {
    const keys = await generateWebPushKeys();
    const padded = nodeEncrypt(utf8Encode('hello'), keys.publicKey, keys.authSecret, 4096, 40);
    expect(utf8Decode(await aes128gcmDecrypt(padded, keys))).toBe('hello');
    const exact = new Uint8Array(2 * (100 - 17)).fill(7);
    expect(await aes128gcmDecrypt(nodeEncrypt(exact, keys.publicKey, keys.authSecret, 100), keys)).toEqual(exact);
  });
});

describe('aes128gcm: failures are clean WebPushErrors', () => {
  it('the wrong private key or auth secret', async () => {
    const keys = await generateWebPushKeys();
    const other = await generateWebPushKeys();
    const message = await aes128gcmEncrypt(utf8Encode('secret tab'), keys.publicKey, keys.authSecret);
    await expect(aes128gcmDecrypt(message, other)).rejects.toThrow(WebPushError);
    await expect(aes128gcmDecrypt(message, { privateKey: keys.privateKey, authSecret: other.authSecret })).rejects.toThrow(/could not be decrypted/);
    await expect(aes128gcmDecrypt(b(RFC.message), keys)).rejects.toThrow(WebPushError);
  });

  it('truncated, damaged or malformed messages', async () => {
    const keys = await generateWebPushKeys();
    const message = await aes128gcmEncrypt(nodeRandom(9000), keys.publicKey, keys.authSecret, { recordSize: 4096 });
    // Dropping the last record leaves a final record with delimiter 1: truncation.
    await expect(aes128gcmDecrypt(message.subarray(0, 86 + 2 * 4096), keys)).rejects.toThrow(/truncated/);
    const flipped = new Uint8Array(message);
    flipped[200]! ^= 1;
    await expect(aes128gcmDecrypt(flipped, keys)).rejects.toThrow(WebPushError);
    await expect(aes128gcmDecrypt(new Uint8Array(10), keys)).rejects.toThrow(/header/);
    await expect(aes128gcmDecrypt(message.subarray(0, 86), keys)).rejects.toThrow(/no records/);
    const badId = new Uint8Array(message);
    badId[20] = 64;
    await expect(aes128gcmDecrypt(badId, keys)).rejects.toThrow(/key id/);
    await expect(aes128gcmEncrypt(utf8Encode('x'), new Uint8Array(65), keys.authSecret)).rejects.toThrow(WebPushError);
  });
});
