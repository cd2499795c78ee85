// Issue 23's hooks: a caller's own `fetch` sees every request; `onEvent` and `debug` hear of each
// request, reply and retry, and never of a header, a body, a token or an api key.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  EXPERT, PDF, REPAIRER, SANDBOX, SITE, SECRETS, claimFiles, dossier, ecologic, fault, lalux, pkg, pkgPath, received, rejects, reset,
} from './helpers.mjs';
import { spawnSync } from 'node:child_process';

beforeEach(reset);

/** A `fetch` of the caller's own: it records what it is asked, then asks the host's. */
function recordingFetch() {
  const seen = [];
  const own = (url, init) => {
    seen.push(`${init.method} ${new URL(url).pathname}`);
    return fetch(url, init);
  };
  return { seen, own };
}

const sandboxLog = async () => (await received()).map((r) => `${r.method} ${r.path}`);

test('a custom fetch sees every request of both clients, token requests included', async () => {
  const { seen, own } = recordingFetch();
  await lalux({ fetch: own }).repairer.settle({
    idPrestataire: 'XT1234', referenceFacture: 'F-1', dateFacture: '2024-03-01', numeroSinistre: 'S-1', referenceInterneLalux: 'R-1',
    immatriculationVehicule: 'AB1234', numeroChassisVehicule: 'VIN', type: 'F', typeFacture: 'REP', factureHT: 100, factureTVA: 17, factureTTC: 117,
    invoicePdf: PDF,
  });
  await lalux({ ...EXPERT, fetch: own }).expert.upload({ fileNameWithExtension: 'r.pdf', file: PDF });
  await ecologic({ fetch: own }).claim({
    RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'H-1', ...dossier(), files: claimFiles(),
  });
  assert.deepEqual(seen, await sandboxLog());
  assert.ok(seen.some((s) => s.endsWith('/lalux/wts/token')) && seen.some((s) => s.endsWith('/lalux/wts/authen')));
  assert.ok(seen.includes('POST /ecologic/api/v1/ecosupport/submitclaim'));
});

test('a custom fetch that throws or returns no Response is a network error, and the client keeps working', async () => {
  const throwing = ecologic({ fetch: () => { throw new Error('no network here'); }, maxRetries: 0 });
  await rejects(throwing.brands(), 'network');
  const lying = ecologic({ fetch: async () => ({ status: 'two hundred' }), maxRetries: 0 });
  await rejects(lying.brands(), 'network');
  assert.ok((await ecologic({ fetch: (url, init) => fetch(url, init) }).brands()).length > 0);
  const wrong = (() => { try { ecologic({ fetch: 'fetch', onEvent: 5, debug: 'loud' }); } catch (e) { return e; } })();
  assert.equal(wrong.kind, 'validation');
  assert.deepEqual(wrong.fields.map((f) => f.field).sort(), ['debug', 'fetch', 'onEvent']);
  assert.equal(wrong.operation, 'new EcologicClient');
});

test('onEvent hears of each request, reply and retry, with times; never a secret', async () => {
  const events = [];
  await fault({ route: '/printbrandlist', status: 503, retryAfter: 0, times: 1 });
  const client = ecologic({ onEvent: (e) => events.push(e) });
  await client.brands();
  assert.deepEqual(events.map((e) => `${e.type} ${e.attempt} ${e.status ?? ''}`), ['request 1 ', 'response 1 503', 'retry 1 ', 'request 2 ', 'response 2 200']);
  for (const e of events) {
    assert.equal(e.operation, 'printBrandList');
    assert.equal(e.method, 'GET');
    assert.equal(e.url, `${SANDBOX}/ecologic/api/v1/ecosupport/printbrandlist`);
  }
  assert.ok(events.filter((e) => e.type === 'response').every((e) => Number.isInteger(e.durationMs) && e.durationMs >= 0));
  assert.ok(Number.isInteger(events[2].delayMs));

  // LALUX: the token request, the upload and the settlement; a 401 renews the token.
  const heard = [];
  const repairer = lalux({ onEvent: (e) => heard.push(e) });
  await repairer.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  assert.deepEqual(heard.filter((e) => e.type === 'request').map((e) => e.operation), ['requestToken', 'uploadRepairerFile']);
  const text = JSON.stringify([...events, ...heard]);
  for (const secret of [...SECRETS, REPAIRER.clientSecret]) assert.ok(!text.includes(secret), text);
  assert.ok(!/sbx-|Bearer|api_key|base64|JVBER/i.test(text), text);
});

test('no reply is an event too; a throwing listener or logger changes nothing; debug logs one line per event', async () => {
  const events = [];
  const offline = ecologic({ baseUrl: 'http://127.0.0.1:9/ecologic', maxRetries: 0, onEvent: (e) => events.push(e) });
  await rejects(offline.brands(), 'network');
  assert.deepEqual(events.map((e) => [e.type, e.error]), [['request', undefined], ['response', 'network']]);

  const noisy = ecologic({ onEvent: () => { throw new Error('listener bug'); }, debug: { debug() { throw new Error('logger bug'); } } });
  assert.ok((await noisy.brands()).length > 0);

  const lines = [];
  const logged = ecologic({ debug: { debug: (line, event) => lines.push([line, event.type]) } });
  await logged.repairSites();
  assert.deepEqual(lines.map(([, type]) => type), ['request', 'response']);
  assert.match(lines[1][0], /^repair-claims response getRepairSitesByAts #1 GET http:\/\/127\.0\.0\.1:\d+\/ecologic\/api\/v1\/ecosupport\/getrepairsitesbyats 200$/);

  // A URL with userinfo is told without it (a custom fetch strips it before sending).
  const withUser = [];
  const url = new URL(SANDBOX);
  url.username = 'user';
  url.password = 'pass-word';
  const stripping = (target, init) => {
    const plain = new URL(target);
    plain.username = plain.password = '';
    return fetch(plain, init);
  };
  await ecologic({ baseUrl: `${url.href}ecologic/api/v1/ecosupport`, fetch: stripping, onEvent: (e) => withUser.push(e) }).brands();
  assert.equal(withUser.length, 2);
  assert.ok(withUser.every((e) => !e.url.includes('pass-word') && !e.url.includes('user@')), JSON.stringify(withUser));
});

test('withResponse() gives the value and the reply it came from: status, headers, duration', async () => {
  const client = ecologic();
  const created = client.createClaim({ RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'W-1', ...dossier() });
  const { data, response } = await created.withResponse();
  assert.deepEqual(await created, data, 'the same value, awaited or with its response');
  assert.equal(response.status, 206);
  assert.match(response.headers.get('content-type'), /json/);
  assert.ok(Number.isInteger(response.durationMs) && response.durationMs >= 0);
  const status = await client.getClaimStatus(data.id).withResponse();
  assert.deepEqual([status.response.status, status.data.ClaimId], [200, data.id]);

  // A workflow's is its last request's; a value from the referential cache has none.
  const settled = await lalux().repairer.settle({
    idPrestataire: 'XT1234', referenceFacture: 'F-2', dateFacture: '2024-03-01', numeroSinistre: 'S-1', referenceInterneLalux: 'R-1',
    immatriculationVehicule: 'AB1234', numeroChassisVehicule: 'VIN', type: 'F', typeFacture: 'REP', factureHT: 100, factureTVA: 17, factureTTC: 117,
    invoicePdf: PDF,
  }).withResponse();
  assert.equal(settled.response.status, 202);
  assert.equal(settled.data.uploads.length, 1);
  assert.equal((await client.brands().withResponse()).response, null);

  // A refusal rejects both ways, with the same error.
  const refused = client.getClaimStatus(0);
  const [plain, both] = await Promise.allSettled([refused, refused.withResponse()]);
  assert.equal(plain.reason, both.reason);
  assert.equal(plain.reason.kind, 'validation');
  const badOptions = client.getClaimStatus(1, { timeoutMs: -1 });
  await rejects(badOptions.withResponse(), 'validation');
  await rejects(badOptions, 'validation');
});

test('a caller\'s fetch that hangs, ignores the signal or returns a thenable still settles at timeoutMs', async () => {
  const hanging = ecologic({ fetch: () => new Promise(() => {}), timeoutMs: 200, maxRetries: 0 });
  const started = Date.now();
  const error = await rejects(hanging.getClaimStatus(5), 'timeout');
  assert.ok(Date.now() - started < 2000, `settled after ${Date.now() - started} ms`);
  assert.equal(error.operation, 'getClaimStatus');
  const thenable = ecologic({ fetch: (url, init) => ({ then: (resolve, reject) => fetch(url, init).then(resolve, reject) }) });
  assert.ok((await thenable.brands()).length > 0);
  const controller = new AbortController();
  const aborted = ecologic({ fetch: () => new Promise(() => {}) }).getClaimStatus(5, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await rejects(aborted, 'aborted');
});

test("a caller's fetch that never answers, in a process with nothing else to do: the call still times out (the process is kept alive until then)", () => {
  const script = `
    const { EcologicClient } = require(${JSON.stringify(pkgPath)});
    const client = new EcologicClient({ environment: 'production', apiKey: 'k-1234', timeoutMs: 300, maxRetries: 0, fetch: () => new Promise(() => {}) });
    client.getClaimStatus(5).then(() => console.log('resolved'), (error) => console.log(error.kind));
  `;
  const started = Date.now();
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'timeout');
  assert.ok(Date.now() - started >= 300, 'not before its timeout');
});

test('a listener or logger that rejects changes nothing; a function is a logger', async () => {
  let unhandled = 0;
  const count = () => { unhandled += 1; };
  process.on('unhandledRejection', count);
  const lines = [];
  const client = ecologic({ onEvent: async () => { throw new Error('async listener bug'); }, debug: (line) => lines.push(line) });
  assert.ok((await client.brands()).length > 0);
  await new Promise((resolve) => setTimeout(resolve, 20));
  process.off('unhandledRejection', count);
  assert.equal(unhandled, 0);
  assert.equal(lines.length, 2);
  const useless = (() => { try { ecologic({ debug: {} }); } catch (e) { return e; } })();
  assert.deepEqual(useless.fields.map((f) => f.field), ['debug']);
});
