// Issue 13: what a first integration ran into. Each test failed before its fix.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  PDF, SITE, dossier, ecologic, fault, lalux, pkg, receivedAt, rejects, repairSettlement, reset,
} from './helpers.mjs';

beforeEach(reset);

test('a LALUX settlement slower than timeoutMs is never sent twice; its upload key still reaches the caller', async () => {
  await fault({ route: '/lalux/api/reparateur', method: 'PUT', latencyMs: 1500, times: 1 });
  const error = await rejects(
    lalux({ timeoutMs: 300, maxRetries: 3 }).repairer.settle({ ...repairSettlement(), invoicePdf: PDF }), 'timeout');
  assert.equal(error.mayHaveReachedServer, true);
  assert.equal(error.operation, 'repairer.settle');
  assert.equal(error.uploads.length, 1);
  assert.match(error.uploads[0].key, /\.pdf$/);
  const settlements = await receivedAt('/lalux/api/reparateur');
  assert.equal(settlements.length, 1, 'one settlement request, never a duplicate payment request');
  assert.equal(settlements[0].body.refPDFFacture, error.uploads[0].key);
});

test('an expert settlement is not re-sent after a dropped connection either; an upload still is', async () => {
  await fault({ route: '/lalux/api/expert/upload', drop: true, times: 1 });
  await fault({ route: '/lalux/api/expert', method: 'PUT', drop: true, times: 1 });
  const client = lalux({ clientId: 'sandbox-expert', clientSecret: 'sandbox-expert-secret', username: 'expert', password: 'sandbox-expert-password' });
  const error = await rejects(client.expert.submitSettlement({
    idExpert: 'XT5678', referenceFacture: 'H-1', dateFacture: '2024-03-01', numeroSinistre: 'S-1',
    referenceInterneLalux: 'EXP-1', immatriculationVehicule: 'AB1234', numeroChassisVehicule: '1HGBH41JXMN109186', type: 'F',
    honorairesHT: 200, honorairesTVA: 34.5, honorairesTTC: 234.5, prejudiceHT: 100, prejudiceTVA: 17, prejudiceTTC: 117,
    abandonVehicule: false, refPdfHonoraires: 'a.pdf', refPdfExpertise: 'b.pdf',
  }), 'network');
  assert.equal(error.mayHaveReachedServer, true);
  assert.equal(error.operation, 'expert.submitSettlement');
  assert.equal((await receivedAt('/lalux/api/expert')).length, 1);
  const receipt = await client.expert.upload({ fileNameWithExtension: 'h.pdf', file: PDF });
  assert.equal(receipt.status, 'Verified');
  assert.equal((await receivedAt('/lalux/api/expert/upload')).length, 2, 'an upload is retried');
});

test('a failing headers callback keeps what it threw as the error\'s cause', async () => {
  const thrown = new Error('session expired');
  const error = await rejects(ecologic({ apiKey: undefined, headers: async () => { throw thrown; } }).brands(), 'authentication');
  assert.equal(error.cause, thrown);
  assert.ok(!Object.keys(error).includes('cause'), 'not enumerable, as with new Error(message, { cause })');
  assert.equal(error.operation, 'brands');
  const given = await rejects(ecologic({ apiKey: undefined, headers: () => 'api_key' }).brands(), 'authentication');
  assert.equal(given.cause, 'api_key');
});

test('bad options name the option and say what is allowed', () => {
  const fieldsOf = (make) => {
    try {
      make();
    } catch (e) {
      assert.ok(pkg.isRepairClaimsError(e));
      assert.equal(e.kind, 'validation');
      return e.fields;
    }
    assert.fail('the constructor accepted bad options');
  };
  const [timeout] = fieldsOf(() => lalux({ timeoutMs: -1 }));
  assert.equal(timeout.field, 'timeoutMs');
  assert.match(timeout.message, /whole number of milliseconds from 1 to 600000 \(got -1\)/);
  const [environment] = fieldsOf(() => ecologic({ environment: 'prod' }));
  assert.equal(environment.field, 'environment');
  assert.match(environment.message, /`production` or `preproduction`.*\(got "prod"\)/);
  const [retries] = fieldsOf(() => ecologic({ maxRetries: 'two' }));
  assert.equal(retries.field, 'maxRetries');
  assert.match(retries.message, /whole number/);
  const [missing] = fieldsOf(() => new pkg.EcologicClient({ apiKey: 'k' }));
  assert.deepEqual(missing, { field: 'environment', message: 'is required' });
  const [url] = fieldsOf(() => lalux({ apiUrl: 42 }));
  assert.equal(url.field, 'apiUrl');
  assert.match(url.message, /string/);
});

test('concurrent referential reads share one request', async () => {
  const client = ecologic();
  const lists = await Promise.all([1, 2, 3, 4, 5].map(() => client.repairSites()));
  assert.ok(lists.every((l) => l.length === lists[0].length && l.length > 0));
  assert.equal((await receivedAt('/getrepairsitesbyats')).length, 1);
  await Promise.all([client.brands(), client.brands(), client.calculateEcoSupport({
    TotalAmountExclVAT: 100, TotalAmountInclVAT: 120, BrandId: '1689', ProductId: 'EEE.M1.010',
  })]);
  assert.equal((await receivedAt('/printbrandlist')).length, 1);
  const fresh = ecologic();
  await fault({ route: '/printproducttypewithlabellist', status: 500, times: 1 });
  const failed = await Promise.allSettled([fresh.productTypesWithLabels(), fresh.productTypesWithLabels()]);
  assert.deepEqual(failed.map((f) => f.status), ['rejected', 'rejected'], 'one failed read fails both');
  assert.equal((await receivedAt('/printproducttypewithlabellist')).length, 1);
  assert.ok((await fresh.productTypesWithLabels()).length > 0, 'the next call reads again');
});

test('every error names the operation that failed', async () => {
  const client = ecologic();
  const invalid = await rejects(client.createClaim({ RepairSiteId: SITE }), 'validation');
  assert.equal(invalid.operation, 'createClaim');
  const unreachable = ecologic({ baseUrl: 'http://127.0.0.1:9/none', maxRetries: 0 });
  assert.equal((await rejects(unreachable.getClaimStatus(5312276), 'network')).operation, 'getClaimStatus');
  await client.brands();
  await client.productTypes();
  await fault({ route: '/attachfile', status: 500 });
  const step = await rejects(client.claim({
    RepairEndDate: new Date(), RepairSiteId: SITE, ConsumerInvoiceNumber: 'F-OP', ...dossier(),
    files: [{ FileName: 'facture', FileExtension: 'pdf', DocumentType: 'INVOICE', FileContent: PDF }],
  }), 'refused');
  assert.equal(step.operation, 'claim');
  assert.ok(step.claimId > 0);
  assert.deepEqual(step.attached, []);
  assert.equal((await rejects(lalux().repairer.upload({ fileNameWithExtension: 'f' }), 'validation')).operation, 'repairer.upload');
});

test('the package exports only its own API', () => {
  assert.deepEqual(Object.keys(pkg).sort(), ['EcologicClient', 'LaluxClient', 'LaluxExpert', 'LaluxRepairer', 'isRepairClaimsError']);
});
