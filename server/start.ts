// Starts the whole local Sync stack in-process: context, storage, identity (accounts, OAuth,
// token server), test control API and fault layer, on one node:http server. Used by main.ts,
// our tests, the extension's e2e tests and the bench (all on port 0).
import type { ServerContext } from './core/context.ts';
import type { Handler } from './core/http.ts';
import { AdjustableClock } from './core/clock.ts';
import { LocalHawkTokens } from './core/hawkTokens.ts';
import { LocalNodeAssignments } from './core/nodes.ts';
import { loadOrCreateSecrets } from './core/secrets.ts';
import { dispatchTo, serve, type Dispatch } from './core/serve.ts';
import type { AccessLogHook } from './core/accessLog.ts';
import { createStorageService, SyncStore, type StorageLimits } from './storage/index.ts';
import { FaultRegistry } from './faults/registry.ts';
import { withFaults } from './faults/intercept.ts';
import { createControlHandler } from './faults/control.ts';

export interface StartOptions {
  /** 0 (default) = ephemeral port. */
  port?: number;
  host?: string;
  /** Persist state here (JSON snapshots); null/undefined = memory only. */
  dataDir?: string | null;
  /** Mount /__test__/ control routes and the fault layer (default true). */
  testMode?: boolean;
  /** Mount accounts/OAuth/token server from server/identity (default true). */
  identity?: boolean;
  /** Call the identity service's seedDemo() and return its credentials. */
  demo?: boolean;
  hawkSkewSeconds?: number;
  limits?: Partial<StorageLimits>;
  enforceBatchTotals?: boolean;
  log?: AccessLogHook;
}

export interface IdentityService {
  handler: Handler;
  control: Handler;
  seedDemo(): Promise<{ email: string; password: string }>;
}

export interface StartedServer {
  origin: string;
  ctx: ServerContext;
  close(): Promise<void>;
  /** Test hooks for in-process callers. */
  store: SyncStore;
  tokens: LocalHawkTokens;
  clock: AdjustableClock;
  faults: FaultRegistry;
  limits: StorageLimits;
  identity: IdentityService | null;
  demo: { email: string; password: string } | null;
}

type IdentityFactory = (ctx: ServerContext) => IdentityService;

// A non-literal specifier keeps type-checking independent of the identity helper's files.
const IDENTITY_MODULE = './identity/index.ts';

async function loadIdentity(): Promise<IdentityFactory> {
  let mod: { createIdentityService?: unknown };
  try {
    mod = (await import(IDENTITY_MODULE)) as { createIdentityService?: unknown };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`server/identity/index.ts could not be loaded (${why}). Start with { identity: false } to run storage only.`);
  }
  if (typeof mod.createIdentityService !== 'function') {
    throw new Error('server/identity/index.ts does not export createIdentityService(ctx)');
  }
  return mod.createIdentityService as IdentityFactory;
}

export async function startServer(opts: StartOptions = {}): Promise<StartedServer> {
  const host = opts.host ?? '127.0.0.1';
  const dataDir = opts.dataDir ?? null;
  const testMode = opts.testMode ?? true;
  const identityFactory = (opts.identity ?? true) ? await loadIdentity() : null;

  const clock = new AdjustableClock();
  const store = new SyncStore(clock.now, dataDir);
  const tokens = new LocalHawkTokens(loadOrCreateSecrets(dataDir), clock.now);
  const nodes = new LocalNodeAssignments(dataDir, (uid) => store.deleteAll(uid));
  const faults = new FaultRegistry();

  // The origin is only known once listening (port 0), so dispatch goes through a late binding.
  let dispatch: Dispatch = async () => ({ status: 503, body: '' });
  const http = await serve({ host, port: opts.port ?? 0, dispatch: (req) => dispatch(req), ...(opts.log ? { log: opts.log } : {}) });

  const ctx: ServerContext = { origin: http.origin, dataDir, hawkTokens: tokens, nodes, storage: store.backend(), now: clock.now };
  const storage = createStorageService(ctx, store, {
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.hawkSkewSeconds !== undefined ? { hawkSkewSeconds: opts.hawkSkewSeconds } : {}),
    ...(opts.enforceBatchTotals !== undefined ? { enforceBatchTotals: opts.enforceBatchTotals } : {}),
  });
  const identity = identityFactory ? identityFactory(ctx) : null;

  const handlers: Handler[] = [storage.handler];
  if (identity) handlers.push(identity.handler);
  if (testMode) {
    handlers.push(createControlHandler({ registry: faults, clock, store, tokens, nodes }));
    if (identity) handlers.push(identity.control);
  }
  const plain = dispatchTo(handlers);
  dispatch = testMode
    ? withFaults(faults, { store, tokens, nodes }, clock.now, plain, { hawkSkewSeconds: storage.hawk.options.skewSeconds })
    : plain;

  const demo = opts.demo && identity ? await identity.seedDemo() : null;
  return { origin: http.origin, ctx, close: http.close, store, tokens, clock, faults, limits: storage.limits, identity, demo };
}
