// Test helper: a fresh, isolated database on fake-indexeddb for each test.
import 'fake-indexeddb/auto';
import { openDatabase } from '../db/open.ts';
import type { SyncbridgeDB } from '../db/schema.ts';

let n = 0;
export async function freshDatabase(): Promise<SyncbridgeDB> {
  return openDatabase(`syncbridge-test-${process.pid}-${++n}-${Date.now()}`);
}
