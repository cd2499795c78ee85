'use strict';
// repair-claims/journal for Node: stores for a client's option `journal` (see index.d.ts), each
// with `get`, `set(key, value, { ttlMs, ifAbsent })` and `delete`. `memoryJournal` is the
// package's own (the default); these survive the process.
const fs = require('node:fs');
const path = require('node:path');
const { createHash, randomBytes } = require('node:crypto');

/** The file of `key` in `dir`: its hash, so that any key is a safe, short name. */
const fileOf = (dir, key) => path.join(dir, `${createHash('sha256').update(String(key)).digest('hex')}.json`);

/** What a file holds, or null when it is absent, expired or unreadable. */
function readEntry(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
  try {
    const entry = JSON.parse(text);
    return entry && typeof entry.value === 'string' && !(entry.expires <= Date.now()) ? entry : null;
  } catch {
    return null;
  }
}

/** A name of its own in `dir`, for a file being written or moved aside. */
const aside = (dir, what) => path.join(dir, `.${process.pid}-${randomBytes(6).toString('hex')}.${what}`);

/**
 * Moves the expired entry `file` out of the way: renamed to a name of its own (of two processes
 * doing so, one rename wins; the other finds nothing, or what the winner linked since, which it
 * puts back). Whether the expired entry is gone.
 */
function takeExpired(file) {
  const moved = aside(path.dirname(file), 'old');
  try {
    fs.renameSync(file, moved);
  } catch (error) {
    if (error.code === 'ENOENT') return true;
    throw error;
  }
  if (readEntry(moved) === null) {
    fs.rmSync(moved, { force: true });
    return true;
  }
  // A live value (another process's, linked after this one read the expired one): back it goes.
  try {
    fs.linkSync(moved, file);
  } catch {
    // Another value is there by now: that one stands.
  }
  fs.rmSync(moved, { force: true });
  return false;
}

/** Removes from `dir` the entries past their time to live, and what a killed process left (an hour old). */
function sweep(dir) {
  const now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      if (name.startsWith('.')) {
        if (now - fs.statSync(file).mtimeMs > 3_600_000) fs.rmSync(file, { force: true });
      } else if (name.endsWith('.json') && readEntry(file) === null) {
        // Moved aside and checked, as set-if-absent does: a value written meanwhile stays.
        takeExpired(file);
      }
    } catch {
      // Gone meanwhile, or not ours to read: left alone.
    }
  }
}

/**
 * A journal in directory `dir` (made if absent), one file per key, for one machine: each write
 * goes to a file of its own, is flushed to the disk (fsync) and renamed over the key's file, so
 * that a process killed at any instant leaves the old value or the new one, never a part.
 * `ifAbsent` links the new file to the key's name, which fails if another process made it first
 * (an expired entry is moved aside first: see `takeExpired`; of three or more processes taking
 * one expired entry at the same instant, two may both win, which the workflow's record then
 * tells apart: `Run::holds`). Expired entries, and files a killed
 * process left, are removed when the journal is made.
 */
function fileJournal(dir) {
  if (typeof dir !== 'string' || dir === '') throw new TypeError('fileJournal(dir): dir must be a directory path');
  fs.mkdirSync(dir, { recursive: true });
  sweep(dir);
  const syncDir = () => {
    let fd;
    try {
      fd = fs.openSync(dir, 'r');
      fs.fsyncSync(fd);
    } catch {
      // Some file systems cannot sync a directory: the rename stands anyway.
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  };
  const staged = (entry) => {
    const temp = aside(dir, 'tmp');
    const fd = fs.openSync(temp, 'wx');
    try {
      fs.writeSync(fd, JSON.stringify(entry));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return temp;
  };
  return {
    async get(key) {
      return readEntry(fileOf(dir, key))?.value ?? null;
    },
    async set(key, value, options = {}) {
      const file = fileOf(dir, key);
      const entry = { value: String(value), ...(options.ttlMs > 0 ? { expires: Date.now() + options.ttlMs } : {}) };
      const temp = staged(entry);
      try {
        if (!options.ifAbsent) {
          fs.renameSync(temp, file);
          syncDir();
          return true;
        }
        try {
          fs.linkSync(temp, file);
        } catch (error) {
          if (error.code !== 'EEXIST') throw error;
          // Taken, unless what is there expired: moved aside (one process's rename wins), checked
          // (a live value moved by mistake goes back), then the link is tried once more.
          if (readEntry(file) !== null || !takeExpired(file)) return false;
          try {
            fs.linkSync(temp, file);
          } catch (again) {
            if (again.code === 'EEXIST') return false;
            throw again;
          }
        }
        syncDir();
        return true;
      } finally {
        fs.rmSync(temp, { force: true });
      }
    },
    async delete(key) {
      fs.rmSync(fileOf(dir, key), { force: true });
      syncDir();
    },
  };
}

/**
 * A journal in Redis, for many instances of a back end: `client` is a connected client of the
 * `redis` package (node-redis 4 or 5) or of `ioredis`, which the caller brings. Keys are
 * `prefix` + the journal's key; a time to live is Redis's own (`PX`), `ifAbsent` its `NX`.
 */
function redisJournal(client, { prefix = '' } = {}) {
  if (!client || typeof client.get !== 'function' || typeof client.set !== 'function') {
    throw new TypeError('redisJournal(client): client must be a connected redis or ioredis client');
  }
  // ioredis takes SET's arguments as they are written; node-redis takes an options object.
  const ioredis = typeof client.status === 'string' && typeof client.call === 'function';
  const remove = (key) => (typeof client.del === 'function' ? client.del(key) : client.DEL(key));
  return {
    async get(key) {
      return (await client.get(prefix + key)) ?? null;
    },
    async set(key, value, { ttlMs, ifAbsent } = {}) {
      const ttl = ttlMs > 0 ? Math.ceil(ttlMs) : undefined;
      const answer = ioredis
        ? await client.set(prefix + key, String(value), ...(ttl ? ['PX', ttl] : []), ...(ifAbsent ? ['NX'] : []))
        : await client.set(prefix + key, String(value), { ...(ttl ? { PX: ttl } : {}), ...(ifAbsent ? { NX: true } : {}) });
      return answer === 'OK';
    },
    async delete(key) {
      await remove(prefix + key);
    },
  };
}

/** Browsers only: IndexedDB is theirs. */
function indexedDbJournal() {
  throw new TypeError('indexedDbJournal is for browsers: in Node, use fileJournal or redisJournal');
}

module.exports = { fileJournal, redisJournal, indexedDbJournal };
