// The fault matrix: every class of operation against every fault the sandbox injects, with the
// package as users get it (dist/) and the npm sandbox. For each cell: the attempts the sandbox
// received at the faulted route, the outcome (`ok` or the error's `kind`), the requests the
// sandbox processed there (a write processed twice would be a duplicate), and the upload keys
// the server returned against those that reached the caller (in the result or `error.uploads`).
//   node scripts/fault-matrix.mjs        prints the table (the README's "Reliability" section)
// tests/js/fault-matrix.test.mjs runs it and asserts the invariants: no duplicate write, every
// returned key surfaced, no secret in any error.
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const SITE = '02c867c0-0000-0000-000-3cf8de2dc1c8';
const API_KEY = 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B';
const REPAIRER = { clientId: 'sandbox-repairer', clientSecret: 'sandbox-repairer-secret' };
/** Every secret handed to a client: none may appear in an error. */
export const SECRETS = [REPAIRER.clientSecret, API_KEY];
const PDF = new TextEncoder().encode('%PDF-1.4\n%%EOF\n');

/** The faults, each applied once to the class's route (`times: 1`); `refused` is a closed port. */
export const FAULTS = {
  'latency past the timeout': { latencyMs: 1200 },
  '429 with Retry-After': { status: 429, retryAfter: 1 },
  500: { status: 500 },
  502: { status: 502 },
  503: { status: 503 },
  504: { status: 504 },
  'refused (never sent)': 'refused',
  'dropped before processing': { drop: true },
  'dropped after processing': { drop: true, afterProcessing: true },
  'truncated body': { truncate: true },
  'non-JSON body': { nonJson: true },
  '500 envelope (Ecologic)': { status: 500, envelope: 'Invalid claim' },
  'redirect to another origin': { redirect: 'http://127.0.0.1:9/elsewhere?api_key=stolen' },
  'oversized reply (9 MiB)': { oversize: 9 * 1024 * 1024 },
};

const settlement = (key) => ({
  idPrestataire: 'XT1234', referenceFacture: 'F-1', dateFacture: '2024-03-01', numeroSinistre: 'S-1',
  referenceInterneLalux: 'PEC-1', immatriculationVehicule: 'AB1234', numeroChassisVehicule: '1HGBH41JXMN109186',
  type: 'F', typeFacture: 'REP', factureHT: 1000, factureTVA: 170, factureTTC: 1170, ...(key ? { refPDFFacture: key } : {}),
});
const dossier = () => ({
  Consumer: { Title: 1, LastName: 'Dupont', FirstName: 'Marie', Zip: '75001', City: 'Paris', Country: '250', Phone: '0601020304' },
  Product: { ProductId: 'EEE.M1.010', BrandId: '1689', IRISSymptom: 'XX4', IRISSection: 'G12', SerialNumber: `SN-${Math.random()}` },
  Quote: { TotalAmountExclVAT: { Amount: 100 }, TotalAmountInclVAT: { Amount: 120 } },
});
const claimInput = () => ({ RepairEndDate: '2026-11-20', RepairSiteId: SITE, ConsumerInvoiceNumber: 'F-1', ...dossier() });
const files = () => [
  { FileName: 'facture', FileExtension: 'pdf', DocumentType: 'INVOICE', FileContent: PDF },
  { FileName: 'preuve', FileExtension: 'pdf', DocumentType: 'CONSUMERVALIDATION', FileContent: PDF },
];

/**
 * The classes of operation: the route a fault targets, whether it writes, and `run(clients,
 * ready)` (what `prepare(clients)` made beforehand, before the fault is injected).
 */
export const CLASSES = [
  { name: 'token', api: 'lalux', route: '/lalux/wts/token', writes: false,
    run: (c) => c.lalux.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF }) },
  { name: 'LALUX upload', api: 'lalux', route: '/reparateur/upload', writes: false, uploads: true,
    run: (c) => c.lalux.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF }) },
  { name: 'LALUX settlement', api: 'lalux', route: '/lalux/api/reparateur', method: 'PUT', writes: true,
    prepare: async (c) => (await c.fresh.lalux.repairer.upload({ fileNameWithExtension: 'f.pdf', file: PDF })).key,
    run: (c, key) => c.lalux.repairer.submitInvoice(settlement(key)) },
  { name: 'Ecologic read', api: 'ecologic', route: '/getclaimstatus', writes: false,
    prepare: async (c) => (await c.fresh.ecologic.createClaim(claimInput())).id,
    run: (c, id) => c.ecologic.getClaimStatus(id) },
  { name: 'Ecologic write', api: 'ecologic', route: '/createsupportrequest', writes: true,
    prepare: (c) => Promise.all([c.fresh.ecologic.brands(), c.fresh.ecologic.productTypes()]),
    run: (c) => c.ecologic.createSupportRequest({ RepairSiteId: SITE, QuoteNumber: 'Q-1', ...dossier() }) },
  { name: 'attachment', api: 'ecologic', route: '/attachfile', writes: true,
    prepare: async (c) => (await c.fresh.ecologic.createClaim(claimInput())).id,
    run: (c, id) => c.ecologic.attachFile({ ClaimId: id, ...files()[0] }) },
  { name: 'submission', api: 'ecologic', route: '/submitclaim', writes: true,
    prepare: async (c) => (await c.fresh.ecologic.createClaim(claimInput())).id,
    run: (c, id) => c.ecologic.submitClaim(id) },
  { name: 'settle workflow (fault on its settlement)', api: 'lalux', route: '/lalux/api/reparateur', method: 'PUT', writes: true, uploads: true,
    run: (c) => c.lalux.repairer.settle({ invoicePdf: PDF, ...settlement() }) },
  { name: 'claim workflow (fault on its attachments)', api: 'ecologic', route: '/attachfile', writes: true,
    run: (c) => c.ecologic.claim({ ...claimInput(), files: files(), submit: true }) },
];

/** A port nothing listens on. */
async function closedPort() {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The admin calls the matrix needs, over HTTP, for a sandbox of any host at `url`. */
export function sandboxAt(url) {
  const admin = async (method, route, body) => {
    const response = await fetch(`${url}/_sandbox${route}`, {
      method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`admin ${method} ${route}: ${response.status}`);
    return response.status === 204 ? undefined : response.json();
  };
  return {
    url,
    reset: () => admin('POST', '/reset'),
    injectFault: (fault) => admin('POST', '/faults', fault),
    requests: () => admin('GET', '/requests'),
  };
}

/** Runs every cell against `sandbox` (a startSandbox() handle, or `sandboxAt(url)`) with the package `pkg`. */
export async function faultMatrix({ pkg, sandbox }) {
  const closed = `http://127.0.0.1:${await closedPort()}`;
  const policy = { timeoutMs: 600, maxRetries: 2, retryDelayMs: 10 };
  const clientsAt = (base, { tokenBase = base } = {}) => ({
    lalux: new pkg.LaluxClient({ tokenUrl: `${tokenBase}/lalux/wts`, apiUrl: `${base}/lalux/api`, ...REPAIRER, ...policy }),
    ecologic: new pkg.EcologicClient({ environment: 'production', baseUrl: `${base}/ecologic/api/v1/ecosupport`, apiKey: API_KEY, ...policy }),
  });
  const rows = [];
  for (const kind of CLASSES) {
    for (const [faultName, fault] of Object.entries(FAULTS)) {
      if (fault.envelope && kind.api !== 'ecologic') continue;
      await sandbox.reset();
      const fresh = clientsAt(sandbox.url);
      const ready = kind.prepare ? await kind.prepare({ fresh }) : undefined;
      let clients = { ...clientsAt(sandbox.url), fresh };
      if (fault === 'refused') {
        // Only the faulted route's host is closed (the token service stays up for LALUX calls).
        const closedHere = kind.route === '/lalux/wts/token' ? clientsAt(sandbox.url, { tokenBase: closed }) : clientsAt(closed, { tokenBase: sandbox.url });
        clients = { ...closedHere, fresh }; // a workflow's first step meets the closed port
      } else {
        await sandbox.injectFault({ route: kind.route, method: kind.method, times: 1, ...fault });
      }
      const before = (await sandbox.requests()).length;
      let outcome;
      let error;
      let result;
      try {
        result = await kind.run(clients, ready);
        outcome = 'ok';
      } catch (e) {
        error = e;
        outcome = pkg.isRepairClaimsError(e) ? e.kind : `not a RepairClaimsError: ${e}`;
      }
      const log = (await sandbox.requests()).slice(before);
      const atRoute = log.filter((r) => r.path.toLowerCase().endsWith(kind.route.toLowerCase()) && (!kind.method || r.method === kind.method));
      // The fault hits the first request at the route; when it short-circuits, that one was
      // never processed. A duplicate is the same request (query and body) processed twice.
      const shortCircuits = fault !== 'refused' && (fault.status || fault.redirect || (fault.drop && !fault.afterProcessing));
      const processed = atRoute.slice(shortCircuits ? 1 : 0);
      const seen = new Map();
      for (const r of processed) {
        const identity = JSON.stringify([r.query, r.body]);
        seen.set(identity, (seen.get(identity) ?? 0) + 1);
      }
      const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
      // Keys the server returned whole: every upload when the fault is elsewhere; when it is on
      // the upload itself, the one answer that came through whole (a faulted answer never did).
      const uploads = log.filter((r) => r.path.endsWith('/upload'));
      const returnedKeys = !kind.uploads ? 0 : kind.route.endsWith('/upload') ? Number(outcome === 'ok') : uploads.length;
      const surfacedKeys = kind.uploads ? (result?.uploads ?? (result?.key ? [result] : error?.uploads ?? [])).filter((u) => u.key).length : 0;
      const text = error ? `${error.message}\n${error.stack}\n${JSON.stringify(error)}` : '';
      rows.push({
        class: kind.name, fault: faultName, attempts: atRoute.length, outcome,
        mayHaveReachedServer: error?.mayHaveReachedServer,
        duplicates: kind.writes ? duplicates : 0,
        keys: kind.uploads ? `${surfacedKeys}/${returnedKeys}` : '',
        surfacedKeys, returnedKeys,
        secretLeaked: SECRETS.some((s) => text.includes(s)) || /Bearer\s+\S{8,}/.test(text),
      });
    }
  }
  return rows;
}

/** The table, in Markdown. */
export function table(rows) {
  const lines = [
    '| operation | fault | attempts | outcome | duplicates | keys surfaced |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const outcome = r.mayHaveReachedServer === undefined ? r.outcome : `${r.outcome} (mayHaveReachedServer: ${r.mayHaveReachedServer})`;
    lines.push(`| ${r.class} | ${r.fault} | ${r.attempts} | ${outcome} | ${r.duplicates} | ${r.keys} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pkg = require('../dist/repair-claims/nodejs/repair_claims.js');
  const { startSandbox } = await import('../dist/repair-claims-sandbox/index.mjs');
  const sandbox = await startSandbox({ port: 0 });
  try {
    console.log(table(await faultMatrix({ pkg, sandbox })));
  } finally {
    await sandbox.close();
  }
}
