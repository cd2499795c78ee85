// Keeps the package's public surface to what it hands out. reqwest's streaming dependency
// (wasm-streams) makes wasm-bindgen export `ReadableStreamType` and the `IntoUnderlying*`
// classes, which this package never hands out; this script, run on each target's output folder:
// - in the `.d.ts`, removes their declarations and doc comments, and the `[Symbol.dispose]()`
//   members, which only compile with `lib: esnext` (a flag users would not know to add; the
//   method still exists at runtime);
// - in the `.js`, keeps the classes (the module's own glue refers to them) but stops exporting
//   them: `exports.X = X;` (CommonJS) or `export class X` (ES module).
// It also declares the specs' `NoValue` (R12: null beside a reference), a unit struct in Rust
// that tsify renders `undefined`, as the `null` it is on the wire.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FOREIGN = 'IntoUnderlying(?:ByteSource|Sink|Source)';
const dir = process.argv[2];

const dts = join(dir, 'repair_claims.d.ts');
const blocks = readFileSync(dts, 'utf8').split(/\n(?=\/\*\*|export |\n)/);
const kept = blocks.filter((b) => !new RegExp(`ReadableStreamType|\\b${FOREIGN}\\b`).test(b));
writeFileSync(dts, kept.join('\n')
  .replace(/^\s*\[Symbol\.dispose\]\(\): void;\n/gm, '')
  .replace(/^export type NoValue = undefined;$/m, 'export type NoValue = null;')
  .replace(/\n{3,}/g, '\n\n'));

const js = join(dir, 'repair_claims.js');
const code = readFileSync(js, 'utf8')
  .replace(new RegExp(`^exports\\.(${FOREIGN}) = \\1;\\n`, 'gm'), '')
  .replace(new RegExp(`^export class (${FOREIGN})\\b`, 'gm'), 'class $1');
writeFileSync(js, code);
