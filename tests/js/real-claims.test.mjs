// Issue 22: what a real claim meets. The client accepts what the real Ecologic server accepts,
// never loses what a write created, and refuses what makes no sense in words a repairer reads.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, beforeEach, test } from 'node:test';
import {
  API_KEY, SANDBOX, SITE, claimFiles, dossier, ecologic, fieldsOf, receivedAt, rejects, reset,
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
    delete headers.host;
    delete headers['content-length'];
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
