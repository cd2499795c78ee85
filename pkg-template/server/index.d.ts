import type { LaluxOptions, EcologicOptions, RepairClaimsError, Journal } from '../nodejs/repair_claims';

/** A tenant's credentials: a SaaS portal serves many garages, each with its own. Server side only. */
export interface TenantCredentials {
  /** `new LaluxClient(options)` for this tenant: `clientId`, `clientSecret` (+ `username`, `password` for experts), `tokenUrl`, `apiUrl`, `timeoutMs`… */
  lalux?: LaluxOptions;
  /** `new EcologicClient(options)` for this tenant: `environment`, `apiKey`, `baseUrl`, `timeoutMs`… */
  ecologic?: EcologicOptions;
}

/** What `authorize` is asked. */
export interface AuthorizeRequest {
  tenant: string | number;
  api: 'lalux' | 'ecologic';
  /** The method called, as the browser called it: `createClaim`, `claim`, `repairer.settle`, `expert.upload`… */
  operation: string;
  /** Its first argument (the input, or the claim or request id), as the browser sent it: not yet checked (the tenant's client checks it after `authorize`), so test each value's type (a file is a `Buffer`, and a page may send one where an id belongs). */
  input: unknown;
  args: unknown[];
}

/** One event per call the gateway served; never a secret, a token, an api key or an input. */
export interface GatewayEvent {
  type: 'call';
  /** The tenant, as text. */
  tenant: string;
  api: 'lalux' | 'ecologic';
  operation: string;
  /** The HTTP status the gateway answered the browser with. */
  status: number;
  /** The error's kind, when the call failed. */
  kind?: RepairClaimsError['kind'];
  durationMs: number;
}

export interface GatewayOptions<Req = unknown> {
  /** Where the gateway is mounted: the `gateway` option of the browser clients (default `''`). */
  prefix?: string;
  /** Whose call this is (from the session): a tenant id, or `null` (401, nothing forwarded). Given node's `IncomingMessage` (Express's `req`) or the web `Request` (type it with `createGateway<YourRequest>`). */
  tenant: (request: Req) => string | number | null | undefined | Promise<string | number | null | undefined>;
  /** The tenant's credentials; asked again after `credentialsTtlMs`, its clients (and their LALUX tokens) kept while they are the same. */
  credentials: (tenant: string | number) => TenantCredentials | Promise<TenantCredentials>;
  /** May refuse a call (anything but `true`, or a throw): the browser gets a `forbidden` RepairClaimsError naming the operation. */
  authorize?: (request: AuthorizeRequest) => boolean | Promise<boolean>;
  /** Told of every call, once. */
  onEvent?: (event: GatewayEvent) => void;
  /** Where the tenants' workflows (`settle`, `claim`) record their steps (`fileJournal`, `redisJournal` from `repair-claims/journal`, or your database's), each tenant under keys of its own; a tenant's credentials may give their own `journal`. Default: each tenant client's memory, kept with the client. */
  journal?: Journal;
  /** The most calls of one tenant the gateway runs at once (uploads buffer up to `bodyLimit` each); one more is answered 429 with `Retry-After: 1`, before its body is read. Default: no limit. */
  maxInFlight?: number;
  /** Origins besides the page's own that may call (default none: a page of another origin gets `forbidden`). Their pages get CORS answers: the preflight (`OPTIONS`, 204) and `Access-Control-Allow-Origin` with credentials (the session cookie) on every reply. */
  allowedOrigins?: string[];
  /** Behind a proxy that rewrites `Host` (nginx's `proxy_pass` without `proxy_set_header Host`, most PaaS routers): compare a write's `Origin` with the host the proxy says the page called, the first `X-Forwarded-Host` (else `Forwarded: host=`). Only where that proxy sets the header and clients cannot reach the app past it. Default `false`: `Host`. (Or list the public origin in `allowedOrigins`.) */
  trustProxy?: boolean;
  /** Calls per tenant per window; over it, 429 with `Retry-After` (which the browser client honours). */
  rateLimit?: { max: number; windowMs: number };
  /** The largest body taken, in bytes, checked before it is read (default 16 MiB: an expert's two 5 MiB files, and room). */
  bodyLimit?: number;
  /** How long a tenant's credentials are used before `credentials` is asked again (default 300 000). */
  credentialsTtlMs?: number;
}

export interface Gateway {
  /** node:http, Express, Connect: `app.use(gateway.node)`, before body parsers (or after one that fills `req.body`: `express.raw({ type: () => true, limit: '16mb' })`; the page's clients send no `application/json`). Calls `next()` for paths not under `prefix`. */
  node(req: object, res: object, next?: () => void): Promise<void>;
  /** The web standard: Next.js route handlers, Hono, Deno, Bun. */
  fetch(request: Request): Promise<Response>;
  /** Whether a request path is the gateway's (Fastify: hijack the reply in an `onRequest` hook when it is). */
  owns(url: string): boolean;
}

/** The back end half of a browser portal: holds the credentials, checks every call again, and forwards it once. */
export function createGateway<Req = unknown>(options: GatewayOptions<Req>): Gateway;
