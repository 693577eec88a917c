// Public surface of the account layer (browser-free: fetch + WebCrypto; the background wires tabs,
// redirect capture and persistence).
export * from './errors.ts';
export * from './config.ts';
export type { FetchLike, Clock, TokenAuthMode, TransportOptions } from './http.ts';
export * from './authClient.ts';
export * from './oauthClient.ts';
export * from './credentials.ts';
export * from './devices.ts';
export { finishPasswordSignIn, finishWebSignIn, signInWithPassword, signOut } from './signIn.ts';
export type { CodePrompt, DeviceToRegister, FinishOptions } from './signIn.ts';
export * from './commandKeys.ts';
export * from './sendTab.ts';
export * from './deviceCommands.ts';
