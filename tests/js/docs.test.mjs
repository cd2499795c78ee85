// The npm README's "What you get" tables name every method the clients have: a method added to a
// client (from the spec, or a workflow) without its line there fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pkg } from './helpers.mjs';

const readme = readFileSync(new URL('../../pkg-template/README.md', import.meta.url), 'utf8');
// Its tables' rows only: the prose after them names methods too.
const section = readme.slice(readme.indexOf('## What you get')).split(/\n#{2,3} /)[0]
  .split('\n').filter((line) => line.startsWith('| `')).join('\n');

/** The methods of a client class, as JavaScript sees them (wasm-bindgen's own left out). */
const methods = (cls) => Object.getOwnPropertyNames(cls.prototype)
  .filter((name) => !['constructor', 'free', '__destroy_into_raw'].includes(name));

test("every client method is in the npm README's tables", () => {
  assert.ok(section.length > 100, 'the section "What you get" is there');
  // Named as code: `name(…)`, `name`, or in a list of them (`createClaim`, `updateClaim`).
  const named = (name) => new RegExp(`[\`\\s]${name}[(\`,]`).test(section);
  const missing = [];
  for (const name of methods(pkg.EcologicClient)) if (!named(name)) missing.push(`EcologicClient.${name}`);
  for (const [role, cls] of [['repairer', pkg.LaluxRepairer], ['expert', pkg.LaluxExpert]]) {
    for (const name of methods(cls)) if (!section.includes(`${role}.${name}(`)) missing.push(`${role}.${name}`);
  }
  assert.deepEqual(missing, []);
  // The check can fail: a name that is no method is not found.
  assert.equal(named('notAMethodOfAnyClient'), false);
});
