// LaluxClient as a portal or a Node service calls it: plain objects in, plain objects or typed
// errors out, checked against what the sandbox received.
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { beforeEach, test } from 'node:test';
import {
  EICAR, PDF, SANDBOX, advanceClock, expertClient, expertSettlement, fault, lalux, pkg, received,
  receivedAt, rejects, repairSettlement, reset, scannerFails, tokenLifetime,
} from './helpers.mjs';

beforeEach(reset);

test('repairer.upload sends the file in base64 with a token of scope /reparateur, and returns the key with its time', async () => {
  const events = [];
  const before = Date.now();
  const receipt = await lalux().repairer.upload(
    { fileNameWithExtension: 'facture.pdf', file: PDF },
    { onProgress: (e) => events.push(e) },
  );
  assert.equal(receipt.status, 'Verified');
  assert.match(receipt.key, /^[0-9a-f-]{36}\.pdf$/);
  assert.equal(receipt.bytes, PDF.length);
  assert.equal(receipt.fileNameWithExtension, 'facture.pdf');
  assert.ok(Date.parse(receipt.uploadedAt) >= before - 1000);
  assert.deepEqual(events, [
    { step: 'uploading', file: 'facture.pdf', bytes: PDF.length },
    { step: 'uploaded', file: 'facture.pdf', bytes: PDF.length },
  ]);
  const [token, upload] = await received();
  assert.equal(token.method, 'POST');
  assert.equal(token.path, '/lalux/wts/token');
  assert.deepEqual(token.body, { grant_type: 'client_credentials', scope: '/reparateur' });
  assert.deepEqual(token.queryParams, [['grant_type', 'client_credentials'], ['scope', '/reparateur']], 'in the query too (R3)');
  assert.equal(upload.method, 'PUT');
  assert.equal(upload.path, '/lalux/api/reparateur/upload');
  assert.equal(upload.headers.authorization, 'Bearer [redacted]');
  assert.equal(upload.headers['api-version'], undefined);
  assert.deepEqual(upload.body, { fileNameWithExtension: 'facture.pdf', file: Buffer.from(PDF).toString('base64') });
});

test('files may be a Uint8Array, an ArrayBuffer, a Blob or a File, and a Buffer', async () => {
  const client = lalux();
  const inputs = [PDF, PDF.buffer.slice(0), new Blob([PDF]), new File([PDF], 'f.pdf'), Buffer.from(PDF)];
  for (const file of inputs) {
    const receipt = await client.repairer.upload({ fileNameWithExtension: 'f.pdf', file });
    assert.equal(receipt.status, 'Verified', String(file));
  }
  const uploads = await receivedAt('/reparateur/upload');
  assert.equal(uploads.length, inputs.length);
  for (const u of uploads) assert.equal(u.body.file, Buffer.from(PDF).toString('base64'));
});

test('a file of many chunks, from a view into a larger buffer, goes as its own bytes in base64, with its length', async () => {
  // 600,001 bytes: several of the module's 192 KiB chunks, the last not a whole group of 3.
  const backing = new Uint8Array(600_011);
  for (let i = 0; i < backing.length; i++) backing[i] = (i * 31 + 7) & 0xff;
  const view = backing.subarray(10, 600_011);
  const receipt = await lalux().repairer.upload({ fileNameWithExtension: 'long.pdf', file: view });
  assert.equal(receipt.bytes, 600_001);
  const [upload] = await receivedAt('/reparateur/upload');
  // Streamed in Node as it is encoded, yet with a Content-Length, not chunked.
  assert.equal(upload.headers['transfer-encoding'], undefined);
  assert.equal(Number(upload.headers['content-length']), upload.bodySummary.bytes);
  // The sandbox logs a large body as its size and FNV-1a hash: the JSON the client must send.
  const sent = Buffer.from(JSON.stringify({ file: Buffer.from(view).toString('base64'), fileNameWithExtension: 'long.pdf' }));
  const fnv = sent.reduce((h, b) => BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n), 0xcbf29ce484222325n);
  assert.deepEqual([upload.bodySummary.bytes, upload.bodySummary.fnv1a64], [sent.length, fnv.toString(16).padStart(16, '0')]);
});

test('a file given as a long base64 text goes as it is, in several chunks', async () => {
  const bytes = new Uint8Array(450_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 0xff;
  const file = Buffer.from(bytes).toString('base64');
  await lalux().repairer.upload({ fileNameWithExtension: 'text.pdf', file });
  const [upload] = await receivedAt('/reparateur/upload');
  const sent = Buffer.from(JSON.stringify({ file, fileNameWithExtension: 'text.pdf' }));
  const fnv = sent.reduce((h, b) => BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n), 0xcbf29ce484222325n);
  assert.deepEqual([upload.bodySummary.bytes, upload.bodySummary.fnv1a64], [sent.length, fnv.toString(16).padStart(16, '0')]);
  assert.equal(Number(upload.headers['content-length']), sent.length);
});

/** Whether the memory of the file `call(file)` was given is garbage once the call ended: the module let it go. */
async function letGo(call) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const file = await (async () => {
    const bytes = new Uint8Array(100_000).fill(0x25);
    await call(bytes);
    return new WeakRef(bytes.buffer);
  })();
  // `deref()` keeps its target alive until the end of the current job: collect in the next one.
  for (let i = 0; i < 20; i++) {
    gc();
    if (file.deref() === undefined) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}

test('a file is held in JS memory for its call only: let go once it was sent, or refused before sending', async () => {
  const client = lalux();
  assert.ok(await letGo((file) => client.repairer.upload({ fileNameWithExtension: 'facture.pdf', file })), 'after the upload');
  assert.ok(await letGo((file) => rejects(client.repairer.upload({ fileNameWithExtension: 'facture', file }), 'validation')),
    'after a refusal of its input');
  assert.ok(await letGo((file) => rejects(client.repairer.settle({ ...repairSettlement(), invoicePdf: file, factureTTC: 1 }), 'validation')),
    'after a workflow refused before its first upload');
  const [upload] = await receivedAt('/reparateur/upload');
  assert.equal(upload.bodySummary.bytes, JSON.stringify({ file: Buffer.alloc(100_000, 0x25).toString('base64'), fileNameWithExtension: 'facture.pdf' }).length);
  // What stands for a held file inside the module is not something a caller can give.
  for (const forged of ['\u0001file:1:0:5', '\u0001file:0:0:5']) {
    const error = await rejects(client.repairer.upload({ fileNameWithExtension: 'a.pdf', file: forged }), 'validation');
    assert.deepEqual(error.fields.map((f) => [f.field, f.code]), [['file', 'format']]);
  }
  assert.equal((await receivedAt('/reparateur/upload')).length, 1, 'nothing more sent');
});

test('an infected file is a receipt with status Infected and no key, not an error', async () => {
  const receipt = await lalux().repairer.upload({ fileNameWithExtension: 'virus.pdf', file: EICAR });
  assert.equal(receipt.status, 'Infected');
  assert.equal(receipt.key, undefined);
});

test('a scan failure (500 {status: Error}) is a receipt with status Error (L7)', async () => {
  await scannerFails(true);
  const receipt = await lalux().repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  assert.equal(receipt.status, 'Error');
});

test('repairer.submitInvoice sends the settlement with JSON numbers and resolves on 202', async () => {
  const client = lalux();
  const { key } = await client.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  const result = await client.repairer.submitInvoice(repairSettlement({ refPDFFacture: key, dateFacture: new Date(2024, 2, 1) }));
  assert.equal(result, undefined);
  const [submit] = await receivedAt('/lalux/api/reparateur');
  assert.equal(submit.method, 'PUT');
  assert.deepEqual(submit.body, {
    idPrestataire: 'XT1234', referenceFacture: 'F-2024-001', dateFacture: '2024-03-01',
    numeroSinistre: 'S-123456', referenceInterneLalux: 'PEC-987', immatriculationVehicule: 'AB1234',
    numeroChassisVehicule: '1HGBH41JXMN109186', type: 'F', typeFacture: 'VHR',
    factureHT: 1000, factureTVA: 170.5, factureTTC: 1170.5, nbrJourVehiculeRemplacement: 2, refPDFFacture: key,
  });
  assert.equal((await receivedAt('/token')).length, 1, 'one token for both calls');
});

test('repairer.settle uploads the invoice then submits with its key, and reports each step', async () => {
  const events = [];
  const result = await lalux().repairer.settle(
    { ...repairSettlement({ typeFacture: 'REP', nbrJourVehiculeRemplacement: undefined }), invoicePdf: new Blob([PDF]), invoiceFileName: 'F-2024-001.pdf' },
    { onProgress: (e) => events.push(e.step) },
  );
  assert.equal(result.uploads.length, 1);
  const [receipt] = result.uploads;
  assert.equal(receipt.status, 'Verified');
  assert.equal(receipt.fileNameWithExtension, 'F-2024-001.pdf');
  assert.deepEqual(events, ['uploading', 'uploaded', 'submitting', 'submitted']);
  const [upload, submit] = (await received()).filter((r) => r.path.startsWith('/lalux/api'));
  assert.equal(upload.body.fileNameWithExtension, 'F-2024-001.pdf');
  assert.equal(submit.body.refPDFFacture, receipt.key);
  assert.equal(submit.body.typeFacture, 'REP');
  assert.ok(!('nbrJourVehiculeRemplacement' in submit.body));
});

test('repairer.settle with an infected invoice submits nothing and says why, with the receipt', async () => {
  const error = await rejects(lalux().repairer.settle({ ...repairSettlement(), invoicePdf: EICAR }), 'refused');
  assert.match(error.message, /infected/i);
  assert.equal(error.uploads.length, 1);
  assert.equal(error.uploads[0].status, 'Infected');
  assert.equal((await receivedAt('/lalux/api/reparateur')).length, 0);
});

test('when the submission fails after the upload, the error still carries the key and its time', async () => {
  await fault({ route: '/lalux/api/reparateur', method: 'PUT', status: 400 });
  const error = await rejects(lalux().repairer.settle({ ...repairSettlement(), invoicePdf: PDF }), 'refused');
  assert.equal(error.status, 400);
  assert.equal(error.uploads.length, 1);
  assert.equal(error.uploads[0].status, 'Verified');
  assert.match(error.uploads[0].key, /^[0-9a-f-]{36}\.pdf$/);
  assert.ok(Date.parse(error.uploads[0].uploadedAt) > 0);
  assert.equal((await receivedAt('/reparateur/upload')).length, 1);
  assert.equal((await receivedAt('/lalux/api/reparateur')).length, 1, 'a refused PUT is not repeated');
});

test('LALUX field refusals reach the caller with every field', async () => {
  const client = lalux();
  // A key the sandbox never issued passes the client's checks; LALUX names the field.
  const error = await rejects(client.repairer.submitInvoice(repairSettlement({ refPDFFacture: 'unknown.pdf' })), 'refused');
  assert.equal(error.status, 400);
  assert.deepEqual(error.fields.map((f) => f.field), ['refPDFFacture']);
  assert.ok(JSON.parse(error.body).fields);
});

test('expert.upload and expert.submitSettlement use /authen with the expert login and scope /expert', async () => {
  const client = expertClient();
  const fees = await client.expert.upload({ fileNameWithExtension: 'honoraires.pdf', file: PDF });
  const report = await client.expert.upload({ fileNameWithExtension: 'rapport.pdf', file: PDF });
  await client.expert.submitSettlement(expertSettlement({ refPdfHonoraires: fees.key, refPdfExpertise: report.key }));
  const log = await received();
  assert.deepEqual(log.map((r) => `${r.method} ${r.path}`), [
    'POST /lalux/wts/authen', 'PUT /lalux/api/expert/upload', 'PUT /lalux/api/expert/upload', 'PUT /lalux/api/expert',
  ]);
  assert.deepEqual(log[0].body, { grant_type: 'password', username: 'expert', password: '[redacted]', scope: '/expert' });
  assert.equal(log[3].body.honorairesTTC, 234.5);
  assert.equal(log[3].body.abandonVehicule, false);
  assert.equal(log[3].body.refPdfExpertise, report.key);
});

test('expert.settle uploads the fee note and the report in order, then submits both keys', async () => {
  const result = await expertClient().expert.settle({ ...expertSettlement(), feeNotePdf: PDF, reportPdf: new Blob([PDF]) });
  assert.deepEqual(result.uploads.map((u) => u.fileNameWithExtension), ['honoraires.pdf', 'expertise.pdf']);
  const [submit] = await receivedAt('/lalux/api/expert');
  assert.equal(submit.body.refPdfHonoraires, result.uploads[0].key);
  assert.equal(submit.body.refPdfExpertise, result.uploads[1].key);
});

test('tokens are cached per scope, shared by concurrent calls, and renewed once on a 401', async () => {
  const repairer = lalux();
  const expert = expertClient();
  await Promise.all([1, 2, 3, 4].map(() => repairer.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF })));
  await Promise.all([1, 2].map(() => expert.expert.upload({ fileNameWithExtension: 'f.pdf', file: PDF })));
  await repairer.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  assert.equal((await receivedAt('/token')).length, 1, 'one repairer token for five calls, four of them concurrent');
  assert.equal((await receivedAt('/authen')).length, 1, 'one expert token for two concurrent calls');
  // The sandbox's clock moves past the token's 3600 s: LALUX answers 401, the client renews once.
  await advanceClock(3700);
  const receipt = await repairer.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  assert.equal(receipt.status, 'Verified');
  assert.equal((await receivedAt('/token')).length, 2);
  assert.equal((await receivedAt('/reparateur/upload')).length, 7, 'five, then the refused attempt and its retry');
});

test('a token is renewed a minute before it expires, without waiting for a 401', async () => {
  await tokenLifetime(61);
  const client = lalux();
  await client.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  await client.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  assert.equal((await receivedAt('/token')).length, 1, 'still fresh');
  await new Promise((r) => setTimeout(r, 1100));
  await client.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  assert.equal((await receivedAt('/token')).length, 2, 'renewed 60 s before the 61 s lifetime ends');
  assert.equal((await receivedAt('/reparateur/upload')).length, 3, 'no upload was refused');
});

test('wrong credentials are an authentication error that names no secret', async () => {
  const error = await rejects(lalux({ clientSecret: 'not-the-secret' }).repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF }), 'authentication');
  assert.ok(!error.message.includes('not-the-secret'));
  assert.equal(error.status, 401);
  assert.equal((await receivedAt('/reparateur/upload')).length, 0);
});

test('a headers callback replaces credentials: the browser holds no secret', async () => {
  // The portal's back end would mint the token; here the test asks the sandbox for one.
  const form = new URLSearchParams({ grant_type: 'client_credentials', scope: '/reparateur' });
  const requests = [];
  const client = new pkg.LaluxClient({
    apiUrl: `${SANDBOX}/lalux/api`,
    headers: async (request) => {
      requests.push({ ...request });
      const reply = await fetch(`${SANDBOX}/lalux/wts/token`, {
        method: 'POST', body: form,
        headers: { authorization: 'sandbox-repairer/sandbox-repairer-secret', 'content-type': 'application/x-www-form-urlencoded' },
      });
      return { authorization: `Bearer ${(await reply.json()).access_token}` };
    },
  });
  const receipt = await client.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  assert.equal(receipt.status, 'Verified');
  assert.deepEqual(requests, [{ api: 'lalux', scope: '/reparateur', refresh: false }]);
});
