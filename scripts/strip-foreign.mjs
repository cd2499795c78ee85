// Keeps the package's public surface to what it hands out. reqwest's streaming dependency
// (wasm-streams) makes wasm-bindgen export `ReadableStreamType` and the `IntoUnderlying*`
// classes, which this package never hands out; this script, run on each target's output folder:
// - in the `.d.ts`, removes their declarations and doc comments, and the `[Symbol.dispose]()`
//   members, which only compile with `lib: esnext` (a flag users would not know to add; the
//   method still exists at runtime);
// - in the `.js`, keeps the classes (the module's own glue refers to them) but stops exporting
//   them: `exports.X = X;` (CommonJS) or `export class X` (ES module).
// It also declares the specs' `NoValue` (R12: null beside a reference), a unit struct in Rust
// that tsify renders `undefined`, as the `null` it is on the wire; and every property the specs
// mark `nullable` as `| null` (tsify writes an optional `Option` as `?: T`, while replies carry
// `Comment: null`), read from `openapi/` itself; and the any-case `FileExtension` and
// `DocumentType` the server reads (R6).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `[schema, property]` of every property of `components.schemas` marked `nullable: true` in a
 * spec: its own `properties`, an `allOf` part's, or those of a schema an `allOf` part refers to
 * (typify merges them into one interface). The specs are hand-written YAML with one key per line:
 * each key's path is found from its indentation.
 */
function nullableProperties(file) {
  const own = [];
  const bases = [];
  const path = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^(\s*)(?:- )?(\$?[A-Za-z_][\w-]*):(.*)$/.exec(line);
    if (!match) continue;
    const indent = line.length - line.trimStart().replace(/^- /, '').length;
    while (path.length && path[path.length - 1].indent >= indent) path.pop();
    path.push({ indent, key: match[2] });
    const keys = path.map((p) => p.key);
    const properties = keys.lastIndexOf('properties');
    if (keys[1] !== 'schemas') continue;
    if (match[2] === 'nullable' && match[3].trim() === 'true' && properties > 1 && properties === keys.length - 3) {
      own.push([keys[2], keys[properties + 1]]);
    }
    const base = /#\/components\/schemas\/(\w+)/.exec(match[3]);
    if (match[2] === '$ref' && keys[3] === 'allOf' && keys.length === 5 && base) bases.push([keys[2], base[1]]);
  }
  const inherited = bases.flatMap(([schema, base]) => own.filter(([s]) => s === base).map(([, p]) => [schema, p]));
  return [...own, ...inherited];
}

/** `| null` on each nullable property of the interfaces the specs' schemas became. */
function withNull(text) {
  const specs = ['ecologic.yaml', 'lalux.yaml'].map((f) => join(root, 'openapi', f));
  for (const [schema, property] of specs.flatMap(nullableProperties)) {
    text = text.replace(new RegExp(`(export interface ${schema} \\{[^}]*?\\n\\s+${property}\\??: )([^;\\n]+);`), (whole, head, type) => (
      /\bnull\b/.test(type) ? whole : `${head}${type} | null;`));
  }
  return text;
}

/** What the server reads in any case (R6), as TypeScript: every case of an extension; the usual casings of a document type (every casing of `CONSUMERVALIDATION` is more than TypeScript takes). */
const ANY_CASE = {
  FileExtension: `/** Extension without the dot, in any case (\`pdf\`, \`PDF\`, \`Jpg\`): the server reads it in any case (R6). */
export type FileExtension = AnyCase<'jpg' | 'jpeg' | 'png' | 'pdf'>;
/** Every casing of a short word. */
type AnyCase<S extends string> = S extends \`\${infer F}\${infer R}\` ? \`\${Uppercase<F> | Lowercase<F>}\${AnyCase<R>}\` : S;`,
  DocumentType: `type DocumentTypeName = 'INVOICE' | 'NAMEPLATE' | 'PRODUCTPICTURE' | 'CONSUMERVALIDATION';
/** Kind of attachment, as the spec writes it or in the casings integrations send (\`Invoice\`, \`NamePlate\`, \`ConsumerValidation\`): the server reads it in any case (R6). */
export type DocumentType = DocumentTypeName | Lowercase<DocumentTypeName> | Capitalize<Lowercase<DocumentTypeName>> | 'NamePlate' | 'ProductPicture' | 'ConsumerValidation' | 'namePlate' | 'productPicture' | 'consumerValidation';`,
};

/** `text` with each type of `ANY_CASE` declared as it says. */
function anyCase(text) {
  for (const [name, declaration] of Object.entries(ANY_CASE)) {
    const declared = new RegExp(`^export type ${name} = [^;]*;$`, 'm');
    if (!declared.test(text)) throw new Error(`strip-foreign: no type ${name} to declare in any case`);
    text = text.replace(declared, () => declaration);
  }
  return text;
}

const FOREIGN = 'IntoUnderlying(?:ByteSource|Sink|Source)';
const dir = process.argv[2];

const dts = join(dir, 'repair_claims.d.ts');
const blocks = readFileSync(dts, 'utf8').split(/\n(?=\/\*\*|export |\n)/);
const kept = blocks.filter((b) => !new RegExp(`ReadableStreamType|\\b${FOREIGN}\\b`).test(b));
writeFileSync(dts, anyCase(withNull(kept.join('\n')))
  .replace(/^\s*\[Symbol\.dispose\]\(\): void;\n/gm, '')
  .replace(/^export type NoValue = undefined;$/m, 'export type NoValue = null;')
  .replace(/\n{3,}/g, '\n\n'));

const js = join(dir, 'repair_claims.js');
const code = readFileSync(js, 'utf8')
  .replace(new RegExp(`^exports\\.(${FOREIGN}) = \\1;\\n`, 'gm'), '')
  .replace(new RegExp(`^export class (${FOREIGN})\\b`, 'gm'), 'class $1');
writeFileSync(js, code);
