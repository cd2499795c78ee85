// Prints the raw and gzip sizes of every .wasm and JS glue file of the built package.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = process.argv[2];
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(wasm|js|mjs)$/.test(name)) files.push(path);
  }
};
walk(root);
const kb = (n) => (n / 1024).toFixed(1).padStart(8) + ' KiB';
console.log('file'.padEnd(40) + 'raw'.padStart(12) + 'gzip'.padStart(12));
for (const file of files.sort()) {
  const data = readFileSync(file);
  console.log(relative(root, file).padEnd(40) + kb(data.length) + kb(gzipSync(data, { level: 9 }).length));
}
