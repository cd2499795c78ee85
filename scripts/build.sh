#!/usr/bin/env bash
# The README's build command: installs what it needs, then builds the npm package with wasm-pack
# (release profile tuned for size, wasm-opt -Oz from the npm binaryen package) into pkg/.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_rust
setup_npm
cd "$ROOT"
say "building the package (wasm-opt: $(wasm-opt --version))"
wasm-pack build --mode no-install --release --target bundler --out-dir pkg
say "built $(ls pkg/*.wasm)"
