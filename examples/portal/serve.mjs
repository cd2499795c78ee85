// Serves the demo portal, with the package's files under /repair-claims/ and the npm sandbox's
// under /repair-claims-sandbox/.
//   node examples/portal/serve.mjs [--port 8080] [--package dist/repair-claims] [--sandbox-package dist/repair-claims-sandbox]
// then open http://127.0.0.1:8080/?sandbox=worker (the sandbox in a Service Worker: static files
// only), or http://127.0.0.1:8080/?sandbox=http://127.0.0.1:8787 with a sandbox running
// (npx repair-claims-sandbox --port 8787).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

/** Starts the server on 127.0.0.1:`port` (0: a free one); resolves with its URL and a `close()`. */
export async function serve({
  port = 0,
  packageDir = resolve(here, '../../dist/repair-claims'),
  sandboxDir = resolve(here, '../../dist/repair-claims-sandbox'),
} = {}) {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname));
    const file = path.startsWith('/repair-claims/')
      ? join(packageDir, path.slice('/repair-claims/'.length))
      : path.startsWith('/repair-claims-sandbox/')
        ? join(sandboxDir, path.slice('/repair-claims-sandbox/'.length))
        : join(here, path === '/' ? 'index.html' : path);
    let body;
    try {
      body = readFileSync(file);
    } catch {
      return response.writeHead(404).end('not found');
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const { url } = await serve({
    port: Number(arg('--port', 8080)),
    packageDir: resolve(arg('--package', resolve(here, '../../dist/repair-claims'))),
    sandboxDir: resolve(arg('--sandbox-package', resolve(here, '../../dist/repair-claims-sandbox'))),
  });
  console.log(`portal at ${url}?sandbox=worker (or ?sandbox=http://127.0.0.1:8787 with a sandbox running)`);
}
