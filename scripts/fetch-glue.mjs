// What the package's glue does around reqwest's `fetch` (reqwest, under the generated clients,
// calls the global `fetch` from WebAssembly). Run on each target's glue by `build.sh`; the build
// fails if the glue no longer has the calls this patches.
//
// 1. Requests that certainly never left. reqwest keeps only the text of fetch's `TypeError`;
//    Node's fetch says why it failed in `error.cause.code`, which that text loses. reqwest's
//    global `fetch` goes through a function that writes `[not sent: CODE]` into the message when
//    the code says the connection was never made (refused, unknown host, unreachable network,
//    connect timeout); `src/call.rs` reads it and may then send a write again. Browsers never say
//    why a fetch failed: there every network failure keeps `mayHaveReachedServer: true`.
// 2. No abort after a complete reply. reqwest gives every request an `AbortController` and aborts
//    it when the response is dropped, even after its body was read, which costs Node's fetch an
//    abort event, a `DOMException` and a cancelled stream on every call (about a tenth of a small
//    call's time). The glue notes the controller's signal that reqwest hands to each fetch and,
//    once that response's body has been read in full, skips the abort. A request dropped before
//    its body is read (the caller's signal, a timeout) is aborted as before.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const js = join(process.argv[2], 'repair_claims.js');
let code = readFileSync(js, 'utf8');

/** Replaces the one occurrence of `from`, or fails the build. */
function patch(from, to) {
  if (code.split(from).length !== 2) {
    console.error(`${js}: expected exactly one \`${from}\` (reqwest's use of fetch); the glue changed`);
    process.exit(1);
  }
  code = code.replace(from, to);
}

// reqwest's global fetch, its controller's signal, the body read and the abort on drop.
patch('const ret = fetch(arg0);', 'const ret = reqwestFetch(arg0);');
patch(/* AbortController.signal */ 'const ret = arg0.signal;', 'const ret = arg0.signal;\n            lastSignal = ret;');
patch('const ret = arg0.arrayBuffer();', 'const ret = readBody(arg0);');
patch('arg0.abort();', 'abortUnlessRead(arg0);');

code += `
/** Codes of Node's fetch failures that happen before the request is written. */
const NOT_SENT = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'];

/** The signal reqwest just took from its request's controller (it fetches right after). */
let lastSignal;
/** Each response's controller signal, until its body is read. */
const signalOf = new WeakMap();
/** The signals of requests whose reply was read in full: nothing left to abort. */
const read = new WeakSet();

/** The global fetch, with the reason a connection was never made kept in the error's message. */
function reqwestFetch(request) {
  const signal = lastSignal;
  lastSignal = undefined;
  return fetch(request).then((response) => {
    if (signal) signalOf.set(response, signal);
    return response;
  }, (error) => {
    const code = error && error.cause && error.cause.code;
    if (NOT_SENT.includes(code)) {
      try { error.message += \` [not sent: \${code}]\`; } catch { /* a frozen error stays as it is */ }
    }
    throw error;
  });
}

/** \`response.arrayBuffer()\`, noting that the request is over once it resolves. */
function readBody(response) {
  return response.arrayBuffer().then((body) => {
    const signal = signalOf.get(response);
    if (signal) read.add(signal);
    return body;
  });
}

/** reqwest's abort on drop, skipped for a request whose reply was read in full. */
function abortUnlessRead(controller) {
  if (!read.has(controller.signal)) controller.abort();
}
`;
writeFileSync(js, code);
