// The npm sandbox's Service Worker host (repair-claims-sandbox/sw.js) in Chromium: a static page
// registers it below ./sandbox/ of its own origin, then runs tests/sandbox-package/host-checks.mjs
// in the page against it; the transcript must be the one the Rust binary gives from Node.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

const WORKER = `import { serveSandbox } from './repair-claims-sandbox/sw.js';
serveSandbox({ prefix: new URL('sandbox', self.registration.scope).pathname });`;
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm' };

export async function sandboxWorkerChecks({ browser, root, sandboxDir, sandbox, check }) {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname));
    if (path === '/') return response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sandbox worker</title>');
    if (path === '/sandbox-sw.js') return response.writeHead(200, { 'content-type': 'text/javascript' }).end(WORKER);
    if (!path.startsWith('/repair-claims-sandbox/')) return response.writeHead(404).end();
    try {
      const body = readFileSync(join(sandboxDir, path.slice('/repair-claims-sandbox/'.length)));
      response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const page = await browser.newPage();
  try {
    await check('the Service Worker host gives the Rust binary\'s transcript (faults, clock, scanner, token lifetime, 413)', async () => {
      await page.goto(url);
      await page.evaluate(async () => {
        await navigator.serviceWorker.register('./sandbox-sw.js', { type: 'module' });
        await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) {
          await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
        }
      });
      const { hostChecks } = await import(join(root, 'tests', 'sandbox-package', 'host-checks.mjs'));
      const source = readFileSync(join(root, 'tests', 'sandbox-package', 'host-checks.mjs'), 'utf8');
      const inWorker = await page.evaluate(async ({ source, base }) => {
        const module = await import(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
        return module.hostChecks(base);
      }, { source, base: new URL('sandbox', url).href });
      assert.deepEqual(inWorker, await hostChecks(sandbox));
    });
  } finally {
    await page.close();
    server.close();
  }
}
