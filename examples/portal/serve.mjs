// The demo portal's back end: a sign-in for two garages, each with its own credentials (they stay
// here, on the server), `repair-claims/server` under /api/repair-claims, and the page, whose
// clients are made with `gateway` only.
//   npx repair-claims-sandbox --port 8787
//   node examples/portal/serve.mjs --sandbox http://127.0.0.1:8787 [--port 8080] [--package dist/repair-claims]
// then open the URL it prints and sign in as garage A or B. Against the sandbox, the garages'
// credentials are the sandbox's own.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../package.json'));
const express = require('express');

/** The garages of the demo: A, a repairer with a repair site of its own; B, an expert with none. */
export const garages = (sandbox) => {
  const ecologic = { environment: 'production', baseUrl: `${sandbox}/ecologic/api/v1/ecosupport`, apiKey: 'C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B' };
  return {
    A: {
      name: 'Garage A', sites: ['02c867c0-0000-0000-000-3cf8de2dc1c8'],
      credentials: {
        lalux: { tokenUrl: `${sandbox}/lalux/wts`, apiUrl: `${sandbox}/lalux/api`, clientId: 'sandbox-repairer', clientSecret: 'sandbox-repairer-secret' },
        ecologic,
      },
    },
    B: {
      name: 'Garage B', sites: [],
      credentials: {
        lalux: {
          tokenUrl: `${sandbox}/lalux/wts`, apiUrl: `${sandbox}/lalux/api`,
          clientId: 'sandbox-expert', clientSecret: 'sandbox-expert-secret', username: 'expert', password: 'sandbox-expert-password',
        },
        ecologic,
      },
    },
  };
};

const PAGES = { '/': 'index.html', '/portal.js': 'portal.js', '/portal.css': 'portal.css' };
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

/** Starts the portal on 127.0.0.1:`port` (0: a free one) against `sandbox`; resolves with its URL and `close()`. */
export async function serve({ sandbox, port = 0, packageDir = resolve(here, '../../dist/repair-claims') }) {
  if (!sandbox) throw new TypeError('serve({ sandbox }): the URL of a sandbox (npx repair-claims-sandbox)');
  const { createGateway } = require(join(packageDir, 'server', 'index.js'));
  const known = garages(sandbox);
  const sessions = new Map();
  const sessionOf = (req) => sessions.get(/(?:^|;\s*)session=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1]);
  const gateway = createGateway({
    prefix: '/api/repair-claims',
    tenant: (req) => sessionOf(req) ?? null,
    credentials: (garage) => known[garage].credentials,
    // A garage asks for support and claims for its own repair sites only. (A real portal would
    // also keep which claims each garage created, and refuse another's ClaimId.)
    authorize: ({ tenant, input }) => {
      const site = input !== null && typeof input === 'object' ? input.RepairSiteId : undefined;
      return site === undefined || known[tenant].sites.includes(site);
    },
  });
  const app = express();
  app.use(gateway.node);
  app.post('/login', express.urlencoded({ extended: false }), (req, res) => {
    if (!known[req.body.garage]) return res.status(401).send('unknown garage');
    const id = randomUUID();
    sessions.set(id, req.body.garage);
    res.setHeader('set-cookie', `session=${id}; HttpOnly; SameSite=Lax; Path=/`);
    res.redirect(303, '/');
  });
  app.get('/me', (req, res) => {
    const garage = sessionOf(req);
    res.json(garage ? { garage, name: known[garage].name, sites: known[garage].sites } : null);
  });
  // The package's browser entry, as a portal's bundler or static server would serve it.
  app.use('/repair-claims', express.static(packageDir));
  app.get(Object.keys(PAGES), (req, res) => {
    const file = PAGES[req.path];
    res.type(TYPES[extname(file)]).send(readFileSync(join(here, file)));
  });
  const server = await new Promise((r) => {
    const s = app.listen(port, '127.0.0.1', () => r(s));
  });
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const { url } = await serve({
    sandbox: arg('--sandbox', 'http://127.0.0.1:8787'),
    port: Number(arg('--port', 8080)),
    packageDir: resolve(arg('--package', resolve(here, '../../dist/repair-claims'))),
  });
  console.log(`portal at ${url} (sign in as garage A or B)`);
}
