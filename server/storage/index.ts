// Sync 1.5 storage service: wires the model, Hawk verification and routes together.
import type { ServerContext } from '../core/context.ts';
import type { Handler } from '../core/http.ts';
import { HawkVerifier } from './hawkAuth.ts';
import { DEFAULT_LIMITS, type StorageLimits } from './limits.ts';
import { createStorageRoutes } from './routes.ts';
import type { SyncStore } from './store.ts';

export { SyncStore } from './store.ts';
export { DEFAULT_LIMITS, type StorageLimits } from './limits.ts';
export { STORAGE_ROOT } from './routes.ts';

export interface StorageServiceOptions {
  limits?: Partial<StorageLimits>;
  /** Hawk timestamp window in seconds (default 60; syncstorage-rs allows 52 weeks). */
  hawkSkewSeconds?: number;
  /** Enforce max_total_records / max_total_bytes per batch (default true). */
  enforceBatchTotals?: boolean;
}

export interface StorageService {
  handler: Handler;
  limits: StorageLimits;
  hawk: HawkVerifier;
}

export function createStorageService(ctx: ServerContext, store: SyncStore, opts: StorageServiceOptions = {}): StorageService {
  const limits: StorageLimits = { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) };
  const hawk = new HawkVerifier(ctx, { skewSeconds: opts.hawkSkewSeconds ?? 60 });
  const handler = createStorageRoutes(store, hawk, { limits, enforceBatchTotals: opts.enforceBatchTotals ?? true });
  return { handler, limits, hawk };
}
