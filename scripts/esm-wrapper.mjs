// Writes nodejs/index.mjs: the ES-module entry for Node, re-exporting the CommonJS build by name
// (the names are read from the build itself, so the wrapper never goes stale).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const dir = process.argv[2];
const names = Object.keys(createRequire(import.meta.url)(join(dir, 'repair_claims.js'))).sort();
const body = [
  "import cjs from './repair_claims.js';",
  ...names.map((n) => `export const ${n} = cjs.${n};`),
  '',
].join('\n');
writeFileSync(join(dir, 'index.mjs'), body);
