// Test-only helpers for the account suites: the real local stack (server/main.ts startServer, port 0)
// and its control API, a browser stand-in for the HTML sign-in page, and RFC 6238 TOTP.
// Imported only by *.test.ts files in this folder.
import { startServer } from '../../server/main.ts';
import { bytesToHex, deriveCredentialsV1, hexToBytes, xorBytes } from '../sync/crypto/index.ts';
import type { ServerConfig } from './config.ts';
import { discoverServer } from './config.ts';
import { AccountError } from './errors.ts';

let emailCounter = 0;
/** A fresh address per call, so tests sharing one stack never collide. */
export function uniqueEmail(prefix: string): string {
  emailCounter += 1;
  return `${prefix}-${emailCounter}@example.org`;
}

/** Resolves to the AccountError `p` rejects with; fails when it resolves or rejects otherwise. */
export async function rejection(p: Promise<unknown>): Promise<AccountError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AccountError)) throw new Error(`expected an AccountError, got ${String(err)}`);
  return err;
}

export interface TestStack {
  origin: string;
  config: ServerConfig;
  /** The server's clock (ms); TOTP codes must be computed against it. */
  serverNow(): number;
  createAccount(opts: {
    email: string;
    password: string;
    verified?: boolean;
    totpSecret?: string;
    requireEmailCode?: boolean;
    kB?: string;
  }): Promise<{ uid: string }>;
  /**
   * A verified account with only a v1 password verifier, made through the public
   * `/v1/account/create` as an older client would (fast: no 650k-round v2 stretching anywhere).
   */
  createV1Account(email: string, password: string, kBHex?: string): Promise<{ uid: string; kB: string }>;
  /** The last "emailed" code for an address. */
  emailCode(email: string): Promise<string>;
  requireVerification(email: string): Promise<void>;
  expireAccessTokens(email?: string): Promise<number>;
  /** Arms a fault (server/faults/registry.ts FaultSpec). */
  armFault(spec: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

async function control<T>(origin: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(origin + path, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export async function startTestStack(): Promise<TestStack> {
  const server = await startServer({ port: 0, host: '127.0.0.1' });
  const origin = server.origin;
  const config = await discoverServer(origin);
  return {
    origin,
    config,
    serverNow: () => server.ctx.now(),
    createAccount: (opts) => control(origin, 'POST', '/__test__/accounts', opts),
    createV1Account: async (email, password, kBHex) => {
      const kB = kBHex ?? bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
      const creds = await deriveCredentialsV1(email, password);
      const res = await fetch(`${config.authUrl}/account/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email,
          authPW: bytesToHex(creds.authPW),
          wrapKb: bytesToHex(xorBytes(hexToBytes(kB), creds.unwrapBKey)),
          preVerified: true,
        }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`account/create → ${res.status} ${text}`);
      return { uid: (JSON.parse(text) as { uid: string }).uid, kB };
    },
    emailCode: async (email) =>
      (await control<{ code: string }>(origin, 'GET', `/__test__/accounts/email-code?email=${encodeURIComponent(email)}`)).code,
    requireVerification: async (email) => {
      await control(origin, 'POST', '/__test__/accounts/require-verification', { email });
    },
    expireAccessTokens: async (email) =>
      (await control<{ expired: number }>(origin, 'POST', '/__test__/accounts/expire-access-tokens', email ? { email } : {})).expired,
    armFault: async (spec) => {
      await control(origin, 'POST', '/__test__/faults', spec);
    },
    close: () => server.close(),
  };
}

// ---- RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s), written here so the test does not trust the server's.

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const i = BASE32.indexOf(ch);
    if (i < 0) throw new Error(`bad base32 ${ch}`);
    value = ((value << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

export async function totpCode(secret: Uint8Array<ArrayBuffer>, timeMs: number, stepSeconds = 30, digits = 6): Promise<string> {
  const counter = Math.floor(timeMs / 1000 / stepSeconds);
  const msg = new Uint8Array(8);
  new DataView(msg.buffer).setBigUint64(0, BigInt(counter));
  const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, msg));
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin =
    ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

// ---- A minimal browser for the server's HTML sign-in page: read the form, fill it, submit.

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m ? decodeEntities(m[1]!) : null;
}

export interface ParsedForm {
  action: string;
  method: string;
  fields: Array<{ name: string; type: string; value: string }>;
}

export function parseForm(html: string, pageUrl: string): ParsedForm {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form on page: ${html.slice(0, 400)}`);
  const open = /<form\b[^>]*>/i.exec(form[0])![0];
  const fields: ParsedForm['fields'] = [];
  for (const m of form[1]!.matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(m[0], 'name');
    if (!name) continue;
    fields.push({ name, type: attr(m[0], 'type') ?? 'text', value: attr(m[0], 'value') ?? '' });
  }
  return {
    action: new URL(attr(open, 'action') ?? pageUrl, pageUrl).toString(),
    method: (attr(open, 'method') ?? 'get').toUpperCase(),
    fields,
  };
}

export interface BrowserStep {
  status: number;
  /** Redirect target when the page answered 3xx. */
  location: string | null;
  html: string;
  url: string;
}

async function submit(form: ParsedForm, values: Record<string, string>): Promise<BrowserStep> {
  const body = new URLSearchParams();
  for (const f of form.fields) body.append(f.name, values[f.name] ?? f.value);
  const res = await fetch(form.action, {
    method: form.method,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
    redirect: 'manual',
  });
  return { status: res.status, location: res.headers.get('location'), html: await res.text(), url: form.action };
}

/**
 * Opens the authorization URL and signs in through the HTML forms as a person would, answering
 * follow-up code pages with `code()`. Returns the final step (a redirect, or a page with an error).
 */
export async function browserSignIn(
  authorizationUrl: string,
  person: { email: string; password: string; code?: (page: BrowserStep) => Promise<string> },
): Promise<BrowserStep> {
  const first = await fetch(authorizationUrl, { redirect: 'manual' });
  let step: BrowserStep = { status: first.status, location: first.headers.get('location'), html: await first.text(), url: authorizationUrl };
  if (step.status !== 200) return step;
  step = await submit(parseForm(step.html, step.url), { email: person.email, password: person.password });
  for (let i = 0; i < 3 && step.status === 200 && /name="code"/.test(step.html); i++) {
    if (!person.code) return step;
    step = await submit(parseForm(step.html, step.url), { code: await person.code(step) });
  }
  return step;
}
