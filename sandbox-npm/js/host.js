// What both hosts of the sandbox share (node:http in index.mjs, a Service Worker in sw.js): one
// core per sandbox, requests in, answers out, and the admin calls. The behaviour is the core's
// (Rust, the same as `cargo run -p sandbox`); a host only moves bytes and honours an answer's
// delay and delivery.
import { Core, bases, maxBodyBytes, tooLarge } from './core/sandbox_core.js';

/** Statuses whose responses have no body. */
const NO_BODY = new Set([101, 204, 205, 304]);

/** Reads an answer of the core into plain values and frees it. */
function take(answer) {
  try {
    return {
      status: answer.status,
      headers: JSON.parse(answer.headers),
      body: answer.body,
      delayMs: answer.delayMs,
      delivery: answer.delivery,
    };
  } finally {
    answer.free();
  }
}

export class Host {
  /** A fresh sandbox (`seed` as `--seed`, `strict` as `--strict`). */
  constructor({ seed = 42, strict = false } = {}) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new TypeError('seed must be a non-negative integer');
    this.core = new Core(seed, Boolean(strict), Date.now());
    /** The largest request body read; a larger one is answered by `tooLarge()`. */
    this.maxBodyBytes = maxBodyBytes();
    /** Path prefixes of the simulated hosts and of the admin API, below the sandbox's origin. */
    this.bases = JSON.parse(bases());
  }

  /** `{ status, headers: [[name, value]…], body, delayMs, delivery }` for one request. */
  answer({ method, path, query, headers, body }) {
    try {
      return take(this.core.handle(method, path, query, JSON.stringify(headers), body, Date.now()));
    } catch (error) {
      return { status: 500, headers: [['content-type', 'text/plain']], body: new TextEncoder().encode(`the sandbox failed: ${error}`), delayMs: 0, delivery: 'whole' };
    }
  }

  /** The 413 answer to a body over `maxBodyBytes`. */
  tooLarge() {
    return take(tooLarge());
  }

  /** Calls the admin API in process; resolves with its JSON (or undefined), throws on refusal. */
  admin(method, route, json) {
    return this.adminReply(method, route, json).value;
  }

  /** The admin API's answer: its JSON (or undefined) and its headers. */
  adminReply(method, route, json) {
    const body = json === undefined ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(json));
    const headers = json === undefined ? [] : [['content-type', 'application/json']];
    const answer = this.answer({ method, path: `${this.bases.admin}${route}`, query: '', headers, body });
    const text = new TextDecoder().decode(answer.body);
    if (answer.status >= 400) throw new Error(`sandbox admin ${method} ${route}: ${answer.status} ${text}`);
    return { value: text ? JSON.parse(text) : undefined, headers: new Map(answer.headers) };
  }

  /** The base URL of every simulated host below `origin`. */
  urls(origin) {
    return Object.fromEntries(Object.entries(this.bases).map(([name, path]) => [name, `${origin}${path}`]));
  }

  /** What a running sandbox offers a test: its URLs, credentials and admin calls. */
  handle(origin, close) {
    return {
      url: origin,
      urls: this.urls(origin),
      credentials: JSON.parse(this.core.info()),
      banner: this.core.banner(origin),
      requests: async () => this.admin('GET', '/requests'),
      requestsDropped: async () => Number(this.adminReply('GET', '/requests').headers.get('x-sandbox-log-dropped') ?? 0),
      reset: async () => this.admin('POST', '/reset'),
      advanceClock: async (seconds) => this.admin('POST', '/clock', { advanceSeconds: seconds }),
      setScanner: async (fail) => this.admin('POST', '/scanner', { fail }),
      setTokenLifetime: async (seconds) => this.admin('POST', '/tokens', { lifetimeSeconds: seconds }),
      decideClaim: async (claimId, decision) => this.admin('POST', `/claims/${claimId}`, decision),
      injectFault: async (fault) => this.admin('POST', '/faults', fault),
      clearFaults: async () => this.admin('DELETE', '/faults'),
      close,
    };
  }

  /** Frees the core; the sandbox answers nothing more. */
  free() {
    this.core.free();
  }
}

/** Whether a response with `status` may carry a body. */
export const mayHaveBody = (status) => !NO_BODY.has(status);

/** Waits `ms` milliseconds (an answer's injected latency). */
export const sleep = (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
