// The workflows' journal (option `journal`, repair-claims/journal): each step recorded as it
// returns, a later run resuming from it: no second claim or settlement, no lost upload key; a
// store that fails or hangs stops the workflow before a write it could not record; processes
// killed (SIGKILL) after each step, and two processes racing on one identity through Redis.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { createRequire } from 'node:module';
import {
  pkg, PDF, SITE, claimFiles, dossier, ecologic, expertClient, expertSettlement, fault, lalux,
  received, receivedAt, rejects, repairSettlement, reset,
} from './helpers.mjs';

const require = createRequire(import.meta.url);
const { fileJournal, redisJournal } = require('../../dist/repair-claims/journal/index.js');
const CHILD = new URL('./journal-child.mjs', import.meta.url).pathname;

beforeEach(reset);

const claimInput = (invoice, overrides = {}) => ({
  RepairEndDate: new Date(), RepairSiteId: SITE, ConsumerInvoiceNumber: invoice, ...dossier(), files: claimFiles(), ...overrides,
});
/** The API's writes the sandbox received (token requests left out), as `METHOD a/b`. */
const writes = async () => (await received()).filter((r) => r.method !== 'GET' && !r.path.endsWith('/token'))
  .map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`);
const count = async (suffix, method) => (await receivedAt(suffix)).filter((r) => !method || r.method === method).length;

test('settle() resumed after its settlement failed: the upload key is reused, the settlement sent once', async () => {
  const client = lalux();
  await fault({ route: '/reparateur', method: 'PUT', status: 400, times: 1 });
  const input = { ...repairSettlement({ referenceFacture: 'J-1' }), invoicePdf: PDF };
  const failed = await rejects(client.repairer.settle(input), 'refused');
  assert.equal(failed.uploads.length, 1, 'the key is on the error');
  const resumed = await client.repairer.settle(input);
  assert.equal(resumed.resumed, true);
  assert.deepEqual(resumed.skipped, ['upload:invoicePdf']);
  assert.equal(resumed.uploads[0].key, failed.uploads[0].key);
  const again = await client.repairer.settle(input);
  assert.deepEqual([again.resumed, again.skipped], [true, ['upload:invoicePdf', 'submit']]);
  assert.deepEqual(await writes(), ['PUT reparateur/upload', 'PUT api/reparateur', 'PUT api/reparateur'],
    'one upload; the refused settlement, then the accepted one; nothing for the finished one');
});

test('settle(): a settlement that may have reached LALUX is never sent again by a later run', async () => {
  const client = lalux();
  await fault({ route: '/reparateur', method: 'PUT', drop: true, afterProcessing: true, times: 1 });
  const input = { ...repairSettlement({ referenceFacture: 'J-2' }), invoicePdf: PDF };
  const lost = await rejects(client.repairer.settle(input), 'network');
  assert.equal(lost.mayHaveReachedServer, true);
  const doubt = await rejects(client.repairer.settle(input), 'journal');
  assert.equal(doubt.mayHaveReachedServer, true);
  assert.equal(doubt.uploads[0].key, lost.uploads[0].key, 'the key is still on the error');
  assert.equal(await count('/reparateur', 'PUT'), 1);
  // Another idempotency key is another settlement: sent.
  const forced = await client.repairer.settle({ ...input, idempotencyKey: 'J-2 checked with LALUX' });
  assert.equal(forced.resumed, false);
  assert.equal(await count('/reparateur', 'PUT'), 2);
});

test('claim() resumed after an attachment failed: the claim is not created again, its id read back', async () => {
  const client = ecologic();
  await fault({ route: '/attachfile', status: 400, times: 1 });
  const failed = await rejects(client.claim(claimInput('J-3')), 'refused');
  assert.ok(Number.isInteger(failed.claimId));
  const outcome = await client.claim(claimInput('J-3'));
  assert.equal(outcome.claimId, failed.claimId);
  assert.deepEqual([outcome.resumed, outcome.skipped, outcome.submitted], [true, ['createClaim'], true]);
  const finished = await client.claim(claimInput('J-3'));
  assert.deepEqual(finished.skipped, ['createClaim', 'attach:facture.pdf', 'attach:preuve.pdf', 'submitClaim']);
  assert.equal(await count('/createclaim'), 1);
  assert.equal(await count('/submitclaim'), 1, 'a finished claim sends nothing');
});

test('claim() with submit: false, then again with submit: true, goes on from the same claim', async () => {
  const client = ecologic();
  const first = await client.claim(claimInput('J-4', { files: [claimFiles()[0]], submit: false }));
  assert.equal(first.submitted, false);
  const second = await client.claim(claimInput('J-4'));
  assert.deepEqual([second.claimId, second.submitted, second.skipped], [first.claimId, true, ['createClaim', 'attach:facture.pdf']]);
  assert.equal(await count('/createclaim'), 1);
  assert.equal(await count('/attachfile'), 2);
});

test('a journal store that throws, hangs or answers nonsense stops the workflow before any write it could not record', async () => {
  const thrown = new Error('disk full');
  const stores = {
    throws: { get: async () => null, set: async () => { throw thrown; }, delete: async () => {} },
    hangs: { get: () => new Promise(() => {}), set: () => new Promise(() => {}), delete: () => {} },
    nonsense: { get: async () => ({ not: 'text' }), set: async () => true, delete: async () => {} },
    corrupt: { get: async () => '{"v":1,', set: async () => true, delete: async () => {} },
  };
  for (const [name, journal] of Object.entries(stores)) {
    const started = Date.now();
    const error = await rejects(ecologic({ journal, timeoutMs: 300 }).claim(claimInput(`J-5-${name}`)), 'journal');
    assert.ok(Date.now() - started < 5000, `${name}: settled in bounded time`);
    if (name === 'throws') assert.equal(error.cause, thrown, 'what the store threw is the cause');
  }
  assert.equal(await count('/createclaim'), 0, 'no claim sent without its record');
  // The store fails once the claim exists: its id is on the error, and nothing more is sent.
  let sets = 0;
  const failsLater = { ...pkg.memoryJournal(), set: async (key, value) => { if (key.endsWith(':lease')) return true; if (++sets > 1) throw thrown; return true; }, get: async () => null, delete: async () => {} };
  const later = await rejects(ecologic({ journal: failsLater }).claim(claimInput('J-5-later')), 'journal');
  assert.ok(Number.isInteger(later.claimId), 'the created claim id reaches the caller');
  assert.equal(await count('/attachfile'), 0);
  // The module keeps working.
  assert.equal((await ecologic().claim(claimInput('J-5-after'))).submitted, true);
});

test('option journal: a store without its methods, or whose getters throw, is a validation error naming it', () => {
  const trap = new Proxy({}, { get() { throw new Error('trap'); } });
  for (const journal of [{}, { get() {}, set() {} }, trap, 42]) {
    let error;
    try { ecologic({ journal }); } catch (e) { error = e; }
    assert.equal(error?.kind, 'validation');
    assert.deepEqual(error.fields.map((f) => f.field), ['journal']);
  }
  assert.throws(() => lalux({ journalLeaseMs: 10 }), (e) => e.fields[0].field === 'journalLeaseMs');
  assert.throws(() => new pkg.EcologicClient({ gateway: 'http://127.0.0.1:1/api', journal: pkg.memoryJournal() }), (e) => e.fields[0].field === 'journal');
});

test('two runs of one claim at once in one process: one creates, the other returns its result', async () => {
  const journal = pkg.memoryJournal();
  const [a, b] = await Promise.all([ecologic({ journal }).claim(claimInput('J-6')), ecologic({ journal }).claim(claimInput('J-6'))]);
  assert.equal(a.claimId, b.claimId);
  assert.deepEqual([a.resumed, b.resumed].sort(), [false, true]);
  assert.equal(await count('/createclaim'), 1);
});

// Processes killed after each step, with fileJournal; the next run finishes.
function child(task) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CHILD, JSON.stringify(task)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code, signal, result: out.trim() ? JSON.parse(out.trim().split('\n').pop()) : null }));
  });
}

const dirs = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const journalDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'repair-claims-journal-'));
  dirs.push(dir);
  return dir;
};

// step × outcome of the second run; `requests`: what the sandbox received in all (path suffix → count).
const CLAIM_CRASHES = [
  { crash: { afterStep: 'claimId' }, skipped: ['createClaim'], requests: { '/createclaim': 1, '/attachfile': 2, '/submitclaim': 1 } },
  { crash: { afterStep: 'attached' }, skipped: ['createClaim', 'attach:facture.pdf'], requests: { '/createclaim': 1, '/attachfile': 2, '/submitclaim': 1 } },
  { crash: { afterReply: '/submitclaim' }, skipped: ['createClaim', 'attach:facture.pdf', 'attach:preuve.pdf'], requests: { '/createclaim': 1, '/attachfile': 2, '/submitclaim': 2 } },
];
for (const [i, row] of CLAIM_CRASHES.entries()) {
  test(`claim() killed (${Object.entries(row.crash)[0].join(' ')}): the next run finishes, one claim`, async () => {
    const task = { workflow: 'claim', store: 'file', dir: journalDir(), invoice: `J-K${i}` };
    const killed = await child({ ...task, crash: row.crash });
    assert.equal(killed.signal, 'SIGKILL');
    const { result } = await child(task);
    assert.ok(result.outcome, JSON.stringify(result));
    assert.deepEqual([result.outcome.resumed, result.outcome.skipped, result.outcome.submitted], [true, row.skipped, true]);
    for (const [suffix, n] of Object.entries(row.requests)) assert.equal(await count(suffix, 'POST'), n, suffix);
  });
}

test('claim() killed before it read the answer of createclaim: the next run says the claim may exist and sends nothing', async () => {
  const task = { workflow: 'claim', store: 'file', dir: journalDir(), invoice: 'J-K9' };
  assert.equal((await child({ ...task, crash: { afterReply: '/createclaim' } })).signal, 'SIGKILL');
  const { result } = await child(task);
  assert.equal(result.error?.kind, 'journal', JSON.stringify(result));
  assert.equal(result.error.mayHaveReachedServer, true);
  assert.equal(await count('/createclaim'), 1, 'never sent again');
});

const SETTLE_CRASHES = [
  { crash: { afterStep: 'upload:feeNotePdf' }, skipped: ['upload:feeNotePdf'], uploads: 2, settlements: 1 },
  { crash: { afterReply: '/expert/upload' }, resumed: false, skipped: [], uploads: 3, settlements: 1 },
  { crash: { afterStep: 'result' }, skipped: ['upload:feeNotePdf', 'upload:reportPdf', 'submit'], uploads: 2, settlements: 1 },
];
for (const [i, row] of SETTLE_CRASHES.entries()) {
  test(`settle() killed (${Object.entries(row.crash)[0].join(' ')}): the next run finishes, one settlement, every key reused or uploaded again`, async () => {
    const task = { workflow: 'settle', store: 'file', dir: journalDir(), invoice: `J-S${i}` };
    assert.equal((await child({ ...task, crash: row.crash })).signal, 'SIGKILL');
    const { result } = await child(task);
    assert.ok(result.outcome, JSON.stringify(result));
    // A key whose reply was lost was never recorded: nothing to resume, uploaded again.
    assert.deepEqual([result.outcome.resumed, result.outcome.skipped], [row.resumed ?? true, row.skipped]);
    assert.equal(result.outcome.uploads.length, 2);
    assert.ok(result.outcome.uploads.every((u) => u.status === 'Verified' && u.key));
    assert.equal(await count('/expert/upload'), row.uploads);
    assert.equal(await count('/expert', 'PUT'), row.settlements);
  });
}

for (const crash of [{ afterStep: 'submitting' }, { afterReply: '/expert' }]) {
  test(`settle() killed while its settlement may be on its way (${Object.entries(crash)[0].join(' ')}): the next run says so and sends nothing`, async () => {
    const task = { workflow: 'settle', store: 'file', dir: journalDir(), invoice: `J-D-${crash.afterStep ?? 'reply'}` };
    assert.equal((await child({ ...task, crash })).signal, 'SIGKILL');
    const sent = await count('/expert', 'PUT');
    const { result } = await child(task);
    assert.equal(result.error?.kind, 'journal', JSON.stringify(result));
    assert.equal(result.error.mayHaveReachedServer, true);
    assert.equal(result.error.uploads.length, 2, 'both keys on the error');
    assert.equal(await count('/expert', 'PUT'), sent, 'nothing sent again');
  });
}

// Redis: a real redis-server, started and stopped here; two processes racing on one identity.
let redisServer;
let redisUrl;
before(async () => {
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
  });
  redisServer = spawn(execFileSync('sh', ['-c', 'command -v redis-server']).toString().trim(),
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  redisUrl = `redis://127.0.0.1:${port}`;
  const { createClient } = require('redis');
  for (let i = 0; ; i++) {
    const probe = createClient({ url: redisUrl, socket: { reconnectStrategy: false } });
    try {
      await probe.connect();
      await probe.quit();
      break;
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});
after(() => redisServer?.kill());

test('redisJournal: two processes racing claim() on one identity make one claim, and both get it', async () => {
  const task = { workflow: 'claim', store: 'redis', redisUrl, invoice: 'J-R1' };
  const [a, b] = await Promise.all([child(task), child(task)]);
  assert.ok(a.result.outcome && b.result.outcome, JSON.stringify([a.result, b.result]));
  assert.equal(a.result.outcome.claimId, b.result.outcome.claimId);
  assert.deepEqual([a.result.outcome.resumed, b.result.outcome.resumed].sort(), [false, true]);
  assert.equal(await count('/createclaim'), 1);
  assert.equal(await count('/submitclaim'), 1);
});

test('redisJournal: a process killed after createclaim answered, then two racing: one claim, finished', async () => {
  const task = { workflow: 'claim', store: 'redis', redisUrl, invoice: 'J-R2' };
  assert.equal((await child({ ...task, crash: { afterStep: 'claimId' } })).signal, 'SIGKILL');
  const [a, b] = await Promise.all([child(task), child(task)]);
  assert.ok(a.result.outcome && b.result.outcome, JSON.stringify([a.result, b.result]));
  assert.equal(a.result.outcome.claimId, b.result.outcome.claimId);
  assert.equal(await count('/createclaim'), 1);
});

test('redisJournal and fileJournal keep values with their time to live, and set-if-absent once', async () => {
  const { createClient } = require('redis');
  const client = createClient({ url: redisUrl });
  await client.connect();
  try {
    for (const journal of [redisJournal(client, { prefix: 't:' }), fileJournal(journalDir())]) {
      assert.equal(await journal.get('k'), null);
      assert.equal(await journal.set('k', 'one', { ifAbsent: true }), true);
      assert.equal(await journal.set('k', 'two', { ifAbsent: true }), false);
      assert.equal(await journal.get('k'), 'one');
      await journal.set('k', 'three', { ttlMs: 100 });
      assert.equal(await journal.get('k'), 'three');
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(await journal.get('k'), null, 'expired');
      assert.equal(await journal.set('k', 'four', { ifAbsent: true }), true, 'an expired value is no value');
      await journal.delete('k');
      assert.equal(await journal.get('k'), null);
    }
  } finally {
    await client.quit();
  }
});

test('shareCaches: instances sharing a Redis journal share one LALUX token and one read of each referential', async () => {
  const { createClient } = require('redis');
  const connections = await Promise.all([1, 2].map(() => createClient({ url: redisUrl }).connect()));
  try {
    await connections[0].flushAll();
    const [a, b] = connections.map((redis) => ({
      lalux: lalux({ journal: redisJournal(redis), shareCaches: true }),
      ecologic: ecologic({ journal: redisJournal(redis), shareCaches: true }),
    }));
    await a.lalux.repairer.upload({ fileNameWithExtension: 'a.pdf', file: PDF });
    await b.lalux.repairer.upload({ fileNameWithExtension: 'b.pdf', file: PDF });
    assert.equal(await count('/token'), 1, 'the second instance used the first one\'s token');
    assert.ok((await a.ecologic.brands()).length > 0);
    assert.deepEqual((await b.ecologic.brands()).length, (await a.ecologic.brands()).length);
    assert.equal(await count('/printbrandlist'), 1);
    // An instance without shareCaches keeps its own.
    await lalux({ journal: redisJournal(connections[0]) }).repairer.upload({ fileNameWithExtension: 'c.pdf', file: PDF });
    assert.equal(await count('/token'), 2);
    // What the store holds: keys without credentials; the token (a secret, documented) until its renewal.
    const keys = await connections[0].keys('*');
    assert.ok(keys.some((k) => /^repair-claims:cache:lalux:[0-9a-f]{64}:token:\/reparateur$/.test(k)), keys.join('\n'));
    assert.ok(keys.some((k) => /^repair-claims:cache:ecologic:[0-9a-f]{64}:referential:printBrandList$/.test(k)), keys.join('\n'));
    for (const key of keys) for (const secret of ['sandbox-repairer', 'C8E88146']) assert.ok(!key.includes(secret), key);
    const ttl = await connections[0].pTTL(keys.find((k) => k.includes(':token:')));
    assert.ok(ttl > 0 && ttl <= 3_600_000, `the token is kept until its renewal, not longer (${ttl} ms)`);
  } finally {
    await Promise.all(connections.map((c) => c.quit()));
  }
});

test('shareCaches is refused without a journal, for a headers callback, and where a browser runs', () => {
  const field = (make) => { try { make(); } catch (e) { return e.fields.map((f) => `${f.field} ${f.code}`); } return []; };
  assert.deepEqual(field(() => lalux({ shareCaches: true })), ['shareCaches together']);
  assert.deepEqual(field(() => new pkg.EcologicClient({ environment: 'production', headers: () => ({}), journal: pkg.memoryJournal(), shareCaches: true })), ['shareCaches option']);
  globalThis.window = {};
  globalThis.document = {};
  try {
    assert.deepEqual(field(() => lalux({ journal: pkg.memoryJournal(), shareCaches: true, dangerouslyAllowBrowser: true })), ['shareCaches secretInBrowser']);
  } finally {
    delete globalThis.window;
    delete globalThis.document;
  }
});

test('settle(): a corrected file of the same name and size is uploaded again, never given the old key', async () => {
  const client = lalux();
  await fault({ route: '/reparateur', method: 'PUT', status: 400, times: 1 });
  const first = new TextEncoder().encode('%PDF-1.4 version A');
  const fixed = new TextEncoder().encode('%PDF-1.4 version B');
  const input = { ...repairSettlement({ referenceFacture: 'J-7' }) };
  const failed = await rejects(client.repairer.settle({ ...input, invoicePdf: first }), 'refused');
  const settled = await client.repairer.settle({ ...input, invoicePdf: fixed });
  assert.deepEqual(settled.skipped, []);
  assert.notEqual(settled.uploads[0].key, failed.uploads[0].key);
  assert.equal(await count('/reparateur/upload'), 2);
});

test('claim(): two files of the same name are two attachments; a resumed run attaches the one not yet attached', async () => {
  const client = ecologic();
  const files = [
    { FileName: 'doc', FileExtension: 'pdf', DocumentType: 'INVOICE', FileContent: PDF },
    { FileName: 'doc', FileExtension: 'pdf', DocumentType: 'CONSUMERVALIDATION', FileContent: new TextEncoder().encode('%PDF-1.4 other') },
  ];
  await fault({ route: '/attachfile', status: 400, times: 2 });
  // The first attach is refused twice (two runs), then both go.
  await rejects(client.claim(claimInput('J-8', { files })), 'refused');
  await rejects(client.claim(claimInput('J-8', { files })), 'refused');
  const outcome = await client.claim(claimInput('J-8', { files }));
  assert.deepEqual(outcome.attached, ['doc.pdf', 'doc.pdf']);
  assert.equal(outcome.submitted, true);
  assert.equal(await count('/attachfile'), 4);
});

test('claim(): an attachment that may have reached Ecologic is never sent again; left out of files, the claim goes on', async () => {
  const client = ecologic();
  await fault({ route: '/attachfile', drop: true, afterProcessing: true, times: 1 });
  const lost = await rejects(client.claim(claimInput('J-9')), 'network');
  assert.equal(lost.mayHaveReachedServer, true);
  const doubt = await rejects(client.claim(claimInput('J-9')), 'journal');
  assert.equal(doubt.mayHaveReachedServer, true);
  assert.equal(doubt.claimId, lost.claimId);
  assert.match(doubt.message, /facture\.pdf/);
  assert.equal(await count('/attachfile'), 1);
  const outcome = await client.claim(claimInput('J-9', { files: [claimFiles()[1]] }));
  assert.deepEqual([outcome.claimId, outcome.attached, outcome.submitted], [lost.claimId, ['preuve.pdf'], true]);
  assert.equal(await count('/attachfile'), 2);
});

test('a run whose lease lapsed (a store slower than journalLeaseMs) sends nothing more once another run took over', async () => {
  const memory = pkg.memoryJournal();
  const slow = {
    get: async (key) => { if (key.endsWith(':lease')) await new Promise((r) => setTimeout(r, 400)); return memory.get(key); },
    set: (key, value, options) => memory.set(key, value, options),
    delete: (key) => memory.delete(key),
  };
  const slowUpload = async (url, init) => { if (String(url).endsWith('/upload')) await new Promise((r) => setTimeout(r, 1500)); return fetch(url, init); };
  const input = { ...repairSettlement({ referenceFacture: 'J-10' }), invoicePdf: PDF };
  const a = lalux({ journal: slow, journalLeaseMs: 300, fetch: slowUpload }).repairer.settle(input).then((v) => v, (e) => e);
  await new Promise((r) => setTimeout(r, 700));
  const b = lalux({ journal: slow, journalLeaseMs: 300 }).repairer.settle(input).then((v) => v, (e) => e);
  const [ra, rb] = await Promise.all([a, b]);
  assert.equal(await count('/reparateur', 'PUT'), 1, 'one settlement');
  const outcomes = [ra, rb].map((r) => (r instanceof Error ? r.kind : 'ok')).sort();
  assert.deepEqual(outcomes, ['journal', 'ok'], JSON.stringify([ra?.message, rb?.message]));
  const loser = [ra, rb].find((r) => r instanceof Error);
  assert.match(loser.message, /went on meanwhile/);
});

test('fileJournal: two processes taking one expired entry at once never both get it', async () => {
  const { Worker } = await import('node:worker_threads');
  const dir = journalDir();
  const script = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { fileJournal } = require(workerData.journal);
    const journal = fileJournal(workerData.dir);
    const control = new Int32Array(workerData.control);
    const results = new Int32Array(workerData.results);
    let seen = 0;
    (async () => {
      for (;;) {
        Atomics.wait(control, 0, seen);
        const round = Atomics.load(control, 0);
        if (round < 0) break;
        if (round === seen) continue;
        seen = round;
        const got = await journal.set('k', 'owner-' + workerData.id, { ttlMs: 60000, ifAbsent: true }).catch(() => false);
        results[2 * (round - 1) + workerData.id] = got ? 1 : 0;
        Atomics.add(control, 1, 1);
        Atomics.notify(control, 1);
      }
      parentPort.postMessage('done');
    })();`;
  const ROUNDS = 500;
  const control = new Int32Array(new SharedArrayBuffer(8));
  const results = new Int32Array(new SharedArrayBuffer(ROUNDS * 8));
  const journalPath = require.resolve('../../dist/repair-claims/journal/index.js');
  const workers = [0, 1].map((id) => new Worker(script, { eval: true, workerData: { id, dir, control: control.buffer, results: results.buffer, journal: journalPath } }));
  const main = fileJournal(dir);
  for (let round = 1; round <= ROUNDS; round++) {
    await main.set('k', 'crashed run', { ttlMs: 1 });
    await new Promise((r) => setTimeout(r, 2));
    Atomics.store(control, 1, 0);
    Atomics.store(control, 0, round);
    Atomics.notify(control, 0);
    while (Atomics.load(control, 1) < 2) await new Promise((r) => setTimeout(r, 0));
  }
  Atomics.store(control, 0, -1);
  Atomics.notify(control, 0);
  await Promise.all(workers.map((w) => w.terminate()));
  let both = 0;
  let none = 0;
  for (let i = 0; i < ROUNDS; i++) {
    if (results[2 * i] && results[2 * i + 1]) both++;
    if (!results[2 * i] && !results[2 * i + 1]) none++;
  }
  assert.equal(both, 0, `both took it in ${both} of ${ROUNDS} rounds`);
  assert.ok(none < ROUNDS / 10, `nobody took the expired entry in ${none} rounds`);
});

test('a run whose store stalled, then came back after another run finished, overwrites nothing and sends nothing more', async () => {
  const memory = pkg.memoryJournal();
  let stalled = false;
  let release;
  const gate = new Promise((r) => { release = r; });
  // Run A's store connection stalls at its first lease renewal (node-redis queues commands while
  // it reconnects), then sends them all, late.
  const viaA = (call) => async (key, value, options) => {
    if (!stalled && key.endsWith(':lease') && value !== undefined && !options?.ifAbsent) {
      stalled = true;
      setTimeout(release, 1200);
    }
    if (stalled) await gate;
    return call(key, value, options);
  };
  const storeA = { get: viaA((k) => memory.get(k)), set: viaA((k, v, o) => memory.set(k, v, o)), delete: viaA((k) => memory.delete(k)) };
  const slowUpload = async (url, init) => { if (String(url).endsWith('/upload')) await new Promise((r) => setTimeout(r, 2000)); return fetch(url, init); };
  const input = { ...repairSettlement({ referenceFacture: 'J-11' }), invoicePdf: PDF };
  const a = lalux({ journal: storeA, journalLeaseMs: 300, fetch: slowUpload }).repairer.settle(input).then((v) => v, (e) => e);
  await new Promise((r) => setTimeout(r, 500));
  const b = await lalux({ journal: memory, journalLeaseMs: 300 }).repairer.settle(input);
  const late = await a;
  assert.equal(b.resumed, false);
  assert.equal(late.kind, 'journal', late.message);
  assert.equal(await count('/reparateur', 'PUT'), 1, 'one settlement');
  const again = await lalux({ journal: memory }).repairer.settle(input);
  assert.deepEqual([again.resumed, again.skipped], [true, ['upload:invoicePdf', 'submit']], "B's result still recorded");
});

test('claim(): an attachment answered 500 may have been stored: in doubt, never sent again, even with the files reordered', async () => {
  const client = ecologic();
  await fault({ route: '/attachfile', status: 500, times: 1 });
  const [invoice, proof] = claimFiles();
  const failed = await rejects(client.claim(claimInput('J-12')), 'refused');
  assert.equal(failed.status, 500);
  // Another file first: the in-doubt one is still known.
  const extra = { FileName: 'plaque', FileExtension: 'jpg', DocumentType: 'NAMEPLATE', FileContent: PDF };
  const doubt = await rejects(client.claim(claimInput('J-12', { files: [extra, proof, invoice] })), 'journal');
  assert.match(doubt.message, /facture\.pdf/);
  assert.equal(await count('/attachfile'), 3, 'the first run\'s one, then plaque and preuve; never facture again');
  assert.equal(await count('/createclaim'), 1);
});

test('claim(): files given as base64 text are told apart by their content too', async () => {
  const client = ecologic();
  await fault({ route: '/attachfile', status: 400, times: 1 });
  const text = (body) => ({ FileName: 'facture', FileExtension: 'pdf', DocumentType: 'INVOICE', FileContent: Buffer.from(body).toString('base64') });
  const proof = claimFiles()[1];
  // The first run attaches nothing (refused); a second attaches version A, the third brings B.
  await rejects(client.claim(claimInput('J-13', { files: [text('%PDF-1.4 A')] })), 'refused');
  const first = await client.claim(claimInput('J-13', { files: [text('%PDF-1.4 A')], submit: false }));
  const fixed = await client.claim(claimInput('J-13', { files: [text('%PDF-1.4 B'), proof] }));
  assert.deepEqual(first.attached, ['facture.pdf']);
  assert.deepEqual(fixed.skipped, ['createClaim'], 'version B is another file');
  assert.equal(await count('/attachfile'), 4);
});

test("shareCaches: a client with another password never gets an expert's shared token", async () => {
  const journal = pkg.memoryJournal();
  const expert = (password) => expertClient({ password, journal, shareCaches: true });
  await expert('sandbox-expert-password').expert.upload({ fileNameWithExtension: 'a.pdf', file: PDF });
  await rejects(expert('wrong-password').expert.upload({ fileNameWithExtension: 'b.pdf', file: PDF }), 'authentication');
  assert.equal(await count('/authen'), 2);
});
