// The account store on fake-indexeddb, filled by real sign-ins against the local stack: what a
// restarted service worker reads back must still finish the sign-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../test-support/db.ts';
import { AccountStore, PENDING_MAX_AGE_MS } from './accountStore.ts';
import { passwordSignIn, verifySession } from './authClient.ts';
import { finishPasswordSignIn, finishWebSignIn } from './signIn.ts';
import { startWebSignIn } from './oauthClient.ts';
import type { TestStack } from './testStack.ts';
import { browserSignIn, startTestStack } from './testStack.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.close();
});

const PASSWORD = 'store tests password';

describe('AccountStore', () => {
  it('keeps a pending web sign-in (with its CryptoKey) across a reopen and finishes it', async () => {
    const email = 'store-web@example.org';
    await stack.createV1Account(email, PASSWORD);
    const db = await freshDatabase();
    const store = new AccountStore(db);
    expect(await store.get()).toBeNull();

    await store.savePendingWebSignIn(await startWebSignIn({ config: stack.config }));
    const pending = await new AccountStore(db).getPendingWebSignIn();
    expect(pending?.privateKey).toBeInstanceOf(CryptoKey);

    const step = await browserSignIn(pending!.url, { email, password: PASSWORD });
    const account = await finishWebSignIn({ redirectUrl: step.location!, pending: pending! });
    await store.save(account);
    expect(await store.getPendingWebSignIn()).toBeNull();
    expect(await store.get()).toEqual(account);

    const token = { token: 'new', expiresAt: 1, scope: 's' };
    expect((await store.setAccessToken(token))?.accessToken).toEqual(token);
    expect((await store.setDeviceId('d'.repeat(32)))?.deviceId).toBe('d'.repeat(32));
    await store.clear();
    expect(await store.get()).toBeNull();
    expect(await store.setDeviceId('x')).toBeNull();
  });

  it('keeps an unverified password session so the code can be entered after a restart', async () => {
    const email = 'store-pw@example.org';
    await stack.createV1Account(email, PASSWORD);
    await stack.requireVerification(email);
    const db = await freshDatabase();
    const started = await passwordSignIn({ config: stack.config, email, password: PASSWORD });
    expect(started.state).toBe('needs-verification');
    await new AccountStore(db).savePendingPasswordSignIn(started.session);

    const session = await new AccountStore(db).getPendingPasswordSignIn();
    expect(session?.unwrapBKey).toBeInstanceOf(Uint8Array);
    await verifySession(session!, await stack.emailCode(email));
    const account = await finishPasswordSignIn({ session: session! });
    expect(account.email).toBe(email);
  });

  it('drops sign-ins left pending too long', async () => {
    const db = await freshDatabase();
    let now = 1_000_000;
    const store = new AccountStore(db, () => now);
    await store.savePendingWebSignIn({ ...(await startWebSignIn({ config: stack.config })), startedAt: now });
    now += PENDING_MAX_AGE_MS + 1;
    expect(await store.getPendingWebSignIn()).toBeNull();
  });
});
