// Tiny exact-path router for the identity services. Handlers return a full response; FxA errors
// thrown anywhere become Mozilla-shaped error bodies.
import type { Handler, ServerRequest, ServerResponse } from '../../core/http.ts';
import type { IdentityState } from '../state.ts';
import { FxaError, errors } from './errors.ts';
import { fxaErrorResponse, fxaJson } from './respond.ts';

export interface Route {
  method: string;
  path: string;
  handle: (req: ServerRequest) => Promise<ServerResponse> | ServerResponse;
}

export function ok(state: IdentityState, body: unknown, status = 200): ServerResponse {
  return fxaJson(state.ctx.now(), status, body);
}

/** Wraps routes into a Handler; unknown paths under `ownPrefix` get FxA's 404, others return null. */
export function routeHandler(state: IdentityState, routes: Route[], ownPrefix: string | null): Handler {
  return async (req) => {
    const path = req.url.pathname;
    const candidates = routes.filter((r) => r.path === path);
    if (candidates.length === 0) {
      if (ownPrefix !== null && path.startsWith(ownPrefix)) return fxaErrorResponse(state.ctx.now(), errors.notFound());
      return null;
    }
    const method = req.method.toUpperCase() === 'HEAD' ? 'GET' : req.method.toUpperCase();
    const route = candidates.find((r) => r.method === method);
    if (!route) {
      return fxaErrorResponse(state.ctx.now(), new FxaError(405, 999, 'Method Not Allowed', 'Method Not Allowed'));
    }
    try {
      return await route.handle(req);
    } catch (err) {
      if (err instanceof FxaError) return fxaErrorResponse(state.ctx.now(), err);
      throw err;
    }
  };
}

export function wantsKeys(req: ServerRequest): boolean {
  return req.url.searchParams.get('keys') === 'true';
}
