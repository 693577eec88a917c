// What the account-level sync gives every engine it builds for a run.
import type { Logger } from '../log/logger.ts';
import type { ClientCommandHandlers } from './clients/engine.ts';
import type { OurClientInfo } from './clients/record.ts';

export interface EngineRuntime {
  log: Logger;
  now: () => number;
  /** Commands from other devices; wipeEngine/resetEngine/resetAll reach every engine the same way. */
  commands: ClientCommandHandlers;
  /** This browser's device details for the clients record, given its record id. */
  describeClient(clientId: string): Promise<OurClientInfo>;
}
