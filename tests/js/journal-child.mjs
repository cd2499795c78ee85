// A back-end process running one workflow with a journal, for tests/js/journal.test.mjs: it may be
// killed (SIGKILL, by itself) at a chosen step, as a deploy or an OOM kill would stop it.
//   node journal-child.mjs '{"workflow":"claim"|"settle","store":"file"|"redis","dir"?,"redisUrl"?,
//                            "invoice","crash"?: {"afterStep"|"afterReply": "..."}}'
// Prints the workflow's outcome, or its error, as one JSON line.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('../../dist/repair-claims/nodejs/repair_claims.js');
const { fileJournal, redisJournal } = require('../../dist/repair-claims/journal/index.js');
const task = JSON.parse(process.argv[2]);
const SANDBOX = process.env.SANDBOX_URL;
const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const die = () => process.kill(process.pid, 'SIGKILL');

let store;
let redis;
if (task.store === 'redis') {
  const { createClient } = require('redis');
  redis = createClient({ url: task.redisUrl });
  await redis.connect();
  store = redisJournal(redis);
} else {
  store = fileJournal(task.dir);
}
// Killed right after the journal recorded `afterStep` (the store's write is on the disk).
const journal = {
  get: (key) => store.get(key),
  delete: (key) => store.delete(key),
  async set(key, value, options) {
    const stored = await store.set(key, value, options);
    if (task.crash?.afterStep && !key.endsWith(':lease') && task.crash.afterStep in JSON.parse(value)) die();
    return stored;
  },
};
// Killed once the reply to a request whose path ends with `afterReply` came, before the client reads it.
const fetcher = async (url, init) => {
  const response = await fetch(url, init);
  if (task.crash?.afterReply && new URL(url).pathname.toLowerCase().endsWith(task.crash.afterReply)) die();
  return response;
};
const common = { journal, journalLeaseMs: 300, fetch: fetcher, retryDelayMs: 10 };
try {
  let outcome;
  if (task.workflow === 'claim') {
    const client = new pkg.EcologicClient({ environment: 'production', baseUrl: `${SANDBOX}/ecologic/api/v1/ecosupport`, apiKey: 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B', ...common });
    outcome = await client.claim({
      RepairEndDate: '2026-11-20T10:00:00', RepairSiteId: '02c867c0-0000-0000-000-3cf8de2dc1c8', ConsumerInvoiceNumber: task.invoice,
      Consumer: { Title: 1, LastName: 'Dupont', FirstName: 'Marie', Zip: '75001', City: 'Paris', Country: '250', Phone: '0601020304' },
      Product: { ProductId: 'EEE.M1.010', BrandId: '1689', IRISSymptom: 'XX4', IRISSection: 'G12', SerialNumber: 'SN-1', PurchaseDate: '2022-01-03' },
      Quote: { TotalAmountExclVAT: { Amount: 100, Currency: 'EUR' }, TotalAmountInclVAT: { Amount: '120.00', Currency: 'EUR' } },
      files: [
        { FileName: 'facture', FileExtension: 'pdf', DocumentType: 'INVOICE', FileContent: PDF },
        { FileName: 'preuve', FileExtension: 'pdf', DocumentType: 'CONSUMERVALIDATION', FileContent: PDF },
      ],
    });
  } else {
    const client = new pkg.LaluxClient({
      tokenUrl: `${SANDBOX}/lalux/wts`, apiUrl: `${SANDBOX}/lalux/api`,
      clientId: 'sandbox-expert', clientSecret: 'sandbox-expert-secret', username: 'expert', password: 'sandbox-expert-password', ...common,
    });
    outcome = await client.expert.settle({
      idExpert: 'XT5678', referenceFacture: task.invoice, dateFacture: '2024-03-01',
      numeroSinistre: 'S-123456', referenceInterneLalux: 'EXP-55', immatriculationVehicule: 'AB1234',
      numeroChassisVehicule: '1HGBH41JXMN109186', type: 'F',
      honorairesHT: 200, honorairesTVA: 34.5, honorairesTTC: '234.50',
      prejudiceHT: 10000, prejudiceTVA: 1700.5, prejudiceTTC: 11700.5, abandonVehicule: false,
      feeNotePdf: PDF, reportPdf: PDF,
    });
  }
  console.log(JSON.stringify({ outcome }));
} catch (error) {
  console.log(JSON.stringify({ error: { kind: error.kind, message: error.message, mayHaveReachedServer: error.mayHaveReachedServer, uploads: error.uploads, claimId: error.claimId } }));
} finally {
  await redis?.quit();
}
