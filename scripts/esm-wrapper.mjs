// Writes nodejs/index.mjs: the ES-module entry for Node, re-exporting the CommonJS build by name
// (the names are read from the build itself, so the wrapper never goes stale). It `require`s the
// build rather than `import` it: an import makes Node scan the CommonJS text for its exports
// (cjs-module-lexer, about 5 ms of a cold start; `bench.mjs cold`).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const dir = process.argv[2];
const names = Object.keys(createRequire(import.meta.url)(join(dir, 'repair_claims.js'))).sort();
const body = [
  "import { createRequire } from 'node:module';",
  "const cjs = createRequire(import.meta.url)('./repair_claims.js');",
  ...names.map((n) => `export const ${n} = cjs.${n};`),
  '',
].join('\n');
writeFileSync(join(dir, 'index.mjs'), body);
