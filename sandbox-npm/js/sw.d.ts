// The Service Worker host of the sandbox.

export interface ServeSandboxOptions {
  /** Requests of the worker's origin whose path starts with `prefix/` are answered. Default `/sandbox`. */
  prefix?: string;
  seed?: number;
  strict?: boolean;
}

/** Answers, from a fresh sandbox, the page's requests below `prefix`; call it at the top of a module worker. */
export function serveSandbox(options?: ServeSandboxOptions): void;
