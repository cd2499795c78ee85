// Issue 22: what a real claim meets. The client accepts what the real Ecologic server accepts,
// never loses what a write created, and refuses what makes no sense in words a repairer reads.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, beforeEach, test } from 'node:test';
import {
  SANDBOX, SITE, claimFiles, dossier, ecologic, fault, fieldsOf, pkg, received, receivedAt, rejects, reset,
} from './helpers.mjs';

beforeEach(reset);

/**
 * A server of the test's own in front of the sandbox: it passes every request on and hands the
 * JSON reply of each path to `rewrite` (path, reply) before answering with what it returns.
 */
async function rewritingProxy() {
  const proxy = { rewrite: (_path, reply) => reply };
  const server = createServer(async (request, response) => {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const headers = { ...request.headers };
    for (const hop of ['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding']) delete headers[hop];
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const upstream = await fetch(`${SANDBOX}${request.url}`, { method: request.method, headers, body });
    const text = await upstream.text();
    const path = new URL(request.url, SANDBOX).pathname.toLowerCase();
    let reply = text;
    try {
      reply = JSON.stringify(proxy.rewrite(path, JSON.parse(text)));
    } catch { /* not JSON: passed on as it came */ }
    response.writeHead(upstream.status, { 'content-type': 'application/json' });
    response.end(reply);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise((resolve) => server.close(resolve)));
  proxy.client = (options = {}) => ecologic({ baseUrl: `http://127.0.0.1:${server.address().port}/ecologic/api/v1/ecosupport`, ...options });
  return proxy;
}
const proxy = await rewritingProxy();

let invoices = 0;
const claimInput = (overrides = {}) => ({
  RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: `FA-${++invoices}`, ...dossier(), ...overrides,
});

test('T1: values a reply schema does not list (MessageType I, EcoOrganizationId 46, a null Field) are passed on', async () => {
  proxy.rewrite = (path, reply) => {
    if (path.endsWith('/createclaim') && reply.ResponseData) {
      reply.ResponseData.ValidationErrors = [{ Field: null, ErrorMessage: 'Information', MessageType: 'I' }];
    }
    if (path.endsWith('/calculateecosupport') && Array.isArray(reply.ResponseData)) {
      reply.ResponseData = reply.ResponseData.map((s) => ({ ...s, EcoOrganizationId: 46 }));
    }
    return reply;
  };
  const client = proxy.client();
  const support = await client.calculateEcoSupport({
    ProductId: 'EEE.M1.010', BrandId: '1689', TotalAmountExclVAT: 100, TotalAmountInclVAT: 120,
  });
  assert.equal(support[0].EcoOrganizationId, 46);
  const created = await client.createClaim(claimInput());
  assert.ok(Number.isInteger(created.id) && created.id > 0);
  assert.deepEqual(created.validationErrors, [{ Field: null, ErrorMessage: 'Information', MessageType: 'I' }]);
});

test('T1: a reply that breaks its schema after createclaim still carries the claim id; claim() keeps it', async () => {
  let createdId;
  proxy.rewrite = (path, reply) => {
    if (path.endsWith('/createclaim') && reply.ResponseData) {
      createdId = reply.ResponseData.ClaimId;
      reply.ResponseData.IsValid = 'maybe';
    }
    if (path.endsWith('/createsupportrequest') && reply.ResponseData) {
      createdId = reply.ResponseData.RequestId;
      reply.ResponseData.ValidationErrors = 'none';
    }
    return reply;
  };
  const client = proxy.client();
  const error = await rejects(client.createClaim(claimInput()), 'unexpectedResponse');
  assert.equal(error.claimId, createdId);
  assert.equal(error.mayHaveReachedServer, true);
  assert.ok(error.fields.some((f) => f.field === 'ResponseData.IsValid'), JSON.stringify(error.fields));

  const workflow = await rejects(client.claim({ ...claimInput(), files: claimFiles() }), 'unexpectedResponse');
  assert.equal(workflow.claimId, createdId, 'claim() hands back the claim it created');
  assert.equal((await receivedAt('/attachfile')).length, 0);

  const request = await rejects(client.createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'DV-1', ...dossier() }), 'unexpectedResponse');
  assert.equal(request.requestId, createdId);
});

/** A createSupportRequest input for product `product` (EEE.M1.010 unless given). */
const requestInput = (product = {}) => ({ RepairSiteId: SITE, QuoteNumber: 'DV-1', ...dossier({ Product: { ...dossier().Product, ...product } }) });

test('T2: codes are checked against the labelled referential; an empty or absent list refuses none, the server decides', async () => {
  proxy.rewrite = (path, reply) => {
    const wine = (reply.ResponseData ?? []).find?.((p) => p.ProductId === 'EEE.M1.010');
    // The plain list lacks XX4, the labelled one has it: the labelled one decides.
    if (path.endsWith('/printproducttypelist') && wine) wine.IRISSymtoms = wine.IRISSymtoms.filter((c) => c !== 'XX4');
    if (path.endsWith('/printproducttypewithlabellist') && wine && proxy.noCodes) {
      delete wine.IRISSymtoms;
      wine.RepairCodes = [];
    }
    return reply;
  };
  const client = proxy.client();
  await client.productTypes();
  const made = await client.createSupportRequest(requestInput({ IRISSymptom: 'XX4' }));
  assert.equal(made.complete, true);
  // A code the labelled list does not hold is refused before sending.
  const refused = await rejects(client.createSupportRequest(requestInput({ IRISSymptom: 'ZZ9' })), 'validation');
  assert.deepEqual(fieldsOf(refused), ['Product.IRISSymptom']);
  assert.equal(refused.fields[0].code, 'irisSymptom');
  // No list of codes: the client cannot be sure, the server decides (206).
  proxy.noCodes = true;
  const unsure = proxy.client();
  const sent = await unsure.createSupportRequest(requestInput({ IRISSymptom: 'ZZ9' }));
  assert.equal(sent.complete, false);
  assert.ok(sent.validationErrors.some((e) => /Code symptôme non valide/.test(e.ErrorMessage)), JSON.stringify(sent));
  const claim = await unsure.createClaim(claimInput({ Product: { ...dossier().Product, IRISSection: 'QQQ' } }));
  assert.ok(claim.id > 0);
  proxy.noCodes = false;
});

test('T7: AutoValidation false is sent on a claim, still refused on a support request', async () => {
  const client = ecologic();
  const consumer = { ...dossier().Consumer, AutoValidation: false };
  const created = await client.createClaim(claimInput({ Consumer: consumer }));
  assert.ok(created.id > 0);
  assert.equal((await receivedAt('/createclaim'))[0].body.Consumer.AutoValidation, false);
  const refused = await rejects(client.createSupportRequest({ ...requestInput(), Consumer: consumer }), 'validation');
  assert.deepEqual(fieldsOf(refused), ['Consumer.AutoValidation']);
});

test('T6: updateSupportRequest takes the id as claimId alone (GLE\'s call), sends it under both names, and needs one', async () => {
  const client = ecologic();
  const made = await client.createSupportRequest(requestInput({ IRISSymptom: '' }));
  assert.equal(made.complete, false);
  const updated = await client.updateSupportRequest({ claimId: made.id, ...requestInput() });
  assert.equal(updated.id, made.id);
  assert.equal(updated.complete, true);
  const sent = Object.fromEntries(new URLSearchParams((await receivedAt('/updatesupportrequest'))[0].query));
  assert.equal(sent.claimId, String(made.id));
  assert.equal(sent.RequestId, String(made.id));
  const neither = await rejects(client.updateSupportRequest(requestInput()), 'validation');
  assert.deepEqual(fieldsOf(neither), ['RequestId']);
  assert.match(pkg.formatFieldError(neither.fields[0], 'fr'), /obligatoire/);
});

test('T8: eligibility is judged on the repair\'s day: RepairDate (not sent) for a calculation, CallDate for a request', async () => {
  // The wine cellar's eligibility ended on 30 November 2026 (today is later).
  proxy.rewrite = (path, reply) => {
    for (const product of Array.isArray(reply.ResponseData) ? reply.ResponseData : []) {
      if (product.ProductId === 'EEE.M1.010') product.EligibilityEndDate = '2026-11-30T00:00:00';
    }
    return reply;
  };
  const client = proxy.client();
  const calculation = { ProductId: 'EEE.M1.010', BrandId: '1689', TotalAmountExclVAT: 100, TotalAmountInclVAT: 120 };
  const today = Number(new Date().toISOString().slice(0, 10).replaceAll('-', ''));
  if (today > 20261130) {
    const late = await rejects(client.calculateEcoSupport(calculation), 'validation');
    assert.equal(late.fields[0].code, 'eligibility');
  }
  await client.calculateEcoSupport({ ...calculation, RepairDate: '2026-11-20' });
  const query = new URLSearchParams((await receivedAt('/calculateecosupport'))[0].query);
  assert.equal(query.has('RepairDate'), false, 'its 1.4 name is unknown: not sent');
  const outside = await rejects(client.calculateEcoSupport({ ...calculation, RepairDate: '2026-12-01' }), 'validation');
  assert.deepEqual([outside.fields[0].field, outside.fields[0].params.day], ['ProductId', '2026-12-01']);
  // A support request called on the 20th is judged on the 20th.
  const request = await client.createSupportRequest({ ...requestInput(), CallDate: '2026-11-20T10:00:00' });
  assert.equal(request.complete, true);
});

test('refused before sending, in words a repairer reads: TTC below HT, a repair after today, ids below 1, letters in a phone', async () => {
  const client = ecologic();
  await client.brands();
  await client.productTypesWithLabels();
  await reset();
  const tomorrow = new Date(Date.now() + 36 * 3600 * 1000);
  const error = await rejects(client.createClaim(claimInput({
    RepairEndDate: tomorrow,
    Consumer: { ...dossier().Consumer, Phone: '06-APPEL-MOI' },
    Quote: { TotalAmountExclVAT: { Amount: 120 }, TotalAmountInclVAT: { Amount: '100.00' } },
  })), 'validation');
  assert.deepEqual(fieldsOf(error), ['Consumer.Phone', 'Quote.TotalAmountInclVAT.Amount', 'RepairEndDate']);
  const french = Object.fromEntries(error.fields.map((f) => [f.field, pkg.formatFieldError(f, 'fr')]));
  assert.match(french['Quote.TotalAmountInclVAT.Amount'], /ne peut être inférieur au montant HT \(100\.00? TTC pour 120(\.00)? HT\)/);
  assert.match(french.RepairEndDate, /ne peut pas être postérieure à aujourd'hui en France/);
  assert.match(french['Consumer.Phone'], /numéro de téléphone/);
  for (const id of [0, -3]) {
    const update = await rejects(client.updateClaim({ ClaimId: id, ...claimInput() }), 'validation');
    assert.deepEqual(fieldsOf(update), ['ClaimId']);
    assert.equal(pkg.formatFieldError(update.fields[0], 'fr'), 'doit être un entier positif (un id renvoyé par Ecologic)');
    const attach = await rejects(client.attachFile({ ClaimId: id, FileName: 'f', FileExtension: 'pdf', DocumentType: 'INVOICE', FileContent: new Uint8Array([1]) }), 'validation');
    assert.deepEqual(fieldsOf(attach), ['ClaimId']);
  }
  // Spaces, dots and a leading + are a phone number.
  await client.createSupportRequest({ ...requestInput(), Consumer: { ...dossier().Consumer, Phone: '+33 (0)6 12.34.56-78' } });
  assert.equal((await received()).length, 1, 'only the valid request was sent');
});

test('T11: an invoice number is one claim: refused before sending when the client knows, the server\'s refusal has its reason', async () => {
  const client = ecologic();
  const first = await client.createClaim(claimInput({ ConsumerInvoiceNumber: 'FA-2026-7' }));
  const twice = await rejects(client.createClaim(claimInput({ ConsumerInvoiceNumber: ' fa-2026-7 ' })), 'validation');
  assert.deepEqual(fieldsOf(twice), ['ConsumerInvoiceNumber']);
  assert.equal(twice.fields[0].code, 'invoiceUsed');
  assert.equal(twice.fields[0].params.other, String(first.id));
  assert.match(pkg.formatFieldError(twice.fields[0], 'fr'), /déjà le numéro de facture de la demande de remboursement/);
  assert.equal((await receivedAt('/createclaim')).length, 1);
  // Its own claim may keep its number.
  await client.updateClaim({ ClaimId: first.id, ...claimInput({ ConsumerInvoiceNumber: 'FA-2026-7' }) });
  // Another client does not know: Ecologic refuses, and says why.
  const refused = await rejects(ecologic().createClaim(claimInput({ ConsumerInvoiceNumber: 'FA-2026-7' })), 'refused');
  assert.equal(refused.reason, 'invoiceUsed');
  assert.equal(refused.responseErrorMessage, 'Numéro de facture déjà utilisé', 'the server\'s words as it wrote them');
});

test('T4: claim() never makes an Ecologic claim of a product Ecosystem covers', async () => {
  const vacuum = { ProductId: 'EEE.M5.031', BrandId: '1689', IRISSymptom: 'XX1', IRISSection: 'M01', SerialNumber: 'SN-V' };
  const error = await rejects(ecologic().claim({ ...claimInput({ Product: vacuum }), files: claimFiles() }), 'refused');
  assert.equal(error.reason, 'ecosystem');
  assert.equal(error.mayHaveReachedServer, false);
  assert.match(error.message, /Ecosystem/);
  assert.equal(error.operation, 'claim');
  assert.equal((await receivedAt('/createclaim')).length, 0);
});

test('messages: a file name without its extension, did-you-mean at the top level, constructors and aborts', async () => {
  const laluxClient = new pkg.LaluxClient({ tokenUrl: `${SANDBOX}/lalux/wts`, apiUrl: `${SANDBOX}/lalux/api`, clientId: 'a', clientSecret: 'b' });
  const upload = await rejects(laluxClient.repairer.upload({ fileNameWithExtension: 'facture', file: new Uint8Array([1]) }), 'validation');
  assert.equal(upload.fields[0].message, 'must be a file name with its extension (facture.pdf), without a folder');
  assert.equal(pkg.formatFieldError(upload.fields[0], 'fr'), 'doit être un nom de fichier avec son extension (facture.pdf), sans dossier');

  for (const typo of ['consumerInvoiceNumber', 'ConsumerInvoiceNumbr']) {
    const input = claimInput();
    input[typo] = input.ConsumerInvoiceNumber;
    delete input.ConsumerInvoiceNumber;
    const error = await rejects(ecologic().createClaim(input), 'validation');
    const fault = error.fields.find((f) => f.field === typo);
    assert.equal(fault?.params?.suggestion, 'ConsumerInvoiceNumber', JSON.stringify(error.fields));
  }

  let thrown;
  try {
    new pkg.EcologicClient({ environment: 'production', baseUrl: `${SANDBOX}/ecologic/api/v1/ecosupport` });
  } catch (e) {
    thrown = e;
  }
  assert.equal(thrown?.operation, 'new EcologicClient');
  assert.equal(pkg.formatFieldError(thrown.fields[0], 'fr'), 'est obligatoire, sauf si un callback headers est donné');
  try {
    new pkg.LaluxClient({ tokenUrl: `${SANDBOX}/lalux/wts`, apiUrl: `${SANDBOX}/lalux/api` });
  } catch (e) {
    thrown = e;
  }
  assert.equal(thrown.operation, 'new LaluxClient');
  assert.equal(pkg.formatFieldError(thrown.fields[0], 'fr'), 'est obligatoire (avec clientSecret), sauf si un callback headers est donné');

  const reason = new Error('the user left the page');
  const controller = new AbortController();
  controller.abort(reason);
  const aborted = await rejects(ecologic().calculateEcoSupport(
    { ProductId: 'EEE.M1.010', BrandId: '1689', TotalAmountExclVAT: 100, TotalAmountInclVAT: 120 }, { signal: controller.signal },
  ), 'aborted', { callersCause: true });
  assert.equal(aborted.cause, reason);
});

test('a LALUX token URL that answers 404 gets the base-URL hint', async () => {
  const client = new pkg.LaluxClient({
    tokenUrl: `${SANDBOX}/lalux/nowhere`, apiUrl: `${SANDBOX}/lalux/api`, clientId: 'sandbox-repairer', clientSecret: 'sandbox-repairer-secret', maxRetries: 0,
  });
  const error = await rejects(client.repairer.upload({ fileNameWithExtension: 'f.pdf', file: new Uint8Array([37, 80, 68, 70]) }), 'unexpectedResponse');
  assert.equal(error.status, 404);
  assert.match(error.message, /tokenUrl/);
});

test('a write that fails on its preliminary referential read says so; French messages carry the English details', async () => {
  await fault({ route: '/printbrandlist', status: 500, times: 3 });
  const error = await rejects(ecologic({ maxRetries: 0 }).createClaim(claimInput()), 'refused');
  assert.equal(error.mayHaveReachedServer, false);
  assert.equal(error.operation, 'createClaim');
  assert.match(error.message, /while reading printBrandList/);
  assert.equal((await receivedAt('/createclaim')).length, 0);

  let thrown;
  try {
    ecologic({ timeoutMs: 0, referentialMaxAgeMs: 90_000_000 });
  } catch (e) {
    thrown = e;
  }
  const french = Object.fromEntries(thrown.fields.map((f) => [f.field, pkg.formatFieldError(f, 'fr')]));
  assert.match(french.timeoutMs, /de 1 à 600000/);
  assert.match(french.referentialMaxAgeMs, /au plus 86400000 \(reçu 90000000\)/);
});

test('review: a reply without its id is no claim of id 0; the invoice memory follows an update; dates, totals and phones', async () => {
  proxy.rewrite = (path, reply) => {
    if (path.endsWith('/createclaim') && reply.ResponseData) reply.ResponseData.ClaimId = null;
    return reply;
  };
  const broken = await rejects(proxy.client().claim({ ...claimInput(), files: claimFiles() }), 'unexpectedResponse');
  assert.equal(broken.claimId, undefined);
  assert.ok(broken.fields.some((f) => f.field === 'ResponseData.ClaimId'));
  assert.equal((await receivedAt('/attachfile')).length, 0, 'nothing attached to a claim of no id');

  const client = ecologic();
  const a = await client.createClaim(claimInput({ ConsumerInvoiceNumber: 'INV-A' }));
  await client.updateClaim({ ClaimId: a.id, ...claimInput({ ConsumerInvoiceNumber: 'INV-C' }) });
  const again = await client.createClaim(claimInput({ ConsumerInvoiceNumber: 'INV-A' }));
  assert.ok(again.id > a.id, 'INV-A is free again once claim A holds INV-C');

  const later = await rejects(client.createSupportRequest({ ...requestInput(), CallDate: '2099-06-01T10:00:00' }), 'validation');
  assert.deepEqual([later.fields[0].field, later.fields[0].code], ['CallDate', 'futureDate']);
  const totals = await rejects(client.calculateEcoSupport({ ProductId: 'EEE.M1.010', BrandId: '1689', TotalAmountExclVAT: 120, TotalAmountInclVAT: 100 }), 'validation');
  assert.deepEqual([totals.fields[0].field, totals.fields[0].code], ['TotalAmountInclVAT', 'inclBelowExcl']);
  for (const phone of ['06 ÉÉ 34 56 78', 'ΑΒΓ', '06#12', '+']) {
    const refused = await rejects(client.createSupportRequest({ ...requestInput(), Consumer: { ...dossier().Consumer, Phone: phone } }), 'validation');
    assert.deepEqual(fieldsOf(refused), ['Consumer.Phone'], phone);
  }
});

test('review: claim() creates nothing when the calculation does not answer (Ecosystem unknown)', async () => {
  await fault({ route: '/calculateecosupport', status: 503, times: 5 });
  const error = await rejects(ecologic({ maxRetries: 0 }).claim({ ...claimInput(), files: claimFiles() }), 'unexpectedResponse');
  assert.equal(error.mayHaveReachedServer, false);
  assert.match(error.message, /while reading calculateEcoSupport/);
  assert.equal((await receivedAt('/createclaim')).length, 0);
});
