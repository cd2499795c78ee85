// Shared by the `node --test` suites: the built package, a sandbox, its admin API, and inputs a
// portal would send.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after } from 'node:test';
import { inspect } from 'node:util';

const require = createRequire(import.meta.url);
/** The package as built by scripts/build.sh (the Node entry users get); `REPAIR_CLAIMS_NODE` points elsewhere while developing. */
export const pkgPath = require.resolve(process.env.REPAIR_CLAIMS_NODE ?? '../../dist/repair-claims/nodejs/repair_claims.js');
export const pkg = require(pkgPath);

/**
 * The sandbox every test of a file talks to: one `startSandbox()` of the npm sandbox as built by
 * scripts/build.sh (what the package's users get), per test file, on a free port; or the one at
 * `SANDBOX_URL` when set (a Rust binary while developing). Child processes inherit its URL.
 */
async function sandbox() {
  if (process.env.SANDBOX_URL) return process.env.SANDBOX_URL;
  const { startSandbox } = await import(process.env.REPAIR_CLAIMS_SANDBOX ?? '../../dist/repair-claims-sandbox/index.mjs');
  const started = await startSandbox({ port: 0 });
  after(() => started.close());
  process.env.SANDBOX_URL = started.url;
  return started.url;
}
export const SANDBOX = await sandbox();
export const SITE = '02c867c0-0000-0000-000-3cf8de2dc1c8';
export const API_KEY = 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B';
/** The sandbox's pre-production key (one key per environment, as Ecologic gives them). */
export const PREPROD_API_KEY = '7A1F3C5E-9B2D-4C6E-8F0A-1B3D5E7F9A2C';
export const REPAIRER = { clientId: 'sandbox-repairer', clientSecret: 'sandbox-repairer-secret' };
export const EXPERT = {
  clientId: 'sandbox-expert', clientSecret: 'sandbox-expert-secret',
  username: 'expert', password: 'sandbox-expert-password',
};
/** Every secret the tests hand to a client: none may appear in an error. */
export const SECRETS = [REPAIRER.clientSecret, EXPERT.clientSecret, EXPERT.password, API_KEY, PREPROD_API_KEY];

export const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
export const EICAR = new TextEncoder().encode(
  'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*');

async function admin(method, path, body) {
  const response = await fetch(`${SANDBOX}/_sandbox${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(response.ok, `admin ${method} ${path}: ${response.status}`);
  return response.status === 204 ? undefined : response.json();
}

/** Forgets requests, tokens, uploads, dossiers, faults and clock changes. */
export async function reset() {
  await admin('POST', '/reset');
  await admin('DELETE', '/faults');
  await admin('POST', '/scanner', { fail: false });
}
/** What the sandbox received since the last reset, oldest first. */
export const received = () => admin('GET', '/requests');
/** Injects a fault: `{ route, method?, status?, retryAfter?, drop?, truncate?, nonJson?, latencyMs?, times? }`. */
export const fault = (f) => admin('POST', '/faults', f);
export const advanceClock = (seconds) => admin('POST', '/clock', { advanceSeconds: seconds });
export const scannerFails = (fail) => admin('POST', '/scanner', { fail });
export const tokenLifetime = (seconds) => admin('POST', '/tokens', { lifetimeSeconds: seconds });

/** The requests whose path ends with `suffix`. */
export async function receivedAt(suffix) {
  return (await received()).filter((r) => r.path.toLowerCase().endsWith(suffix.toLowerCase()));
}

export const lalux = (options = {}) => new pkg.LaluxClient({
  tokenUrl: `${SANDBOX}/lalux/wts`, apiUrl: `${SANDBOX}/lalux/api`, retryDelayMs: 10, ...REPAIRER, ...options,
});
export const expertClient = (options = {}) => lalux({ ...EXPERT, ...options });
export const ecologic = (options = {}) => new pkg.EcologicClient({
  environment: 'production', baseUrl: `${SANDBOX}/ecologic/api/v1/ecosupport`, apiKey: API_KEY, retryDelayMs: 10, ...options,
});

/** A valid repair settlement (without its key), as a portal form gives it. */
export const repairSettlement = (overrides = {}) => ({
  idPrestataire: 'XT1234', referenceFacture: 'F-2024-001', dateFacture: '2024-03-01',
  numeroSinistre: 'S-123456', referenceInterneLalux: 'PEC-987', immatriculationVehicule: 'AB1234',
  numeroChassisVehicule: '1HGBH41JXMN109186', type: 'F', typeFacture: 'VHR',
  factureHT: 1000, factureTVA: '170.50', factureTTC: 1170.5, nbrJourVehiculeRemplacement: 2,
  ...overrides,
});

/** A valid expert settlement (without its keys). */
export const expertSettlement = (overrides = {}) => ({
  idExpert: 'XT5678', referenceFacture: 'H-2024-001', dateFacture: '2024-03-01',
  numeroSinistre: 'S-123456', referenceInterneLalux: 'EXP-55', immatriculationVehicule: 'AB1234',
  numeroChassisVehicule: '1HGBH41JXMN109186', type: 'F',
  honorairesHT: 200, honorairesTVA: 34.5, honorairesTTC: '234.50',
  prejudiceHT: 10000, prejudiceTVA: 1700.5, prejudiceTTC: 11700.5, abandonVehicule: false,
  ...overrides,
});

/** A complete dossier for product EEE.M1.010 (fiche 1), brand Acer. */
export const dossier = (overrides = {}) => ({
  Consumer: { Title: 1, LastName: 'Dupont', FirstName: 'Marie', Zip: '75001', City: 'Paris', Country: '250', Phone: '0601020304' },
  Product: { ProductId: 'EEE.M1.010', BrandId: '1689', IRISSymptom: 'XX4', IRISSection: 'G12', SerialNumber: 'SN-1', PurchaseDate: '2022-01-03' },
  Quote: { TotalAmountExclVAT: { Amount: 100, Currency: 'EUR' }, TotalAmountInclVAT: { Amount: '120.00', Currency: 'EUR' } },
  ...overrides,
});

/** The two files every claim needs (E15). */
export const claimFiles = () => [
  { FileName: 'facture', FileExtension: 'pdf', DocumentType: 'INVOICE', FileContent: PDF },
  { FileName: 'preuve', FileExtension: 'pdf', DocumentType: 'CONSUMERVALIDATION', FileContent: new Blob([PDF]) },
];

/**
 * Awaits a rejection and checks it is a RepairClaimsError of `kind` holding no secret; returns
 * it. `callersCause`: its `cause` is what the caller's own callback threw, left out of the scan.
 */
export async function rejects(promise, kind, { callersCause = false } = {}) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected a ${kind} error, the call succeeded`);
  assert.ok(error instanceof Error, 'errors are Error objects');
  assert.ok(pkg.isRepairClaimsError(error), `a RepairClaimsError: ${error}`);
  assert.equal(error.name, 'RepairClaimsError');
  assert.equal(error.kind, kind, `kind of: ${error.message}`);
  assertNoSecret(error, { callersCause });
  return error;
}

/** The sandbox's access tokens (`sbx-` and a UUID). */
const SANDBOX_TOKEN = /sbx-[0-9a-f]{8}-[0-9a-f-]{4,}/i;

/**
 * No secret and no token in the error's message, stack, any property, its `cause` or how
 * `util.inspect` shows it (hidden properties included). Every suite's `rejects` goes through it.
 */
export function assertNoSecret(error, { callersCause = false } = {}) {
  const shown = callersCause ? Object.assign(new Error(error.message), { ...error, stack: error.stack }) : error;
  const text = [
    error.message, error.stack, JSON.stringify(error), JSON.stringify(Object.entries(error)),
    inspect(shown, { showHidden: true, depth: 6 }), callersCause ? '' : inspect(error?.cause, { showHidden: true, depth: 6 }),
  ].join('\n');
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `a secret leaked into: ${text}`);
  assert.ok(!/Bearer\s+\S{8,}/.test(text), `a token leaked into: ${text}`);
  assert.ok(!SANDBOX_TOKEN.test(text), `a sandbox token leaked into: ${text}`);
}

/** The fields an error names, sorted. */
export const fieldsOf = (error) => error.fields.map((f) => f.field).sort();
