// The benchmark of issue 9: repair-claims against the peer a portal developer would otherwise
// pick (openapi-typescript + openapi-fetch generated from our own specs), on the same release
// sandbox over loopback. Run by scripts/bench.sh, which builds what it needs and starts the
// sandbox; prints a Markdown table of ours / peer / ratio (medians and p99 of interleaved runs,
// warm-up first), the gzip size of every shipped file, and memory.
//
//   node scripts/bench.mjs SANDBOX_URL           the whole benchmark
//   node scripts/bench.mjs memory ours|peer URL   one memory run (a process of its own)
//   node scripts/bench.mjs init                   the module's initialisation time
//   node scripts/bench.mjs calls URL              the two small calls only (a quick A/B while
//                                                 changing the module; REPAIR_CLAIMS_NODE=path
//                                                 measures another build's nodejs/repair_claims.js)
//   node scripts/bench.mjs gateway URL            a page's calls through repair-claims/server
//                                                 against the same through a hand-written Express
//                                                 proxy (issue 24), and the server entry's cold start
//   node scripts/bench.mjs cold URL               cold start (issue 23): the package's import and
//                                                 its first call in a fresh process, against
//                                                 openapi-fetch's, 9 processes each, alternated
//   node scripts/bench.mjs overhead URL           what a `calculateEcoSupport` costs beside the network:
//                                                 both sides against a `fetch` that answers at once
//                                                 with the sandbox's bytes (read from it first)
//   node scripts/bench.mjs journal URL REDIS_URL  what the workflows' journal costs (issue 25):
//                                                 settle() with each store against a store that
//                                                 is a plain Map, interleaved in one process
//   node --expose-gc scripts/bench.mjs body-floor fresh|reused URL
//                                                 what streaming a 5 MB upload's body costs in RSS
//                                                 by itself, in plain JS: a fresh buffer per chunk
//                                                 (what a safe stream does) or one buffer reused
//                                                 (unsafe: for the bound it shows)
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const PACKAGE = join(root, 'dist', 'repair-claims');
const NODE_ENTRY = process.env.REPAIR_CLAIMS_NODE ?? join(PACKAGE, 'nodejs', 'repair_claims.js');
const API_KEY = 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B';
const SITE = '02c867c0-0000-0000-000-3cf8de2dc1c8';
const REPAIRER = { clientId: 'sandbox-repairer', clientSecret: 'sandbox-repairer-secret' };
const FIVE_MB = 5_000_000;

const [mode, ...args] = process.argv.slice(2);

/** The package, and its wasm instance (caught as the glue creates it): memory and the table of JS values it holds. */
function load() {
  const Instance = WebAssembly.Instance;
  let instance;
  WebAssembly.Instance = function capture(module, imports) {
    instance = new Instance(module, imports);
    return instance;
  };
  try {
    return { pkg: require(NODE_ENTRY), wasm: () => instance.exports };
  } finally {
    WebAssembly.Instance = Instance;
  }
}
const loaded = ['init', 'gateway-cold', 'cold', 'cold-one'].includes(mode) ? undefined : load();

/** A LALUX repairer's token from the sandbox at `url`, for the peer and plain `fetch`. */
const repairerToken = (url) => fetch(`${url}/lalux/wts/token?grant_type=client_credentials&scope=%2Freparateur`, {
  method: 'POST',
  headers: { authorization: `${REPAIRER.clientId}/${REPAIRER.clientSecret}`, 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=client_credentials&scope=/reparateur',
}).then((r) => r.json());

/** Both clients against `url`: ours (the package) and the peer (openapi-fetch). */
async function clients(url) {
  const { pkg } = loaded;
  const { default: createClient } = await import('openapi-fetch');
  const eco = `${url}/ecologic/api/v1/ecosupport`;
  const ours = {
    ecologic: new pkg.EcologicClient({ environment: 'production', baseUrl: eco, apiKey: API_KEY }),
    lalux: new pkg.LaluxClient({ tokenUrl: `${url}/lalux/wts`, apiUrl: `${url}/lalux/api`, ...REPAIRER }),
  };
  const token = await repairerToken(url);
  const peer = {
    ecologic: createClient({ baseUrl: eco, headers: { api_key: API_KEY } }),
    lalux: createClient({ baseUrl: `${url}/lalux/api`, headers: { authorization: `Bearer ${token.access_token}` } }),
  };
  return { ours, peer };
}

const calculation = { TotalAmountExclVAT: 100, TotalAmountInclVAT: 120, BrandId: '1689', ProductId: 'EEE.M1.010' };
const calls = {
  calculateEcoSupport: {
    ours: (c) => c.ecologic.calculateEcoSupport(calculation),
    peer: (c) => c.ecologic.GET('/calculateecosupport', {
      params: { query: { ...calculation, TotalAmountExclVAT_Currency: 'EUR', TotalAmountInclVATCurrency: 'EUR' } },
    }),
  },
  getClaimStatus: {
    ours: (c, id) => c.ecologic.getClaimStatus(id),
    peer: (c, id) => c.ecologic.GET('/getclaimstatus', { params: { query: { ClaimId: id } } }),
  },
  upload: {
    ours: (c, _, file) => c.lalux.repairer.upload({ fileNameWithExtension: 'facture.pdf', file }),
    peer: (c, _, file) => c.lalux.PUT('/reparateur/upload', {
      body: { fileNameWithExtension: 'facture.pdf', file: Buffer.from(file.buffer, file.byteOffset, file.byteLength).toString('base64') },
    }),
  },
};

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (n) => (n < 1 ? n.toFixed(3) : n.toFixed(1));

/** Interleaved timings of one call: warm-up, then `n` runs of each side, alternating who goes first. */
async function time(name, both, n, warmup, ...rest) {
  const call = calls[name];
  const runs = { ours: [], peer: [] };
  for (let i = 0; i < warmup; i++) {
    await call.ours(both.ours, ...rest);
    await call.peer(both.peer, ...rest);
  }
  for (let i = 0; i < n; i++) {
    for (const side of i % 2 ? ['ours', 'peer'] : ['peer', 'ours']) {
      const started = performance.now();
      const reply = await call[side](both[side], ...rest);
      runs[side].push(performance.now() - started);
      if (side === 'peer' && reply.error) throw new Error(`peer ${name}: ${JSON.stringify(reply.error)}`);
    }
  }
  const stats = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
  };
  return { ours: stats(runs.ours), peer: stats(runs.peer) };
}

async function memory(side, url) {
  const both = await clients(url);
  const file = new Uint8Array(FIVE_MB).fill(37);
  // Ours: how much the first 5 MB upload grows the wasm memory (which never shrinks).
  await calls.upload[side](both[side], null, new Uint8Array(10));
  const wasmBytes = () => (side === 'ours' ? loaded.wasm().memory.buffer.byteLength : 0);
  const wasmBefore = wasmBytes();
  await calls.upload[side](both[side], null, file);
  const wasmGrown = wasmBytes() - wasmBefore;
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 2);
  for (let i = 0; i < 10; i++) await calls.upload[side](both[side], null, file);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  globalThis.gc?.();
  const after = process.memoryUsage().rss;
  process.stdout.write(JSON.stringify({ peakExtra: peak - before, after: after - before, wasmGrown }));
}

/**
 * The RSS floor of a streamed upload body, without the module: the peak extra RSS over 10 uploads
 * of a 5 MB file whose JSON body is streamed in 256 KiB chunks of base64-sized bytes, each chunk
 * a fresh buffer (`fresh`, as `src/body.rs` streams) or one buffer enqueued again and again
 * (`reused`: unsafe, since a stream is not told when a chunk has been written, so the bytes of
 * a chunk still queued for the socket could be overwritten; run for the bound it shows).
 */
async function bodyFloor(kind, url) {
  const token = await repairerToken(url);
  const encoder = new TextEncoder();
  const [head, tail] = [encoder.encode('{"fileNameWithExtension":"f.pdf","file":"'), encoder.encode('"}')];
  const length = Math.ceil(FIVE_MB / 3) * 4;
  const CHUNK = 256 * 1024;
  const reused = new Uint8Array(CHUNK).fill(65);
  const upload = async () => {
    let at = 0;
    const body = new ReadableStream({
      start(stream) {
        stream.enqueue(head.slice());
      },
      pull(stream) {
        const n = Math.min(CHUNK, length - at);
        stream.enqueue(kind === 'reused' ? reused.subarray(0, n) : new Uint8Array(n).fill(65));
        at += n;
        if (at < length) return;
        stream.enqueue(tail.slice());
        stream.close();
      },
    });
    const reply = await fetch(`${url}/lalux/api/reparateur/upload`, {
      method: 'PUT', body, duplex: 'half',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json', 'content-length': String(head.length + length + tail.length) },
    });
    if (!reply.ok) throw new Error(`upload: ${reply.status}`);
    await reply.arrayBuffer();
  };
  await upload();
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 2);
  for (let i = 0; i < 10; i++) await upload();
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(`${kind} chunks: peak extra RSS over 10 uploads ${mb(peak - before)} (${((peak - before) / FIVE_MB).toFixed(1)}× the file)`);
}

function init() {
  const started = performance.now();
  require(NODE_ENTRY);
  process.stdout.write(String(performance.now() - started));
}

/**
 * Memory over many calls, per client: 1,000 concurrent then 10,000 sequential calls, sampled
 * every 2,000 after a GC. RSS, JS heap and wasm memory slopes (MB per 1,000 calls), and the
 * wasm-bindgen table of JS values the module holds (a value never released would grow it).
 */
async function soak(call) {
  const { wasm } = loaded;
  const sample = () => ({
    rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed,
    wasm: wasm().memory.buffer.byteLength, table: wasm().__wbindgen_externrefs.length,
  });
  await Promise.all(Array.from({ length: 1000 }, call));
  const points = [];
  for (let i = 1; i <= 10_000; i++) {
    await call();
    if (i % 2000 === 0) {
      globalThis.gc?.();
      points.push(sample());
    }
  }
  const [first, last] = [points[0], points[points.length - 1]];
  const slope = (key) => (last[key] - first[key]) / 8 / (1024 * 1024);
  return { rss: slope('rss'), heap: slope('heap'), wasm: slope('wasm'), table: [first.table, last.table] };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const mb = (n) => `${(n / 1e6).toFixed(0)} MB`;

/** The two small calls, interleaved with the peer's (the claim they read is created first). */
async function smallCalls(both) {
  await both.ours.ecologic.brands();
  await both.ours.ecologic.productTypes();
  const claim = await both.ours.ecologic.createClaim({
    RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'BENCH',
    Consumer: { Title: 1, LastName: 'Dupont', FirstName: 'Marie', Zip: '75001', City: 'Paris', Country: '250', Phone: '0601020304' },
    Product: { ProductId: 'EEE.M1.010', BrandId: '1689', IRISSection: 'G12' },
    Quote: { TotalAmountExclVAT: { Amount: 100 }, TotalAmountInclVAT: { Amount: 120 } },
  });
  const calc = await time('calculateEcoSupport', both, 1500, 100);
  const status = await time('getClaimStatus', both, 1500, 100, claim.id);
  return { calc, status, claim };
}

async function smallCallsOnly(url) {
  const { calc, status } = await smallCalls(await clients(url));
  for (const [name, t] of [['calculateEcoSupport', calc], ['getClaimStatus', status]]) {
    console.log(`${name}: ${ms(t.ours.median)} / ${ms(t.peer.median)} ms, ${(t.ours.median / t.peer.median).toFixed(2)}×`);
  }
}

async function main(url) {
  const node = process.execPath;
  const self = fileURLToPath(import.meta.url);
  const both = await clients(url);
  const { calc, status, claim } = await smallCalls(both);
  const upload = await time('upload', both, 20, 3, null, new Uint8Array(FIVE_MB).fill(37));
  const mem = Object.fromEntries(['ours', 'peer'].map((side) => [side, JSON.parse(
    execFileSync(node, ['--expose-gc', self, 'memory', side, url], { encoding: 'utf8' }))]));
  const inits = Array.from({ length: 7 }, () => Number(execFileSync(node, [self, 'init'], { encoding: 'utf8' })));
  const pdf = new TextEncoder().encode('%PDF-1.4 soak');
  const soaked = {
    ecologic: await soak(() => both.ours.ecologic.getClaimStatus(claim.id)),
    lalux: await soak(() => both.ours.lalux.repairer.upload({ fileNameWithExtension: 'f.pdf', file: pdf })),
  };

  const shipped = ['nodejs', 'web'].flatMap((d) => readdirSync(join(PACKAGE, d), { recursive: true })
    .filter((f) => /\.(wasm|m?js)$/.test(f)).map((f) => `${d}/${f}`));
  const gz = (path) => gzipSync(readFileSync(path), { level: 9 }).length;
  // What a page loads: the module, its glue and the glue's snippets.
  const browser = shipped.filter((f) => /^web\/(repair_claims|snippets\/)/.test(f))
    .reduce((sum, f) => sum + gz(join(PACKAGE, f)), 0);
  const peerBrowser = gz(require.resolve('openapi-fetch').replace(/index\.c?js$/, 'index.mjs'));
  const tarball = readdirSync(join(root, 'dist')).find((f) => /^repair-claims-\d.*\.tgz$/.test(f));

  const row = (figure, ours, peer, ratio) => `| ${figure} | ${ours} | ${peer} | ${ratio} |`;
  const timed = (figure, t) => row(figure, `${ms(t.ours.median)} ms (p99 ${ms(t.ours.p99)})`,
    `${ms(t.peer.median)} ms (p99 ${ms(t.peer.p99)})`, `${(t.ours.median / t.peer.median).toFixed(2)}×`);
  const lines = [
    '| figure | repair-claims | openapi-fetch | ratio |',
    '|---|---|---|---|',
    row('browser download (wasm + JS glue, gzip -9)', kib(browser), kib(peerBrowser), `${(browser / peerBrowser).toFixed(0)}×`),
    timed('`calculateEcoSupport` (1,500 interleaved calls)', calc),
    timed('`getClaimStatus` (1,500 interleaved calls)', status),
    timed('5 MB LALUX upload (20 runs; the peer encodes with `Buffer`)', upload),
    row('peak extra RSS over 10 uploads of 5 MB', `${mb(mem.ours.peakExtra)} (${(mem.ours.peakExtra / FIVE_MB).toFixed(1)}× the file)`,
      `${mb(mem.peer.peakExtra)} (${(mem.peer.peakExtra / FIVE_MB).toFixed(1)}× the file)`, ''),
    row('RSS left grown after those uploads', mb(mem.ours.after), mb(mem.peer.after), ''),
    row('wasm memory grown by the first 5 MB upload (it never shrinks)', `${mb(mem.ours.wasmGrown)} (${(mem.ours.wasmGrown / FIVE_MB).toFixed(1)}× the file)`, '', ''),
    row('module initialisation in Node (median of 7)', `${ms(median(inits))} ms`, '', ''),
    ...Object.entries({ ecologic: '`getClaimStatus`', lalux: '`repairer.upload` (small file)' }).map(([client, call]) => {
      const s = soaked[client];
      return row(`1,000 concurrent then 10,000 sequential ${call}: RSS, JS heap, wasm memory slopes; JS values held by the module`,
        `${s.rss.toFixed(2)}, ${s.heap.toFixed(2)}, ${s.wasm.toFixed(2)} MB per 1,000 calls; table ${s.table[0]} → ${s.table[1]} slots`, '', '');
    }),
    row('npm tarball / unpacked', `${kib(statSync(join(root, 'dist', tarball)).size)} / ${kib(shipped
      .map((f) => statSync(join(PACKAGE, f)).size).reduce((a, b) => a + b, 0))} (.wasm and JS)`, '', ''),
    '',
    '| shipped file | raw | gzip -9 |',
    '|---|---|---|',
    ...shipped.map((f) => `| \`${f}\` | ${kib(statSync(join(PACKAGE, f)).size)} | ${kib(gz(join(PACKAGE, f)))} |`),
  ];
  console.log(lines.join('\n'));
}

/**
 * The gateway against what a portal would otherwise write: an Express proxy that buffers the
 * body and forwards it with `fetch`, adding the api key or the bearer token. The same package
 * clients call both (with `gateway`, and with base URLs and an empty `headers` callback), in one
 * process with both servers, interleaved.
 */
/** An Express app with the gateway at /gw and a hand-written proxy at /proxy, and the page's clients of each. */
async function gatewayApp(url) {
  const { pkg } = loaded;
  const express = require('express');
  const { createGateway } = require(join(PACKAGE, 'server', 'index.js'));
  const eco = `${url}/ecologic/api/v1/ecosupport`;
  const credentials = {
    lalux: { tokenUrl: `${url}/lalux/wts`, apiUrl: `${url}/lalux/api`, ...REPAIRER },
    ecologic: { environment: 'production', baseUrl: eco, apiKey: API_KEY },
  };
  const gateway = createGateway({ prefix: '/gw', tenant: () => 'bench', credentials: () => credentials });
  const token = (await repairerToken(url)).access_token;
  const app = express();
  app.use(gateway.node);
  app.use('/proxy', express.raw({ type: () => true, limit: '20mb' }), async (req, res) => {
    const [, api, ...rest] = req.url.split('/');
    const target = api === 'lalux' ? `${url}/lalux/api/${rest.join('/')}` : `${eco}/${rest.join('/')}`;
    const headers = { 'content-type': req.headers['content-type'] ?? 'application/json' };
    if (api === 'lalux') headers.authorization = `Bearer ${token}`;
    else headers.api_key = API_KEY;
    const body = ['GET', 'HEAD'].includes(req.method) ? undefined : req.body;
    const reply = await fetch(target, { method: req.method, headers, body });
    res.status(reply.status).type(reply.headers.get('content-type') ?? 'application/json').send(Buffer.from(await reply.arrayBuffer()));
  });
  const server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  const none = () => ({});
  const both = {
    ours: {
      ecologic: new pkg.EcologicClient({ gateway: `${base}/gw` }),
      lalux: new pkg.LaluxClient({ gateway: `${base}/gw` }),
    },
    peer: {
      ecologic: new pkg.EcologicClient({ environment: 'production', baseUrl: `${base}/proxy/ecologic`, headers: none }),
      lalux: new pkg.LaluxClient({ apiUrl: `${base}/proxy/lalux`, headers: none }),
    },
  };
  return { server, both };
}

async function gatewayBench(url) {
  const { server, both } = await gatewayApp(url);
  const file = new Uint8Array(FIVE_MB).fill(37);
  const run = async (n, warmup, call) => {
    const runs = { ours: [], peer: [] };
    for (let i = 0; i < warmup; i++) for (const side of ['ours', 'peer']) await call(both[side]);
    for (let i = 0; i < n; i++) {
      for (const side of i % 2 ? ['ours', 'peer'] : ['peer', 'ours']) {
        const started = performance.now();
        await call(both[side]);
        runs[side].push(performance.now() - started);
      }
    }
    const sorted = (xs) => [...xs].sort((a, b) => a - b);
    const [o, p] = [sorted(runs.ours), sorted(runs.peer)];
    return `${ms(quantile(o, 0.5))} ms (p99 ${ms(quantile(o, 0.99))}) | ${ms(quantile(p, 0.5))} ms (p99 ${ms(quantile(p, 0.99))}) | ${(quantile(o, 0.5) / quantile(p, 0.5)).toFixed(2)}×`;
  };
  const small = await run(500, 50, (c) => c.ecologic.calculateEcoSupport(calculation));
  const upload = await run(20, 3, (c) => c.lalux.repairer.upload({ fileNameWithExtension: 'facture.pdf', file }));
  const concurrent = performance.now();
  await Promise.all(Array.from({ length: 20 }, () => both.ours.lalux.repairer.upload({ fileNameWithExtension: 'f.pdf', file })));
  const twenty = performance.now() - concurrent;
  server.close();
  const cold = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'gateway-cold', url], { encoding: 'utf8' })));
  const rss = Object.fromEntries(['ours', 'peer'].map((side) => [side,
    JSON.parse(execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), 'gateway-rss', side, url], { encoding: 'utf8' }))]));
  console.log([
    '| figure | through repair-claims/server | through a hand-written Express proxy | ratio |',
    '|---|---|---|---|',
    `| \`calculateEcoSupport\` (500 interleaved calls) | ${small} |`,
    `| 5 MB LALUX upload (20 interleaved runs) | ${upload} |`,
    `| 20 concurrent 5 MB uploads through the gateway | ${ms(twenty)} ms in all | | |`,
    `| \`require('repair-claims/server')\` + the first forwarded call, fresh process (median of 5) | ${ms(median(cold.map((c) => c.load)))} ms + ${ms(median(cold.map((c) => c.first)))} ms | | |`,
    `| peak RSS over 100 sequential 5 MB uploads, above the process's after 3 (a process each) | ${mb(rss.ours.peak)} | ${mb(rss.peer.peak)} | ${(rss.ours.peak / rss.peer.peak).toFixed(2)}× |`,
  ].join('\n'));
}

/** Peak RSS of 100 sequential 5 MB uploads through the gateway (`ours`) or the proxy (`peer`), above the process's after 3 warm-up uploads: `{ peak }` bytes. */
async function gatewayRss(side, url) {
  const { server, both } = await gatewayApp(url);
  const file = new Uint8Array(FIVE_MB).fill(37);
  const upload = () => both[side].lalux.repairer.upload({ fileNameWithExtension: 'facture.pdf', file });
  for (let i = 0; i < 3; i++) await upload();
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = 0;
  const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss - base); }, 5);
  for (let i = 0; i < 100; i++) await upload();
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage().rss - base);
  server.close();
  process.stdout.write(JSON.stringify({ peak }));
}

/**
 * One cold start (`cold-one ours|peer URL`, a fresh process): the import of the package (ours,
 * its module initialised) or of openapi-fetch (peer), then the first `calculateEcoSupport`.
 */
async function coldOne(side, url) {
  const eco = `${url}/ecologic/api/v1/ecosupport`;
  let started = performance.now();
  if (side === 'ours') {
    const { EcologicClient } = await import(join(PACKAGE, 'nodejs', 'index.mjs'));
    const load = performance.now() - started;
    started = performance.now();
    await new EcologicClient({ environment: 'production', baseUrl: eco, apiKey: API_KEY }).calculateEcoSupport(calculation);
    process.stdout.write(JSON.stringify({ load, first: performance.now() - started }));
  } else {
    const { default: createClient } = await import('openapi-fetch');
    const load = performance.now() - started;
    started = performance.now();
    const { data } = await createClient({ baseUrl: eco, headers: { api_key: API_KEY } }).GET('/calculateecosupport', {
      params: { query: { ...calculation, TotalAmountExclVAT_Currency: 'EUR', TotalAmountInclVATCurrency: 'EUR' } },
    });
    if (!data) throw new Error('peer: no data');
    process.stdout.write(JSON.stringify({ load, first: performance.now() - started }));
  }
}

/**
 * A `calculateEcoSupport`'s cost beside the network: `globalThis.fetch` replaced, for both sides,
 * by one that answers at once with what the sandbox at `url` answered (the referentials and the
 * calculation, read first); medians of 6 runs of 2,000 calls each, interleaved, after a warm-up.
 */
async function overhead(url) {
  const eco = `${url}/ecologic/api/v1/ecosupport`;
  const headers = { api_key: API_KEY };
  const query = { ...calculation, TotalAmountExclVAT_Currency: 'EUR', TotalAmountInclVATCurrency: 'EUR' };
  const bytes = {};
  for (const name of ['printbrandlist', 'printproducttypewithlabellist']) {
    bytes[name] = new Uint8Array(await (await fetch(`${eco}/${name}`, { headers })).arrayBuffer());
  }
  const reply = new Uint8Array(await (await fetch(`${eco}/calculateecosupport?${new URLSearchParams(query)}`, { headers })).arrayBuffer());
  globalThis.fetch = async (target) => {
    const name = String(typeof target === 'string' ? target : target.url).split('?')[0].split('/').pop();
    const body = bytes[name] ?? reply;
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } });
  };
  const { default: createClient } = await import('openapi-fetch');
  const ours = new loaded.pkg.EcologicClient({ environment: 'production', baseUrl: eco, apiKey: API_KEY });
  const peer = createClient({ baseUrl: eco, headers });
  const sides = { ours: () => ours.calculateEcoSupport(calculation), peer: () => peer.GET('/calculateecosupport', { params: { query } }) };
  const run = async (call, n) => {
    const started = performance.now();
    for (let i = 0; i < n; i++) await call();
    return ((performance.now() - started) / n) * 1000;
  };
  for (let i = 0; i < 3000; i++) { await sides.ours(); await sides.peer(); }
  const runs = { ours: [], peer: [] };
  for (let k = 0; k < 6; k++) for (const side of ['ours', 'peer']) runs[side].push(await run(sides[side], 2000));
  const [o, p] = [median(runs.ours), median(runs.peer)];
  console.log(`calculateEcoSupport without the network: ${o.toFixed(1)} / ${p.toFixed(1)} µs, ${(o - p).toFixed(1)} µs more`);
}

/** Cold start of both sides, 9 fresh processes each, alternated: medians and the ratio of the totals. */
function cold(url) {
  const runs = { ours: [], peer: [] };
  for (let i = 0; i < 9; i++) {
    for (const side of i % 2 ? ['ours', 'peer'] : ['peer', 'ours']) {
      runs[side].push(JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'cold-one', side, url], { encoding: 'utf8' })));
    }
  }
  const of = (side, key) => median(runs[side].map((r) => (key ? r[key] : r.load + r.first)));
  console.log([
    '| cold start, fresh process (median of 9) | repair-claims | openapi-fetch | ratio |',
    '|---|---|---|---|',
    `| import | ${ms(of('ours', 'load'))} ms | ${ms(of('peer', 'load'))} ms | |`,
    `| first \`calculateEcoSupport\` | ${ms(of('ours', 'first'))} ms | ${ms(of('peer', 'first'))} ms | |`,
    `| both | ${ms(of('ours'))} ms | ${ms(of('peer'))} ms | ${(of('ours') / of('peer')).toFixed(2)}× |`,
  ].join('\n'));
}

/** One cold start of the server entry and its first forwarded call (`gateway.fetch`, in process). */
async function gatewayCold(url) {
  let started = performance.now();
  const { createGateway } = require(join(PACKAGE, 'server', 'index.js'));
  const load = performance.now() - started;
  started = performance.now();
  const gateway = createGateway({
    prefix: '/gw', tenant: () => 'cold',
    credentials: () => ({ ecologic: { environment: 'production', baseUrl: `${url}/ecologic/api/v1/ecosupport`, apiKey: API_KEY } }),
  });
  const reply = await gateway.fetch(new Request('http://portal/gw/ecologic/calculateEcoSupport', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ args: [calculation] }),
  }));
  if (reply.status !== 200) throw new Error(`gateway: ${reply.status} ${await reply.text()}`);
  process.stdout.write(JSON.stringify({ load, first: performance.now() - started }));
}

/**
 * `repairer.settle` (a small invoice: its upload, then its settlement, each a new identity) with
 * each journal store, against the same with a plain Map as the store (the floor: the
 * workflow's own requests), interleaved; and one store write alone.
 */
async function journalBench(url, redisUrl) {
  const { pkg } = loaded;
  const { fileJournal, redisJournal } = require(join(PACKAGE, 'journal', 'index.js'));
  const { createClient } = require('redis');
  const { mkdtempSync, rmSync } = require('node:fs');
  const dir = mkdtempSync(join(require('node:os').tmpdir(), 'bench-journal-'));
  const redis = await createClient({ url: redisUrl }).connect();
  // The floor: a plain Map, no time to live, nothing written anywhere.
  const map = new Map();
  const nothing = { get: async (k) => map.get(k) ?? null, set: async (k, v, o) => (o?.ifAbsent && map.has(k) ? false : (map.set(k, v), true)), delete: async (k) => { map.delete(k); } };
  const stores = { 'a plain Map': nothing, memory: pkg.memoryJournal(), file: fileJournal(dir), redis: redisJournal(redis) };
  const clients = Object.fromEntries(Object.entries(stores).map(([name, journal]) => [name,
    new pkg.LaluxClient({ tokenUrl: `${url}/lalux/wts`, apiUrl: `${url}/lalux/api`, ...REPAIRER, journal })]));
  const pdf = new TextEncoder().encode('%PDF-1.4 bench');
  let n = 0;
  const settle = (client) => client.repairer.settle({
    idPrestataire: 'XT1234', referenceFacture: `B-${process.pid}-${n++}`, dateFacture: '2024-03-01', numeroSinistre: 'S-1',
    referenceInterneLalux: 'PEC-1', immatriculationVehicule: 'AB1234', numeroChassisVehicule: 'VIN1', type: 'F', typeFacture: 'REP',
    factureHT: 1000, factureTVA: '170.50', factureTTC: 1170.5, invoicePdf: pdf,
  });
  const runs = Object.fromEntries(Object.keys(stores).map((k) => [k, []]));
  for (let i = 0; i < 20; i++) for (const client of Object.values(clients)) await settle(client);
  for (let i = 0; i < 200; i++) {
    const order = Object.keys(stores);
    if (i % 2) order.reverse();
    for (const name of order) {
      const started = performance.now();
      await settle(clients[name]);
      runs[name].push(performance.now() - started);
    }
  }
  const writes = {};
  for (const [name, store] of Object.entries(stores)) {
    const times = [];
    for (let i = 0; i < 300; i++) {
      const started = performance.now();
      await store.set(`bench:${i}`, '{"v":1,"upload:invoicePdf":{}}', { ttlMs: 60_000 });
      times.push(performance.now() - started);
    }
    writes[name] = quantile([...times].sort((a, b) => a - b), 0.5);
  }
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
  const floor = quantile([...runs['a plain Map']].sort((a, b) => a - b), 0.5);
  // A settle() with one upload makes 11 store calls: 2 reads and the lease to begin, 3 records each read first, the lease released (a read, a delete).
  console.log([
    '| store | `repairer.settle` (median of 200, interleaved) | ratio to a plain Map | per store call (settle − floor) / 11 | one `set` alone |',
    '|---|---|---|---|---|',
    ...Object.keys(stores).map((name) => {
      const median = quantile([...runs[name]].sort((a, b) => a - b), 0.5);
      return `| ${name} | ${ms(median)} ms | ${(median / floor).toFixed(2)}× | ${ms((median - floor) / 11)} ms | ${ms(writes[name])} ms |`;
    }),
  ].join('\n'));
}

if (mode === 'memory') await memory(args[0], args[1]);
else if (mode === 'journal') await journalBench(args[0], args[1]);
else if (mode === 'gateway') await gatewayBench(args[0]);
else if (mode === 'gateway-cold') await gatewayCold(args[0]);
else if (mode === 'gateway-rss') await gatewayRss(args[0], args[1]);
else if (mode === 'init') init();
else if (mode === 'cold') cold(args[0]);
else if (mode === 'cold-one') await coldOne(args[0], args[1]);
else if (mode === 'calls') await smallCallsOnly(args[0]);
else if (mode === 'overhead') await overhead(args[0]);
else if (mode === 'body-floor') await bodyFloor(args[0], args[1]);
else await main(mode ?? process.env.SANDBOX_URL ?? 'http://127.0.0.1:8787');
