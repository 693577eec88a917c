// Test-only control API (mounted only in test mode):
//   /__test__/faults…   arm, list, remove and reset fault switches; immediate actions; clock skew
//   /__test__/storage…  inspect, seed and wipe users' storage
// Identity routes its own /__test__/accounts/….
import type { Handler, ServerRequest, ServerResponse } from '../core/http.ts';
import { json } from '../core/http.ts';
import type { AdjustableClock } from '../core/clock.ts';
import { concurrentWrite, expireTokens, reassignNode, type FaultDeps } from './actions.ts';
import { FaultSpecError, type FaultRegistry } from './registry.ts';
import { tsSeconds } from '../storage/syncTime.ts';

export interface ControlDeps extends FaultDeps {
  registry: FaultRegistry;
  clock: AdjustableClock;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function body(req: ServerRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const v = JSON.parse(req.body.toString('utf8')) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through to the 400 below
  }
  throw new ControlError(400, 'body must be a JSON object');
}

function uidFrom(v: unknown): string {
  const uid = typeof v === 'number' ? String(v) : v;
  if (typeof uid !== 'string' || !/^[0-9]{1,20}$/.test(uid)) throw new ControlError(400, 'uid (decimal string) required');
  return uid;
}

function stringFrom(v: unknown, name: string): string {
  if (typeof v !== 'string' || v === '') throw new ControlError(400, `${name} required`);
  return v;
}

function faultRoutes(req: ServerRequest, path: string, deps: ControlDeps): ServerResponse | null {
  const { method } = req;
  if (path === '/__test__/faults') {
    if (method === 'GET') return json(200, { faults: deps.registry.list() });
    if (method === 'POST') return json(201, deps.registry.arm(body(req)));
    if (method === 'DELETE') {
      deps.registry.clear();
      return json(200, { cleared: true });
    }
  }
  if (method === 'POST' && path === '/__test__/faults/reset') {
    deps.registry.clear();
    deps.clock.offsetMs = 0;
    return json(200, { reset: true });
  }
  if (method === 'POST' && path === '/__test__/faults/expire-tokens') {
    const b = body(req);
    const mode = b.mode === 'expire' ? 'expire' : 'revoke';
    expireTokens(deps, uidFrom(b.uid), mode);
    return json(200, { uid: String(b.uid), mode });
  }
  if (method === 'POST' && path === '/__test__/faults/reassign') {
    const uid = uidFrom(body(req).uid);
    return json(200, { uid, generation: reassignNode(deps, uid) });
  }
  if (method === 'POST' && path === '/__test__/faults/concurrent-write') {
    const b = body(req);
    const uid = uidFrom(b.uid);
    const collection = stringFrom(b.collection, 'collection');
    return json(200, { uid, collection, modified: concurrentWrite(deps, uid, collection) });
  }
  if (path === '/__test__/faults/clock') {
    if (method === 'POST') {
      const offset = body(req).offsetMs;
      if (typeof offset !== 'number' || !Number.isFinite(offset)) throw new ControlError(400, 'offsetMs (number) required');
      deps.clock.offsetMs = offset;
    }
    if (method === 'POST' || method === 'GET') return json(200, { offsetMs: deps.clock.offsetMs, now: deps.clock.now() });
  }
  const one = /^\/__test__\/faults\/(\d+)$/.exec(path);
  if (one && method === 'DELETE') {
    return deps.registry.remove(one[1]!) ? json(200, { removed: one[1] }) : json(404, { error: 'no such fault' });
  }
  return null;
}

function storageRoutes(req: ServerRequest, path: string, deps: ControlDeps): ServerResponse | null {
  const { method } = req;
  if (method === 'POST' && path === '/__test__/storage/reset') {
    deps.store.reset();
    return json(200, { reset: true });
  }
  const m = /^\/__test__\/storage\/([0-9]{1,20})(?:\/([a-zA-Z0-9._-]{1,32}))?$/.exec(path);
  if (!m) return null;
  const uid = m[1]!;
  const coll = m[2];
  const backend = deps.store.backend();
  if (coll === undefined) {
    if (method === 'GET') {
      const collections: Record<string, unknown> = {};
      for (const [name, ts] of deps.store.collectionTimestamps(uid)) {
        collections[name] = { modified: tsSeconds(ts), records: backend.getRecords(uid, name) };
      }
      return json(200, { uid, modified: tsSeconds(deps.store.storageTs(uid)), generation: deps.nodes.currentGeneration(uid), collections });
    }
    if (method === 'DELETE') {
      backend.deleteAll(uid);
      return json(200, { deleted: uid });
    }
    return null;
  }
  if (method === 'GET') return json(200, { modified: tsSeconds(deps.store.collectionTs(uid, coll)), records: backend.getRecords(uid, coll) });
  if (method === 'POST') {
    let records: unknown;
    try {
      records = JSON.parse(req.body.toString('utf8'));
    } catch {
      throw new ControlError(400, 'body must be a JSON array of records');
    }
    if (!Array.isArray(records)) throw new ControlError(400, 'body must be a JSON array of records');
    try {
      return json(200, backend.putRecords(uid, coll, records as Parameters<typeof backend.putRecords>[2]));
    } catch (err) {
      throw new ControlError(400, err instanceof Error ? err.message : String(err));
    }
  }
  return null;
}

export function createControlHandler(deps: ControlDeps): Handler {
  return async (req) => {
    const path = req.url.pathname;
    const faults = path === '/__test__/faults' || path.startsWith('/__test__/faults/');
    const storage = path.startsWith('/__test__/storage/');
    if (!faults && !storage) return null;
    try {
      const res = faults ? faultRoutes(req, path, deps) : storageRoutes(req, path, deps);
      return res ?? json(404, { error: `no control route ${req.method} ${path}` });
    } catch (err) {
      if (err instanceof ControlError || err instanceof FaultSpecError || err instanceof SyntaxError) {
        return json(err instanceof ControlError ? err.status : 400, { error: err.message });
      }
      throw err;
    }
  };
}
