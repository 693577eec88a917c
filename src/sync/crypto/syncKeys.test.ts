import { describe, expect, it } from 'vitest';
import { bytesToBase64Url, hexToBytes } from './encoding.ts';
import { clientStateHex, deriveSyncKey, keyId, oldsyncScopedKey, parseKeyId } from './syncKeys.ts';

// Vector: mozilla/gecko-dev services/fxaccounts/tests/xpcshell/test_keys.js
// test_derive_legacy_sync_key_test_vector (originally from mozilla/fxa-crypto-relier).
const KB = 'eaf9570b7219a4187d3d6bf3cec2770c2e0719b7cc0dfbb38243d6f1881675e9';
const TS = 1510726317123;
const KID = '1510726317123-IqQv4onc7VcVE1kTQkyyOw';
const K = 'DW_ll5GwX6SJ5GPqJVAuMUP2t6kDqhUulc2cbt26xbTcaKGQl-9l29FHAQ7kUiJETma4s9fIpEHrt909zgFang';

describe('Sync key derivation from kB', () => {
  it('matches the Firefox legacy oldsync scoped-key vector', () => {
    const { kSync, kXCS } = deriveSyncKey(hexToBytes(KB));
    expect(kSync.length).toBe(64);
    expect(kXCS.length).toBe(16);
    expect(bytesToBase64Url(kSync)).toBe(K);
    expect(keyId(TS, kXCS)).toBe(KID);
    expect(oldsyncScopedKey(hexToBytes(KB), TS)).toEqual({
      kty: 'oct',
      scope: 'https://identity.mozilla.com/apps/oldsync',
      kid: KID,
      k: K,
    });
  });

  it('X-Client-State is hex of kXCS and parseKeyId inverts keyId', () => {
    const { kXCS } = deriveSyncKey(hexToBytes(KB));
    const cs = clientStateHex(kXCS);
    expect(cs).toMatch(/^[0-9a-f]{32}$/);
    expect(parseKeyId(KID)).toEqual({ keysChangedAt: TS, kXCS, clientState: cs });
    expect(() => parseKeyId('IqQv4onc7VcVE1kTQkyyOw')).toThrow();
    expect(() => keyId(-1, kXCS)).toThrow();
  });
});
