// Points the Node entry's glue at the web entry's .wasm (the same module), so the package ships
// it once: `${__dirname}/repair_claims_bg.wasm` becomes `${__dirname}/../web/repair_claims_bg.wasm`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
const code = readFileSync(file, 'utf8');
const from = '`${__dirname}/repair_claims_bg.wasm`';
if (!code.includes(from)) throw new Error(`${file}: no ${from} to point at the web entry's module`);
writeFileSync(file, code.replace(from, '`${__dirname}/../web/repair_claims_bg.wasm`'));
