// What a flaky network and a misbehaving server do to a call: retries only where repeating is
// safe, Retry-After honoured, timeouts, malformed replies as typed errors, absurd inputs, and
// the same client instance still working afterwards (a Rust panic would poison the module).
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  API_KEY, PDF, SECRETS, SITE, dossier, pkgPath, ecologic, fault, lalux, receivedAt, rejects, repairSettlement, reset,
} from './helpers.mjs';

beforeEach(reset);

test('a GET is retried after 503 and waits for Retry-After', async () => {
  await fault({ route: '/printbrandlist', status: 503, retryAfter: 1, times: 1 });
  const started = Date.now();
  const brands = await ecologic({ retryDelayMs: 1 }).brands();
  assert.ok(brands.length > 0);
  assert.ok(Date.now() - started >= 950, 'waited for Retry-After: 1');
  assert.equal((await receivedAt('/printbrandlist')).length, 2);
});

test('a LALUX PUT is retried after 429, 502 and 504, up to maxRetries', async () => {
  await fault({ route: '/reparateur/upload', status: 429, times: 1 });
  await fault({ route: '/reparateur/upload', status: 502, times: 1 });
  const receipt = await lalux().repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  assert.equal(receipt.status, 'Verified');
  assert.equal((await receivedAt('/reparateur/upload')).length, 3);
  await reset();
  await fault({ route: '/reparateur/upload', status: 504 });
  const error = await rejects(lalux({ maxRetries: 1 }).repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF }), 'unexpectedResponse');
  assert.equal(error.status, 504);
  assert.equal((await receivedAt('/reparateur/upload')).length, 2, 'one attempt and one retry');
});

test('a dropped connection on a read is retried; on a create it is never re-sent', async () => {
  await fault({ route: '/printproducttypelist', drop: true, times: 1 });
  assert.ok((await ecologic().productTypes()).length > 0);
  assert.equal((await receivedAt('/printproducttypelist')).length, 2);

  const client = ecologic();
  await client.brands();
  await client.productTypes();
  await fault({ route: '/createclaim', drop: true, times: 1 });
  const error = await rejects(client.createClaim({ RepairEndDate: new Date(), RepairSiteId: SITE, ConsumerInvoiceNumber: 'F', ...dossier() }), 'network');
  assert.equal(error.mayHaveReachedServer, true);
  assert.match(error.message, /network/i);
  assert.equal((await receivedAt('/createclaim')).length, 1, 'no duplicate claim');
});

test('a 503 on a create is not retried and says the request may have reached the server', async () => {
  const client = ecologic();
  await client.brands();
  await client.productTypes();
  await fault({ route: '/createsupportrequest', status: 503, retryAfter: 0 });
  const error = await rejects(client.createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'Q', ...dossier() }), 'unexpectedResponse');
  assert.equal(error.status, 503);
  assert.equal(error.mayHaveReachedServer, true);
  assert.equal((await receivedAt('/createsupportrequest')).length, 1);
});

test('timeoutMs applies to each attempt', async () => {
  await fault({ route: '/printbrandlist', latencyMs: 1500 });
  const error = await rejects(ecologic({ timeoutMs: 200, maxRetries: 1 }).brands(), 'timeout');
  assert.match(error.message, /timeoutMs/);
  assert.equal((await receivedAt('/printbrandlist')).length, 2, 'the read was tried twice');
});

test('attempts under way share one clock: each is aborted at its own deadline, the others go on', async () => {
  const client = ecologic();
  const claim = await client.createClaim({ RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'CLOCK', ...dossier() });
  await fault({ route: '/getclaimstatus', latencyMs: 2000, times: 2 });
  const order = [];
  const settle = (name, call) => call.then(() => order.push(`${name} ok`), (e) => order.push(`${name} ${e.kind}`));
  // The long timeout first, then a shorter one: the clock is wound earlier for it.
  const long = settle('long', client.getClaimStatus(claim.id, { timeoutMs: 1200, maxRetries: 0 }));
  const short = settle('short', client.getClaimStatus(claim.id, { timeoutMs: 150, maxRetries: 0 }));
  const quick = settle('quick', client.getClaimStatus(claim.id, { timeoutMs: 5000, maxRetries: 0 }));
  await Promise.all([long, short, quick]);
  assert.deepEqual(order.filter((o) => o !== 'quick ok'), ['short timeout', 'long timeout']);
  assert.ok(order.includes('quick ok'), 'the call without latency was not aborted by the others\' deadlines');
  assert.equal((await receivedAt('/getclaimstatus')).length, 3);
});

test('a finished call leaves no timer holding the process: a script exits without waiting for timeoutMs', { timeout: 120_000 }, async () => {
  const { execFile } = await import('node:child_process');
  // As is (Node's timers are `unref`'d), and with timers a host cannot unref (Deno's numbers).
  const hosts = {
    node: '',
    // Only the client's own timer (600 000 ms) becomes a number: undici's own need their unref.
    'timers without unref': `const set = setTimeout, clear = clearTimeout, timers = new Map(); let next = 1;
      globalThis.setTimeout = (f, ms, ...rest) => {
        if (ms < 500000) return set(f, ms, ...rest);
        const id = next++;
        timers.set(id, set(() => { timers.delete(id); f(); }, ms));
        return id;
      };
      globalThis.clearTimeout = (id) => (typeof id === 'number' && timers.has(id) ? (clear(timers.get(id)), timers.delete(id)) : clear(id));`,
  };
  for (const [host, prelude] of Object.entries(hosts)) {
    const script = `${prelude}
      const pkg = require(${JSON.stringify(pkgPath)});
      const client = new pkg.EcologicClient({ environment: 'production', baseUrl: process.env.SANDBOX_URL + '/ecologic/api/v1/ecosupport', apiKey: ${JSON.stringify(API_KEY)}, timeoutMs: 600000 });
      client.brands().then((brands) => console.log('brands', brands.length));`;
    // Not spawnSync: the sandbox may run in this process.
    const child = await new Promise((resolve) => {
      execFile(process.execPath, ['-e', script], { timeout: 50_000 }, (error, stdout, stderr) => resolve({ error, stdout, stderr }));
    });
    assert.ok(!child.error?.killed, `${host}: the process exited by itself (not killed after 50 s)`);
    assert.equal(child.error, null, `${host}: ${child.stderr}`);
    assert.match(child.stdout, /^brands [1-9]/, host);
  }
});

test('malformed replies are typed errors, and the same client keeps working', async () => {
  const client = ecologic({ maxRetries: 0 });
  await fault({ route: '/printbrandlist', nonJson: true, times: 1 });
  const nonJson = await rejects(client.brands(), 'unexpectedResponse');
  assert.equal(nonJson.status, 200);
  assert.ok(nonJson.body.length > 0);
  await fault({ route: '/printbrandlist', truncate: true, times: 1 });
  const truncated = await client.brands().catch((e) => e);
  assert.ok(['unexpectedResponse', 'network'].includes(truncated.kind), truncated.kind);
  assert.ok((await client.brands()).length > 0, 'the client still works');

  const repairer = lalux({ maxRetries: 0 });
  await fault({ route: '/reparateur/upload', nonJson: true, times: 1 });
  await rejects(repairer.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF }), 'unexpectedResponse');
  await fault({ route: '/lalux/wts/token', truncate: true, times: 1 });
  const lalux2 = lalux({ maxRetries: 0 });
  const token = await lalux2.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF }).catch((e) => e);
  assert.ok(['unexpectedResponse', 'network'].includes(token.kind), token.kind);
  assert.equal((await lalux2.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF })).status, 'Verified');
  assert.equal((await repairer.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF })).status, 'Verified');
});

test('an unreachable host is a network error, not a crash', async () => {
  const client = ecologic({ baseUrl: 'http://127.0.0.1:9/none', maxRetries: 0 });
  await rejects(client.brands(), 'network');
});

test('absurd inputs get typed errors, and the same instance still works', async () => {
  const client = lalux();
  const cyclic = { ...repairSettlement({ refPDFFacture: 'k.pdf' }) };
  cyclic.self = cyclic;
  const throwing = { ...repairSettlement({ refPDFFacture: 'k.pdf' }) };
  Object.defineProperty(throwing, 'numeroSinistre', { enumerable: true, get() { throw new Error('boom'); } });
  const absurd = [
    cyclic,
    throwing,
    repairSettlement({ refPDFFacture: 'k.pdf', factureHT: 1e308, factureTVA: -1e308, factureTTC: NaN }),
    repairSettlement({ refPDFFacture: 'k.pdf', factureHT: 10n, dateFacture: Symbol('d'), type: () => 'F' }),
    repairSettlement({ refPDFFacture: 'k.pdf', nbrJourVehiculeRemplacement: 2 ** 53, numeroSinistre: 'x'.repeat(100_000) }),
    repairSettlement({ refPDFFacture: 'k.pdf', dateFacture: new Date(8.64e15), referenceFacture: '\u0000\uffff' }),
    new Proxy({}, { ownKeys() { return ['a']; }, getOwnPropertyDescriptor() { return { enumerable: true, configurable: true }; }, get() { throw new Error('proxy'); } }),
    new Proxy({}, { ownKeys() { throw new Error('keys'); } }),
    repairSettlement({ refPDFFacture: 'k.pdf', extra: new Proxy([1, 2], { get(t, k) { if (k === 'length') return 2; throw new Error('item'); } }) }),
  ];
  for (const input of absurd) {
    const error = await client.repairer.submitInvoice(input).catch((e) => e);
    assert.ok(error && ['validation', 'refused'].includes(error.kind), `${error?.kind}: ${error?.message}`);
  }
  await rejects(client.repairer.upload({ fileNameWithExtension: 'f.pdf', file: { length: 3, 0: 1 } }), 'validation');
  await rejects(client.repairer.upload('not an object'), 'validation');
  const receipt = await client.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  assert.equal(receipt.status, 'Verified', 'the instance still works');
  for (const id of [2 ** 60, -0, Number.MAX_VALUE]) await ecologic().getClaimStatus(id).catch((e) => e);
  assert.ok((await ecologic().brands()).length > 0);
});

test('a failing headers callback is an authentication error carrying no secret', async () => {
  const client = ecologic({ apiKey: undefined, headers: () => { throw new Error(`no key ${SECRETS[3]}`); } });
  // Its `cause` is what the callback threw, the caller's own value: the rest holds no secret.
  const error = await rejects(client.brands(), 'authentication', { callersCause: true });
  assert.match(error.message, /headers callback/);
  const wrongShape = ecologic({ apiKey: undefined, headers: async () => 'api_key' });
  await rejects(wrongShape.brands(), 'authentication');
  const throwingGetter = ecologic({ apiKey: undefined, headers: () => ({ get api_key() { throw new Error('getter'); } }) });
  await rejects(throwingGetter.brands(), 'authentication');
  const proxy = ecologic({ apiKey: undefined, headers: () => new Proxy({}, { ownKeys() { throw new Error('keys'); } }) });
  await rejects(proxy.brands(), 'authentication');
  assert.equal((await receivedAt('/printbrandlist')).length, 0);
  assert.ok((await ecologic().brands()).length > 0, 'the module still works');
});

test('nothing is logged, and no error carries a secret, whatever fails', async () => {
  const lines = [];
  const originals = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    originals[level] = console[level];
    console[level] = (...args) => lines.push(args.join(' '));
  }
  try {
    await fault({ route: '/lalux/api/reparateur', status: 500 });
    await lalux().repairer.settle({ ...repairSettlement(), invoicePdf: PDF }).catch((e) => lines.push(JSON.stringify(e), e.message, e.stack));
    await lalux({ clientSecret: 'wrong' }).repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF }).catch((e) => lines.push(JSON.stringify(e), e.message));
    await ecologic({ apiKey: 'C8E88146-AF8D-4E95-9B76-000000000000' }).brands().catch((e) => lines.push(JSON.stringify(e), e.message));
  } finally {
    Object.assign(console, originals);
  }
  const text = lines.join('\n');
  for (const secret of [...SECRETS, 'C8E88146-AF8D-4E95-9B76-000000000000']) assert.ok(!text.includes(secret), text);
});

test('per-call options: an AbortSignal stops the call, timeoutMs and maxRetries override the client\'s', async () => {
  const client = ecologic();
  const claim = await client.createClaim({ RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'ABORT', ...dossier() });
  await reset();

  const before = await rejects(client.getClaimStatus(claim.id, { signal: AbortSignal.abort() }), 'aborted');
  assert.equal(before.operation, 'getClaimStatus');
  assert.equal((await receivedAt('/getclaimstatus')).length, 0, 'nothing sent');

  await fault({ route: '/getclaimstatus', latencyMs: 3000, times: 1 });
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 100);
  await rejects(client.getClaimStatus(claim.id, { signal: controller.signal }), 'aborted');
  assert.ok(Date.now() - started < 2000, 'did not wait for the reply');

  await fault({ route: '/submitclaim', latencyMs: 3000, times: 1 });
  const write = new AbortController();
  setTimeout(() => write.abort(), 100);
  const aborted = await rejects(client.submitClaim(claim.id, { signal: write.signal }), 'aborted');
  assert.equal(aborted.mayHaveReachedServer, true, 'the write left');

  await fault({ route: '/getclaimstatus', latencyMs: 1500, times: 1 });
  await rejects(client.getClaimStatus(claim.id, { timeoutMs: 200, maxRetries: 0 }), 'timeout');
  await fault({ route: '/getclaimstatus', status: 503, retryAfter: 0, times: 3 });
  await rejects(client.getClaimStatus(claim.id, { maxRetries: 1 }), 'unexpectedResponse');
  const bad = await rejects(client.getClaimStatus(claim.id, { timeoutMs: 0, retries: 3, signal: 'x' }), 'validation');
  assert.deepEqual(bad.fields.map((f) => [f.field, f.code]).sort(), [['retries', 'unknownOption'], ['signal', 'option'], ['timeoutMs', 'option']]);

  await reset();
  const upload = new AbortController();
  upload.abort();
  await rejects(lalux().repairer.settle({ ...repairSettlement(), invoicePdf: PDF }, { signal: upload.signal }), 'aborted');
  assert.equal((await receivedAt('/reparateur/upload')).length, 0);
});

test('a reply read in full is not aborted afterwards; a request dropped before its reply is', async () => {
  const client = ecologic();
  const claim = await client.createClaim({ RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'NOABORT', ...dossier() });
  const aborted = [];
  const abort = AbortController.prototype.abort;
  AbortController.prototype.abort = function counted(...reason) {
    aborted.push(this);
    return abort.apply(this, reason);
  };
  try {
    for (let i = 0; i < 5; i++) assert.equal((await client.getClaimStatus(claim.id)).ClaimId, claim.id);
    await lalux().repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
    assert.deepEqual(aborted, [], 'no abort (event, DOMException, cancelled stream) after a complete reply');

    await fault({ route: '/getclaimstatus', latencyMs: 3000, times: 1 });
    const mine = new AbortController();
    setTimeout(() => mine.abort(), 100);
    await rejects(client.getClaimStatus(claim.id, { signal: mine.signal }), 'aborted');
    // reqwest's controller, and Node's fetch's own ones following it.
    const fetches = aborted.filter((controller) => controller !== mine);
    assert.ok(fetches.length >= 1, 'the fetch in flight was aborted');
    assert.ok(fetches.every((controller) => controller.signal.aborted));
  } finally {
    AbortController.prototype.abort = abort;
  }
});

test('CR/LF in credentials, callback headers or names never reaches the wire', async () => {
  const thrown = (make) => { try { make(); } catch (e) { return e; } return undefined; };
  const key = thrown(() => ecologic({ apiKey: 'k\r\nX-Evil: 1' }));
  assert.deepEqual(key.fields.map((f) => [f.field, f.code]), [['apiKey', 'headerValue']]);
  const secret = thrown(() => lalux({ clientSecret: 's\r\nX-Evil: 1' }));
  assert.deepEqual(secret.fields.map((f) => [f.field, f.code]), [['clientSecret', 'headerValue']]);
  await rejects(ecologic({ apiKey: undefined, headers: () => ({ api_key: 'k\r\nX-Evil: 1' }) }).brands(), 'authentication');
  const name = await rejects(ecologic().attachFile({ ClaimId: 1, FileName: 'a\r\nb', FileExtension: 'pdf', DocumentType: 'INVOICE', FileContent: PDF }), 'validation');
  assert.deepEqual(name.fields.map((f) => [f.field, f.params.hint]), [['FileName', 'noControlCharacters']]);
  assert.equal((await receivedAt('/printbrandlist')).length + (await receivedAt('/attachfile')).length, 0);
});
