// Types for scripts/startChecks.mjs (plain JavaScript, run by `npm start` under plain Node).
export interface FoundChromium {
  path: string;
  found: boolean;
  fromEnv: boolean;
  tried: string[];
}
type Env = Record<string, string | undefined>;
export function findChromium(env: Env, platform: string, exists: (file: string) => boolean): FoundChromium;
export function hasDisplay(env: Env, platform: string): boolean;
export function loadByHandSteps(root: string, origin: string): string;
export function noDisplayMessage(root: string, origin: string): string;
export function missingChromiumMessage(chromium: Omit<FoundChromium, 'found'>, platform: string, root: string, origin: string): string;
export function launchFailure(error: unknown): string;
