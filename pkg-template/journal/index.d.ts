// repair-claims/journal: stores for a client's option `journal`, where `settle` and `claim()`
// record each step as it returns. `memoryJournal` (the default) comes from 'repair-claims'.
import type { Journal } from '../nodejs/repair_claims';

export type { Journal };

/**
 * Node: a journal in directory `dir`, one file per key, each write flushed (fsync) and renamed
 * into place: it survives a process killed at any instant (SIGKILL, OOM, a deploy). For one
 * machine; many instances share `redisJournal`.
 */
export function fileJournal(dir: string): Journal;

/** What `redisJournal` needs of a Redis client: node-redis (`redis` 4 or 5) and ioredis both fit. */
export interface RedisLike {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ...options: unknown[]): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/**
 * Node: a journal in Redis, for many instances of a back end (`SET … NX PX` decides which run
 * of a workflow goes on). `client`: a connected client of `redis` or `ioredis`, which you bring.
 */
export function redisJournal(client: RedisLike, options?: { prefix?: string }): Journal;

/** Browsers: a journal in IndexedDB database `name` (default `repair-claims-journal`): a page reloaded mid-workflow resumes. */
export function indexedDbJournal(name?: string): Journal;
