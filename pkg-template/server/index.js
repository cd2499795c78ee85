'use strict';
// repair-claims/server: the gateway a portal's back end mounts so that its browser pages hold no
// secret. A browser client made with `gateway` sends `POST {prefix}/{api}/{method}` with
// `{ "args": [...] }` (what the method was given): a small read's in header `x-repair-claims-args`
// with no body, any other as its body (with files, their bytes after it); the gateway finds the
// tenant, calls the same method of that tenant's own client (which checks the input again with
// the same rules, holds the credentials and tokens, and sends the call to the API once), and
// answers `{ "data": … }` or `{ "error": … }` (a RepairClaimsError's properties, without a secret).
// The methods it serves are the clients' own, read from their classes: nothing lists them here.

const { LaluxClient, EcologicClient, isRepairClaimsError } = require('../nodejs/repair_claims.js');
const { createHash } = require('node:crypto');

/** The largest body taken by default: two 5 MiB LALUX files (an expert's settle), their JSON, and room. */
const BODY_LIMIT = 16 * 1024 * 1024;
/** How long a tenant's credentials are used before `credentials` is asked again. */
const CREDENTIALS_TTL_MS = 5 * 60 * 1000;
/** The most tenants whose clients are kept (the least recently used go first). */
const MAX_TENANTS = 10000;
/** Reply headers of the API passed on to the browser (an id to quote to support). */
const PASSED_HEADERS = ['x-request-id', 'request-id', 'x-correlation-id'];

/** The methods of `prototype` a caller may call (not `free`, `constructor`, or internals). */
function methodsOf(prototype) {
  return Object.getOwnPropertyNames(prototype).filter((name) => {
    const { value } = Object.getOwnPropertyDescriptor(prototype, name);
    return typeof value === 'function' && name !== 'constructor' && name !== 'free' && !name.startsWith('_');
  });
}

/** `{ method name: [role or null, name] }` of each API, read from a client holding nothing. */
function operations() {
  const lalux = new LaluxClient({ gateway: 'http://127.0.0.1' });
  const table = { lalux: new Map(), ecologic: new Map() };
  for (const role of ['repairer', 'expert']) {
    for (const name of methodsOf(Object.getPrototypeOf(lalux[role]))) table.lalux.set(`${role}.${name}`, [role, name]);
  }
  lalux.free();
  for (const name of methodsOf(EcologicClient.prototype)) table.ecologic.set(name, [null, name]);
  return table;
}

/** The content type of a relayed call: its JSON, then, with files, a newline and each file's bytes. */
const RELAYED = 'application/vnd.repair-claims.relay';
/** The header a small relayed call without files carries its args in, with no body. */
const ARGS_HEADER = 'x-repair-claims-args';
/** The most nesting walked in a relayed input (deeper than any input of either API). */
const MAX_DEPTH = 16;
/** The most files a relayed call may carry (a claim's documents, an expert's two PDFs). */
const MAX_FILES = 64;

/**
 * The `args` of a relayed body (`bytes`, a Buffer), or `undefined` when it is not one. With
 * files (after a newline), each `{ "repairClaimsFile": length }` in the JSON is replaced by the next `length` bytes
 * after it (a view: the tenant's client holds and streams the file as it does a caller's buffer);
 * the lengths must account for every byte, and there are at most `MAX_FILES` of them.
 */
function argsOf(bytes, relayed) {
  // The JSON ends at the first newline (JSON text never holds a raw one), or with the body.
  const newline = relayed ? bytes.indexOf(10) : -1;
  const end = newline < 0 ? bytes.length : newline;
  let args;
  try {
    ({ args } = JSON.parse(bytes.toString('utf8', 0, end)));
  } catch {
    return undefined;
  }
  if (newline < 0) return args;
  let at = end + 1;
  let count = 0;
  const files = (value, depth) => {
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
    const keys = Object.keys(value);
    if (!Array.isArray(value) && keys.length === 1 && keys[0] === 'repairClaimsFile') {
      const length = value.repairClaimsFile;
      count += 1;
      if (count > MAX_FILES || !Number.isSafeInteger(length) || length < 0 || at + length > bytes.length) throw new RangeError('not a file of the body');
      at += length;
      return bytes.subarray(at - length, at);
    }
    for (const key of keys) value[key] = files(value[key], depth + 1);
    return value;
  };
  try {
    args = files(args, 0);
  } catch {
    return undefined;
  }
  return at === bytes.length ? args : undefined;
}

/** The args a header carries (`src/gateway.rs`: their JSON, URI-encoded), or `undefined`. */
function carriedArgs(value) {
  try {
    return JSON.parse(decodeURIComponent(value)).args;
  } catch {
    return undefined;
  }
}

/** The `host` of the first element of a `Forwarded` header (RFC 7239), unquoted; else undefined. */
function forwardedHost(value) {
  const pair = /\s*([^=;,\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;,]*)\s*([;,]|$)/gy;
  for (let match = pair.exec(value ?? ''); match; match = pair.exec(value)) {
    const [, key, raw, end] = match;
    if (key.toLowerCase() === 'host') return raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw.trim();
    if (end !== ';') return undefined;
  }
  return undefined;
}

/** A RepairClaimsError-shaped reply of the gateway's own: nothing was forwarded, unless `extra` says otherwise. */
function own(status, kind, message, extra) {
  return { status, error: { name: 'RepairClaimsError', kind, message, fields: [], mayHaveReachedServer: false, ...extra } };
}

/** The HTTP status a relayed error goes with. */
function statusOf(error) {
  switch (error.kind) {
    case 'validation': return 400;
    case 'authentication': return 401;
    case 'forbidden': return 403;
    case 'refused': return 422;
    case 'timeout': return 504;
    case 'aborted': return 499;
    default: return 502;
  }
}

/** An error's own properties as JSON can carry them (its `cause`, which may hold anything, left out). */
function errorJson(error) {
  const out = { name: 'RepairClaimsError', message: String(error.message) };
  // The API's reply text stays on the server: what an API echoes is not the page's to see.
  for (const key of Object.keys(error)) {
    if (key !== 'cause' && key !== 'stack' && key !== 'body') out[key] = error[key];
  }
  return out;
}

function fingerprint(value) {
  return createHash('sha256').update(JSON.stringify(value ?? null)).digest('hex');
}

/** The strings of a tenant's credentials that must never be shown. */
function secretsOf(given) {
  const found = [];
  for (const api of ['lalux', 'ecologic']) {
    const options = given?.[api];
    if (!options || typeof options !== 'object') continue;
    for (const key of ['clientSecret', 'password', 'apiKey']) {
      const value = options[key];
      if (typeof value !== 'string') continue;
      // As given, and as sent (the clients trim credentials); as JSON writes it.
      for (const form of [value, value.trim()]) {
        if (form.length >= 4) found.push(form, JSON.stringify(form).slice(1, -1), JSON.stringify(JSON.stringify(form)).slice(3, -3));
      }
    }
  }
  return [...new Set(found)];
}

/** `text` with every secret of `secrets`, and any bearer token, replaced. */
function scrub(text, secrets) {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out.replace(/Bearer\s+[^\s"\\]+/gi, 'Bearer [redacted]');
}

/**
 * The gateway. See `index.d.ts` (GatewayOptions) for what each option does.
 */
/** `journal` seen by tenant `id`'s clients: its keys prefixed by the tenant, so tenants never share a workflow. */
function tenantJournal(journal, id) {
  const scoped = (key) => `repair-claims:tenant:${encodeURIComponent(String(id))}:${key}`;
  return {
    get: (key) => journal.get(scoped(key)),
    set: (key, value, options) => journal.set(scoped(key), value, options),
    delete: (key) => journal.delete(scoped(key)),
  };
}

function createGateway(options) {
  if (!options || typeof options !== 'object') throw new TypeError('createGateway(options): options must be an object');
  const { tenant, credentials, authorize, onEvent, allowedOrigins = [], rateLimit, maxInFlight, journal, trustProxy = false } = options;
  if (typeof tenant !== 'function') throw new TypeError('createGateway: `tenant` must be a function (request) => tenant id or null');
  if (typeof credentials !== 'function') throw new TypeError('createGateway: `credentials` must be a function (tenant) => { lalux?, ecologic? }');
  const prefix = String(options.prefix ?? '').replace(/\/+$/, '');
  const bodyLimit = options.bodyLimit ?? BODY_LIMIT;
  const credentialsTtlMs = options.credentialsTtlMs ?? CREDENTIALS_TTL_MS;
  const table = operations();
  const tenants = new Map();
  const windows = new Map();
  const inFlight = new Map();

  const emit = (event) => {
    if (typeof onEvent !== 'function') return;
    try {
      // A listener's failure is its own, a rejected promise's too.
      const told = onEvent(event);
      if (typeof told?.then === 'function') told.then(undefined, () => {});
    } catch {
      // As above.
    }
  };

  /** The clients of `id` (created once, kept while its credentials stay the same). */
  const clientsOf = (id, key) => {
    const now = Date.now();
    const entry = tenants.get(key);
    if (entry && entry.expires > now) {
      tenants.delete(key);
      tenants.set(key, entry);
      return entry.ready;
    }
    const ready = Promise.resolve().then(() => credentials(id)).then((given) => {
      const print = fingerprint(given);
      const kept = entry?.settled;
      if (kept && kept.print === print) return kept;
      const made = { print, secrets: secretsOf(given) };
      // A tenant's client sends to the API itself: never to a gateway (itself, in a loop).
      // Its workflows record their steps in the gateway's journal, under the tenant's own keys,
      // unless its credentials give one (`memoryJournal()` of the client otherwise).
      const own = (options) => ({
        ...(journal ? { journal: tenantJournal(journal, id) } : {}),
        ...options,
        gateway: undefined,
        dangerouslyAllowBrowser: undefined,
      });
      if (given?.lalux) made.lalux = new LaluxClient(own(given.lalux));
      if (given?.ecologic) made.ecologic = new EcologicClient(own(given.ecologic));
      return made;
    });
    const next = { ready, expires: now + credentialsTtlMs, settled: entry?.settled };
    ready.then((made) => { next.settled = made; }, () => tenants.delete(key));
    tenants.delete(key);
    tenants.set(key, next);
    if (tenants.size > MAX_TENANTS) tenants.delete(tenants.keys().next().value);
    return ready;
  };

  /** Seconds to wait when `key` is over its rate limit, else 0. */
  const limited = (key) => {
    if (!rateLimit) return 0;
    const now = Date.now();
    let window = windows.get(key);
    if (!window || window.ends <= now) {
      window = { ends: now + rateLimit.windowMs, count: 0 };
      windows.set(key, window);
      if (windows.size > MAX_TENANTS) windows.delete(windows.keys().next().value);
    }
    window.count += 1;
    return window.count > rateLimit.max ? Math.max(1, Math.ceil((window.ends - now) / 1000)) : 0;
  };

  /** `[api, role, name]` of a path under the prefix, `null` when it is not the gateway's. */
  const route = (path) => {
    if (!path.startsWith(`${prefix}/`)) return null;
    const rest = path.slice(prefix.length + 1);
    const slash = rest.indexOf('/');
    const api = slash < 0 ? rest : rest.slice(0, slash);
    const found = table[api === 'lalux' || api === 'ecologic' ? api : '']?.get(rest.slice(slash + 1));
    return found ? [api, ...found] : [];
  };

  /**
   * The host the page called: `Host`, or behind a proxy that rewrites it (`trustProxy`), the
   * first `X-Forwarded-Host` (else the `host=` of the first `Forwarded` element), which that
   * proxy sets.
   */
  const publicHost = (header) => {
    if (trustProxy) {
      const forwarded = header('x-forwarded-host')?.split(',')[0].trim() || forwardedHost(header('forwarded'));
      if (forwarded) return forwarded;
    }
    return header('host');
  };

  /** Whether the page that sent a write may: its own origin, or one of `allowedOrigins`. */
  const originAllowed = (header) => {
    const origin = header('origin');
    if (origin === undefined || origin === null) return header('sec-fetch-site') !== 'cross-site';
    if (allowedOrigins.includes(origin)) return true;
    try {
      // Compared as URLs of the page's scheme: case and a default port make no difference.
      const page = new URL(origin);
      return page.host === new URL(`${page.protocol}//${publicHost(header)}`).host;
    } catch {
      return false;
    }
  };

  /**
   * The reply to one request, whatever its host: `{ status, error }`, `{ status, data, headers }`
   * or `null` (not the gateway's path). `read()` gives the body as text, or `null` past `bodyLimit`.
   */
  const handle = async (request) => {
    const started = Date.now();
    const reply = await serve(request);
    // Every reply to an allowed other origin says so, for its page to read it (and only those).
    const origin = request.header('origin');
    if (reply && allowedOrigins.includes(origin)) {
      reply.headers = { ...reply.headers, 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'origin' };
    }
    if (reply?.operation) {
      emit({
        type: 'call', tenant: reply.tenant ?? null, api: reply.api, operation: reply.operation, status: reply.status,
        ...(reply.error ? { kind: reply.error.kind } : {}), durationMs: Date.now() - started,
      });
    }
    return reply;
  };

  const serve = async ({ method, path, header, read, request, signal }) => {
    const found = route(path);
    if (found === null) return null;
    const [api, role, name] = found;
    const operation = role ? `${role}.${name}` : name;
    if (api === undefined) return own(404, 'refused', 'No such operation: the gateway serves the methods of LaluxClient and EcologicClient only.', { status: 404 });
    const named = (reply) => Object.assign(reply, { api, operation });
    // A page of an allowed other origin asks first (CORS preflight): its session cookie may follow.
    if (method === 'OPTIONS' && allowedOrigins.includes(header('origin'))) {
      return {
        status: 204, preflight: true,
        headers: { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': `content-type, ${ARGS_HEADER}`, 'access-control-max-age': '600' },
      };
    }
    if (method !== 'POST') return named({ ...own(405, 'refused', 'Calls are POST.', { status: 405, operation }), headers: { allow: 'POST' } });
    if (!originAllowed(header)) {
      return named(own(403, 'forbidden', 'This origin may not call the gateway (see allowedOrigins, and trustProxy behind a proxy that rewrites Host).', { operation }));
    }
    const type = header('content-type') ?? '';
    const relayed = type.split(';')[0].trim().toLowerCase() === RELAYED;
    // Small calls without files carry their args in a header, with no body.
    const carried = header(ARGS_HEADER);
    if (carried === undefined && !relayed && !/^application\/json\s*(;|$)/i.test(type)) {
      return named(own(415, 'validation', `The body must be application/json (or ${RELAYED}, as the clients send).`, { operation }));
    }
    let id;
    try {
      id = await tenant(request);
    } catch {
      return named(own(500, 'unexpectedResponse', 'The gateway could not tell whose call this is (its tenant callback failed).', { operation }));
    }
    if (id === null || id === undefined || id === '') {
      return named(own(401, 'authentication', 'No session: sign in to the portal first. Nothing was sent.', { operation }));
    }
    // Tenants are told apart by their text: an object would make every tenant one.
    if (typeof id !== 'string' && typeof id !== 'number') {
      return named(own(500, 'unexpectedResponse', 'The gateway could not tell whose call this is (its tenant callback must return a string or a number).', { operation }));
    }
    const key = String(id);
    const told = (reply) => Object.assign(reply, { tenant: key, api, operation });
    const wait = limited(key);
    if (wait > 0) {
      return told({ ...own(429, 'refused', 'Too many calls: try again later. Nothing was sent.', { operation, status: 429 }), headers: { 'retry-after': String(wait) } });
    }
    const call = { key, id, told, api, role, name, operation, read, relayed, carried, signal };
    if (!(maxInFlight > 0)) return forward(call);
    // At most `maxInFlight` calls of one tenant at a time, counted before its body is read.
    const busy = inFlight.get(key) ?? 0;
    if (busy >= maxInFlight) {
      return told({ ...own(429, 'refused', 'Too many calls at once: try again later. Nothing was sent.', { operation, status: 429 }), headers: { 'retry-after': '1' } });
    }
    inFlight.set(key, busy + 1);
    try {
      return await forward(call);
    } finally {
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left > 0) inFlight.set(key, left);
      else inFlight.delete(key);
    }
  };

  /** The call itself, once the tenant is known and within its limits: its body, client, authorization. */
  const forward = async ({ key, id, told, api, role, name, operation, read, relayed, carried, signal }) => {
    const bytes = await read();
    if (bytes === null) return told(own(413, 'validation', `The body is over the gateway's limit (${bodyLimit} bytes). Nothing was sent.`, { operation }));
    if (bytes === undefined) {
      return told(own(500, 'unexpectedResponse', 'The body was read before the gateway, and not into req.body: mount the gateway before body parsers. Nothing was sent.', { operation }));
    }
    if (bytes === false) return told(own(499, 'aborted', 'The page went away before its call was read. Nothing was sent.', { operation }));
    const args = carried === undefined ? argsOf(bytes, relayed) : bytes.length === 0 ? carriedArgs(carried) : undefined;
    let clients;
    try {
      clients = await clientsOf(id, key);
    } catch {
      return told(own(500, 'unexpectedResponse', "The gateway could not read this tenant's credentials.", { operation }));
    }
    const client = clients[api];
    if (!client) return told(own(403, 'forbidden', `This account has no ${api === 'lalux' ? 'LALUX' : 'Ecologic'} credentials on the gateway.`, { operation }));
    const target = role ? client[role] : client;
    const fn = target[name];
    // Its inputs, then its call options (`fn.length` counts both where it takes options).
    const inputs = fn.length === 0 ? 0 : Math.max(fn.length - 1, 1);
    if (!Array.isArray(args) || args.length > inputs) {
      return told(own(400, 'validation', `The call must send { "args": [...] } (as its body, or in ${ARGS_HEADER}) with at most ${inputs} input(s).`, { operation }));
    }
    if (typeof authorize === 'function') {
      let allowed;
      try {
        allowed = await authorize({ tenant: id, api, operation, input: args[0], args });
      } catch {
        allowed = false;
      }
      if (allowed !== true) {
        return told(own(403, 'forbidden', `This account may not call ${operation} with this input. Nothing was sent.`, { operation }));
      }
    }
    const given = Array.from({ length: inputs }, (_, i) => args[i]);
    let reply;
    try {
      const promise = fn.length === 0 ? fn.call(target) : fn.call(target, ...given, { signal });
      const { data, response } = await promise.withResponse();
      const headers = {};
      for (const name of PASSED_HEADERS) {
        const value = response?.headers?.get?.(name);
        if (value) headers[name] = value;
      }
      reply = { status: 200, data: data === undefined ? null : data, headers };
    } catch (error) {
      reply = isRepairClaimsError(error)
        ? { status: statusOf(error), error: errorJson(error) }
        : own(500, 'unexpectedResponse', 'The gateway failed during the call.', { operation, mayHaveReachedServer: true });
    }
    reply.secrets = clients.secrets;
    return told(reply);
  };

  /** `reply` as `{ status, headers, body }`. */
  const written = (reply) => {
    const { status, headers = {}, secrets = [] } = reply;
    if (reply.preflight) return { status, headers, body: null };
    // A result is the API's data as the client gave it; an error's words are scrubbed.
    const body = reply.error ? scrub(JSON.stringify({ error: reply.error }), secrets) : JSON.stringify({ data: reply.data });
    return {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers },
      body,
    };
  };

  /** node:http, Express, Connect: `(req, res, next?)`. */
  const node = (req, res, next) => {
    const path = String(req.originalUrl ?? req.url ?? '').split('?')[0];
    if (route(path) === null) {
      if (typeof next === 'function') next();
      else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not found');
      }
      return Promise.resolve();
    }
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('the browser went away'));
    });
    let over = false;
    /** The body's bytes; `null` past `bodyLimit`; `undefined` when something before the gateway took it; `false` when the page went away. */
    const read = () => {
      // Already read by a body parser mounted before the gateway (`express.json()`, `express.text()`, `express.raw()`).
      if (req.body !== undefined && req.readableEnded) {
        // A call with its args in the header has no body, whatever a catch-all parser made of none.
        if (req.headers[ARGS_HEADER] !== undefined && !(Number(req.headers['content-length']) > 0) && req.headers['transfer-encoding'] === undefined) {
          return Promise.resolve(Buffer.alloc(0));
        }
        const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
        return Promise.resolve(bytes.length > bodyLimit ? null : bytes);
      }
      const declared = Number(req.headers['content-length']);
      if (declared > bodyLimit) {
        over = true;
        return Promise.resolve(null);
      }
      // Read by something before the gateway, but not into `req.body`: nothing more will come.
      if (req.readableEnded) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        req.once('close', () => resolve(false));
        const chunks = [];
        let size = 0;
        req.on('data', (chunk) => {
          size += chunk.length;
          if (size > bodyLimit) {
            over = true;
            chunks.length = 0;
            req.pause();
            resolve(null);
          } else chunks.push(chunk);
        });
        req.on('end', () => resolve(Buffer.concat(chunks, size)));
        req.on('error', () => resolve(false));
      });
    };
    const header = (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    return handle({ method: req.method, path, header, read, request: req, signal: controller.signal })
      .catch(() => own(500, 'unexpectedResponse', 'The gateway failed.', { mayHaveReachedServer: true }))
      .then((reply) => {
        const { status, headers, body } = written(reply);
        if (res.headersSent || res.destroyed) return;
        // A body left unread (too large) is not read on: the connection closes after the reply.
        if (over || !req.readableEnded) headers.connection = 'close';
        res.writeHead(status, headers);
        res.end(body ?? undefined);
      });
  };

  /** The web standard: `(Request) => Promise<Response>` (Next.js route handlers, Hono, Deno, Bun). */
  const fetchHandler = async (request) => {
    const path = new URL(request.url).pathname;
    if (route(path) === null) return new Response('Not found', { status: 404 });
    const read = async () => {
      const declared = Number(request.headers.get('content-length'));
      if (declared > bodyLimit || !request.body) return declared > bodyLimit ? null : Buffer.alloc(0);
      const reader = request.body.getReader();
      const chunks = [];
      let size = 0;
      for (;;) {
        let part;
        try {
          part = await reader.read();
        } catch {
          return false; // The page went away.
        }
        const { done, value } = part;
        if (done) break;
        size += value.length;
        if (size > bodyLimit) {
          reader.cancel().catch(() => {});
          return null;
        }
        chunks.push(value);
      }
      return Buffer.concat(chunks, size);
    };
    let reply;
    try {
      reply = await handle({
        method: request.method, path, header: (name) => request.headers.get(name) ?? undefined,
        read, request, signal: request.signal,
      });
    } catch {
      reply = own(500, 'unexpectedResponse', 'The gateway failed.', { mayHaveReachedServer: true });
    }
    const { status, headers, body } = written(reply);
    return new Response(body, { status, headers });
  };

  return {
    node,
    fetch: fetchHandler,
    /** Whether `url` (a path, with or without its query) is the gateway's. */
    owns: (url) => route(String(url).split('?')[0]) !== null,
  };
}

module.exports = { createGateway };
