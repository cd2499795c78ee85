// The module's own JS: what is cheaper done on the JS side of the boundary in one crossing
// than from Rust value by value, and everything that touches a caller's values (their getters,
// Proxies and buffers may throw: an exception must never unwind through the module's frames).
// An ES module; scripts/build.sh writes the Node entry's copy as CommonJS.

/** Redirects followed within one origin (`src/fetch.rs`); another origin is never followed. */
const MAX_REDIRECTS = 5;

/**
 * One attempt of a call (`src/fetch.rs`): `fetch`, then the reply's bytes, at most `limit` of
 * them. Never rejects for the reply's sake: it resolves with `{ status, retryAfter, body }`, or
 * with `error` (reading the body failed), `tooLarge` (over `limit`, read no further) or
 * `redirect` (the origin a redirect pointed at, not followed: credentials never go there).
 */
export function attempt(url, method, headers, body, length, controller, limit, fetcher) {
  const lines = headers.split('\n');
  const sent = {};
  for (let i = 0; i + 1 < lines.length; i += 2) sent[lines[i]] = lines[i + 1];
  if (typeof body === 'function') sent['content-length'] = String(length);
  if (!fetcher) return send(url, method, sent, body, controller.signal, limit, 0, fetch);
  // A caller's fetch may ignore the signal, return a thenable or a Response, or throw: the attempt
  // still settles when its controller aborts (its timeout, or the caller's signal).
  const { signal } = controller;
  const stopped = new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  const own = (target, init) => Promise.resolve().then(() => fetcher(target, init));
  return Promise.race([send(url, method, sent, body, signal, limit, 0, own), stopped]);
}

function send(url, method, headers, body, signal, limit, hops, fetcher) {
  const init = { method, headers, signal, redirect: 'manual' };
  if (typeof body === 'function') {
    // A body given chunk by chunk (`src/body.rs`): streamed as it is encoded, with its length.
    let next = 0;
    init.body = new ReadableStream({
      pull(stream) {
        const chunk = body(next++);
        if (chunk === undefined) stream.close();
        else stream.enqueue(chunk);
      },
    });
    init.duplex = 'half';
  } else if (body !== undefined) {
    init.body = body;
  }
  return fetcher(url, init).then((response) => {
    const status = response.status;
    if (response.type === 'opaqueredirect') {
      // A browser does not say where a redirect points: it is not followed.
      return { status, retryAfter: null, redirect: '' };
    }
    if (status >= 300 && status < 400 && response.headers.has('location')) {
      discard(response);
      let target;
      try {
        target = new URL(response.headers.get('location'), url);
      } catch {
        return { status, retryAfter: null, redirect: '' };
      }
      if (target.origin !== new URL(url).origin || hops >= MAX_REDIRECTS) {
        return { status, retryAfter: null, redirect: target.origin };
      }
      // Within the origin, as fetch would: 303 (and 301/302 after a POST) become a GET.
      const get = status === 303 || ((status === 301 || status === 302) && method === 'POST');
      const next = { ...headers };
      if (get) {
        delete next['content-type'];
        delete next['content-length'];
      }
      return send(target.href, get ? 'GET' : method, next, get ? undefined : body, signal, limit, hops + 1, fetcher);
    }
    // Only a refusal is retried after a wait (429, 502-504).
    const retryAfter = status >= 400 ? response.headers.get('retry-after') : null;
    const { headers: replied } = response;
    return read(response, limit).then(
      (bytes) => (bytes === null ? { status, retryAfter, tooLarge: true } : { status, retryAfter, body: bytes, headers: replied }),
      (error) => ({ status, retryAfter, error }));
  });
}

/** The bytes of `parts` (Uint8Arrays), one after the other. */
function joined(parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Lets a reply go unread. */
function discard(response) {
  try {
    response.body?.cancel().catch(() => {});
  } catch {
    // Already used or locked: nothing to release.
  }
}

/** A reply's bytes, or `null` past `limit` (a `Content-Length` over it is not read at all). */
function read(response, limit) {
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) {
    discard(response);
    return Promise.resolve(null);
  }
  if (declared !== null && !response.headers.has('content-encoding') || !response.body) {
    // Its length is known (fetch checks the body has that many bytes): read in one piece.
    return response.arrayBuffer().then((bytes) => new Uint8Array(bytes));
  }
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  const pump = () => reader.read().then(({ done, value }) => {
    if (done) return joined(chunks);
    size += value.length;
    if (size > limit) {
      chunks.length = 0;
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
    return pump();
  });
  return pump();
}

/**
 * Whether `fetch` takes a streamed request body over HTTP/1.1: Node's does (browsers stream a
 * request only over HTTP/2); a page, even one with a `process` (Electron), is not asked to.
 */
export function streamsRequestBodies() {
  return typeof process === 'object' && typeof process?.versions?.node === 'string'
    && typeof window === 'undefined' && typeof ReadableStream === 'function';
}

/**
 * Resolves once `signal` is aborted (at once if it is already); `stop()` removes the listener, so
 * that a long-lived signal keeps none per call. `undefined` when `signal` cannot be listened to.
 */
export function whenAborted(signal) {
  try {
    let stop = () => {};
    const fired = new Promise((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', resolve, { once: true });
      stop = () => {
        try {
          signal.removeEventListener('abort', resolve);
        } catch {
          // A signal whose method throws keeps what it holds.
        }
      };
    });
    return { fired, stop: () => stop() };
  } catch {
    return undefined;
  }
}

/** What a call settles with: `{ data, response }`, `response` null when it has no `status`. */
export function settled(data, status, headers, durationMs) {
  return { data, response: status === undefined ? null : { status, headers, durationMs } };
}

/**
 * The promise of a call's value, from `settled`, a promise of `{ data, response }`: its
 * `withResponse()` gives both (`response`: the status, headers and duration of the reply the value
 * came from, `null` when none of the call's own did).
 */
export function apiPromise(settled) {
  const value = settled.then((both) => both.data);
  // A caller of `withResponse()` handles the call's failure there: the value's own rejection is
  // then not an unhandled one (which would end a Node process).
  value.withResponse = () => {
    value.catch(() => {});
    return settled;
  };
  return value;
}

/** Hands a call event (JSON text, which holds no secret) to `listener` and to `logger` (`true`: `console`), the URL without userinfo; what they throw is ignored. */
export function notify(listener, logger, text) {
  const event = JSON.parse(text);
  try {
    const url = new URL(event.url);
    url.username = url.password = '';
    event.url = url.href;
  } catch {
    // Not a URL the host parses: as it is.
  }
  const line = `repair-claims ${event.type} ${event.operation} #${event.attempt} ${event.method} ${event.url}${event.status ? ` ${event.status}` : ''}`;
  const log = logger === true ? (...args) => console.debug(...args) : logger && (typeof logger === 'function' ? logger : (...args) => logger.debug(...args));
  for (const [hear, args] of [[listener, [{ ...event }]], [log, [line, { ...event }]]]) {
    try {
      // What a listener or logger throws, or rejects with, is not the call's concern.
      const heard = hear && hear(...args);
      if (heard && typeof heard.then === 'function') heard.then(undefined, () => {});
    } catch {
      // Ignored, as above.
    }
  }
}

/** The methods a journal store (option `journal`) lacks, of `get`, `set` and `delete`: none, or their names. */
export function journalLacks(store) {
  try {
    return ['get', 'set', 'delete'].filter((name) => typeof store[name] !== 'function').join(', ');
  } catch {
    return 'get, set, delete';
  }
}

/**
 * One call of a journal store, which may throw, hang or answer anything: resolves within
 * `timeoutMs` with `{ value }` (a `get`: a string or nothing; a `set`: whether it stored), or
 * with `{ fault, cause }`. Never rejects. `ttlMs` 0: kept until deleted.
 */
export function journalCall(store, method, key, value, ttlMs, ifAbsent, timeoutMs) {
  return callStore(store, method, key, value, ttlMs, ifAbsent, timeoutMs);
}

function callStore(store, method, key, value, ttlMs, ifAbsent, timeoutMs) {
  return new Promise((resolve) => {
    let timer;
    const finish = (result) => {
      clearTimeout(timer);
      resolve(result);
    };
    timer = setTimeout(() => finish({ fault: `did not answer ${method} within ${timeoutMs} ms` }), timeoutMs);
    const answered = (given) => {
      if (method === 'get') {
        if (given === null || given === undefined || typeof given === 'string') return finish({ value: given ?? null });
        return finish({ fault: 'answered get with something other than a string or null' });
      }
      // A set-if-absent says whether it stored; a plain set or a delete may answer anything.
      finish({ value: ifAbsent ? given === true : true });
    };
    const failed = (cause) => finish({ fault: `${method} failed`, cause });
    try {
      const options = { ...(ttlMs ? { ttlMs } : {}), ...(ifAbsent ? { ifAbsent: true } : {}) };
      const given = method === 'set' ? store.set(key, value, options) : store[method](key);
      if (given && typeof given.then === 'function') given.then(answered, failed);
      else answered(given);
    } catch (cause) {
      failed(cause);
    }
  });
}

/**
 * Keeps a workflow's claim on its journal entry (`key`, holding `owner`) while it runs, so that
 * other runs wait: renewed every third of `leaseMs` while it holds `owner`, taken again if it
 * lapsed and nobody took it (without keeping the process alive). Returns `{ stop }`; nothing is
 * written once stopped. (The run's record, not the lease, decides whether it may go on.)
 */
export function journalHold(store, key, owner, leaseMs) {
  const hold = { stopped: false };
  const renew = () => {
    callStore(store, 'get', key, undefined, 0, false, leaseMs).then((held) => {
      if (hold.stopped || held.fault) return;
      if (held.value === owner) callStore(store, 'set', key, owner, leaseMs, false, leaseMs);
      else if (held.value === null) callStore(store, 'set', key, owner, leaseMs, true, leaseMs);
    });
  };
  const timer = setInterval(renew, Math.max(1, Math.floor(leaseMs / 3)));
  if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref();
  hold.stop = () => {
    hold.stopped = true;
    clearInterval(timer);
  };
  return hold;
}

/**
 * The SHA-256 of `text` in hex (what names an account in a shared cache's keys, from its
 * credentials), with Node's crypto; `null` where there is none (browsers: caches are not shared
 * there).
 */
export function accountOf(text) {
  try {
    // eslint-disable-next-line no-undef
    return require('node:crypto').createHash('sha256').update(text).digest('hex');
  } catch {
    return null;
  }
}

/** Lets a workflow's entry `key` go, if `owner` still holds it (never another run's). */
export function journalRelease(store, key, owner, timeoutMs) {
  callStore(store, 'get', key, undefined, 0, false, timeoutMs).then((held) => {
    if (held.value === owner) callStore(store, 'delete', key, undefined, 0, false, timeoutMs);
  });
}

/**
 * A fingerprint of a file's bytes, or of its base64 text (two 32-bit FNV-1a hashes with
 * different primes), so that a journal tells a file from another of the same name and size.
 */
export function digest(bytes) {
  if (typeof bytes === 'string') bytes = new TextEncoder().encode(bytes);
  let a = 0x811c9dc5;
  let b = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i], 0x01000193);
    b = Math.imul(b ^ bytes[i], 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * The journal a client keeps when given none: entries in this process's memory, each until its
 * time to live, at most `maxEntries` (10 000; the oldest goes first, never a running workflow's
 * lease).
 */
export function makeMemoryJournal(options) {
  const max = Number.isInteger(options?.maxEntries) && options.maxEntries > 0 ? options.maxEntries : 10000;
  const entries = new Map();
  const live = (key) => {
    const entry = entries.get(key);
    if (entry && entry.expires <= Date.now()) entries.delete(key);
    return entries.get(key);
  };
  return {
    async get(key) {
      return live(String(key))?.value ?? null;
    },
    async set(key, value, { ttlMs, ifAbsent } = {}) {
      key = String(key);
      if (ifAbsent && live(key)) return false;
      entries.delete(key);
      entries.set(key, { value: String(value), expires: ttlMs > 0 ? Date.now() + ttlMs : Infinity });
      if (entries.size > max) {
        // The oldest entry goes, unless it is a running workflow's lease.
        for (const old of entries.keys()) {
          if (!old.endsWith(':lease')) {
            entries.delete(old);
            break;
          }
        }
      }
      return true;
    },
    async delete(key) {
      entries.delete(String(key));
    },
  };
}

/** `signal.reason`, what the caller aborted with; `undefined` when it cannot be read. */
export function abortReason(signal) {
  try {
    return signal?.reason;
  } catch {
    return undefined;
  }
}

/** Whether `signal` is aborted; false when that cannot be read. */
export function isAborted(signal) {
  try {
    return signal?.aborted === true;
  } catch {
    return false;
  }
}

/** Deeper than any input of either API; an object that contains itself stops here. */
const MAX_DEPTH = 16;
/** How a stand-in for a file or an odd number starts in the JSON text (`src/input.rs`). */
const MARK = '\u0001';
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const PLAIN_KEY = /^[^\s\p{Cc}.[\]"]+$/u;
const typedArray = Object.getPrototypeOf(Uint8Array.prototype);
const own = (prototype, name) => Object.getOwnPropertyDescriptor(prototype, name).get;
const TYPED = { buffer: own(typedArray, 'buffer'), offset: own(typedArray, 'byteOffset'), length: own(typedArray, 'byteLength') };
const VIEW = { buffer: own(DataView.prototype, 'buffer'), offset: own(DataView.prototype, 'byteOffset'), length: own(DataView.prototype, 'byteLength') };
const DATE = Date.prototype;

/** A field path as `src/input.rs` writes it: `Consumer.Zip`, `files[1]`, `Consumer[""]`. */
function child(path, key) {
  if (PLAIN_KEY.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/**
 * A caller's input as `{ json, files, numbers, faults }`, never throwing: the JSON text of a copy
 * of it, where each file is `"\u0001f<i>"` (its bytes copied into `files[i]`, so that a buffer
 * detached or changed later changes nothing) and each number JSON text would not carry exactly is
 * `"\u0001n<i>"` (`numbers[i]`); a `Date` is its day (`YYYY-MM-DD`) at a local midnight, its
 * instant in UTC otherwise. `faults` lists `[path, code, message, expected?]` of every value that cannot be
 * read: a getter, a Proxy trap or a buffer that throws, a lone surrogate, a function. A `Blob`'s
 * bytes come later: the result is then a promise (which never rejects).
 */
export function readInput(input) {
  const files = [];
  const numbers = [];
  const faults = [];
  const blobs = [];
  const fault = (path, code, message, expected) => {
    faults.push([path, code, message, expected]);
    return undefined;
  };
  const file = (bytes) => {
    files.push(bytes);
    return `${MARK}f${files.length - 1}`;
  };
  const copy = (value, path, depth) => {
    try {
      return copyValue(value, path, depth);
    } catch {
      // A Proxy's trap, a getter: whatever threw, that value is at fault and the rest is read.
      return fault(path, 'unreadable', 'could not be read (it threw)');
    }
  };
  const copyValue = (value, path, depth) => {
    switch (typeof value) {
      case 'string':
        if (LONE_SURROGATE.test(value)) return fault(path, 'format', 'holds a lone surrogate: it is not valid Unicode text');
        if (value.startsWith(MARK)) return fault(path, 'format', 'must not start with the control character U+0001');
        return value;
      case 'boolean':
      case 'undefined':
        return value;
      case 'number':
        if (!Number.isFinite(value)) return fault(path, 'type', 'must be a finite number', 'number');
        if (Number.isSafeInteger(value) || /^-?[0-9.]{1,15}$/.test(String(value))) return value;
        numbers.push(value);
        return `${MARK}n${numbers.length - 1}`;
      case 'object':
        break;
      default:
        return fault(path, 'type', 'must be a string, number, boolean, Date, bytes, array or plain object');
    }
    if (value === null) return null;
    if (depth > MAX_DEPTH) return fault(path, 'unreadable', 'is nested too deeply (does it contain itself?)');
    try {
      if (value instanceof Date) {
        const time = DATE.getTime.call(value);
        if (Number.isNaN(time)) return fault(path, 'format', 'is an invalid Date', 'date');
        const midnight = DATE.getHours.call(value) === 0 && DATE.getMinutes.call(value) === 0
          && DATE.getSeconds.call(value) === 0 && DATE.getMilliseconds.call(value) === 0;
        if (!midnight) return DATE.toISOString.call(value);
        const pad = (n, width) => String(n).padStart(width, '0');
        return `${pad(DATE.getFullYear.call(value), 4)}-${pad(DATE.getMonth.call(value) + 1, 2)}-${pad(DATE.getDate.call(value), 2)}`;
      }
    } catch {
      return fault(path, 'unreadable', 'could not be read (the Date threw)');
    }
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      try {
        if (value instanceof ArrayBuffer) return file(new Uint8Array(value).slice());
        const parts = value instanceof DataView ? VIEW : TYPED;
        return file(new Uint8Array(parts.buffer.call(value), parts.offset.call(value), parts.length.call(value)).slice());
      } catch {
        return fault(path, 'unreadable', 'could not be read (its buffer is detached or out of range)');
      }
    }
    try {
      if (typeof value.arrayBuffer === 'function' && typeof value.size === 'number') {
        const marker = `${MARK}f${files.length}`;
        const at = files.length;
        files.push(null);
        blobs.push(Promise.resolve().then(() => value.arrayBuffer()).then(
          (bytes) => {
            if (bytes instanceof ArrayBuffer) files[at] = new Uint8Array(bytes);
            else fault(path, 'unreadable', 'could not be read (Blob.arrayBuffer() gave no ArrayBuffer)');
          },
          () => fault(path, 'unreadable', 'could not be read (Blob.arrayBuffer() failed)')));
        return marker;
      }
    } catch {
      return fault(path, 'unreadable', 'could not be read (its getter threw)');
    }
    let array;
    try {
      array = Array.isArray(value) ? Array.from(value) : undefined;
    } catch {
      return fault(path, 'unreadable', 'could not be read (its items threw)');
    }
    if (array) {
      const items = new Array(array.length);
      for (let i = 0; i < array.length; i++) {
        const item = copy(array[i], `${path}[${i}]`, depth + 1);
        items[i] = item === undefined ? null : item;
      }
      return items;
    }
    let keys;
    try {
      keys = Object.keys(value);
    } catch {
      return fault(path, 'unreadable', 'could not be read (its keys threw)');
    }
    const object = {};
    for (const key of keys) {
      const at = child(path, key);
      if (LONE_SURROGATE.test(key)) {
        fault(at, 'format', 'is a name with a lone surrogate: it is not valid Unicode text');
        continue;
      }
      let item;
      try {
        item = value[key];
      } catch {
        fault(at, 'unreadable', 'could not be read (its getter threw)');
        continue;
      }
      if (item === undefined) continue;
      const copied = copy(item, at, depth + 1);
      if (copied === undefined) continue;
      // `__proto__` is a key like any other in JSON: defined as data, not set as a prototype.
      if (key === '__proto__') Object.defineProperty(object, key, { value: copied, enumerable: true, writable: true, configurable: true });
      else object[key] = copied;
    }
    return object;
  };
  const value = copy(input, '', 0);
  const done = () => {
    let json;
    try {
      json = value === undefined ? 'null' : JSON.stringify(value);
    } catch {
      json = 'null';
      fault('', 'unreadable', 'could not be read');
    }
    return { json, files, numbers: Float64Array.from(numbers), faults };
  };
  return blobs.length === 0 ? done() : Promise.all(blobs).then(done);
}

/** What a value is, for a message that never shows it: `string`, `number`, `array`, `object`… */
export function typeName(value) {
  if (value === null) return 'null';
  try {
    if (Array.isArray(value)) return 'array';
  } catch {
    return 'object';
  }
  return typeof value;
}
