// Removes from a wasm-bindgen .d.ts what reqwest's streaming dependency (wasm-streams) exports
// and this package never hands out: `ReadableStreamType` and the `IntoUnderlying*` classes,
// whose `any` types would otherwise leak into the public declarations.
import { readFileSync, writeFileSync } from 'node:fs';

const FOREIGN = /^export (?:type ReadableStreamType\b|class IntoUnderlying(?:ByteSource|Sink|Source)\b)/;
const file = process.argv[2];
const lines = readFileSync(file, 'utf8').split('\n');
const kept = [];
for (let i = 0; i < lines.length; i++) {
  if (!FOREIGN.test(lines[i])) {
    kept.push(lines[i]);
    continue;
  }
  // Drop the doc comment just above, then the declaration (one line, or up to its closing brace).
  while (kept.length && /^\s*(\/\*\*|\*)/.test(kept[kept.length - 1])) kept.pop();
  if (lines[i].trimEnd().endsWith('{')) while (i < lines.length && lines[i] !== '}') i++;
}
writeFileSync(file, kept.join('\n'));
