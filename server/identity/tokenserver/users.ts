// Token server user bookkeeping, following syncstorage-rs (tokenserver extractors.rs `validate`,
// handlers.rs `update_user`): a client-state change with a newer keys_changed_at allocates a new
// storage uid; stale or regressing key ids are refused.
import { createHash } from 'node:crypto';
import type { IdentityState, TokenserverUser } from '../state.ts';

export class TokenserverRefusal extends Error {
  constructor(
    readonly status: 'invalid-client-state' | 'invalid-keysChangedAt' | 'invalid-credentials',
    readonly description: string,
    readonly location: 'header' | 'body',
    readonly errorName: string,
  ) {
    super(description);
  }
}

/** Stable decimal storage uid per (account, client state, node): same keys → same storage bucket. */
export function storageUidFor(fxaUid: string, clientState: string, nodeMoves = 0): string {
  const digest = createHash('sha256').update(nodeMoves === 0 ? `${fxaUid}:${clientState}` : `${fxaUid}:${clientState}:node${nodeMoves}`).digest();
  // Storage routes take 1–10 digit uids (syncstorage-rs `{uid:[0-9]{1,10}}`); stay within 9 digits.
  return String(1000 + (digest.readUInt32BE(0) % 999_999_000));
}

export function allocateUser(state: IdentityState, fxaUid: string, clientState: string, keysChangedAt: number | null): TokenserverUser {
  const existing = state.tokenserverUsers.get(fxaUid);
  if (!existing) {
    const user: TokenserverUser = {
      fxaUid,
      storageUid: storageUidFor(fxaUid, clientState),
      clientState,
      keysChangedAt,
      generation: keysChangedAt ?? 0,
      oldClientStates: new Set(),
    };
    state.tokenserverUsers.set(fxaUid, user);
    return user;
  }
  const user = existing;
  const kca = keysChangedAt;
  const userKca = user.keysChangedAt;
  if (user.clientState !== '' && clientState === '') {
    throw new TokenserverRefusal('invalid-client-state', 'Unacceptable client-state value empty string', 'header', 'X-Client-State');
  }
  if (user.oldClientStates.has(clientState)) {
    throw new TokenserverRefusal('invalid-client-state', 'Unacceptable client-state value stale value', 'header', 'X-Client-State');
  }
  if (clientState !== user.clientState && kca !== null && userKca !== null && kca <= userKca) {
    throw new TokenserverRefusal(
      'invalid-client-state',
      'Unacceptable client-state value new value with no keys_changed_at change',
      'header',
      'X-Client-State',
    );
  }
  if (kca !== null && userKca !== null && userKca > kca) {
    throw new TokenserverRefusal('invalid-keysChangedAt', 'Unauthorized', 'body', '');
  }
  if (kca === null && userKca !== null && userKca !== 0) {
    throw new TokenserverRefusal('invalid-keysChangedAt', 'Unauthorized', 'body', '');
  }
  const newKca = kca ?? userKca;
  if (clientState !== user.clientState) {
    user.oldClientStates.add(user.clientState);
    user.clientState = clientState;
    user.storageUid = storageUidFor(fxaUid, clientState, user.nodeMoves ?? 0);
  }
  user.keysChangedAt = newKca;
  if (newKca !== null && newKca > user.generation) user.generation = newKca;
  return user;
}

/**
 * After the node-reassignment fault moved the user's storage uid (its node generation went up),
 * the user gets a new uid, so the token's api_endpoint changes as Mozilla's token server does
 * when it allocates a user on a new node. Clients tell a reassignment apart from an expired token
 * by exactly that.
 */
export function followNodeReassignment(user: TokenserverUser, currentGeneration: (storageUid: string) => number): void {
  while (currentGeneration(user.storageUid) > 0) {
    user.nodeMoves = (user.nodeMoves ?? 0) + 1;
    user.storageUid = storageUidFor(user.fxaUid, user.clientState, user.nodeMoves);
  }
}
