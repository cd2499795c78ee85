// Lets the client tell a request that certainly never left from one that may have reached the
// server. reqwest (under the generated clients) calls the global `fetch` and keeps only the
// text of its `TypeError`; Node's fetch says why it failed in `error.cause.code`, which that
// text loses. This script, run on each target's glue, routes reqwest's global `fetch` through a
// function that writes `[not sent: CODE]` into the error's message when the code says the
// connection was never made (refused, unknown host, unreachable network, connect timeout);
// `src/call.rs` reads it and may then send a write again. Browsers never say why a fetch
// failed: there every network failure keeps `mayHaveReachedServer: true`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const js = join(process.argv[2], 'repair_claims.js');
const call = 'const ret = fetch(arg0);';
const code = readFileSync(js, 'utf8');
if (code.split(call).length !== 2) {
  console.error(`${js}: expected exactly one \`${call}\` (reqwest's global fetch); the glue changed`);
  process.exit(1);
}
const shim = `
/** Codes of Node's fetch failures that happen before the request is written. */
const NOT_SENT = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'];

/** The global fetch, with the reason a connection was never made kept in the error's message. */
function fetchNamingUnsent(request) {
  return fetch(request).catch((error) => {
    const code = error && error.cause && error.cause.code;
    if (NOT_SENT.includes(code)) {
      try { error.message += \` [not sent: \${code}]\`; } catch { /* a frozen error stays as it is */ }
    }
    throw error;
  });
}
`;
writeFileSync(js, code.replace(call, 'const ret = fetchNamingUnsent(arg0);') + shim);
