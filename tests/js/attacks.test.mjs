// The package's promises under attack (issue 21): inputs whose accessors throw, malicious or
// broken servers of the test's own on 127.0.0.1, long-lived signals, floods. Every call settles
// with a typed error, no credential follows a redirect to another origin, no token or secret is
// in an error, memory stays bounded, and the module keeps working afterwards.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { getEventListeners } from 'node:events';
import { inspect } from 'node:util';
import { after, beforeEach, test } from 'node:test';
import {
  API_KEY, EXPERT, PDF, REPAIRER, SANDBOX, SITE, assertNoSecret, dossier, ecologic, expertClient, fault, fieldsOf,
  lalux, pkg, received, receivedAt, rejects, repairSettlement, reset,
} from './helpers.mjs';

beforeEach(reset);

let uncaught = 0;
const onUncaught = () => { uncaught += 1; };
process.on('uncaughtException', onUncaught);
process.on('unhandledRejection', onUncaught);
after(() => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
});

/** A server of the test's own on 127.0.0.1: `handler(request, response, body)`; its URL and what it received. */
async function server(handler) {
  const requests = [];
  const sockets = new Set();
  const http = createServer((request, response) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({ method: request.method, url: request.url, headers: request.headers, body });
      handler(request, response, body);
    });
  });
  http.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    http.close(resolve);
  });
  after(close);
  return { url: `http://127.0.0.1:${http.address().port}`, requests, close };
}

/** Settles `promise` or fails after `ms` (every call must settle). */
function settles(promise, ms = 10_000) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms); });
  return Promise.race([promise.then((v) => ({ ok: v }), (e) => ({ error: e })), late]).finally(() => clearTimeout(timer));
}

/** A normal call on `client` works (the module is not poisoned). */
async function stillWorks(client = ecologic()) {
  const brands = await client.brands();
  assert.ok(brands.length > 0);
}

const detached = () => {
  const buffer = new ArrayBuffer(16);
  structuredClone(buffer, { transfer: [buffer] });
  return buffer;
};

/** Inputs whose JS accessors throw, or that lie: each must give a typed error (or be read for what it really holds). */
const HOSTILE = {
  'a detached ArrayBuffer': () => ({ fileNameWithExtension: 'f.pdf', file: detached() }),
  'a view on a detached buffer': () => {
    const view = new Uint8Array(16);
    structuredClone(view.buffer, { transfer: [view.buffer] });
    return { fileNameWithExtension: 'f.pdf', file: view };
  },
  'a Proxy of a Uint8Array': () => ({ fileNameWithExtension: 'f.pdf', file: new Proxy(new Uint8Array(4), {}) }),
  'a Date Proxy': () => ({ fileNameWithExtension: 'f.pdf', file: PDF, when: new Proxy(new Date(), {}) }),
  'a getter that throws': () => ({ fileNameWithExtension: 'f.pdf', get file() { throw new Error('getter'); } }),
  'a nested getter that throws': () => ({ ...dossier(), Consumer: { get Zip() { throw new Error('nested'); } } }),
  'a Proxy whose ownKeys throws': () => new Proxy({}, { ownKeys() { throw new Error('keys'); } }),
  'a Proxy whose getPrototypeOf throws': () => ({ file: new Proxy({}, { getPrototypeOf() { throw new Error('proto'); } }) }),
  'an array Proxy whose get throws': () => ({ files: new Proxy([1, 2], { get() { throw new Error('items'); } }) }),
  'a revoked Proxy': () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; },
  'a Blob whose arrayBuffer throws': () => ({ fileNameWithExtension: 'f.pdf', file: { size: 4, arrayBuffer() { throw new Error('blob'); } } }),
  'a Blob whose arrayBuffer rejects': () => ({ fileNameWithExtension: 'f.pdf', file: { size: 4, arrayBuffer: () => Promise.reject(new Error('blob')) } }),
  'a BigInt, a Symbol and a function': () => ({ a: 10n, b: Symbol('s'), c: () => 1 }),
};

test('inputs whose accessors throw: each settles with a typed error, thousands of times, and the module keeps working', async () => {
  const old = lalux();
  const eco = ecologic();
  for (const [name, make] of Object.entries(HOSTILE)) {
    const outcome = await settles(old.repairer.upload(make()));
    assert.ok(outcome.error, `${name}: refused`);
    assert.ok(pkg.isRepairClaimsError(outcome.error), `${name}: ${outcome.error}`);
    assert.equal(outcome.error.kind, 'validation', name);
    const claim = await settles(eco.createClaim(make()));
    assert.equal(claim.error?.kind, 'validation', `${name} (Ecologic)`);
  }
  const nested = await rejects(eco.createClaim(HOSTILE['a nested getter that throws']()), 'validation');
  assert.ok(fieldsOf(nested).includes('Consumer.Zip'));
  assert.equal(nested.fields.find((f) => f.field === 'Consumer.Zip').code, 'unreadable');
  const makers = Object.values(HOSTILE);
  const outcomes = await Promise.all(Array.from({ length: 3000 }, (_, i) => settles(old.repairer.upload(makers[i % makers.length]()))));
  assert.equal(outcomes.filter((o) => o.error?.kind === 'validation').length, 3000);
  assert.equal((await received()).length, 0, 'nothing was sent');
  const receipt = await old.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  assert.equal(receipt.status, 'Verified', 'the old client still works');
  assert.equal((await lalux().repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF })).status, 'Verified', 'a new client works');
  assert.equal(uncaught, 0, 'no uncaught exception');
});

test('a typed array that lies about its length, a Date whose methods throw: read for what they hold', async () => {
  const bytes = new TextEncoder().encode('%PDF-1.4 liar');
  class Liar extends Uint8Array {
    get byteLength() { return 1e9; }
    get length() { return 1e9; }
  }
  const liar = new Liar(bytes);
  const receipt = await lalux().repairer.upload({ fileNameWithExtension: 'l.pdf', file: liar });
  assert.equal(receipt.bytes, bytes.length);
  const [upload] = await receivedAt('/reparateur/upload');
  assert.equal(Buffer.from(upload.body.file, 'base64').toString(), '%PDF-1.4 liar');
  const day = new Date(2026, 10, 20);
  day.getHours = () => { throw new Error('getHours'); };
  const claim = await ecologic().createClaim({ RepairEndDate: day, RepairSiteId: SITE, ConsumerInvoiceNumber: 'LIAR', ...dossier() });
  assert.ok(claim.id > 0);
  const [create] = await receivedAt('/createclaim');
  assert.equal(new URLSearchParams(create.query).get('RepairEndDate'), '2026-11-20T00:00:00');
});

test('a file detached before it is read is a typed error and nothing is sent; detached after, the bytes the caller gave are sent', async () => {
  const client = lalux();
  const file = new Uint8Array([37, 80, 68, 70, 45, 49]);
  const refused = client.repairer.upload({ fileNameWithExtension: 'd.pdf', file });
  structuredClone(file.buffer, { transfer: [file.buffer] });
  const error = await rejects(refused, 'validation');
  assert.deepEqual(fieldsOf(error), ['file']);
  assert.equal(error.fields[0].code, 'unreadable');
  assert.equal((await receivedAt('/reparateur/upload')).length, 0, 'nothing sent');

  const later = new Uint8Array([37, 80, 68, 70, 45, 50]);
  const sending = client.repairer.upload({ fileNameWithExtension: 'd.pdf', file: later });
  await new Promise((resolve) => setImmediate(resolve));
  structuredClone(later.buffer, { transfer: [later.buffer] });
  const resizable = new ArrayBuffer(8, { maxByteLength: 16 });
  new Uint8Array(resizable).set([37, 80, 68, 70, 45, 51, 52, 53]);
  const shrinking = client.repairer.upload({ fileNameWithExtension: 'r.pdf', file: new Uint8Array(resizable) });
  await new Promise((resolve) => setImmediate(resolve));
  resizable.resize(2);
  assert.equal((await sending).status, 'Verified');
  assert.equal((await shrinking).status, 'Verified');
  const bodies = (await receivedAt('/reparateur/upload')).map((r) => Buffer.from(r.body.file, 'base64').toString());
  assert.deepEqual(bodies.sort(), ['%PDF-2', '%PDF-345'], 'the bytes as they were when the call read them, never a stand-in text');
});

test('bytes given for a text field are a validation error naming it, in a body and in a query', async () => {
  const settlement = await rejects(lalux().repairer.submitInvoice(repairSettlement({ refPDFFacture: 'k.pdf', idPrestataire: new TextEncoder().encode('XT12') })), 'validation');
  assert.deepEqual(fieldsOf(settlement), ['idPrestataire']);
  assert.equal(settlement.fields[0].code, 'type');
  const claim = await rejects(ecologic().createClaim({ RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: new Uint8Array(5), ...dossier() }), 'validation');
  assert.deepEqual(fieldsOf(claim), ['ConsumerInvoiceNumber']);
  const query = await rejects(ecologic().calculateEcoSupport({ TotalAmountExclVAT: 100, TotalAmountInclVAT: 120, BrandId: '1689', ProductId: new Blob(['EEE.M1.010']) }), 'validation');
  assert.deepEqual(fieldsOf(query), ['ProductId']);
  assert.equal((await received()).filter((r) => !r.path.includes('/print')).length, 0, 'nothing sent');
});

test('a lone surrogate is refused, naming the field', async () => {
  const error = await rejects(lalux().repairer.submitInvoice(repairSettlement({ refPDFFacture: 'k.pdf', referenceFacture: 'F-\uD800-1' })), 'validation');
  assert.deepEqual(fieldsOf(error), ['referenceFacture']);
  assert.match(error.fields[0].message, /surrogate/);
  const key = await rejects(ecologic().createClaim({ RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'S', ...dossier(), ['\uDC00']: 1 }), 'validation');
  assert.ok(key.fields.some((f) => f.code === 'format'));
  assert.equal((await receivedAt('/reparateur')).length, 0);
});

test('arguments that do not convert reject with a RepairClaimsError; formatFieldError validates its arguments', async () => {
  const client = ecologic();
  const field = { field: 'x', code: 'required', message: 'is required' };
  for (const bad of [10n, Symbol('id'), { valueOf() { throw new Error('valueOf'); } }, '12', null]) {
    for (const call of [(id) => client.getClaimStatus(id), (id) => client.submitClaim(id), (id) => client.getSupportRequestStatus(id)]) {
      let promise;
      assert.doesNotThrow(() => { promise = call(bad); }, 'no synchronous throw');
      const error = await rejects(promise, 'validation');
      assert.equal(error.fields[0].code, 'id');
    }
  }
  assert.equal(pkg.formatFieldError(field, 'fr'), 'est obligatoire');
  for (const locale of [42, {}, 10n]) {
    assert.throws(() => pkg.formatFieldError(field, locale), (e) => pkg.isRepairClaimsError(e) && e.kind === 'validation' && e.fields[0].field === 'locale');
  }
  assert.throws(() => pkg.formatFieldError(42, 'fr'), (e) => pkg.isRepairClaimsError(e) && e.operation === 'formatFieldError');
  await stillWorks(client);
});

test('40,000 and 200,000 unknown keys: linear work, at most 100 fields listed and how many more', { timeout: 60_000 }, async () => {
  for (const count of [40_000, 200_000]) {
    const input = { ...dossier(), RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'K' };
    for (let i = 0; i < count; i++) input[`extra${i}`] = i;
    const error = await rejects(ecologic().createClaim(input), 'validation');
    assert.equal(error.fields.length, 100);
    assert.equal(error.moreFields, count - 100);
    assert.match(error.message, new RegExp(`and ${count - 100} more fields`));
  }
  assert.equal((await received()).length, 0, 'offline rules first: not even a referential was read');
});

test('redirects: credentials never follow to another origin (api_key on 301-308, the expert login on 307/308); the same origin is followed', async () => {
  const elsewhere = await server((_, response) => response.end('{}'));
  for (const status of [301, 302, 303, 307, 308]) {
    const redirecting = await server((_, response) => {
      response.writeHead(status, { location: `${elsewhere.url}/steal?api_key=${API_KEY}` });
      response.end();
    });
    const eco = ecologic({ baseUrl: redirecting.url, maxRetries: 0 });
    const error = await rejects(eco.getClaimStatus(1), 'unexpectedResponse');
    assert.ok(error.message.includes(elsewhere.url), `names the origin: ${error.message}`);
    assert.ok(!error.message.includes('steal'), 'without its path or query');
    assert.equal(error.status, status);
    assert.equal(redirecting.requests.length, 1);
    if (status >= 307) {
      const login = await rejects(expertClient({ tokenUrl: redirecting.url, maxRetries: 0 }).expert.upload({ fileNameWithExtension: 'f.pdf', file: PDF }), 'unexpectedResponse');
      assert.ok(login.message.includes(elsewhere.url));
    }
  }
  assert.equal(elsewhere.requests.length, 0, 'nothing reached the other origin');
  const sameOrigin = await server((request, response) => {
    if (request.url.startsWith('/old')) {
      response.writeHead(307, { location: request.url.replace('/old', '/ecologic/api/v1/ecosupport') });
      return response.end();
    }
    fetch(`${SANDBOX}${request.url}`, { headers: { api_key: request.headers.api_key } })
      .then((r) => r.text().then((text) => { response.writeHead(r.status, { 'content-type': 'application/json' }); response.end(text); }));
  });
  const brands = await ecologic({ baseUrl: `${sameOrigin.url}/old` }).brands();
  assert.ok(brands.length > 0, 'a redirect within the origin is followed');
});

test('replies over the limit, endless replies: a typed unexpectedResponse, bounded memory, the module unharmed', { timeout: 60_000 }, async () => {
  const declared = await server((_, response) => {
    response.on('error', () => {});
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(200 * 1024 * 1024) });
    response.write('{"ResponseData":[');
  });
  const chunk = Buffer.alloc(1 << 20, 'x');
  const endless = await server((_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"ResponseData":"');
    response.on('error', () => {});
    const pump = () => { while (!response.destroyed && response.write(chunk)); };
    response.on('drain', pump);
    pump();
  });
  const rss = process.memoryUsage().rss;
  for (const { url } of [declared, endless]) {
    for (let i = 0; i < 3; i++) {
      const error = await rejects(ecologic({ baseUrl: url, maxRetries: 0, timeoutMs: 30_000 }).brands(), 'unexpectedResponse');
      assert.match(error.message, /over 8 MiB/);
    }
  }
  const grown = (process.memoryUsage().rss - rss) / (1 << 20);
  assert.ok(grown < 200, `RSS grew by ${grown.toFixed(0)} MiB`);
  await fault({ route: '/printbrandlist', oversize: 9 * 1024 * 1024 });
  const sandboxed = await rejects(ecologic().brands(), 'unexpectedResponse');
  assert.match(sandboxed.message, /over 8 MiB/);
  await reset();
  await stillWorks();
});

test('options of the wrong type never echo a credential, whatever its type', async () => {
  const tries = [
    () => new pkg.EcologicClient({ environment: 'production', apiKey: 918273645 }),
    () => new pkg.EcologicClient({ environment: 'production', apiKey: ['array-api-key-4242'] }),
    () => new pkg.LaluxClient({ clientId: 'id', clientSecret: 5550123 }),
    () => new pkg.LaluxClient({ clientId: { id: 'object-client-id-77' }, clientSecret: 's' }),
    () => new pkg.LaluxClient({ ...REPAIRER, username: 'u', password: 31415926 }),
    () => new pkg.LaluxClient({ ...REPAIRER, username: 'u', password: { toString: () => 'tostring-password' } }),
  ];
  for (const attempt of tries) {
    let error;
    try { attempt(); } catch (e) { error = e; }
    assert.ok(pkg.isRepairClaimsError(error) && error.kind === 'validation', String(error));
    const text = `${inspect(error, { showHidden: true, depth: null })}${JSON.stringify(error)}`;
    for (const secret of ['918273645', 'array-api-key-4242', '5550123', 'object-client-id-77', '31415926', 'tostring-password']) {
      assert.ok(!text.includes(secret), `${secret} echoed: ${text}`);
    }
    assert.ok(!error.fields.some((f) => 'given' in (f.params ?? {})));
  }
});

test('token replies of undocumented shapes and headers callbacks with odd values never put a token in an error', async () => {
  const TOKEN = 'live-token-9f8e7d6c5b4a';
  const shapes = [
    { type: 'application/json', body: JSON.stringify({ token_type: 'bearer', access_token: TOKEN, expires_in: '3600' }) },
    { type: 'application/json', body: JSON.stringify({ token_type: 'bearer', access_token: TOKEN }) },
    { type: 'application/x-www-form-urlencoded', body: `access_token=${TOKEN}&expires_in=3600` },
    { type: 'application/json', status: 418, body: JSON.stringify({ access_token: TOKEN }) },
  ];
  for (const shape of shapes) {
    const tokens = await server((_, response) => {
      response.writeHead(shape.status ?? 200, { 'content-type': shape.type });
      response.end(shape.body);
    });
    const error = await rejects(lalux({ tokenUrl: tokens.url, maxRetries: 0 }).repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF }), 'unexpectedResponse');
    const text = `${inspect(error, { showHidden: true, depth: null })}${JSON.stringify(error)}${error.body}`;
    assert.ok(!text.includes(TOKEN), `the token leaked: ${text}`);
  }
  const returns = [
    { authorization: `Bearer ${TOKEN}`, 'x-count': 5 },
    `Bearer ${TOKEN}`,
    { authorization: `Bearer ${TOKEN}`, get other() { throw new Error('x'); } },
    { authorization: `Bearer ${TOKEN}\r\nx-injected: 1` },
  ];
  for (const value of returns) {
    const client = new pkg.LaluxClient({ apiUrl: `${SANDBOX}/lalux/api`, headers: () => value });
    const error = await rejects(client.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF }), 'authentication');
    const text = `${inspect(error, { showHidden: true, depth: null })}${JSON.stringify(error)}${inspect(error.cause, { depth: null })}`;
    assert.ok(!text.includes(TOKEN), `the header value leaked: ${text}`);
  }
  const thrown = new Error('my back end is down');
  const failing = new pkg.LaluxClient({ apiUrl: `${SANDBOX}/lalux/api`, headers: () => { throw thrown; } });
  const error = await rejects(failing.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF }), 'authentication');
  assert.equal(error.cause, thrown, 'what the callback threw is the cause, as it was');
});

test('an Ecologic write waiting for the referentials obeys its signal and its timeoutMs; nothing is sent after an abort', async () => {
  const aborted = AbortSignal.abort(new Error('user left'));
  const pre = await rejects(ecologic().createClaim({ RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'A', ...dossier() }, { signal: aborted }), 'aborted');
  assert.equal(pre.mayHaveReachedServer, false);
  assert.equal((await received()).length, 0, 'a pre-aborted signal sends nothing, not even a referential read');

  await fault({ route: '/printbrandlist', latencyMs: 3000, times: 1 });
  const started = Date.now();
  const slow = await rejects(ecologic().createClaim({ RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'A', ...dossier() }, { timeoutMs: 300 }), 'timeout');
  assert.equal(slow.mayHaveReachedServer, false);
  assert.ok(Date.now() - started < 2500, 'did not wait for the referential');
  const controller = new AbortController();
  await fault({ route: '/printbrandlist', latencyMs: 3000, times: 1 });
  const call = ecologic().createClaim({ RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'A', ...dossier() }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await rejects(call, 'aborted');
  assert.equal((await receivedAt('/createclaim')).length, 0);
});

test('LALUX authentication obeys the call\'s signal and timeoutMs: a token service that hangs, a headers callback that never settles', async () => {
  const hanging = await server(() => {});
  const upload = { fileNameWithExtension: 'f.pdf', file: PDF };
  const token = await settles(lalux({ tokenUrl: hanging.url }).repairer.upload(upload, { timeoutMs: 300, maxRetries: 0 }), 5000);
  assert.equal(token.error?.kind, 'timeout');
  const never = new pkg.LaluxClient({ apiUrl: `${SANDBOX}/lalux/api`, headers: () => new Promise(() => {}) });
  const timed = await settles(never.repairer.upload(upload, { timeoutMs: 300 }), 5000);
  assert.equal(timed.error?.kind, 'timeout');
  const controller = new AbortController();
  const waiting = settles(never.repairer.upload(upload, { signal: controller.signal }), 5000);
  setTimeout(() => controller.abort(), 100);
  assert.equal((await waiting).error?.kind, 'aborted');
  const pre = await settles(never.repairer.submitInvoice(repairSettlement({ refPDFFacture: 'k.pdf' }), { signal: AbortSignal.abort() }), 5000);
  assert.equal(pre.error?.kind, 'aborted');
  assert.equal(pre.error?.mayHaveReachedServer, false);
});

test('one token renewal serves every call refused with the same token; a call retried after a 401 asks for no more', async () => {
  const client = lalux({ retryDelayMs: 1 });
  await client.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  // 50 calls sent with the same token, refused with 401s that arrive over a second (after all 50
  // were sent).
  for (let i = 0; i < 50; i++) await fault({ route: '/reparateur/upload', status: 401, latencyMs: 300 + i * 16, times: 1 });
  const uploads = await Promise.all(Array.from({ length: 50 }, () => client.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF })));
  assert.ok(uploads.every((u) => u.status === 'Verified'));
  assert.equal((await receivedAt('/wts/token')).length, 2, 'the first token, then one renewal for the 50 refused calls');

  await reset();
  await fault({ route: '/reparateur/upload', status: 401, times: 1 });
  await fault({ route: '/reparateur/upload', status: 503, retryAfter: 0, times: 5 });
  const retried = await lalux({ retryDelayMs: 1, maxRetries: 5 }).repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  assert.equal(retried.status, 'Verified');
  assert.equal((await receivedAt('/wts/token')).length, 2, 'the first token and one renewal, not one per retry');
});

test('a long-lived signal keeps no listener per call: 10,000 calls sharing one', { timeout: 120_000 }, async () => {
  const signal = new AbortController().signal;
  const client = ecologic();
  const claim = await client.createClaim({ RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'SIG', ...dossier() });
  for (let i = 0; i < 50; i++) await client.getClaimStatus(claim.id, { signal });
  assert.equal(getEventListeners(signal, 'abort').length, 0, 'over real calls');
  // The rest against a host fetch that answers at once, as the sandbox did.
  const real = globalThis.fetch;
  const reply = await (await real(`${SANDBOX}/ecologic/api/v1/ecosupport/getclaimstatus?ClaimId=${claim.id}`, { headers: { api_key: API_KEY } })).text();
  globalThis.fetch = async () => new Response(reply, { status: 200, headers: { 'content-type': 'application/json' } });
  try {
    const heap = () => { globalThis.gc?.(); return process.memoryUsage().heapUsed; };
    for (let i = 0; i < 1000; i++) await client.getClaimStatus(claim.id, { signal });
    const before = heap();
    for (let i = 0; i < 9000; i++) await client.getClaimStatus(claim.id, { signal });
    assert.equal(getEventListeners(signal, 'abort').length, 0, 'no listener left after 10,000 calls');
    if (globalThis.gc) assert.ok(heap() - before < 8 << 20, 'the heap is flat');
  } finally {
    globalThis.fetch = real;
  }
});

test('no error of this suite holds a secret or a token', () => {
  assertNoSecret(new Error('a check of the check'));
  assert.throws(() => assertNoSecret(Object.assign(new Error('x'), { body: `Bearer sbx-${'0'.repeat(8)}-1111` })));
  assert.throws(() => assertNoSecret(new Error('x', { cause: { authorization: EXPERT.password } })));
});
