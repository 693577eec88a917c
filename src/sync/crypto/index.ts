// Public surface of the Sync crypto layer (browser-free: @noble/* + WebCrypto only).
//
// Notes for callers, including the local test servers:
// - v2 clientSalt: FxA stores/returns the full "identity.mozilla.com/picl/v1/quickStretchV2:<32 hex>"
//   string; deriveCredentialsV2 accepts that or the bare 32 hex. randomClientSalt returns the full form.
// - Hawk key for tokenserver credentials is the UTF-8 of the `key` string (pass the string);
//   FxA reqHMACkey is raw bytes (pass the Uint8Array). Storage clients send no `hash`.
// - Record HMAC is over the base64 ciphertext text, hex-encoded; decrypt accepts uppercase hex.
// - createKeysBundle / encryptKeysJwe / parseHawkHeader / verifyHawkHeader / parseKeyId /
//   oldsyncScopedKey exist for the server side of the protocol.
export * from './encoding.ts';
export * from './hkdf.ts';
export * from './onepw.ts';
export * from './syncKeys.ts';
export * from './keyBundle.ts';
export * from './records.ts';
export * from './hawk.ts';
export * from './jwe.ts';
export * from './pkce.ts';
export * from './webpush.ts';
