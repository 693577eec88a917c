import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, randomBytes, xorBytes } from './encoding.ts';
import {
  KeyBundleMacError,
  bearerForToken,
  createKeysBundle,
  deriveCredentialsV1,
  deriveCredentialsV2,
  deriveTokenParts,
  normalizeClientSalt,
  randomClientSalt,
  unbundleWithKeyRequestKey,
  unwrapKeysBundle,
  type FxaTokenKind,
} from './onepw.ts';

// Vectors: mozilla/fxa packages/fxa-auth-client/test/crypto.ts (protocol.md §1.2, §1.3, §1.6).
describe('onepw credentials', () => {
  it('v1: andré@example.org / pässwörd', async () => {
    const c = await deriveCredentialsV1('andré@example.org', 'pässwörd');
    expect(bytesToHex(c.authPW)).toBe('247b675ffb4c46310bc87e26d712153abe5e1c90ef00a4784594f97ef54f2375');
    expect(bytesToHex(c.unwrapBKey)).toBe('de6a2648b78284fcb9ffa81ba95803309cfba7af583c01a8a1a63e567234dd28');
  });

  it('v2: clientSalt value 0123…cdef / pässwörd (full and bare salt forms agree)', async () => {
    const full = 'identity.mozilla.com/picl/v1/quickStretchV2:0123456789abcdef0123456789abcdef';
    const c = await deriveCredentialsV2(full, 'pässwörd');
    expect(bytesToHex(c.authPW)).toBe('d278c764bd1852a14bfc4e9d8c1682b4f1a57edb9a9372bf8c370cc41592155b');
    expect(bytesToHex(c.unwrapBKey)).toBe('616616095eff30032abf6a47df30d9a3fc799d8af5e8519905c1601170553493');
    expect(normalizeClientSalt('0123456789abcdef0123456789abcdef')).toBe(full);
  });

  it('randomClientSalt has the server form and rejects junk salts', () => {
    const s = randomClientSalt();
    expect(s).toMatch(/^identity\.mozilla\.com\/picl\/v1\/quickStretchV2:[0-9a-f]{32}$/);
    expect(normalizeClientSalt(s)).toBe(s);
    expect(() => normalizeClientSalt('identity.mozilla.com/picl/v1/quickStretchV2:xyz')).toThrow();
  });
});

// Vectors: mozilla/fxa auth-server test/local/tokens/session_token (sessionToken id/authKey) and
// mozilla/PyFxA fxa/tests test vectors EXPECTED_IDS (every token kind), same token bytes a0..bf.
describe('token expansion', () => {
  const TOKEN = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf';
  const EXPECTED: Record<FxaTokenKind, [string, string]> = {
    sessionToken: ['fxs', 'c0a29dcf46174973da1378696e4c82ae10f723cf4f4d9f75e39f4ae3851595ab'],
    keyFetchToken: ['fxk', '70db599cec9c040b10c790418f93fe77711fdea352a59e9b02d2336136d39f68'],
    accountResetToken: ['fxar', '920fd5fc6cb03cabd2e6854c92d2976112e7b08728825acad1b7227874201f1f'],
    passwordForgotToken: ['fxpf', 'f108185451329f7c94aa569f9efa09c8aeaef71029d341c83839e6820b870b88'],
    passwordChangeToken: ['fxpc', '9469deecfe3182a9573c7516650522e0d3032c467e909b64dd0d93f4d1253bde'],
  };

  it('sessionToken id and Hawk key', () => {
    const p = deriveTokenParts(TOKEN, 'sessionToken');
    expect(p.tokenId).toBe('c0a29dcf46174973da1378696e4c82ae10f723cf4f4d9f75e39f4ae3851595ab');
    expect(bytesToHex(p.reqHMACkey)).toBe('9d8f22998ee7f5798b887042466b72d53e56ab0c094388bf65831f702d2febc0');
    expect(p.extraKey.length).toBe(32);
  });

  it('typed bearer per token kind', () => {
    for (const [kind, [prefix, id]] of Object.entries(EXPECTED) as [FxaTokenKind, [string, string]][]) {
      expect(bearerForToken(TOKEN, kind)).toBe(`Bearer ${prefix}_${id}`);
      expect(bearerForToken(TOKEN, kind)).toMatch(/^Bearer fx[a-z]+_[0-9a-f]{64}$/);
    }
  });

  it('rejects tokens of the wrong size', () => {
    expect(() => deriveTokenParts('abcd', 'sessionToken')).toThrow();
  });
});

describe('keys bundle', () => {
  const KEY_REQUEST_KEY = 'dedd009a8275a4f672bb4b41e14a117812c0b2f400c85fa058e0293f3f45726a';
  const BUNDLE =
    'df4717238a738501bd2ad8f7114ef193ea69751a40108149bfb88a5643a8d683a1e75b705d4db135130f0896dbac0819ab7d54334e0cd4f9c945e0a7ada91899756cedf4384be404844050270310bc2b396f100eeda0c7b428cfe77c40a873ae';

  it('published vector: kA and wrapKB from keyRequestKey', () => {
    const { kA, wrapKB } = unbundleWithKeyRequestKey(hexToBytes(KEY_REQUEST_KEY), BUNDLE);
    expect(bytesToHex(kA)).toBe('939282904b808c6003ea31aeb14bc766d2ab70ba7dcaa54f820efcf4762b9619');
    expect(bytesToHex(wrapKB)).toBe('849ac9f71643ace46dcdd384633ec1bffe565852806ee2f859c3eba7fafeafec');
  });

  it('rejects a tampered bundle with KeyBundleMacError', () => {
    const last = BUNDLE.slice(-1) === '0' ? '1' : '0';
    expect(() => unbundleWithKeyRequestKey(hexToBytes(KEY_REQUEST_KEY), BUNDLE.slice(0, -1) + last)).toThrow(
      KeyBundleMacError,
    );
    const firstFlipped = (BUNDLE[0] === '0' ? '1' : '0') + BUNDLE.slice(1);
    expect(() => unbundleWithKeyRequestKey(hexToBytes(KEY_REQUEST_KEY), firstFlipped)).toThrow(KeyBundleMacError);
  });

  it('server-built bundle unwraps to kB via the keyFetchToken (round trip)', () => {
    const keyFetchToken = bytesToHex(randomBytes(32));
    const kA = randomBytes(32);
    const kB = randomBytes(32);
    const unwrapBKey = randomBytes(32);
    const bundle = createKeysBundle(keyFetchToken, kA, xorBytes(kB, unwrapBKey));
    const out = unwrapKeysBundle(keyFetchToken, bundle, unwrapBKey);
    expect(bytesToHex(out.kA)).toBe(bytesToHex(kA));
    expect(bytesToHex(out.kB)).toBe(bytesToHex(kB));
    // A different token derives different bundle keys → MAC failure.
    expect(() => unwrapKeysBundle(bytesToHex(randomBytes(32)), bundle, unwrapBKey)).toThrow(KeyBundleMacError);
  });
});
