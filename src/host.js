// The module's own JS: what is cheaper done on the JS side of the boundary in one crossing
// than from Rust value by value. An ES module; scripts/build.sh writes the Node entry's copy as
// CommonJS.

/** One attempt of a call (`src/fetch.rs`): `fetch`, then the reply's bytes. */
export function attempt(url, method, headers, body, length, controller) {
  const lines = headers.split('\n');
  const sent = {};
  for (let i = 0; i + 1 < lines.length; i += 2) sent[lines[i]] = lines[i + 1];
  const init = { method, headers: sent, signal: controller.signal };
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
    sent['content-length'] = String(length);
  } else if (body !== undefined) {
    init.body = body;
  }
  return fetch(url, init).then((response) => {
    const status = response.status;
    // Only a refusal is retried after a wait (429, 502-504).
    const retryAfter = status >= 400 ? response.headers.get('retry-after') : null;
    return response.arrayBuffer().then(
      (bytes) => ({ status, retryAfter, body: new Uint8Array(bytes) }),
      (error) => ({ status, retryAfter, error }));
  });
}

/**
 * Whether `fetch` takes a streamed request body over HTTP/1.1: Node's does (browsers stream a
 * request only over HTTP/2); a page, even one with a `process` (Electron), is not asked to.
 */
export function streamsRequestBodies() {
  return typeof process === 'object' && typeof process?.versions?.node === 'string'
    && typeof window === 'undefined' && typeof ReadableStream === 'function';
}

/** Deeper than any input of either API (`src/input.rs`'s `MAX_DEPTH`). */
const MAX_DEPTH = 16;

/**
 * A call's input as JSON text when it is plain data (`src/input.rs`): objects whose prototype is
 * `Object.prototype` or null, arrays, strings, booleans, null, numbers JSON writes exactly and
 * serde_json reads back exactly (safe integers; other numbers of at most 14 digits without an
 * exponent), at most `MAX_DEPTH` deep; `undefined` for anything else (a `Date`, bytes, a class
 * instance, a getter that throws, a cycle), which the module reads value by value.
 */
export function plainJson(input) {
  const plain = (value, depth) => {
    switch (typeof value) {
      case 'string':
      case 'boolean':
      case 'undefined':
        return true;
      case 'number':
        return Number.isSafeInteger(value)
          || (Number.isFinite(value) && !Number.isInteger(value) && /^-?[0-9.]{1,15}$/.test(String(value)));
      case 'object': {
        if (value === null) return true;
        if (depth >= MAX_DEPTH) return false;
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) if (!plain(value[i], depth + 1)) return false;
          return true;
        }
        const prototype = Object.getPrototypeOf(value);
        if ((prototype !== Object.prototype && prototype !== null) || 'toJSON' in value) return false;
        for (const key of Object.keys(value)) if (!plain(value[key], depth + 1)) return false;
        return true;
      }
      default:
        return false;
    }
  };
  try {
    return input !== undefined && plain(input, 0) ? JSON.stringify(input) : undefined;
  } catch {
    return undefined;
  }
}
