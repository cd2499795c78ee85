// The Node host of the sandbox (`startSandbox`) and the values it hands out.

export interface SandboxOptions {
  /** 127.0.0.1 port; 0 (the default) picks a free one, so suites never collide. */
  port?: number;
  /** Seed of the sandbox's randomness (keys, ids), as `--seed`. Default 42. */
  seed?: number;
  /** Refuse what a strict reading of the specs refuses, even where the real servers accept it. */
  strict?: boolean;
}

/** The base URL of every simulated host. */
export interface SandboxUrls {
  laluxToken: string;
  laluxApi: string;
  ecologicProduction: string;
  ecologicPreproduction: string;
  admin: string;
}

/** What the sandbox accepts. */
export interface SandboxCredentials {
  lalux: {
    repairerClientId: string;
    repairerClientSecret: string;
    expertClientId: string;
    expertClientSecret: string;
    expertUsername: string;
    expertPassword: string;
  };
  /** The keys of the Ecologic production host. */
  ecologicApiKeys: string[];
  /** The keys of the pre-production host: each key belongs to one environment (401 on the other). */
  ecologicPreprodApiKeys: string[];
}

/** A fault applied to the requests whose path ends with `route` (case-insensitive). */
export interface Fault {
  route: string;
  method?: string;
  /** Added latency before the answer. */
  latencyMs?: number;
  /** Answer this status instead (the request is not processed). */
  status?: number;
  /** `Retry-After` seconds sent with `status`. */
  retryAfter?: number;
  /** With `status`: Ecologic's `E` envelope with this `ResponseErrorMessage`. */
  envelope?: string;
  /** Close the connection without answering. */
  drop?: boolean;
  /** With `drop`: process the request first (what it creates stays), then close. */
  afterProcessing?: boolean;
  /** Send half of the body, then close. */
  truncate?: boolean;
  /** Replace the body with text that is not JSON. */
  nonJson?: boolean;
  /** How many requests it applies to; every one when absent. */
  times?: number;
}

/** One request as received, secrets redacted. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  queryParams: [string, string][];
  headers: Record<string, string>;
  /** The JSON body, a form body's fields, another body's text, or null (none, or a large one). */
  body: unknown;
  /** A body over 4 KiB: its length, FNV-1a 64 hash (hex) and first characters. */
  bodySummary?: { bytes: number; fnv1a64: string; prefix: string };
  /** What a strict reading of the spec would have refused (the `X-Sandbox-Deviation` header). */
  deviations?: string;
}

/** What Ecologic's staff decided of a claim. */
export interface ClaimDecision {
  lastStatus: string;
  comment?: string;
  preproduction?: boolean;
}

export interface RunningSandbox {
  /** `http://127.0.0.1:PORT` */
  url: string;
  urls: SandboxUrls;
  credentials: SandboxCredentials;
  /** What `npx repair-claims-sandbox` prints, ending with `SANDBOX_URL=…`. */
  banner: string;
  /** The requests received since the last reset, oldest first (the latest 1,000). */
  requests(): Promise<LoggedRequest[]>;
  /** How many older requests the bounded log dropped since the last reset. */
  requestsDropped(): Promise<number>;
  /** Forgets requests, tokens, uploads, dossiers, faults, the scanner and clock changes. */
  reset(): Promise<void>;
  /** Moves the sandbox's clock (token expiry, dates) forward. */
  advanceClock(seconds: number): Promise<{ offsetSeconds: number }>;
  /** When `true`, every antivirus scan answers `Error`. */
  setScanner(fail: boolean): Promise<void>;
  /** Tokens issued from now on last `seconds` (1 to 86,400). */
  setTokenLifetime(seconds: number): Promise<void>;
  /** Sets a claim's status as Ecologic's staff would. */
  decideClaim(claimId: number, decision: ClaimDecision): Promise<void>;
  injectFault(fault: Fault): Promise<void>;
  clearFaults(): Promise<void>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Starts a sandbox on 127.0.0.1; resolves once it listens. */
export function startSandbox(options?: SandboxOptions): Promise<RunningSandbox>;
