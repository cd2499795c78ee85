// Issue 10: what the client sends and reads, as the real servers and their public integrations
// show them (R1–R12 in shared/API-NOTES.md, each decided in the specs).
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  PDF, SITE, dossier, ecologic, fault, receivedAt, rejects, reset,
} from './helpers.mjs';

beforeEach(reset);

const query = (request) => Object.fromEntries(new URLSearchParams(request.query));

test('document types and extensions in any case are sent as the spec writes them (R6)', async () => {
  const client = ecologic();
  const created = await client.createClaim({ RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'R6', ...dossier() });
  await client.attachFile({ ClaimId: created.id, FileName: 'facture', FileExtension: 'PDF', DocumentType: 'Invoice', FileContent: PDF });
  await client.claim({
    RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'R6b', ...dossier(), submit: false,
    files: [{ FileName: 'plaque', FileExtension: 'Jpg', DocumentType: 'NamePlate', FileContent: PDF }],
  });
  const sent = (await receivedAt('/attachfile')).map(query).map((q) => `${q.DocumentType} ${q.FileExtension}`);
  assert.deepEqual(sent, ['INVOICE pdf', 'NAMEPLATE jpg']);
  assert.ok((await receivedAt('/attachfile')).every((r) => r.deviations === undefined));
});

test('an empty purchase date is a date left out (R5)', async () => {
  const client = ecologic();
  const repair = dossier();
  repair.Product.PurchaseDate = '';
  await client.createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'R5', ...repair });
  const [call] = await receivedAt('/createsupportrequest');
  assert.equal('PurchaseDate' in call.body.Product, false);
  assert.equal(call.deviations, undefined);
});

test('a 500 envelope is a refusal with Ecologic\'s messages; "Invalid claim" has its own reason (R7)', async () => {
  const client = ecologic();
  const unknown = await rejects(client.getClaimStatus(424242), 'refused');
  assert.equal(unknown.status, 500);
  assert.equal(unknown.reason, 'invalidClaim');
  assert.equal(unknown.responseErrorMessage, 'Invalid claim');
  assert.match(unknown.message, /create it again/);
  assert.equal(unknown.operation, 'getClaimStatus');
  await fault({ route: '/getrepairsitesbyats', status: 500, envelope: 'Erreur technique', times: 1 });
  const failed = await rejects(client.repairSites(), 'refused');
  assert.equal(failed.responseStatus, 'E');
  assert.equal(failed.responseMessage, 'Invalid request');
  assert.match(failed.message, /Erreur technique/);
  assert.equal(failed.reason, undefined);
});

test('a 404 says a parameter is missing or misnamed, not that the id is unknown (R7)', async () => {
  await fault({ route: '/getclaimstatus', status: 404, times: 1 });
  const error = await rejects(ecologic().getClaimStatus(5312276), 'refused');
  assert.equal(error.status, 404);
  assert.match(error.message, /required parameter is missing or misnamed/);
  assert.doesNotMatch(error.message, /does not know/);
});

test('the documents\' constraints are checked before sending: country code, e-mail, file name', async () => {
  const repair = dossier();
  repair.Consumer.Country = 'FR';
  repair.Consumer.Email = 'marie.dupont';
  const error = await rejects(ecologic().createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'C', ...repair }), 'validation');
  assert.deepEqual(error.fields.map((f) => f.field).sort(), ['Consumer.Country', 'Consumer.Email']);
  assert.equal((await receivedAt('/createsupportrequest')).length, 0);
});
