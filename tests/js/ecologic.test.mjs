// EcologicClient as a portal or a Node service calls it, checked against what the sandbox received.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  API_KEY, PDF, PREPROD_API_KEY, SANDBOX, SITE, claimFiles, dossier, ecologic, fault, pkg, received, receivedAt, rejects, reset,
} from './helpers.mjs';

beforeEach(reset);

const query = (request) => Object.fromEntries(new URLSearchParams(request.query));

test('a first checked call reads the two referentials its rules need at once, then sends itself', async () => {
  let inFlight = 0;
  const order = [];
  const client = ecologic({
    fetch: async (url, init) => {
      const name = new URL(url).pathname.split('/').pop();
      order.push(`${name} sent (${++inFlight} in flight)`);
      try {
        return await fetch(url, init);
      } finally {
        inFlight -= 1;
      }
    },
  });
  const [support] = await client.calculateEcoSupport({ TotalAmountExclVAT: 100, TotalAmountInclVAT: 120, BrandId: '1689', ProductId: 'EEE.M1.010' });
  assert.ok(support.SupportAmount > 0);
  assert.deepEqual(order, [
    'printbrandlist sent (1 in flight)',
    'printproducttypewithlabellist sent (2 in flight)',
    'calculateecosupport sent (1 in flight)',
  ]);
});

test('a referential that fails ends the checked call at once, while the other is still being read', async () => {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let productsAnswered = false;
  const client = ecologic({
    maxRetries: 0,
    fetch: async (url, init) => {
      const name = new URL(url).pathname.split('/').pop();
      if (name === 'printbrandlist') return new Response('{"message":"no"}', { status: 401, headers: { 'content-type': 'application/json' } });
      if (name !== 'printproducttypewithlabellist') return fetch(url, init);
      await held;
      const reply = await fetch(url, init);
      productsAnswered = true;
      return reply;
    },
  });
  const call = client.calculateEcoSupport({ TotalAmountExclVAT: 100, TotalAmountInclVAT: 120, BrandId: '1689', ProductId: 'EEE.M1.010' });
  const error = await rejects(call, 'authentication');
  assert.equal(productsAnswered, false, 'the call ended before the product types were answered');
  assert.equal(error.operation, 'calculateEcoSupport');
  release();
});

test('referentials are read once, sent with the api_key header, and cached until refreshed', async () => {
  const client = ecologic();
  const sites = await client.repairSites();
  assert.deepEqual(sites.map((s) => s.SiteId), [SITE]);
  const brands = await client.brands();
  assert.ok(brands.some((b) => b.BrandId === '1689' && b.BrandName === 'Acer'));
  const products = await client.productTypes();
  const washer = products.find((p) => p.ProductId === 'EEE.M1.010');
  assert.ok(washer.IRISSymtoms.includes('XX4'), 'the real spelling IRISSymtoms');
  assert.equal(washer.EligibilityStartDate, '2022-01-01T00:00:00');
  const labelled = await client.productTypesWithLabels();
  assert.ok(labelled[0].IRISSymtoms[0].Code && labelled[0].IRISSymtoms[0].Label);
  await client.brands();
  await client.productTypes();
  await client.repairSites();
  const log = await received();
  assert.deepEqual(log.map((r) => r.path.split('/').pop()), [
    'getrepairsitesbyats', 'printbrandlist', 'printproducttypelist', 'printproducttypewithlabellist',
  ]);
  for (const r of log) {
    assert.equal(r.method, 'GET');
    assert.equal(r.headers.api_key, '[redacted]');
    assert.equal(r.headers['api-version'], undefined);
  }
  await client.refreshReferentials();
  assert.equal((await received()).length, 7, 'refresh reads sites, brands and labelled product types again');
});

test('referentials older than referentialMaxAgeMs are read again', async () => {
  const client = ecologic({ referentialMaxAgeMs: 1 });
  await client.brands();
  await new Promise((r) => setTimeout(r, 5));
  await client.brands();
  assert.equal((await receivedAt('/printbrandlist')).length, 2);
});

test('calculateEcoSupport sends the amount under the document\'s names and the integrations\' (R1)', async () => {
  const supports = await ecologic().calculateEcoSupport({
    TotalAmountExclVAT: '120.50', TotalAmountInclVAT: 144.6, BrandId: '1689', ProductId: 'EEE.M1.010', IRISSymptom: 'XX4', RepairCode: 'G12',
  });
  assert.deepEqual(supports, [{ EcoOrganizationId: 44, SupportAmount: 25 }]);
  const [call] = await receivedAt('/calculateecosupport');
  assert.deepEqual(query(call), {
    TotalAmountExclVAT: '120.5', TotalAmountExclVAT_Currency: 'EUR', TotalAmountInclVAT: '144.6', TotalAmountInclVATCurrency: 'EUR',
    BrandId: '1689', ProductId: 'EEE.M1.010', IRISSymptom: 'XX4', RepairCode: 'G12',
  });
  assert.equal(call.deviations, undefined, 'a request as the spec writes it');
});

test('a W refusal is a refused error with the envelope; "Invalid organization" has its own reason', async () => {
  const client = ecologic();
  const below = await rejects(client.calculateEcoSupport({ TotalAmountExclVAT: 1, TotalAmountInclVAT: 1.2, BrandId: '1689', ProductId: 'EEE.M1.010' }), 'refused');
  assert.equal(below.responseStatus, 'W');
  assert.equal(below.status, 200);
  assert.equal(below.responseMessage, "Le seuil n'est pas dépassé");
  const uncovered = await rejects(client.calculateEcoSupport({ TotalAmountExclVAT: 500, TotalAmountInclVAT: 600, BrandId: '0', BrandName: 'Inconnue', ProductId: 'EEE.M2.044' }), 'refused');
  assert.equal(uncovered.reason, 'invalidOrganization');
  assert.match(uncovered.message, /Ecosystem/);
});

test('createSupportRequest sends parameters in the query, the dossier in the body, AutoValidation true', async () => {
  const outcome = await ecologic().createSupportRequest({
    RepairSiteId: SITE, QuoteNumber: 'DEV-1', CallDate: new Date(Date.UTC(2026, 0, 15, 10)), ...dossier(),
  });
  assert.equal(outcome.complete, true);
  assert.deepEqual(outcome.validationErrors, []);
  assert.ok(Number.isInteger(outcome.id));
  const [call] = await receivedAt('/createsupportrequest');
  assert.equal(call.method, 'POST');
  assert.deepEqual(query(call), { RepairSiteId: SITE, QuoteNumber: 'DEV-1', CallDate: '2026-01-15T11:00:00' }, 'Paris time without offset (R4)');
  assert.equal(call.body.Consumer.AutoValidation, true);
  assert.equal(call.body.Product.PurchaseDate, '2022-01-03');
  assert.deepEqual(call.body.Quote.TotalAmountInclVAT, { Amount: 120, Currency: 'EUR' });
});

test('206 is not an error: an incomplete request returns complete false and the errors', async () => {
  const client = ecologic();
  const missing = dossier();
  delete missing.Product.IRISSymptom;
  const outcome = await client.createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'DEV-2', ...missing });
  assert.equal(outcome.complete, false);
  assert.ok(outcome.validationErrors.length > 0);
  assert.ok(outcome.validationErrors.every((e) => e.Field && e.ErrorMessage));
  const status = await client.getSupportRequestStatus(outcome.id);
  assert.equal(status[0].RequestId, outcome.id);
  assert.deepEqual(query((await receivedAt('/getsupportrequeststatus'))[0]), { RequestId: String(outcome.id) });
});

test('updateSupportRequest sends the id as RequestId and claimId (E8); a validated request is a 409 refusal', async () => {
  const client = ecologic();
  const created = await client.createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'DEV-3', ...dossier() });
  const error = await rejects(client.updateSupportRequest({ RequestId: created.id, RepairSiteId: SITE, QuoteNumber: 'DEV-3b', ...dossier() }), 'refused');
  assert.equal(error.status, 409);
  const [call] = await receivedAt('/updatesupportrequest');
  assert.deepEqual(query(call), {
    RequestId: String(created.id), claimId: String(created.id), RepairSiteId: SITE, QuoteNumber: 'DEV-3b', CallDate: query(call).CallDate,
  });
  assert.match(query(call).CallDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, 'now, in Paris time (the server routes only with it)');
  assert.equal((await receivedAt('/updatesupportrequest')).length, 1, 'a write is never re-sent');
});

test('createClaim without a request (1.4), attachFile, getClaimStatus, updateClaim and submitClaim', async () => {
  const client = ecologic();
  const created = await client.createClaim({
    RepairEndDate: '2026-11-20T16:00:00+01:00', RepairSiteId: SITE, ConsumerInvoiceNumber: 'FAC-9', ...dossier(),
  });
  assert.equal(created.complete, false, 'the files are missing');
  assert.ok(created.validationErrors.some((e) => /pièces jointes/.test(e.ErrorMessage)));
  const [create] = await receivedAt('/createclaim');
  assert.deepEqual(query(create), { RepairEndDate: '2026-11-20T16:00:00', RepairSiteId: SITE, ConsumerInvoiceNumber: 'FAC-9' });

  const events = [];
  for (const file of claimFiles()) await client.attachFile({ ClaimId: created.id, ...file }, { onProgress: (e) => events.push(e.step) });
  assert.deepEqual(events, ['attaching', 'attached', 'attaching', 'attached']);
  const attaches = await receivedAt('/attachfile');
  assert.deepEqual(query(attaches[0]), { ClaimId: String(created.id), FileName: 'facture', FileExtension: 'pdf', DocumentType: 'INVOICE' });
  assert.deepEqual(attaches[1].body, { FileContent: Buffer.from(PDF).toString('base64') });

  const status = await client.getClaimStatus(created.id);
  assert.equal(status.ClaimId, created.id);
  assert.deepEqual(status.ValidationErrors, [], 'nothing missing: the list as Ecologic sent it');

  const updated = await client.updateClaim({
    ClaimId: created.id, RepairEndDate: '2026-11-20T15:00:00Z', RepairSiteId: SITE, ConsumerInvoiceNumber: 'FAC-9b', ...dossier(),
  });
  assert.deepEqual(updated, { id: created.id, complete: true, validationErrors: [] });
  const submitted = await client.submitClaim(created.id);
  assert.deepEqual(submitted, { claimId: created.id, submitted: true, validationErrors: [] });
  assert.deepEqual(query((await receivedAt('/submitclaim'))[0]), { claimId: String(created.id) });
  const late = await rejects(client.attachFile({ ClaimId: created.id, ...claimFiles()[0] }), 'refused');
  assert.equal(late.status, 409);
});

test('submitClaim of an incomplete claim returns what is missing instead of throwing', async () => {
  const client = ecologic();
  const created = await client.createClaim({ RepairEndDate: new Date(), RepairSiteId: SITE, ConsumerInvoiceNumber: 'FAC-10', ...dossier() });
  const outcome = await client.submitClaim(created.id);
  assert.equal(outcome.submitted, false);
  assert.equal(outcome.lastStatus, 'Dossier incomplet');
  assert.ok(outcome.validationErrors.length > 0);
});

test('claim() goes from a support request to a submitted claim, and reports each step', async () => {
  const client = ecologic();
  const request = await client.createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'DEV-4', ...dossier() });
  const events = [];
  const outcome = await client.claim(
    { RequestId: request.id, RepairEndDate: new Date(), RepairSiteId: SITE, ConsumerInvoiceNumber: 'FAC-11', ...dossier(), files: claimFiles() },
    { onProgress: (e) => events.push(e.file ? `${e.step} ${e.file}` : e.step) },
  );
  assert.equal(outcome.submitted, true);
  assert.equal(outcome.lastStatus, 'En attente de validation administrateur');
  assert.deepEqual(outcome.attached, ['facture.pdf', 'preuve.pdf']);
  assert.deepEqual(events, ['creating', 'created', 'attaching facture.pdf', 'attached facture.pdf',
    'attaching preuve.pdf', 'attached preuve.pdf', 'submitting', 'submitted']);
  const writes = (await received()).filter((r) => r.method === 'POST').map((r) => r.path.split('/').pop());
  assert.deepEqual(writes, ['createsupportrequest', 'createclaim', 'attachfile', 'attachfile', 'submitclaim']);
  assert.equal(query((await receivedAt('/createclaim'))[0]).RequestId, String(request.id));
});

test('claim() returns the remaining validation errors when files are missing, without throwing', async () => {
  const outcome = await ecologic().claim({
    RepairEndDate: new Date(), RepairSiteId: SITE, ConsumerInvoiceNumber: 'FAC-12', ...dossier(), files: [claimFiles()[0]],
  });
  assert.equal(outcome.submitted, false);
  assert.equal(outcome.lastStatus, 'Dossier incomplet');
  assert.ok(outcome.validationErrors.some((e) => /pièces jointes/.test(e.ErrorMessage)));
});

test('claim(): when a step fails after the claim exists, the error carries the claim id', async () => {
  await fault({ route: '/attachfile', status: 500 });
  const error = await rejects(ecologic().claim({
    RepairEndDate: new Date(), RepairSiteId: SITE, ConsumerInvoiceNumber: 'FAC-13', ...dossier(), files: claimFiles(),
  }), 'refused');
  assert.ok(Number.isInteger(error.claimId));
  assert.deepEqual(error.attached, []);
  assert.equal(error.status, 500);
  assert.equal((await receivedAt('/attachfile')).length, 1, 'an attachment is never re-sent');
});

test('preproduction is its own environment: another base, its own ids, its own api key', async () => {
  const preprod = (apiKey) => new pkg.EcologicClient({ environment: 'preproduction', baseUrl: `${SANDBOX}/ecologic-preprod/api/v1/ecosupport`, apiKey });
  const brands = await preprod(PREPROD_API_KEY).brands();
  assert.ok(brands.every((b) => Number(b.BrandId) > 100000));
  assert.equal((await received())[0].path, '/ecologic-preprod/api/v1/ecosupport/printbrandlist');
  // The production key on the pre-production host, and the reverse: refused, as Ecologic's are.
  const crossed = await rejects(preprod(API_KEY).brands(), 'authentication');
  assert.equal(crossed.status, 401);
  assert.equal((await rejects(ecologic({ apiKey: PREPROD_API_KEY }).brands(), 'authentication')).status, 401);
});

test('a site that is not the key\'s is a 403 refusal naming repairSites()', async () => {
  const error = await rejects(ecologic().createSupportRequest({ RepairSiteId: 'not-my-site', QuoteNumber: 'DEV-5', ...dossier() }), 'refused');
  assert.equal(error.status, 403);
  assert.match(error.message, /repairSites\(\)/);
});

test('an unknown api key is an authentication error', async () => {
  const error = await rejects(ecologic({ apiKey: '00000000-0000-0000-0000-000000000000' }).brands(), 'authentication');
  assert.equal(error.status, 401);
});

test('an input of plain data (read as one JSON text) and the same fields on other objects (read field by field) are read alike', async () => {
  const client = ecologic();
  // The same own fields on objects whose prototype is not Object's: the module walks them.
  const walked = (value) => (value && typeof value === 'object'
    ? Object.assign(Object.create({ inherited: 'never read' }), Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walked(v)])))
    : value);
  const request = {
    // A CallDate of its own: left out, each call's is the second it is sent.
    RepairSiteId: SITE, QuoteNumber: 'DEV-PLAIN', Note: undefined, CallDate: '2026-11-20T10:00:00',
    ...dossier({ Quote: { TotalAmountExclVAT: { Amount: 170.57 }, TotalAmountInclVAT: { Amount: 204.68, Currency: 'EUR' } } }),
  };
  await client.createSupportRequest(request);
  await client.createSupportRequest(walked(request));
  const [plain, walk] = await receivedAt('/createsupportrequest');
  assert.deepEqual(walk.body, plain.body);
  assert.deepEqual(query(walk), query(plain));
  assert.deepEqual(plain.body.Quote.TotalAmountExclVAT, { Amount: 170.57, Currency: 'EUR' });
  // Numbers at the edges of what JSON text carries exactly: the same outcome either way.
  for (const amount of [12.345, 170.5, -3.25, 2 ** 53 + 2, 1e21, 0.1 + 0.2, 99999999.99]) {
    const input = { TotalAmountExclVAT: amount, TotalAmountInclVAT: 1000, BrandId: '1689', ProductId: 'EEE.M1.010' };
    const outcome = async (given) => client.calculateEcoSupport(given).then((r) => ({ ok: r }), (e) => ({ fields: e.fields, kind: e.kind }));
    assert.deepEqual(await outcome(walked(input)), await outcome(input), `TotalAmountExclVAT: ${amount}`);
  }
});
