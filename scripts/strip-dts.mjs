// Removes from a wasm-bindgen .d.ts:
// - what reqwest's streaming dependency (wasm-streams) exports and this package never hands out:
//   `ReadableStreamType` and the `IntoUnderlying*` classes, whose `any` types would leak into
//   the public declarations;
// - `[Symbol.dispose]()` members, which only compile with `lib: esnext` (a flag users would not
//   know to add); the method still exists at runtime.
import { readFileSync, writeFileSync } from 'node:fs';

const FOREIGN = /^export (?:type ReadableStreamType\b|class IntoUnderlying(?:ByteSource|Sink|Source)\b)/;
const file = process.argv[2];
const lines = readFileSync(file, 'utf8').split('\n');
const kept = [];
for (let i = 0; i < lines.length; i++) {
  if (/^\s*\[Symbol\.dispose\]\(\): void;$/.test(lines[i])) continue;
  if (!FOREIGN.test(lines[i])) {
    kept.push(lines[i]);
    continue;
  }
  // Drop the doc comment just above, then the declaration (one line, or up to its closing brace).
  while (kept.length && /^\s*(\/\*\*|\*)/.test(kept[kept.length - 1])) kept.pop();
  if (lines[i].trimEnd().endsWith('{')) while (i < lines.length && lines[i] !== '}') i++;
}
writeFileSync(file, kept.join('\n'));
