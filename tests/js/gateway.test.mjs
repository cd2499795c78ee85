// repair-claims/server: the gateway mounted in real Express and Fastify apps and through its web
// standard handler, in front of the sandbox, called by clients made with `gateway` only (as a
// browser portal's page makes them). Checked against what the sandbox received, what the
// "browser" sent and was answered, and what the gateway told its listener.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import {
  API_KEY, EXPERT, PDF, REPAIRER, SANDBOX, SECRETS, SITE, assertNoSecret, claimFiles, dossier,
  expertSettlement, fault, fieldsOf, pkg, pkgPath, received, receivedAt, rejects, repairSettlement, reset,
} from './helpers.mjs';

const require = createRequire(import.meta.url);
const { createGateway } = require(new URL('../server/index.js', `file://${pkgPath}`).pathname);
const express = require('express');
const fastify = require('fastify');

const PREFIX = '/api/repair-claims';
/** Two garages with their own credentials; garage B has no Ecologic account. */
const GARAGES = {
  A: {
    lalux: { ...REPAIRER, tokenUrl: `${SANDBOX}/lalux/wts`, apiUrl: `${SANDBOX}/lalux/api`, retryDelayMs: 10 },
    ecologic: { environment: 'production', baseUrl: `${SANDBOX}/ecologic/api/v1/ecosupport`, apiKey: API_KEY, retryDelayMs: 10 },
  },
  B: { lalux: { ...EXPERT, tokenUrl: `${SANDBOX}/lalux/wts`, apiUrl: `${SANDBOX}/lalux/api`, retryDelayMs: 10 } },
  // Its Ecologic is a closed port: the connection is refused, nothing ever reaches it.
  DOWN: { ecologic: { environment: 'production', baseUrl: 'http://127.0.0.1:9/ecologic', apiKey: API_KEY, maxRetries: 0 } },
};
/** The repair sites each garage may claim for (what `authorize` checks). */
const SITES = { A: [SITE], DOWN: [SITE] };

const events = [];
const credentialsAsked = [];
const gatewayOptions = (extra = {}) => ({
  prefix: PREFIX,
  tenant: (request) => {
    const cookie = typeof request.headers.get === 'function' ? request.headers.get('cookie') : request.headers.cookie;
    return /(?:^|;\s*)garage=(\w+)/.exec(cookie ?? '')?.[1] ?? null;
  },
  credentials: (garage) => {
    credentialsAsked.push(garage);
    return GARAGES[garage] ?? {};
  },
  authorize: ({ tenant, input }) => {
    const site = input && typeof input === 'object' ? input.RepairSiteId : undefined;
    return site === undefined || (SITES[tenant] ?? []).includes(site);
  },
  onEvent: (event) => events.push(event),
  ...extra,
});

let servers = [];
async function listen(app) {
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${server.address().port}`;
}
after(() => servers.forEach((s) => s.close()));

let base;
let fastifyBase;
let limitedBase;
const gateway = createGateway(gatewayOptions());
before(async () => {
  const app = express();
  app.use(gateway.node);
  app.use(express.json());
  app.post('/api/other', (req, res) => res.json({ other: true }));
  base = await listen(app);

  const limited = express();
  limited.use(createGateway(gatewayOptions({ rateLimit: { max: 2, windowMs: 1000 } })).node);
  limitedBase = await listen(limited);

  const f = fastify();
  const fastGateway = createGateway(gatewayOptions({ bodyLimit: 4096 }));
  f.addHook('onRequest', async (request, reply) => {
    if (!fastGateway.owns(request.raw.url)) return;
    reply.hijack();
    await fastGateway.node(request.raw, reply.raw);
  });
  f.get('/health', async () => ({ ok: true }));
  await f.listen({ port: 0, host: '127.0.0.1' });
  servers.push({ close: () => f.close() });
  fastifyBase = `http://127.0.0.1:${f.server.address().port}`;
});

/** What the "browser" sent to and got from the gateway: every request and reply, in full. */
const seen = [];
/** A page's `fetch` for garage `garage` (its session cookie), recording everything. */
const browserFetch = (garage) => async (url, init) => {
  const headers = { ...init.headers, ...(garage ? { cookie: `garage=${garage}` } : {}) };
  const response = await fetch(url, { ...init, headers });
  const text = await response.clone().text();
  seen.push({ url, headers, status: response.status, replyHeaders: [...response.headers], text });
  return response;
};
const clients = (garage, at = base) => ({
  lalux: new pkg.LaluxClient({ gateway: `${at}${PREFIX}`, fetch: browserFetch(garage), retryDelayMs: 10 }),
  ecologic: new pkg.EcologicClient({ gateway: `${at}${PREFIX}`, fetch: browserFetch(garage), retryDelayMs: 10 }),
});

test('repairer.settle through the gateway: the upload and the settlement reach LALUX with the token, the page never sees one', async () => {
  await reset();
  seen.length = 0;
  const { lalux } = clients('A');
  const { uploads: [receipt] } = await lalux.repairer.settle({ ...repairSettlement(), invoicePdf: PDF });
  assert.equal(receipt.status, 'Verified');
  assert.match(receipt.key, /\S/);
  const log = await received();
  assert.deepEqual(log.map((r) => `${r.method} ${r.path}`), ['POST /lalux/wts/token', 'PUT /lalux/api/reparateur/upload', 'PUT /lalux/api/reparateur']);
  assert.equal(log[1].headers.authorization, 'Bearer [redacted]');
  assert.equal(log[2].body.refPDFFacture, receipt.key, 'the key the upload gave');
  assert.deepEqual(seen.map((s) => new URL(s.url).pathname), [`${PREFIX}/lalux/repairer.settle`]);
  for (const s of seen) {
    assert.equal(s.headers.authorization, undefined, 'the page sends no credential');
    for (const secret of SECRETS) assert.ok(!s.text.includes(secret));
    assert.ok(!/Bearer|sbx-/.test(s.text + JSON.stringify(s.replyHeaders)), 'no token in a reply');
    assert.ok(!s.replyHeaders.some(([name]) => name === 'set-cookie'));
  }
});

test('the Ecologic claim workflow through the gateway: one claim, both files attached, submitted', async () => {
  await reset();
  const { ecologic } = clients('A');
  const outcome = await ecologic.claim({
    RepairSiteId: SITE, RepairEndDate: '2024-05-02', ConsumerInvoiceNumber: 'GW-1', ...dossier(), files: claimFiles(),
  });
  assert.ok(outcome.claimId > 0);
  assert.equal((await receivedAt('/createclaim')).length, 1);
  const attached = await receivedAt('/attachfile');
  assert.equal(attached.length, 2);
  assert.ok(attached.every((r) => r.headers.api_key === '[redacted]'), 'the api key added by the gateway');
  const { data, response } = await ecologic.getClaimStatus(outcome.claimId).withResponse();
  assert.equal(data.ClaimId ?? outcome.claimId, outcome.claimId);
  assert.equal(response.status, 200);
});

test('bad input is refused by the gateway with the same validation error a direct client gives; nothing reaches the API', async () => {
  await reset();
  const bad = repairSettlement({ dateFacture: '2024-02-30', factureTTC: 1 });
  const relayed = await rejects(clients('A').lalux.repairer.submitInvoice(bad), 'validation');
  const direct = await rejects(new pkg.LaluxClient({ ...GARAGES.A.lalux }).repairer.submitInvoice(bad), 'validation');
  assert.deepEqual(fieldsOf(relayed), fieldsOf(direct));
  assert.deepEqual(relayed.fields, direct.fields);
  assert.equal(relayed.operation, 'repairer.submitInvoice');
  assert.deepEqual(await received(), []);
});

test('authorize refuses another garage\'s RepairSiteId: a forbidden error naming the operation, nothing sent', async () => {
  await reset();
  const error = await rejects(clients('A').ecologic.createSupportRequest({
    RepairSiteId: 'another-garage-site', QuoteNumber: 'DEV-GW', ...dossier(),
  }), 'forbidden');
  assert.equal(error.operation, 'createSupportRequest');
  assert.deepEqual(await received(), []);
});

test('no session: authentication, nothing forwarded; an API the tenant has no credentials for: forbidden', async () => {
  await reset();
  await rejects(clients(null).ecologic.brands(), 'authentication');
  await rejects(clients('B').ecologic.brands(), 'forbidden');
  assert.deepEqual(await received(), []);
});

test('tenants are isolated: each garage its own token, each reused by its own next call', async () => {
  await reset();
  const a = clients('A').lalux;
  const b = clients('B').lalux;
  await a.repairer.upload({ fileNameWithExtension: 'a.pdf', file: PDF });
  await b.expert.upload({ fileNameWithExtension: 'b.pdf', file: PDF });
  await a.repairer.upload({ fileNameWithExtension: 'a2.pdf', file: PDF });
  const paths = (await received()).map((r) => r.path);
  // A's token, from an earlier test, was forgotten by the sandbox's reset: refused (401) once,
  // renewed, and the upload sent again with the new one.
  assert.deepEqual(paths, [
    '/lalux/api/reparateur/upload', '/lalux/wts/token', '/lalux/api/reparateur/upload',
    '/lalux/wts/authen', '/lalux/api/expert/upload', '/lalux/api/reparateur/upload',
  ]);
  const error = await rejects(b.expert.submitSettlement(expertSettlement({ refPdfHonoraires: 'x', refPdfExpertise: 'y' }), {}), 'refused');
  assertNoSecret(error);
});

test('a 3 MB file through the gateway reaches LALUX whole (the gateway hands it to its client as bytes)', async () => {
  await reset();
  const file = new Uint8Array(3_000_000).map((_, i) => i % 251);
  const receipt = await clients('A').lalux.repairer.upload({ fileNameWithExtension: 'big.pdf', file: new Blob([file]) });
  assert.equal(receipt.status, 'Verified');
  assert.equal(receipt.bytes, 3_000_000);
  const direct = await new pkg.LaluxClient({ ...GARAGES.A.lalux }).repairer.upload({ fileNameWithExtension: 'big.pdf', file });
  const [relayed, sent] = await receivedAt('/reparateur/upload');
  assert.deepEqual(relayed.body, sent.body, 'the same body as a direct client sends');
  assert.equal(direct.bytes, 3_000_000);
});

test("an API that echoes the credentials in its refusal: the page's error holds none of them", async () => {
  const { createServer } = await import('node:http');
  const echo = createServer((req, res) => {
    const said = `key ${req.headers.api_key} auth ${req.headers.authorization ?? ''}`;
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ResponseStatus: 'E', ResponseMessage: said, ResponseErrorMessage: said, ResponseData: null }));
  });
  await new Promise((r) => echo.listen(0, '127.0.0.1', r));
  const echoing = createGateway(gatewayOptions({
    credentials: () => ({ ecologic: { environment: 'production', baseUrl: `http://127.0.0.1:${echo.address().port}`, apiKey: ` ${API_KEY}\n`, maxRetries: 0 } }),
  })).fetch;
  try {
    const page = new pkg.EcologicClient({
      gateway: `http://portal.example${PREFIX}`,
      fetch: (url, init) => echoing(new Request(url, { ...init, headers: { ...init.headers, cookie: 'garage=A' } })),
    });
    let error;
    try {
      await page.getClaimStatus(1);
    } catch (e) {
      error = e;
    }
    assert.ok(pkg.isRepairClaimsError(error), String(error));
    assertNoSecret(error);
    assert.equal(error.body, undefined, "the API's reply text stays on the server");
  } finally {
    echo.close();
  }
});

test('an upstream that refuses the connection: the write is reported as never sent', async () => {
  const error = await rejects(clients('DOWN').ecologic.createSupportRequest({
    RepairSiteId: SITE, QuoteNumber: 'DEV-GW', ...dossier(),
  }), 'network');
  assert.equal(error.mayHaveReachedServer, false);
});

test('the rate limit answers 429 with Retry-After, which the client waits for before trying again', async () => {
  await reset();
  seen.length = 0;
  const { ecologic } = clients('A', limitedBase);
  await ecologic.brands();
  await ecologic.productTypes();
  const started = Date.now();
  const brands = await ecologic.brands();
  assert.ok(brands.length > 0);
  assert.deepEqual(seen.map((s) => s.status), [200, 200, 429, 200]);
  assert.equal(new Map(seen[2].replyHeaders).get('retry-after'), '1');
  assert.ok(Date.now() - started >= 500, 'waited for Retry-After');
});

test('the gateway serves only the clients\' methods, as POST of JSON within its body limit; anything else is refused before a call', async () => {
  await reset();
  const post = (path, body, headers = {}) => fetch(`${base}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie: 'garage=A', ...headers }, body,
  });
  const cases = [
    [await post(`${PREFIX}/ecologic/free`, '{"args":[]}'), 404],
    [await post(`${PREFIX}/ecologic/constructor`, '{"args":[]}'), 404],
    [await post(`${PREFIX}/other/brands`, '{"args":[]}'), 404],
    [await post(`${PREFIX}/lalux/repairer`, '{"args":[]}'), 404],
    [await fetch(`${base}${PREFIX}/ecologic/brands`), 405],
    [await post(`${PREFIX}/ecologic/brands`, '{"args":[]}', { 'content-type': 'text/plain' }), 415],
    [await post(`${PREFIX}/ecologic/brands`, '{"args":'), 400],
    [await post(`${PREFIX}/ecologic/getClaimStatus`, '{"args":[1,2,3]}'), 400],
    [await post(`${PREFIX}/ecologic/brands`, '{"args":[]}', { origin: 'https://evil.example' }), 403],
    [await post(`${PREFIX}/ecologic/brands%0d%0aset-cookie:%20x=1`, '{"args":[]}'), 404],
    [await post(`${PREFIX}/ecologic/brands`, '{"args":[]}', { cookie: 'garage=nobody' }), 403],
    // Served from the tenant's referential cache: nothing sent, but the process answers.
    [await post(`${PREFIX}/ecologic/brands`, '{"args":[]}'), 200],
  ];
  for (const [response, status] of cases) {
    assert.equal(response.status, status, `${response.url}: ${await response.clone().text()}`);
    if (status !== 200) assert.equal((await response.json()).error.name, 'RepairClaimsError');
  }
  // A body over the limit is refused from its Content-Length, before it is read.
  const fast = await fetch(`${fastifyBase}${PREFIX}/ecologic/brands`, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie: 'garage=A' }, body: JSON.stringify({ args: ['x'.repeat(10000)] }),
  });
  assert.equal(fast.status, 413);
  assert.equal((await fast.json()).error.kind, 'validation');
  assert.deepEqual(await received(), [], 'nothing went on to the API');
  // The app's own routes are untouched.
  assert.deepEqual(await (await post('/api/other', '{}')).json(), { other: true });
  assert.deepEqual(await (await fetch(`${fastifyBase}/health`)).json(), { ok: true });
});

test('Fastify: the gateway in an onRequest hook serves the same calls', async () => {
  await reset();
  const brands = await clients('A', fastifyBase).ecologic.brands();
  assert.ok(brands.length > 0);
});

test('gateway.fetch (web standard Request → Response), as a Next.js route handler or Hono mounts it', async () => {
  await reset();
  const handler = createGateway(gatewayOptions()).fetch;
  const page = new pkg.EcologicClient({
    gateway: `http://portal.example${PREFIX}`,
    fetch: (url, init) => handler(new Request(url, { ...init, headers: { ...init.headers, cookie: 'garage=A' } })),
  });
  const sites = await page.repairSites();
  assert.ok(sites.some((s) => s.SiteId === SITE));
  const outside = await handler(new Request('http://portal.example/elsewhere'));
  assert.equal(outside.status, 404);
  // A tenant callback giving an object (every tenant would be "[object Object]") is refused.
  const before_ = (await received()).length;
  const objects = createGateway(gatewayOptions({ tenant: () => ({ garage: 'A' }) })).fetch;
  const refused = await objects(new Request(`http://portal.example${PREFIX}/ecologic/brands`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"args":[]}',
  }));
  assert.equal(refused.status, 500);
  assert.match((await refused.json()).error.message, /string or a number/);
  assert.equal((await received()).length, before_, 'nothing forwarded');
});

test('events: one per call, with tenant, operation and status, never a secret or an input', async () => {
  const text = JSON.stringify(events);
  assert.ok(events.length >= 5);
  for (const e of events) assert.deepEqual(Object.keys(e).filter((k) => !['type', 'tenant', 'api', 'operation', 'status', 'kind', 'durationMs'].includes(k)), []);
  for (const secret of SECRETS) assert.ok(!text.includes(secret));
  assert.ok(!text.includes('Dupont'), 'no input in an event');
  assert.ok(events.some((e) => e.operation === 'repairer.settle' && e.status === 200 && e.tenant === 'A'));
  assert.ok(events.some((e) => e.kind === 'forbidden' && e.status === 403));
  assert.ok(credentialsAsked.filter((g) => g === 'A').length <= 4, 'credentials cached per tenant');
});

test('gateway options: nothing else with it; secrets refused where a browser runs unless dangerouslyAllowBrowser', async () => {
  let error;
  try {
    new pkg.LaluxClient({ gateway: `${base}${PREFIX}`, ...REPAIRER });
  } catch (e) {
    error = e;
  }
  assert.equal(error?.kind, 'validation');
  assert.deepEqual(fieldsOf(error), ['clientId', 'clientSecret']);
  assert.ok(error.fields.every((f) => f.code === 'exclusive' && f.params.other === 'gateway'));
  assertNoSecret(error);

  globalThis.window = globalThis;
  globalThis.document = {};
  try {
    const refused = (make) => {
      try {
        make();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const lalux = refused(() => new pkg.LaluxClient({ ...GARAGES.B.lalux }));
    assert.deepEqual(fieldsOf(lalux), ['clientSecret', 'password']);
    assert.ok(lalux.fields.every((f) => f.code === 'secretInBrowser'));
    assert.match(lalux.message, /clientSecret/);
    assert.match(pkg.formatFieldError(lalux.fields[0], 'fr'), /passerelle/);
    const eco = refused(() => new pkg.EcologicClient({ ...GARAGES.A.ecologic }));
    assert.deepEqual(fieldsOf(eco), ['apiKey']);
    assertNoSecret(eco);
    assert.equal(refused(() => new pkg.EcologicClient({ ...GARAGES.A.ecologic, dangerouslyAllowBrowser: true })), undefined);
    assert.equal(refused(() => new pkg.EcologicClient({ gateway: `${base}${PREFIX}` })), undefined);
  } finally {
    delete globalThis.window;
    delete globalThis.document;
  }
});

test('after every refusal above, the gateway and the module still serve a call', async () => {
  await reset();
  const receipt = await clients('A').lalux.repairer.upload({ fileNameWithExtension: 'last.pdf', file: new Blob([PDF]) });
  assert.equal(receipt.status, 'Verified');
});

test("option journal: a tenant's workflows record under the tenant's own keys, and a second run resumes", async () => {
  await reset();
  const store = pkg.memoryJournal();
  const keys = [];
  const journal = { ...store, get: store.get, delete: store.delete, set: (key, value, options) => { keys.push(key); return store.set(key, value, options); } };
  const handler = createGateway(gatewayOptions({ journal })).fetch;
  const page = new pkg.EcologicClient({
    gateway: `http://portal.example${PREFIX}`,
    fetch: (url, init) => handler(new Request(url, { ...init, headers: { ...init.headers, cookie: 'garage=A' } })),
  });
  const input = { RepairSiteId: SITE, RepairEndDate: '2024-05-02', ConsumerInvoiceNumber: 'GW-J', ...dossier(), files: claimFiles() };
  const first = await page.claim(input);
  const again = await page.claim(input);
  assert.deepEqual([again.claimId, again.resumed, first.resumed], [first.claimId, true, false]);
  assert.equal((await receivedAt('/createclaim')).length, 1);
  assert.ok(keys.length > 0 && keys.every((k) => /^repair-claims:tenant:A:repair-claims:ecologic:http:\/\/127\.0\.0\.1:\d+\/ecologic\/api\/v1\/ecosupport:claim:/.test(k)), keys.join('\n'));
});

test('option maxInFlight: one call of a tenant more than it allows is 429 with Retry-After, before its body is read, and nothing is forwarded', async () => {
  await reset();
  await fault({ route: '/getclaimstatus', latencyMs: 400 });
  const handler = createGateway(gatewayOptions({ maxInFlight: 2 })).fetch;
  const post = () => handler(new Request(`http://portal.example${PREFIX}/ecologic/getClaimStatus`, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie: 'garage=A' }, body: JSON.stringify({ args: [123] }),
  }));
  const replies = await Promise.all(Array.from({ length: 5 }, post));
  const statuses = replies.map((r) => r.status).sort();
  assert.deepEqual(statuses.filter((s) => s === 429).length, 3, statuses.join());
  assert.ok(replies.filter((r) => r.status === 429).every((r) => r.headers.get('retry-after') === '1'));
  assert.equal((await receivedAt('/getclaimstatus')).length, 2);
  // Once they are done, the tenant may call again.
  assert.notEqual((await post()).status, 429);
});

test('allowedOrigins: a page of an allowed other origin gets its CORS preflight and readable replies; another origin gets neither', async () => {
  await reset();
  const handler = createGateway(gatewayOptions({ allowedOrigins: ['https://portal.example'] })).fetch;
  const url = `http://api.example${PREFIX}/ecologic/brands`;
  const ask = (origin, method = 'OPTIONS') => handler(new Request(url, {
    method,
    headers: { origin, cookie: 'garage=A', 'content-type': 'application/json', 'access-control-request-method': 'POST' },
    ...(method === 'POST' ? { body: '{"args":[]}' } : {}),
  }));
  const preflight = await ask('https://portal.example');
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://portal.example');
  assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST');
  assert.match(preflight.headers.get('access-control-allow-headers'), /content-type/);
  const reply = await ask('https://portal.example', 'POST');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers.get('access-control-allow-origin'), 'https://portal.example');
  assert.ok((await reply.json()).data.length > 0);
  const other = await ask('https://elsewhere.example');
  assert.equal(other.status, 405);
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  const refused = await ask('https://elsewhere.example', 'POST');
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('access-control-allow-origin'), null);
  assert.equal((await receivedAt('/printbrandlist')).length, 1, 'only the allowed page\'s call went on');
});

/** A Host-rewriting reverse proxy (as nginx's `proxy_pass` without `proxy_set_header Host`) in front of `target`: its URL. */
async function rewritingProxy(target) {
  const http = require('node:http');
  const { host } = new URL(target);
  const server = http.createServer((req, res) => {
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, host, 'x-forwarded-host': req.headers.host } }, (reply) => {
      res.writeHead(reply.statusCode, reply.headers);
      reply.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${server.address().port}`;
}

test('behind a proxy that rewrites Host: the page\'s writes are refused until trustProxy, which reads X-Forwarded-Host (or Forwarded); without it a forged header changes nothing', async () => {
  await reset();
  const appWith = (extra) => {
    const app = express();
    app.use(createGateway(gatewayOptions(extra)).node);
    return listen(app);
  };
  const [plain, trusting] = [await appWith(), await appWith({ trustProxy: true })];
  const [viaPlain, viaTrusting] = [await rewritingProxy(plain), await rewritingProxy(trusting)];
  const post = (at, headers) => fetch(`${at}${PREFIX}/ecologic/repairSites`, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie: 'garage=A', ...headers }, body: '{"args":[]}',
  });
  const refused = await post(viaPlain, { origin: viaPlain });
  assert.equal(refused.status, 403);
  assert.match((await refused.json()).error.message, /trustProxy/);
  const forged = await post(plain, { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', forwarded: 'host=evil.example' });
  assert.equal(forged.status, 403, 'a forged X-Forwarded-Host is not read without trustProxy');
  const stranger = await post(viaTrusting, { origin: 'https://evil.example' });
  assert.equal(stranger.status, 403, 'behind the proxy, another origin is still refused');
  assert.deepEqual(await received(), [], 'nothing forwarded for the refusals');

  const page = new pkg.EcologicClient({
    gateway: `${viaTrusting}${PREFIX}`,
    fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, cookie: 'garage=A', origin: viaTrusting } }),
  });
  assert.ok((await page.repairSites()).some((s) => s.SiteId === SITE), 'the page behind the proxy is served');
  const rfc = await post(trusting, { origin: 'https://portal.example', forwarded: 'for=192.0.2.1;proto=https;host=portal.example' });
  assert.equal(rfc.status, 200, 'Forwarded: host= read when X-Forwarded-Host is absent');
  assert.equal((await receivedAt('/getrepairsitesbyats')).length, 1, 'the first served call reached Ecologic; the second was the tenant client\'s cached list');
});

test('a body streamed without Content-Length past bodyLimit, endless: 413 once the limit is passed (node and fetch hosts), the rest unread, nothing forwarded', async () => {
  await reset();
  const http = require('node:http');
  const small = createGateway(gatewayOptions({ bodyLimit: 4096 }));
  const app = express();
  app.use(small.node);
  const at = new URL(await listen(app));
  // node:http: chunks written until the reply comes (the body never ends by itself).
  const { status, connection, text, written } = await new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const request = http.request({
      host: at.hostname, port: at.port, method: 'POST', path: `${PREFIX}/ecologic/brands`,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', cookie: 'garage=A' },
    }, (reply) => {
      answered = true;
      let body = '';
      reply.on('data', (chunk) => { body += chunk; });
      reply.on('end', () => {
        request.destroy();
        resolve({ status: reply.statusCode, connection: reply.headers.connection, text: body, written });
      });
    });
    request.on('error', (error) => (answered ? undefined : reject(error)));
    request.write('{"args":["');
    const pump = () => {
      while (!answered && written < 64 * 1024 * 1024) {
        written += 1024;
        if (!request.write('x'.repeat(1024))) return request.once('drain', pump);
      }
      return undefined;
    };
    pump();
  });
  assert.equal(status, 413);
  assert.equal(connection, 'close');
  assert.equal(JSON.parse(text).error.kind, 'validation');
  assert.ok(written < 64 * 1024 * 1024, `answered while the body was still coming (${written} bytes written)`);
  // The web standard host: a ReadableStream that never ends, cancelled once past the limit.
  let cancelled = false;
  let pulled = 0;
  const endless = new ReadableStream({
    pull(controller) {
      pulled += 1;
      controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
    },
    cancel() {
      cancelled = true;
    },
  });
  const reply = await small.fetch(new Request(`http://portal.example${PREFIX}/ecologic/brands`, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie: 'garage=A' }, body: endless, duplex: 'half',
  }));
  assert.equal(reply.status, 413);
  assert.equal((await reply.json()).error.kind, 'validation');
  assert.ok(cancelled, 'the stream was cancelled');
  assert.ok(pulled < 100, `read no further than the limit (${pulled} chunks)`);
  assert.deepEqual(await received(), [], 'nothing forwarded');
  assert.ok((await clients('A').ecologic.brands()).length > 0, 'the gateway serves on');
});

test('a body parsed before the gateway (express.json(), express.raw()) is taken from req.body; one taken without req.body is a typed error, nothing forwarded', async () => {
  await reset();
  const appWith = (...before) => {
    const app = express();
    for (const middleware of before) app.use(middleware);
    app.use(createGateway(gatewayOptions()).node);
    return listen(app);
  };
  const json = await appWith(express.json({ limit: '16mb' }));
  const raw = await appWith(express.raw({ type: () => true, limit: '16mb' }));
  const file = new Uint8Array(200_000).map((_, i) => i % 251);
  for (const at of [json, raw]) {
    const receipt = await clients('A', at).lalux.repairer.upload({ fileNameWithExtension: 'facture.pdf', file });
    assert.equal(receipt.status, 'Verified');
    assert.equal(receipt.bytes, 200_000, 'the file reached LALUX whole');
  }
  const sent = await receivedAt('/reparateur/upload');
  assert.equal(sent.length, 2);
  assert.deepEqual(sent[0].body, sent[1].body);
  // A middleware that drains the body and keeps nothing.
  const drained = await appWith((req, res, next) => {
    req.resume();
    req.on('end', next);
  });
  await reset();
  const error = await rejects(clients('A', drained).ecologic.getClaimStatus(1), 'unexpectedResponse');
  assert.equal(error.kind, 'unexpectedResponse');
  assert.match(error.message, /mount the gateway before body parsers/);
  assert.deepEqual(await received(), [], 'nothing forwarded');
});

test('files relayed as bytes after the JSON: the page sends no base64; bodies whose file lengths do not add up are refused, nothing forwarded', async () => {
  await reset();
  const sent = [];
  const file = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
  const page = new pkg.LaluxClient({
    gateway: `${base}${PREFIX}`,
    fetch: async (url, init) => {
      // Node streams the body: read whole here, then sent as read.
      const body = Buffer.from(await new Response(init.body).arrayBuffer());
      sent.push({ type: init.headers['content-type'], streamed: init.body instanceof ReadableStream, body });
      return fetch(url, { ...init, body, headers: { ...init.headers, cookie: 'garage=A' } });
    },
  });
  const receipt = await page.repairer.upload({ fileNameWithExtension: 'facture.pdf', file });
  assert.equal(receipt.bytes, 100_000);
  const [{ type, streamed, body }] = sent;
  assert.equal(type, 'application/vnd.repair-claims.relay');
  assert.ok(streamed, 'streamed in Node, as the API calls are');
  const newline = body.indexOf(10);
  assert.deepEqual(JSON.parse(body.subarray(0, newline)), { args: [{ fileNameWithExtension: 'facture.pdf', file: { repairClaimsFile: 100_000 } }] });
  assert.deepEqual(new Uint8Array(body.subarray(newline + 1)), file, 'the bytes as they are, after the JSON');
  await new pkg.LaluxClient({ ...GARAGES.A.lalux }).repairer.upload({ fileNameWithExtension: 'facture.pdf', file });
  const [relayed, direct] = await receivedAt('/reparateur/upload');
  assert.deepEqual(relayed.bodySummary, direct.bodySummary, 'LALUX received what a direct client sends');

  await reset();
  const post = (body, type = 'application/vnd.repair-claims.relay') => fetch(`${base}${PREFIX}/lalux/repairer.upload`, {
    method: 'POST', headers: { 'content-type': type, cookie: 'garage=A' }, body,
  });
  const json = (args) => JSON.stringify({ args });
  const bad = [
    Buffer.concat([Buffer.from(`${json([{ fileNameWithExtension: 'f.pdf', file: { repairClaimsFile: 10 } }])}\n`), Buffer.alloc(9)]),
    Buffer.concat([Buffer.from(`${json([{ fileNameWithExtension: 'f.pdf', file: { repairClaimsFile: 10 } }])}\n`), Buffer.alloc(11)]),
    Buffer.from(`${json([{ fileNameWithExtension: 'f.pdf', file: { repairClaimsFile: -1 } }])}\n`),
    Buffer.from(`${json([{ fileNameWithExtension: 'f.pdf', file: { repairClaimsFile: 0.5 } }])}\n`),
    Buffer.from(`${json([{ fileNameWithExtension: 'f.pdf', file: { repairClaimsFile: 1e300 } }])}\n`),
    Buffer.from(json([{ fileNameWithExtension: 'f.pdf', file: { repairClaimsFile: 0 } }])),
    Buffer.from('\n\n'),
  ];
  for (const body of bad) {
    const reply = await post(body);
    assert.equal(reply.status, 400, body.subarray(0, 80).toString());
    assert.equal((await reply.json()).error.kind, 'validation');
  }
  // In a JSON body the same object is an input like any other: refused by the client's checks as a file.
  const plain = await post(json([{ fileNameWithExtension: 'f.pdf', file: { repairClaimsFile: 3 } }]), 'application/json');
  assert.equal(plain.status, 400);
  assert.ok((await plain.json()).error.fields.some((f) => f.field === 'file'));
  assert.deepEqual(await received(), [], 'nothing forwarded');
});

test('review: more than 64 files in one relayed call, a relay type with parameters, a page gone mid-body, hosts compared as URLs behind trustProxy', async () => {
  await reset();
  const post = (at, body, headers = {}) => fetch(`${at}${PREFIX}/lalux/repairer.upload`, {
    method: 'POST', headers: { 'content-type': 'application/vnd.repair-claims.relay', cookie: 'garage=A', ...headers }, body,
  });
  const many = (n) => Buffer.from(`${JSON.stringify({ args: [{ fileNameWithExtension: 'f.pdf', file: Array.from({ length: n }, () => ({ repairClaimsFile: 0 })) }] })}\n`);
  const refused = await post(base, many(65));
  assert.equal(refused.status, 400);
  const { error: own } = await refused.json();
  assert.equal(own.kind, 'validation');
  assert.deepEqual(own.fields, [], "refused by the gateway itself, before the tenant's client holds any");
  // 64 are read back as files, then refused by the client's own checks (a file is not an array).
  const checked = await post(base, many(64));
  assert.equal(checked.status, 400);
  assert.ok((await checked.json()).error.fields.some((f) => f.field.startsWith('file')));
  const pdf = Buffer.from('%PDF-1.4 x');
  const withCharset = await post(base, Buffer.concat([Buffer.from(`${JSON.stringify({ args: [{ fileNameWithExtension: 'f.pdf', file: { repairClaimsFile: pdf.length } }] })}\n`), pdf]), {
    'content-type': 'application/vnd.repair-claims.relay; charset=binary',
  });
  assert.equal(withCharset.status, 200, await withCharset.clone().text());
  // (Sent twice when the tenant's token had to be fetched again after a 401: the same body.)
  const uploads = await receivedAt('/reparateur/upload');
  assert.equal(new Set(uploads.map((u) => JSON.stringify(u.bodySummary))).size, 1, 'only that upload went on');

  // A page that goes away in the middle of its body: told as aborted (499), not as over the limit.
  const told = [];
  const app = express();
  app.use(createGateway(gatewayOptions({ onEvent: (event) => told.push(event) })).node);
  const at = new URL(await listen(app));
  await new Promise((resolve) => {
    const request = require('node:http').request({
      host: at.hostname, port: at.port, method: 'POST', path: `${PREFIX}/lalux/repairer.upload`,
      headers: { 'content-type': 'application/json', 'content-length': '100000', cookie: 'garage=A' },
    });
    request.on('error', () => {});
    request.write('{"args":[');
    setTimeout(() => {
      request.destroy();
      resolve();
    }, 50);
  });
  for (let i = 0; i < 50 && told.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(told.map((e) => [e.status, e.kind]), [[499, 'aborted']]);

  // trustProxy: the proxy's host as the page's origin has it, in any case, with its default port.
  const trusting = await listen((() => {
    const a = express();
    a.use(createGateway(gatewayOptions({ trustProxy: true })).node);
    return a;
  })());
  const brands = (headers) => fetch(`${trusting}${PREFIX}/ecologic/brands`, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie: 'garage=A', origin: 'https://portal.example', ...headers }, body: '{"args":[]}',
  });
  assert.equal((await brands({ 'x-forwarded-host': 'Portal.Example' })).status, 200);
  assert.equal((await brands({ 'x-forwarded-host': 'portal.example:443' })).status, 200);
  assert.equal((await brands({ forwarded: 'for=192.0.2.1;host="portal.example"' })).status, 200);
  // A `host=` inside a quoted value of another parameter is not the host.
  const quoted = await fetch(`${trusting}${PREFIX}/ecologic/brands`, {
    method: 'POST', body: '{"args":[]}',
    headers: { 'content-type': 'application/json', cookie: 'garage=A', origin: 'https://evil.example', forwarded: 'for="1.2.3.4;host=evil.example";host=portal.example' },
  });
  assert.equal(quoted.status, 403);
});

test("the page's half of a relayed call is the call path's: a gateway that hangs, redirects, floods, is not a gateway or is down; aborts; events", async () => {
  // A hostile "gateway": each path prefix misbehaves its own way; every request it gets is counted.
  const hits = [];
  const sockets = new Set();
  const other = require('node:http').createServer((req, res) => {
    hits.push(`other ${req.url}`);
    res.end('{"data":1}');
  });
  const hostile = require('node:http').createServer((req, res) => {
    hits.push(req.url);
    const [, how] = req.url.split('/');
    if (how === 'slow') return; // never answers
    if (how === 'redirect') {
      res.writeHead(307, { location: `http://127.0.0.1:${other.address().port}/stolen` });
      return res.end();
    }
    if (how === 'lies') {
      res.writeHead(403, { 'content-type': 'application/json' });
      return res.end('{"error":{"name":"RepairClaimsError","kind":"forbidden","message":"no","__proto__":{"polluted":1},"stack":"FAKE","cause":{"x":1},"fields":"nope"}}');
    }
    if (how === 'busy' && hits.filter((h) => h.startsWith('/busy')).length === 1) {
      res.writeHead(429, { 'content-type': 'text/html', 'retry-after': '0' });
      return res.end('<html>slow down</html>');
    }
    if (how === 'busy') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"data":{"id":7}}');
    }
    if (how === 'flood') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 32);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      return pump();
    }
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html>Bad gateway</html>');
  });
  hostile.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await Promise.all([hostile, other].map((s) => new Promise((resolve) => s.listen(0, '127.0.0.1', resolve))));
  const at = (how, options = {}) => new pkg.EcologicClient({ gateway: `http://127.0.0.1:${hostile.address().port}/${how}`, retryDelayMs: 10, ...options });
  const write = (client, options) => client.createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'DEV-RELAY' }, options);
  try {
    let started = Date.now();
    await rejects(at('slow', { timeoutMs: 200, maxRetries: 0 }).brands(), 'timeout');
    assert.ok(Date.now() - started < 3000, 'settled at its timeout');

    const controller = new AbortController();
    setTimeout(() => controller.abort('left the page'), 50);
    const aborted = await rejects(write(at('slow'), { signal: controller.signal }), 'aborted', { callersCause: true });
    assert.equal(aborted.cause, 'left the page');
    assert.equal(aborted.mayHaveReachedServer, true);

    const redirected = await rejects(at('redirect').brands(), 'unexpectedResponse');
    assert.match(redirected.message, /not followed/);
    assert.ok(!hits.some((h) => h.startsWith('other')), 'the other origin never heard of the call');

    started = Date.now();
    const flooded = await rejects(at('flood').brands(), 'unexpectedResponse');
    assert.match(flooded.message, /MiB/);

    // A reply whose error carries more than data: what is not data is left out.
    const lying = await rejects(at('lies').brands(), 'forbidden');
    assert.ok(lying instanceof Error && pkg.isRepairClaimsError(lying));
    assert.equal(Object.getPrototypeOf(lying), Error.prototype);
    assert.equal(lying.polluted, undefined);
    assert.notEqual(lying.stack, 'FAKE');
    assert.equal(lying.cause, undefined);
    assert.deepEqual(lying.fields, []);
    assert.equal(lying.operation, 'brands');

    // A proxy's 429 in front of the gateway (not JSON): nothing went further, so even a write goes again.
    hits.length = 0;
    assert.deepEqual(await write(at('busy')), { id: 7 });
    assert.deepEqual(hits, ['/busy/ecologic/createSupportRequest', '/busy/ecologic/createSupportRequest']);

    hits.length = 0;
    const proxy = await rejects(write(at('html', { maxRetries: 3 })), 'unexpectedResponse');
    assert.equal(proxy.status, 502);
    assert.equal(proxy.operation, 'createSupportRequest');
    assert.deepEqual(hits, ['/html/ecologic/createSupportRequest'], 'a write that may have reached the gateway goes once');
  } finally {
    for (const socket of sockets) socket.destroy();
    hostile.close();
    other.close();
  }

  // Down (a port just closed): the connection was never made, so even a write goes again, then
  // says it never left.
  const closed = require('node:http').createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address();
  await new Promise((resolve) => closed.close(resolve));
  let tries = 0;
  const down = new pkg.EcologicClient({
    gateway: `http://127.0.0.1:${port}/api`, maxRetries: 2, retryDelayMs: 10,
    fetch: (url, init) => { tries += 1; return fetch(url, init); },
  });
  const never = await rejects(write(down), 'network');
  assert.equal(never.mayHaveReachedServer, false);
  assert.equal(tries, 3);

  // The page hears of its relayed calls as of any other: by method, never a secret.
  const heard = [];
  const page = new pkg.EcologicClient({ gateway: `${base}${PREFIX}`, fetch: browserFetch('A'), onEvent: (e) => heard.push(e) });
  assert.ok((await page.brands()).length > 0);
  assert.deepEqual(heard.map((e) => [e.type, e.operation, e.method, e.status]), [['request', 'brands', 'POST', undefined], ['response', 'brands', 'POST', 200]]);
  assertNoSecret(heard);
});

test('a JSON body parsed by express.json() before the gateway is read from req.body', async () => {
  await reset();
  const app = express();
  app.use(express.json());
  app.use(createGateway(gatewayOptions()).node);
  const at = await listen(app);
  const reply = await fetch(`${at}${PREFIX}/ecologic/getClaimStatus`, {
    method: 'POST', headers: { 'content-type': 'application/json', cookie: 'garage=A' }, body: '{"args":[4242]}',
  });
  const { error } = await reply.json();
  assert.equal(error.kind, 'refused', 'the call reached Ecologic, which knows no such claim');
  assert.deepEqual((await received()).map((r) => r.path), ['/ecologic/api/v1/ecosupport/getclaimstatus']);
});

test('a small read carries its args in a header, with no body (non-ASCII and % intact); a write, a long call or a malformed header does not', async () => {
  await reset();
  const sent = [];
  const page = (garage) => new pkg.EcologicClient({
    gateway: `${base}${PREFIX}`,
    fetch: async (url, init) => {
      sent.push({ headers: init.headers, body: init.body });
      return fetch(url, { ...init, headers: { ...init.headers, cookie: `garage=${garage}` } });
    },
  });
  const name = 'Hélène 100% «Ωμέγα» 😀';
  const calculation = { TotalAmountExclVAT: 100, TotalAmountInclVAT: 120, BrandId: '0', BrandName: name, ProductId: 'EEE.M1.010' };
  await page('A').calculateEcoSupport(calculation).catch(() => {});
  const [small] = sent;
  assert.equal(small.body, undefined, 'no body');
  assert.equal(small.headers['content-type'], undefined);
  const carried = small.headers['x-repair-claims-args'];
  assert.ok(/^[\x20-\x7e]+$/.test(carried), 'ASCII');
  assert.deepEqual(JSON.parse(decodeURIComponent(carried)).args, [calculation]);
  // Through to the API: the gateway read the same text.
  const [calculated] = await receivedAt('/calculateecosupport');
  assert.equal(new URLSearchParams(calculated.query).get('BrandName'), name);

  // A write, however small, goes as the body: a dossier's names and phones stay out of headers.
  sent.length = 0;
  const supportRequest = await page('A').createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'DEV-é%', CallDate: '2026-11-20', ...dossier() });
  assert.ok(supportRequest.id > 0);
  assert.equal(sent[0].headers['x-repair-claims-args'], undefined);
  assert.match(String(sent[0].headers['content-type']), /vnd\.repair-claims\.relay/);
  const [created] = await receivedAt('/createsupportrequest');
  assert.equal(new URLSearchParams(created.query).get('QuoteNumber'), 'DEV-é%');

  sent.length = 0;
  await page('A').calculateEcoSupport({ ...calculation, BrandName: 'x'.repeat(5000) }).catch(() => {});
  assert.equal(sent[0].headers['x-repair-claims-args'], undefined, 'over 4 KiB: as the body');

  // A catch-all body parser before the gateway makes `{}` of no body: the header's args are read.
  const app = express();
  app.use(express.json({ type: () => true }));
  app.use(createGateway(gatewayOptions()).node);
  const parsed = await listen(app);
  const brands = await new pkg.EcologicClient({ gateway: `${parsed}${PREFIX}`, fetch: browserFetch('A') }).brands();
  assert.ok(brands.length > 0);

  await reset();
  const post = (headers, body) => fetch(`${base}${PREFIX}/ecologic/brands`, { method: 'POST', headers: { cookie: 'garage=A', ...headers }, body });
  for (const [headers, body] of [
    [{ 'x-repair-claims-args': '%E9' }, undefined],
    [{ 'x-repair-claims-args': 'not json' }, undefined],
    [{ 'x-repair-claims-args': '{"args":[]}', 'content-type': 'application/json' }, '{"args":[]}'],
  ]) {
    const reply = await post(headers, body);
    assert.equal(reply.status, 400, JSON.stringify(headers));
    const { error } = await reply.json();
    assert.equal(error.kind, 'validation');
    assert.equal(error.mayHaveReachedServer, false, "the gateway's own refusal: nothing forwarded");
  }
  assert.deepEqual(await received(), [], 'nothing forwarded');
});
