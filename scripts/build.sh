#!/usr/bin/env bash
# The README's build command: installs what it needs, then builds the npm package into
# dist/repair-claims/ and packs it into dist/repair-claims-<version>.tgz, and the npm sandbox
# into dist/repair-claims-sandbox/ and dist/repair-claims-sandbox-<version>.tgz. The package holds two
# wasm-bindgen targets (see pkg-template/package.json): `nodejs/` (CommonJS, with an ES-module
# wrapper) and `web/` (plain ES module with an explicit `init()`, plus `web/auto.js`, which
# initialises with a top-level await: the entry bundlers such as Vite and webpack 5 pick). Both
# load the one `web/repair_claims_bg.wasm`.
# Release profile tuned for size; wasm-opt -Oz from the npm binaryen package.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_rust
setup_npm
cd "$ROOT"

OUT="$ROOT/dist/repair-claims"
STAGE="$ROOT/target/pkg"
rm -rf "$OUT" "$STAGE"
mkdir -p "$OUT"
say "building the package (wasm-opt: $(wasm-opt --version))"
for target in nodejs web; do
    wasm-pack build --mode no-install --release --target "$target" --out-dir "$STAGE/$target" --out-name repair_claims
    mkdir -p "$OUT/$target"
    cp "$STAGE/$target"/repair_claims* "$OUT/$target/"
    cp -r "$STAGE/$target"/snippets "$OUT/$target/"
    node scripts/strip-foreign.mjs "$OUT/$target"
done
# One .wasm for both entries: wasm-bindgen emits the same module for both targets (checked
# here), so the Node entry reads the web entry's and the package holds it once.
cmp -s "$OUT/nodejs/repair_claims_bg.wasm" "$OUT/web/repair_claims_bg.wasm" ||
    { echo "the nodejs and web .wasm differ: the package cannot share one" >&2; exit 1; }
rm "$OUT/nodejs/repair_claims_bg.wasm" "$OUT/nodejs/repair_claims_bg.wasm.d.ts"
# The module's own JS (`src/host.js`) is an ES module; the Node entry is CommonJS and
# `require`s it, which Node 18 cannot do for an ES module: written as CommonJS.
for snippet in $(find "$OUT/nodejs/snippets" -name '*.js'); do
    sed -i -E 's/^export function ([A-Za-z_]+)/exports.\1 = function \1/' "$snippet"
    ! grep -q '^export ' "$snippet" || { echo "$snippet: an export left as ES module" >&2; exit 1; }
done
node scripts/share-wasm.mjs "$OUT/nodejs/repair_claims.js"
# Each folder says how Node reads its .js files.
echo '{ "type": "commonjs" }' >"$OUT/nodejs/package.json"
echo '{ "type": "module" }' >"$OUT/web/package.json"
node scripts/esm-wrapper.mjs "$OUT/nodejs"
cp pkg-template/auto.js pkg-template/auto.d.ts "$OUT/web/"
# The back end's gateway (repair-claims/server): plain JS over the Node entry.
mkdir -p "$OUT/server"
cp pkg-template/server/index.js pkg-template/server/index.mjs pkg-template/server/index.d.ts "$OUT/server/"
echo '{ "type": "commonjs" }' >"$OUT/server/package.json"
# The journal's stores (repair-claims/journal): Node's (files, Redis) and the browsers' (IndexedDB).
mkdir -p "$OUT/journal"
cp pkg-template/journal/index.js pkg-template/journal/index.mjs pkg-template/journal/browser.mjs pkg-template/journal/index.d.ts "$OUT/journal/"
echo '{ "type": "commonjs" }' >"$OUT/journal/package.json"
# The browser entry's JS minified, as a portal's bundler would (a page's download counts it; the
# .d.ts keeps the documentation): esbuild, pinned in package-lock.json.
for js in "$OUT/web/repair_claims.js" $(find "$OUT/web/snippets" -name '*.js'); do
    esbuild "$js" --minify --format=esm --log-level=warning --allow-overwrite --outfile="$js"
done
cp pkg-template/package.json LICENSE "$OUT/"
cp pkg-template/README.md "$OUT/README.md"
(cd "$ROOT/dist" && npm pack --silent ./repair-claims >/dev/null)
say "built $(ls "$ROOT"/dist/repair-claims-[0-9]*.tgz)"
node scripts/sizes.mjs "$OUT"

# The npm sandbox (repair-claims-sandbox): the sandbox's core (sandbox-npm, the same Rust as the
# binary) as one ES module for both of its hosts, node:http (index.mjs) and a Service Worker
# (sw.js).
SANDBOX_OUT="$ROOT/dist/repair-claims-sandbox"
rm -rf "$SANDBOX_OUT" "$ROOT"/dist/repair-claims-sandbox-*.tgz
say "building the npm sandbox"
wasm-pack build sandbox-npm --mode no-install --release --target web --out-dir "$STAGE/sandbox" --out-name sandbox_core
mkdir -p "$SANDBOX_OUT/core"
cp "$STAGE/sandbox/sandbox_core.js" "$STAGE/sandbox/sandbox_core_bg.wasm" "$SANDBOX_OUT/core/"
cp -r sandbox-npm/js/. "$SANDBOX_OUT/"
cp LICENSE "$SANDBOX_OUT/"
(cd "$ROOT/dist" && npm pack --silent ./repair-claims-sandbox >/dev/null)
say "built $(ls "$ROOT"/dist/repair-claims-sandbox-*.tgz)"
