// Issue 13: what a first integration ran into. Each test failed before its fix.
import assert from 'node:assert/strict';
import { createServer, connect } from 'node:net';
import { beforeEach, test } from 'node:test';
import {
  PDF, SANDBOX, SITE, claimFiles, dossier, ecologic, fault, lalux, pkg, received, receivedAt, rejects, repairSettlement, reset,
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
  // What it returned holds header values: described, never handed back (issue 21).
  const given = await rejects(ecologic({ apiKey: undefined, headers: () => 'api_key' }).brands(), 'authentication');
  assert.equal(given.cause, undefined);
  assert.match(given.message, /returned a string/);
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
  const [fraction] = fieldsOf(() => ecologic({ maxRetries: 1.5 }));
  assert.deepEqual([fraction.field, fraction.code, fraction.params.given], ['maxRetries', 'option', '1.5']);
  assert.match(fraction.message, /must be a whole number, 0 or more \(got 1\.5\)/);
  const [huge] = fieldsOf(() => lalux({ timeoutMs: 1e21 }));
  assert.match(huge.message, /from 1 to 600000 \(got 1e\+21\)/);
  const [missing] = fieldsOf(() => new pkg.EcologicClient({ apiKey: 'k' }));
  assert.deepEqual(missing, { field: 'environment', code: 'required', message: 'is required' });
  const bounds = fieldsOf(() => ecologic({ maxRetries: 1000, retryDelayMs: 3_600_000 }));
  assert.deepEqual(bounds.map((f) => [f.field, f.message]), [
    ['maxRetries', 'must be between 0 and 10'], ['retryDelayMs', 'must be between 0 and 30000'],
  ], 'sane upper bounds, never clamped silently');
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
  // The calculation read the labelled list its checks need (T2): one read more from here.
  const before = (await receivedAt('/printproducttypewithlabellist')).length;
  await fault({ route: '/printproducttypewithlabellist', status: 500, times: 1 });
  const failed = await Promise.allSettled([fresh.productTypesWithLabels(), fresh.productTypesWithLabels()]);
  assert.deepEqual(failed.map((f) => f.status), ['rejected', 'rejected'], 'one failed read fails both');
  assert.equal((await receivedAt('/printproducttypewithlabellist')).length, before + 1);
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
  assert.deepEqual(Object.keys(pkg).sort(), ['EcologicClient', 'LaluxClient', 'LaluxExpert', 'LaluxRepairer', 'amountsFromHT', 'formatFieldError', 'isRepairClaimsError', 'memoryJournal']);
});

// What a French portal needs.

test('every client-side field error has a stable code and a French message', async () => {
  const { formatFieldError } = pkg;
  const faults = [];
  const collect = async (promise) => { faults.push(...(await rejects(promise, 'validation')).fields); };
  const repair = lalux().repairer;
  await collect(repair.submitInvoice(repairSettlement({
    refPDFFacture: 'k.pdf', type: 'X', dateFacture: '01/03/2024', factureHT: 0.57 * 100, factureTVA: '170,50',
    idPrestataire: '', numeroSinsitre: 'typo', typeFacture: 'REP',
  })));
  await collect(repair.submitInvoice(repairSettlement({ refPDFFacture: 'k.pdf', factureTTC: 1170.49 })));
  await collect(repair.upload({ fileNameWithExtension: 'f.pdf', file: new Uint8Array(5_242_881) }));
  const client = ecologic();
  const consumer = { Title: 9, LastName: 'Dupont', FirstName: 'Marie', Zip: '7500', City: 'Paris', Country: 'FR', Phone: '06', Email: 'marie' };
  await collect(client.createClaim({
    RepairEndDate: '2021-06-01', RepairSiteId: SITE, ConsumerInvoiceNumber: 'F', Consumer: consumer,
    Product: { ProductId: 'EEE.M1.010', BrandId: '0', IRISSection: 'ZZZ' },
    Quote: { TotalAmountExclVAT: { Amount: -1 }, TotalAmountInclVAT: { Amount: 'abc' } },
  }));
  await collect(client.createClaim({
    RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'F', ...dossier({
      Product: { ProductId: 'EEE.M1.010', BrandId: '999', IRISSymptom: 'XX99' },
    }),
  }));
  // The referential rules run once the offline ones pass (issue 21: nothing read for an input
  // refused offline).
  await collect(client.createClaim({
    RepairEndDate: '2021-06-01', RepairSiteId: SITE, ConsumerInvoiceNumber: 'F', ...dossier({
      Product: { ProductId: 'EEE.M1.010', BrandId: '1689', IRISSymptom: 'XX4', IRISSection: 'ZZZ' },
    }),
  }));
  await collect(client.attachFile({ ClaimId: 0, FileName: 'facture.pdf', FileExtension: 'gif', DocumentType: 'X', FileContent: new Uint8Array(0) }));
  await collect(client.getClaimStatus(-1));

  const codes = new Set(faults.map((f) => f.code));
  for (const code of ['enum', 'format', 'decimals', 'tooShort', 'unknownField', 'daysNotAllowed', 'sum', 'fileTooBig', 'pattern',
    'brandName', 'eligibility', 'repairCode', 'unknownBrand', 'irisSymptom', 'tooSmall', 'empty', 'id']) {
    assert.ok(codes.has(code), `a ${code} error among ${[...codes]}`);
  }
  for (const fault of faults) {
    assert.notEqual(fault.code, 'invalid', JSON.stringify(fault));
    const french = (() => {
      try {
        return formatFieldError(fault, 'fr');
      } catch (e) {
        assert.fail(`formatFieldError refused ${JSON.stringify(fault)}: ${e.message}`);
      }
    })();
    assert.ok(french.length > 0);
    assert.doesNotMatch(french, /\b(must|is not|required|the|with)\b/, `English left in: ${french} (${JSON.stringify(fault)})`);
    assert.equal(formatFieldError(fault, 'en'), fault.message);
  }
  const french = (field) => formatFieldError(faults.find((f) => f.field === field), 'fr');
  assert.match(french('factureHT'), /56.99999999999999 a plus de 2 décimales, arrondi au centime 57.00/);
  assert.match(french('factureTVA'), /« 170,50 » s'écrit avec un point décimal, 170.50/);
  assert.equal(french('factureTTC'), 'doit valoir factureHT + factureTVA = 1170.50 au centime près (reçu 1170.49)');
  assert.equal(french('Consumer.Country'), 'doit être le code pays ISO 3166 à 3 chiffres : 250 pour la France (et non FR)');
  assert.match(french('Product.ProductId'), /^Cave à vin est éligible au soutien du 2022-01-01 au 9999-12-31, pas le 2021-06-01$/);
  assert.match(french('numeroSinsitre'), /vouliez-vous dire `numeroSinistre`/);
  const zip = faults.find((f) => f.field === 'Consumer.Zip');
  assert.equal(zip, undefined, 'a French zip is checked once the country is valid');
  const tooBig = faults.find((f) => f.code === 'fileTooBig');
  assert.deepEqual(tooBig.params, { size: 5_242_881, limit: 5_242_880 });
});

test('a French postal code has five digits', async () => {
  const repair = dossier();
  repair.Consumer.Zip = '7500';
  const error = await rejects(ecologic().createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'Z', ...repair }), 'validation');
  assert.deepEqual(error.fields.map((f) => [f.field, f.code, f.params.hint]), [['Consumer.Zip', 'pattern', 'zipFrance']]);
  assert.equal(pkg.formatFieldError(error.fields[0], 'fr'), 'doit être un code postal français à 5 chiffres');
});

test('amountsFromHT builds a consistent HT / TVA / TTC triple to the cent', async () => {
  assert.deepEqual(pkg.amountsFromHT(1000, 17), { ht: 1000, tva: 170, ttc: 1170 });
  assert.deepEqual(pkg.amountsFromHT('123.45', '5.5'), { ht: 123.45, tva: 6.79, ttc: 130.24 });
  assert.deepEqual(pkg.amountsFromHT(0.05, 10), { ht: 0.05, tva: 0.01, ttc: 0.06 });
  const { ht, tva, ttc } = pkg.amountsFromHT(1000, 17);
  await lalux().repairer.settle({ ...repairSettlement({ typeFacture: 'REP', nbrJourVehiculeRemplacement: undefined }), factureHT: ht, factureTVA: tva, factureTTC: ttc, invoicePdf: PDF });
  const thrown = (() => { try { pkg.amountsFromHT(0.57 * 100, '20,5'); } catch (e) { return e; } })();
  assert.ok(pkg.isRepairClaimsError(thrown));
  assert.deepEqual(thrown.fields.map((f) => [f.field, f.code]), [['ht', 'decimals'], ['vatRatePercent', 'decimals']]);
  assert.equal(thrown.operation, 'amountsFromHT');
});

test('an expert client needs username and password: experts sign in at /authen, never /token', async () => {
  const client = lalux({ clientId: 'sandbox-expert', clientSecret: 'sandbox-expert-secret' });
  const error = await rejects(client.expert.upload({ fileNameWithExtension: 'h.pdf', file: PDF }), 'validation');
  assert.deepEqual(error.fields.map((f) => [f.field, f.code]), [['username', 'required']]);
  assert.match(error.fields[0].message, /\/authen/);
  assert.equal((await received()).length, 0, 'nothing was sent');
});

test('claim() refuses before creating anything when the account may not claim for the product', async () => {
  const client = ecologic();
  const error = await rejects(client.claim({
    RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'F-TV', ...dossier({
      Product: { ProductId: 'EEE.M4.030', BrandId: '1689', IRISSymptom: 'XX6', IRISSection: 'D01', SerialNumber: 'SN-TV' },
    }), files: claimFiles(),
  }), 'refused');
  assert.equal(error.reason, 'notAuthorised');
  assert.equal(error.operation, 'claim');
  assert.match(error.message, /fiche métier/);
  assert.equal((await receivedAt('/createclaim')).length, 0, 'no claim was created');
  assert.equal((await receivedAt('/attachfile')).length, 0);
});

/** A port nothing listens on yet, and `listen()`, which then forwards it to the sandbox (TCP). */
async function laterPort() {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const target = new URL(SANDBOX);
  const proxy = createServer((socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    listen: () => new Promise((resolve) => proxy.listen(port, '127.0.0.1', resolve)),
    close: () => new Promise((resolve) => proxy.close(resolve)),
  };
}

test('a write whose connection was refused never left: mayHaveReachedServer is false', async () => {
  const closed = await laterPort();
  const client = ecologic({ baseUrl: `${closed.url}/ecologic/api/v1/ecosupport`, maxRetries: 0 });
  const error = await rejects(client.submitClaim(5312276), 'network');
  assert.equal(error.mayHaveReachedServer, false);
  const settlement = await rejects(lalux({ apiUrl: `${closed.url}/lalux/api`, maxRetries: 0 })
    .repairer.submitInvoice(repairSettlement({ refPDFFacture: 'a.pdf' })), 'network');
  assert.equal(settlement.mayHaveReachedServer, false);
  assert.deepEqual([...await receivedAt('/submitclaim'), ...await receivedAt('/reparateur')], [], 'nothing reached the sandbox');
});

test('a settlement and an Ecologic write refused at connection are sent again once the server listens, exactly once', async () => {
  const late = await laterPort();
  const { key } = await lalux().repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF });
  try {
    const settling = lalux({ apiUrl: `${late.url}/lalux/api`, maxRetries: 6, retryDelayMs: 100 })
      .repairer.submitInvoice(repairSettlement({ refPDFFacture: key }));
    const supportRequest = ecologic({ baseUrl: `${late.url}/ecologic/api/v1/ecosupport`, maxRetries: 6, retryDelayMs: 100 })
      .createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'DEV-LATE', ...dossier() });
    setTimeout(late.listen, 150);
    const [, created] = await Promise.all([settling, supportRequest]);
    assert.ok(created.id > 0);
  } finally {
    await late.close();
  }
  assert.equal((await receivedAt('/lalux/api/reparateur')).length, 1, 'one settlement, no duplicate');
  assert.equal((await receivedAt('/createsupportrequest')).length, 1, 'one support request, no duplicate');
});

test('a quote amount without its currency is sent in EUR', async () => {
  const repair = dossier({ Quote: { TotalAmountExclVAT: { Amount: 100 }, TotalAmountInclVAT: { Amount: '120.00' }, LaborCost: { Amount: 40 } } });
  await ecologic().createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'EUR', ...repair });
  const [call] = await receivedAt('/createsupportrequest');
  assert.deepEqual(call.body.Quote.TotalAmountExclVAT, { Amount: 100, Currency: 'EUR' });
  assert.deepEqual(call.body.Quote.TotalAmountInclVAT, { Amount: 120, Currency: 'EUR' });
  assert.deepEqual(call.body.Quote.LaborCost, { Amount: 40, Currency: 'EUR' });
});

test('the eco-support calculation says up front when the account may not claim for a product', async () => {
  const error = await rejects(ecologic().calculateEcoSupport({
    ProductId: 'EEE.M4.030', BrandId: '1689', TotalAmountExclVAT: 100, TotalAmountInclVAT: 120,
  }), 'refused');
  assert.equal(error.reason, 'notAuthorised');
  assert.equal(error.operation, 'calculateEcoSupport');
  assert.equal((await received()).filter((r) => /create|attach|submit/i.test(r.path)).length, 0);
});
