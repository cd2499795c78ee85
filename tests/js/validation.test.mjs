// Every client-side rule: one failing input each, the error names every field at fault, and the
// sandbox receives nothing (referentials are read beforehand, then the log is cleared).
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  PDF, SANDBOX, SITE, dossier, ecologic, expertSettlement, fieldsOf, lalux, pkg, received, rejects, repairSettlement, reset,
} from './helpers.mjs';

beforeEach(reset);

/** Runs `call` on a client whose referentials are cached, and asserts nothing was sent. */
async function refusedLocally(call, client = ecologic()) {
  await client.brands();
  await client.productTypesWithLabels();
  await reset();
  const error = await rejects(call(client), 'validation');
  assert.deepEqual(await received(), [], 'nothing reaches the network');
  assert.match(error.message, /nothing was sent/);
  return error;
}

async function laluxRefuses(call) {
  const error = await rejects(call(lalux()), 'validation');
  assert.deepEqual(await received(), [], 'nothing reaches the network, not even a token request');
  return error;
}

const messageOf = (error, field) => error.fields.find((f) => f.field === field)?.message;

test('LALUX: every missing required field is named in one error', async () => {
  const error = await laluxRefuses((c) => c.repairer.submitInvoice({}));
  assert.deepEqual(fieldsOf(error), [
    'dateFacture', 'factureHT', 'factureTTC', 'factureTVA', 'idPrestataire', 'immatriculationVehicule',
    'numeroChassisVehicule', 'numeroSinistre', 'refPDFFacture', 'referenceFacture', 'referenceInterneLalux', 'type', 'typeFacture',
  ]);
  assert.ok(error.fields.every((f) => f.message === 'is required'));
});

test('LALUX: enums, dates, amounts, blanks and unknown fields, all at once', async () => {
  const error = await laluxRefuses((c) => c.repairer.submitInvoice(repairSettlement({
    refPDFFacture: 'k.pdf', type: 'X', typeFacture: 'ABC', dateFacture: '01/03/2024', factureHT: 1000.001,
    factureTVA: '170,50', idPrestataire: '', numeroSinsitre: 'typo',
  })));
  assert.deepEqual(fieldsOf(error), ['dateFacture', 'factureHT', 'factureTVA', 'idPrestataire', 'numeroSinsitre', 'type', 'typeFacture']);
  assert.equal(messageOf(error, 'type'), 'must be one of F, N');
  assert.equal(messageOf(error, 'typeFacture'), 'must be one of VHR, REP');
  assert.match(messageOf(error, 'dateFacture'), /YYYY-MM-DD/);
  assert.match(messageOf(error, 'factureHT'), /more than 2 decimals \(1000.001\); to the cent it is 1000.00/);
  assert.match(messageOf(error, 'factureTVA'), /decimal point, not a comma: 170.50/);
  assert.equal(messageOf(error, 'idPrestataire'), 'must not be empty');
  assert.match(messageOf(error, 'numeroSinsitre'), /did you mean `numeroSinistre`/);
});

test('LALUX: an invalid Date object and an impossible calendar date are refused', async () => {
  const error = await laluxRefuses((c) => c.repairer.submitInvoice(repairSettlement({ refPDFFacture: 'k.pdf', dateFacture: new Date('nope') })));
  assert.deepEqual(error.fields, [{ field: 'dateFacture', code: 'format', message: 'is an invalid Date', params: { expected: 'date' } }]);
  const impossible = await laluxRefuses((c) => c.repairer.submitInvoice(repairSettlement({ refPDFFacture: 'k.pdf', dateFacture: '2024-02-30' })));
  assert.deepEqual(fieldsOf(impossible), ['dateFacture']);
});

test('LALUX: HT + TVA must equal TTC to the cent (L10)', async () => {
  const error = await laluxRefuses((c) => c.repairer.submitInvoice(repairSettlement({ refPDFFacture: 'k.pdf', factureTTC: '1170.49' })));
  assert.deepEqual(error.fields, [{
    field: 'factureTTC', code: 'sum', message: 'must equal factureHT + factureTVA = 1170.50 to the cent (got 1170.49)',
    params: { ht: 'factureHT', tva: 'factureTVA', sum: '1170.50', given: '1170.49' },
  }]);
  // 0.1 + 0.2 is 0.30000000000000004 in binary floating point, exactly 0.30 here.
  const exact = await lalux().repairer.submitInvoice(repairSettlement({ refPDFFacture: 'k.pdf', factureHT: 0.1, factureTVA: 0.2, factureTTC: 0.3 })).catch((e) => e);
  assert.notEqual(exact.kind, 'validation');
});

test('LALUX: both expert triples add up (honoraires and préjudice)', async () => {
  const error = await laluxRefuses((c) => c.expert.submitSettlement(expertSettlement({
    refPdfHonoraires: 'a.pdf', refPdfExpertise: 'b.pdf', honorairesTTC: 234.49, prejudiceTTC: 1,
  })));
  assert.deepEqual(fieldsOf(error), ['honorairesTTC', 'prejudiceTTC']);
});

test('LALUX: days of replacement vehicle are required for VHR and refused for REP (L13)', async () => {
  const vhr = await laluxRefuses((c) => c.repairer.submitInvoice(repairSettlement({ refPDFFacture: 'k.pdf', nbrJourVehiculeRemplacement: undefined })));
  assert.deepEqual(fieldsOf(vhr), ['nbrJourVehiculeRemplacement']);
  assert.match(vhr.fields[0].message, /required when typeFacture is VHR/);
  const rep = await laluxRefuses((c) => c.repairer.submitInvoice(repairSettlement({ refPDFFacture: 'k.pdf', typeFacture: 'REP' })));
  assert.match(rep.fields[0].message, /only for typeFacture VHR/);
  const zero = await laluxRefuses((c) => c.repairer.submitInvoice(repairSettlement({ refPDFFacture: 'k.pdf', nbrJourVehiculeRemplacement: 0 })));
  assert.deepEqual(zero.fields, [{ field: 'nbrJourVehiculeRemplacement', code: 'tooSmall', message: 'must be at least 1', params: { min: 1 } }]);
});

test('LALUX: files over 5 242 880 bytes, empty files and names without extension never leave', async () => {
  const big = await laluxRefuses((c) => c.repairer.upload({ fileNameWithExtension: 'big.pdf', file: new Uint8Array(5_242_881) }));
  assert.deepEqual(big.fields, [{
    field: 'file', code: 'fileTooBig', message: 'is 5 242 881 bytes; the limit is 5 242 880 bytes', params: { size: 5_242_881, limit: 5_242_880 },
  }]);
  const empty = await laluxRefuses((c) => c.repairer.upload({ fileNameWithExtension: 'e.pdf', file: new Uint8Array(0) }));
  assert.deepEqual(fieldsOf(empty), ['file']);
  const name = await laluxRefuses((c) => c.repairer.upload({ fileNameWithExtension: 'facture', file: PDF }));
  assert.deepEqual(fieldsOf(name), ['fileNameWithExtension']);
  const limit = await lalux().repairer.upload({ fileNameWithExtension: 'max.pdf', file: new Uint8Array(5_242_880) });
  assert.equal(limit.status, 'Verified', 'exactly 5 242 880 bytes is allowed');
});

test('LALUX settle: the settlement and the file are checked together, before any upload', async () => {
  const error = await laluxRefuses((c) => c.repairer.settle({
    ...repairSettlement({ factureTTC: 1 }), refPDFFacture: 'mine.pdf', invoicePdf: new Uint8Array(6_000_000), invoiceFileName: 'noext',
  }));
  assert.deepEqual(fieldsOf(error), ['factureTTC', 'invoiceFileName', 'invoicePdf', 'refPDFFacture']);
  const expert = await laluxRefuses((c) => c.expert.settle({ ...expertSettlement(), reportPdf: PDF }));
  assert.deepEqual(fieldsOf(expert), ['feeNotePdf']);
});

test('LALUX: inputs that are not objects', async () => {
  for (const input of [null, undefined, 'settlement', 42, [1, 2]]) {
    const error = await laluxRefuses((c) => c.repairer.submitInvoice(input));
    assert.deepEqual(fieldsOf(error), ['input'], String(input));
  }
});

test('Ecologic: BrandId "0" needs BrandName, in the calculation and in a dossier (E13)', async () => {
  const calc = await refusedLocally((c) => c.calculateEcoSupport({ TotalAmountExclVAT: 100, TotalAmountInclVAT: 120, BrandId: '0', ProductId: 'EEE.M1.010' }));
  assert.deepEqual(fieldsOf(calc), ['BrandName']);
  const body = dossier();
  body.Product.BrandId = '0';
  const request = await refusedLocally((c) => c.createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'Q', ...body }));
  assert.deepEqual(fieldsOf(request), ['Product.BrandName']);
});

test('Ecologic: AutoValidation false is refused (E9)', async () => {
  const body = dossier();
  body.Consumer.AutoValidation = false;
  const error = await refusedLocally((c) => c.createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'Q', ...body }));
  assert.deepEqual(fieldsOf(error), ['Consumer.AutoValidation']);
  assert.match(error.fields[0].message, /CONSUMERVALIDATION/);
});

test('Ecologic: a product outside its eligibility window is refused (E17)', async () => {
  const error = await refusedLocally((c) => c.calculateEcoSupport({ TotalAmountExclVAT: 100, TotalAmountInclVAT: 120, BrandId: '1689', ProductId: 'EEE.M3.101' }));
  assert.deepEqual(fieldsOf(error), ['ProductId']);
  assert.match(error.fields[0].message, /from 2030-01-01/);
  const body = dossier();
  body.Product = { ...body.Product, ProductId: 'EEE.M1.010' };
  const claim = await refusedLocally((c) => c.createClaim({ RepairEndDate: '2021-06-01T10:00:00Z', RepairSiteId: SITE, ConsumerInvoiceNumber: 'F', ...body }));
  assert.match(messageOf(claim, 'Product.ProductId'), /from 2022-01-01 .* not on 2021-06-01/);
});

test('Ecologic: IRIS codes must belong to the product, product and brand must exist', async () => {
  const calc = await refusedLocally((c) => c.calculateEcoSupport({ TotalAmountExclVAT: 100, TotalAmountInclVAT: 120, BrandId: '1689', ProductId: 'EEE.M1.010', IRISSymptom: 'XX40', RepairCode: 'M01' }));
  assert.deepEqual(fieldsOf(calc), ['IRISSymptom', 'RepairCode']);
  const body = dossier();
  body.Product = { ...body.Product, IRISSymptom: 'XX40', IRISSection: 'M01' };
  const request = await refusedLocally((c) => c.createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'Q', ...body }));
  assert.deepEqual(fieldsOf(request), ['Product.IRISSection', 'Product.IRISSymptom']);
  const unknown = await refusedLocally((c) => c.calculateEcoSupport({ TotalAmountExclVAT: 100, TotalAmountInclVAT: 120, BrandId: '999999', ProductId: 'EEE.X' }));
  assert.deepEqual(fieldsOf(unknown), ['BrandId', 'ProductId']);
});

test('Ecologic: the dossier\'s shape, every fault at once, with wire paths', async () => {
  const body = dossier();
  body.Consumer = { ...body.Consumer, Title: 5, Zip: undefined, Zipp: '75001' };
  body.Quote.TotalAmountInclVAT = { Amount: -1, Currency: 'USD' };
  body.SpareParts = [{ Partref: 'P1', Quantity: -2 }];
  body.Product.PurchaseDate = '2022-1-3';
  const error = await refusedLocally((c) => c.createSupportRequest({ QuoteNumber: '', ...body }));
  assert.deepEqual(fieldsOf(error), [
    'Consumer.Title', 'Consumer.Zip', 'Consumer.Zipp', 'Product.PurchaseDate', 'Quote.TotalAmountInclVAT.Amount',
    'Quote.TotalAmountInclVAT.Currency', 'QuoteNumber', 'RepairSiteId', 'SpareParts[0].Quantity',
  ]);
  assert.equal(messageOf(error, 'Consumer.Title'), 'must be one of 1, 2, 3, 4');
  assert.match(messageOf(error, 'Consumer.Zipp'), /did you mean `Zip`/);
});

test('Ecologic: attachments: document type, extension, size, name, claim id', async () => {
  const error = await refusedLocally((c) => c.attachFile({
    ClaimId: 'one', FileName: '', FileExtension: 'gif', DocumentType: 'Facture', FileContent: new Uint8Array(10_485_761),
  }));
  assert.deepEqual(fieldsOf(error), ['ClaimId', 'DocumentType', 'FileContent', 'FileExtension', 'FileName']);
  assert.equal(messageOf(error, 'DocumentType'), 'must be one of INVOICE, NAMEPLATE, PRODUCTPICTURE, CONSUMERVALIDATION');
  assert.equal(messageOf(error, 'FileContent'), 'is 10 485 761 bytes; the limit is 10 485 760 bytes');
  const named = await refusedLocally((c) => c.attachFile({
    ClaimId: 1, FileName: 'facture.PDF', FileExtension: 'pdf', DocumentType: 'INVOICE', FileContent: PDF,
  }));
  assert.deepEqual(fieldsOf(named), ['FileName'], 'the extension goes in FileExtension');
});

test('Ecologic claim(): the claim and each file are checked before anything is created', async () => {
  const error = await refusedLocally((c) => c.claim({
    RepairEndDate: new Date(), RepairSiteId: SITE, ConsumerInvoiceNumber: 'F', ...dossier(),
    files: [{ FileName: 'f', FileExtension: 'pdf', DocumentType: 'INVOICE', FileContent: PDF }, { FileName: 'g', FileExtension: 'tif', DocumentType: 'NAMEPLATE' }],
    submit: 'yes',
  }));
  assert.deepEqual(fieldsOf(error), ['files[1].FileContent', 'files[1].FileExtension', 'submit']);
});

test('Ecologic: ids must be positive whole numbers', async () => {
  for (const id of [0, -1, 1.5, NaN, Infinity]) {
    const error = await refusedLocally((c) => c.getClaimStatus(id));
    assert.deepEqual(fieldsOf(error), ['claimId'], String(id));
  }
  await refusedLocally((c) => c.submitClaim(-3));
  await refusedLocally((c) => c.getSupportRequestStatus(0.5));
});

test('options: missing credentials, both kinds at once, bad URLs, bad timeouts, unknown options', () => {
  const fails = (make, fields) => {
    try {
      make();
    } catch (e) {
      assert.ok(pkg.isRepairClaimsError(e));
      assert.equal(e.kind, 'validation');
      if (fields) assert.deepEqual(fieldsOf(e), fields);
      return;
    }
    assert.fail('the constructor accepted bad options');
  };
  fails(() => new pkg.LaluxClient({}), ['clientId']);
  fails(() => new pkg.LaluxClient({ clientId: 'a' }), ['clientSecret']);
  fails(() => new pkg.LaluxClient({ clientId: 'a', clientSecret: 'b', headers: () => ({}) }), ['headers']);
  fails(() => new pkg.LaluxClient({ clientId: 'a', clientSecret: 'b', apiUrl: 'ftp://x', timeoutMs: 0 }), ['apiUrl', 'timeoutMs']);
  fails(() => new pkg.LaluxClient({ clientId: 'a', clientSecret: 'b', username: 'u' }), ['password']);
  fails(() => new pkg.LaluxClient({ clientId: 'a', clientSecret: 'b', clientSecrt: 'c' }), ['clientSecrt']);
  fails(() => new pkg.EcologicClient({ environment: 'prod', apiKey: 'k' }), ['environment']);
  fails(() => new pkg.EcologicClient({ environment: 'production' }), ['apiKey']);
  fails(() => new pkg.EcologicClient({ environment: 'production', apiKey: 'k', referentialMaxAgeMs: 86_400_001 }), ['referentialMaxAgeMs']);
  fails(() => new pkg.EcologicClient(null));
  assert.ok(new pkg.EcologicClient({ environment: 'production', apiKey: 'k', baseUrl: `${SANDBOX}/x/` }));
});
