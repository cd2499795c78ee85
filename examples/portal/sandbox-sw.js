// The portal's static mode (`?sandbox=worker`): the npm sandbox (repair-claims-sandbox) answers
// in this Service Worker, below ./sandbox/ on the portal's own origin; no server but the static
// files. serve.mjs serves the package under ./repair-claims-sandbox/.
import { serveSandbox } from './repair-claims-sandbox/sw.js';

serveSandbox({ prefix: new URL('sandbox', self.registration.scope).pathname });
