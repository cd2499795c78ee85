// The package as users get it: installs the packed tarball into a fresh temporary project, then
//   - require() in CommonJS and import in ESM, each calling both APIs against the sandbox;
//   - a TypeScript consumer under `tsc --strict` (correct usage compiles; each file in
//     types/bad/ fails with the error its first line expects);
//   - one .wasm in the package, and the size budget of every .wasm and JS file;
//   - a Vite production build of a page, and a plain HTML page using the `web` entry, both
//     served locally and driven in headless Chromium with playwright-core;
//   - the demo portal (examples/portal, portal.mjs): its back end on repair-claims/server, two
//     garages signed in, both forms filled in Chromium against the sandbox, no secret in anything
//     the pages see, another garage's site forbidden;
//   - the npm sandbox's Service Worker host against the Rust binary (sandbox-worker.mjs);
//   - repair-claims/server by require() and import.
// Prints one line per check and a "test result:" summary line; exits non-zero on any failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { checks } from './checks.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const sandbox = process.env.SANDBOX_URL;
if (!sandbox) throw new Error('SANDBOX_URL is not set');
const tarball = readdirSync(join(root, 'dist')).find((f) => /^repair-claims-\d.*\.tgz$/.test(f));
if (!tarball) throw new Error('no tarball in dist/: run ./scripts/build.sh');

const project = mkdtempSync(join(tmpdir(), 'repair-claims-consumer-'));
const { check, finish } = checks();
const run = (command, args, options = {}) =>
  execFileSync(command, args, { cwd: project, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, SANDBOX_URL: sandbox }, ...options });

writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
const sandboxTarball = readdirSync(join(root, 'dist')).find((f) => /^repair-claims-sandbox-\d.*\.tgz$/.test(f));
if (!sandboxTarball) throw new Error('no repair-claims-sandbox tarball in dist/: run ./scripts/build.sh');
run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(root, 'dist', tarball), join(root, 'dist', sandboxTarball)]);
cpSync(here, project, { recursive: true, filter: (src) => !/(run|portal|sandbox-worker|checks)\.mjs$/.test(src) });

await check('require() in CommonJS calls both APIs', () => run('node', ['consumer.cjs']));
await check('import in an ES module calls both APIs', () => run('node', ['consumer.mjs']));
await check('repair-claims/server: require() and import give createGateway, whose reply a gateway client reads', () => {
  const script = `
    const { createGateway } = require('repair-claims/server');
    const { EcologicClient } = require('repair-claims');
    const gateway = createGateway({ prefix: '/gw', tenant: () => 'garage', credentials: () => ({
      ecologic: { environment: 'production', baseUrl: process.env.SANDBOX_URL + '/ecologic/api/v1/ecosupport', apiKey: 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B' } }) });
    const page = new EcologicClient({ gateway: 'http://portal.example/gw', fetch: (url, init) => gateway.fetch(new Request(url, init)) });
    import('repair-claims/server').then((esm) => {
      if (esm.createGateway !== createGateway) throw new Error('import gives another createGateway');
      return page.brands();
    }).then((brands) => { if (!(brands.length > 0)) throw new Error('no brands'); console.log('ok'); });`;
  const out = run('node', ['-e', script]);
  if (out.trim() !== 'ok') throw new Error(out);
});
await check('repair-claims/journal: require() and import give the same stores; a fileJournal claim() resumes in a new process', () => {
  const script = `
    const { fileJournal, redisJournal, indexedDbJournal } = require('repair-claims/journal');
    const { EcologicClient, memoryJournal } = require('repair-claims');
    const dir = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'journal-'));
    const client = () => new EcologicClient({ environment: 'production', baseUrl: process.env.SANDBOX_URL + '/ecologic/api/v1/ecosupport',
      apiKey: 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B', journal: fileJournal(dir) });
    const input = { RepairEndDate: '2026-11-20T10:00:00', RepairSiteId: '02c867c0-0000-0000-000-3cf8de2dc1c8', ConsumerInvoiceNumber: 'PKG-' + Date.now(), submit: false, files: [],
      Consumer: { Title: 1, LastName: 'Dupont', FirstName: 'Marie', Zip: '75001', City: 'Paris', Country: '250', Phone: '0601020304' },
      Product: { ProductId: 'EEE.M1.010', BrandId: '1689', IRISSymptom: 'XX4', IRISSection: 'G12', SerialNumber: 'SN-1', PurchaseDate: '2022-01-03' },
      Quote: { TotalAmountExclVAT: { Amount: 100, Currency: 'EUR' }, TotalAmountInclVAT: { Amount: '120.00', Currency: 'EUR' } } };
    import('repair-claims/journal').then(async (esm) => {
      if (esm.fileJournal !== fileJournal || esm.redisJournal !== redisJournal) throw new Error('import gives other stores');
      if (typeof memoryJournal().get !== 'function') throw new Error('no memoryJournal');
      let refused = false;
      try { indexedDbJournal(); } catch { refused = true; }
      if (!refused) throw new Error('indexedDbJournal in Node');
      const first = await client().claim(input);
      const again = await client().claim(input);
      if (again.claimId !== first.claimId || !again.resumed) throw new Error(JSON.stringify([first, again]));
      console.log('ok');
    });`;
  const out = run('node', ['-e', script]);
  if (out.trim() !== 'ok') throw new Error(out);
});
await check('the README quickstart runs as written, and both READMEs show it verbatim', () => {
  const quickstart = readFileSync(join(root, 'examples', 'quickstart.mjs'), 'utf8');
  for (const readme of ['README.md', 'pkg-template/README.md']) {
    if (!readFileSync(join(root, readme), 'utf8').includes(quickstart)) throw new Error(`${readme} does not show examples/quickstart.mjs`);
  }
  cpSync(join(root, 'examples', 'quickstart.mjs'), join(project, 'quickstart.mjs'));
  const out = run('node', ['quickstart.mjs']);
  if (!/LALUX accepted the settlement; invoice key [0-9a-f-]{36}\.pdf/.test(out) || !/Ecologic claim \d+: En attente de validation administrateur \[\]/.test(out)) {
    throw new Error(`unexpected output:\n${out}`);
  }
});

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
await check('a TypeScript consumer compiles under tsc --strict', () => {
  const out = spawnSync('node', [tsc, '-p', 'types/tsconfig.json'], { cwd: project, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(out.stdout);
});
for (const file of readdirSync(join(project, 'types', 'bad'))) {
  const source = readFileSync(join(project, 'types', 'bad', file), 'utf8');
  const [, code, token] = source.match(/^\/\/ expect: (TS\d+) (.+)$/m);
  await check(`tsc --strict refuses types/bad/${file} (${code} ${token})`, () => {
    const out = spawnSync('node', [tsc, '--strict', '--noEmit', '--target', 'es2022', '--module', 'node16',
      '--moduleResolution', 'node16', join('types', 'bad', file)], { cwd: project, encoding: 'utf8' });
    if (out.status === 0) throw new Error('it compiled');
    const lines = out.stdout.split('\n').filter((l) => l.includes('error TS'));
    if (lines.length !== 1 || !lines[0].includes(code) || !out.stdout.includes(token.replaceAll('"', ''))) {
      throw new Error(`expected exactly one ${code} naming ${token}, got:\n${out.stdout}`);
    }
  });
}

await check('the public declarations have no `any` (only wasm-bindgen internals do)', () => {
  for (const dts of ['nodejs/repair_claims.d.ts', 'web/repair_claims.d.ts']) {
    const text = readFileSync(join(project, 'node_modules', 'repair-claims', dts), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/export interface InitOutput \{[\s\S]*?\n\}/, '');
    const lines = text.split('\n').filter((l) => /\bany\b/.test(l));
    if (lines.length) throw new Error(`${dts}:\n${lines.join('\n')}`);
  }
});

await check('the package holds one .wasm, which the Node and the browser entries share', () => {
  const installed = join(project, 'node_modules', 'repair-claims');
  const modules = ['nodejs', 'web'].flatMap((d) => readdirSync(join(installed, d)).filter((f) => f.endsWith('.wasm')).map((f) => `${d}/${f}`));
  if (modules.join() !== 'web/repair_claims_bg.wasm') throw new Error(`modules: ${modules.join(', ')}`);
});

await check('every .wasm and JS file is within the size budget (tests/package/size-budget.json)', () => {
  const budget = JSON.parse(readFileSync(join(here, 'size-budget.json'), 'utf8')).files;
  const installed = join(project, 'node_modules', 'repair-claims');
  const shipped = ['journal', 'nodejs', 'server', 'web'].flatMap((d) => readdirSync(join(installed, d), { recursive: true }).filter((f) => /\.(wasm|m?js)$/.test(f)).map((f) => `${d}/${f}`));
  // A snippet's folder is named by a hash of the crate: budgeted as `snippets/*/`.
  const budgeted = (file) => file.replace(/\/snippets\/[^/]+\//, '/snippets/*/');
  const over = [];
  for (const file of shipped) {
    const limit = budget[budgeted(file)];
    if (!limit) { over.push(`${file} has no budget`); continue; }
    const data = readFileSync(join(installed, file));
    const gzip = gzipSync(data, { level: 9 }).length;
    if (data.length > limit.raw || gzip > limit.gzip) over.push(`${file}: ${data.length} raw / ${gzip} gzip, budget ${limit.raw} / ${limit.gzip}`);
  }
  for (const file of Object.keys(budget)) if (!shipped.map(budgeted).includes(file)) over.push(`${file} is budgeted but not shipped`);
  if (over.length) throw new Error(over.join('\n'));
});

// Static files over HTTP, as a portal's server would serve them.
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const server = createServer((request, response) => {
  const path = join(project, decodeURIComponent(new URL(request.url, 'http://x').pathname));
  try {
    const body = readFileSync(path.endsWith('/') ? join(path, 'index.html') : path);
    response.writeHead(200, { 'content-type': types[extname(path)] ?? 'text/html' }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const site = `http://127.0.0.1:${server.address().port}`;
const { chromium } = createRequire(join(root, 'package.json'))('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
async function pageSays(path) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${site}${path}?sandbox=${encodeURIComponent(sandbox)}`);
  await page.waitForFunction(() => document.title !== 'pending', null, { timeout: 30_000 }).catch(() => {});
  const title = await page.title();
  await page.close();
  if (title !== 'ok') throw new Error(`the page says "${title}" ${errors.join('; ')}`);
}
try {
  await check('a Vite production build of a page importing the package runs in Chromium', async () => {
    const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    run('node', [vite, 'build', 'vite', '--base', './', '--outDir', 'vite-dist', '--emptyOutDir', '--logLevel', 'warn'], { cwd: project });
    await pageSays('/vite/vite-dist/');
  });
  await check('a plain HTML page using the web entry runs in Chromium', () => pageSays('/plain/'));
  await check('indexedDbJournal in Chromium: a page reloaded mid-claim resumes it, one claim', async () => {
    const invoice = `IDB-${Date.now()}`;
    // This claim's requests: the createclaim naming its invoice, the attachments naming its id.
    const log = async (id) => (await (await fetch(`${sandbox}/_sandbox/requests`)).json())
      .filter((r) => (r.path.endsWith('/createclaim') && JSON.stringify(r).includes(invoice)) || (r.path.endsWith('/attachfile') && JSON.stringify(r).includes(String(id))))
      .map((r) => r.path.split('/').pop());
    const page = await browser.newPage();
    try {
      await page.goto(`${site}/journal/?phase=1&invoice=${invoice}&sandbox=${encodeURIComponent(sandbox)}`);
      await page.waitForURL(/phase=2/, { timeout: 30_000 });
      await page.waitForFunction(() => document.title !== 'pending', null, { timeout: 30_000 });
      const title = await page.title();
      const outcome = JSON.parse(title.startsWith('{') ? title : 'null');
      if (!outcome) throw new Error(`the page says ${title}`);
      const expected = { resumed: true, skipped: ['createClaim', 'attach:facture.pdf'], attached: ['facture.pdf', 'preuve.pdf'], submitted: true };
      for (const [key, value] of Object.entries(expected)) {
        if (JSON.stringify(outcome[key]) !== JSON.stringify(value)) throw new Error(`${key}: ${JSON.stringify(outcome[key])}, expected ${JSON.stringify(value)}`);
      }
      const sent = await log(outcome.claimId);
      if (JSON.stringify(sent) !== JSON.stringify(['createclaim', 'attachfile', 'attachfile'])) throw new Error(`the sandbox received ${sent.join(', ')}`);
    } finally {
      await page.close();
    }
  });
  const { portalChecks } = await import('./portal.mjs');
  const packageDir = join(project, 'node_modules', 'repair-claims');
  await portalChecks({ browser, root, packageDir, sandbox, check });
  const { sandboxWorkerChecks } = await import('./sandbox-worker.mjs');
  await sandboxWorkerChecks({ browser, root, sandboxDir: join(project, 'node_modules', 'repair-claims-sandbox'), sandbox, check });
} finally {
  await browser.close();
  server.close();
}

rmSync(project, { recursive: true, force: true });
finish();
