# Sourced by build.sh and test.sh: installs what they need on a fresh machine, skipping what is
# already there. Every install is pinned.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WASM_PACK_VERSION=0.15.1
CARGO_FUZZ_VERSION=0.13.2
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

say() { printf '\n==> %s\n' "$*"; }

# The exact wasm-bindgen version Cargo.lock resolved: wasm-bindgen-cli must match it.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

setup_rust() {
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        say "adding the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown
    fi
    if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
        say "installing wasm-pack $WASM_PACK_VERSION"
        cargo install --locked wasm-pack --version "$WASM_PACK_VERSION"
    fi
    local wb
    wb="$(wasm_bindgen_version)"
    if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wb" ]; then
        say "installing wasm-bindgen-cli $wb (the version in Cargo.lock)"
        # Not --locked: its lockfile names a crate version the registry lacks.
        cargo install wasm-bindgen-cli --version "=$wb" --force
    fi
}

# cargo fuzz (libFuzzer) for scripts/fuzz.sh. The machine has only the stable toolchain:
# RUSTC_BOOTSTRAP=1 lets it take the instrumentation flags cargo fuzz passes (no sanitizer is used).
setup_fuzz() {
    if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
        say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
        cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
    fi
    export RUSTC_BOOTSTRAP=1
}

# npm tools pinned in package-lock.json: the spec linter and wasm-opt (binaryen 132; never
# Debian's binaryen, whose wasm-opt 108 output fails at instantiation).
setup_npm() {
    if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
        say "installing npm tools"
        (cd "$ROOT" && npm ci --no-fund --no-audit)
    fi
}

setup_chromium() {
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
        say "installing Chromium and its driver"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
    fi
}

# redis-server (Debian) for the journal's Redis tests, which start and stop their own.
setup_redis() {
    if ! command -v redis-server >/dev/null; then
        say "installing redis-server"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
        # Debian starts a system instance on install: the tests start their own.
        $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || $SUDO service redis-server stop >/dev/null 2>&1 || true
    fi
}

# Python tools pinned in tools/requirements.txt, in a virtualenv of the work tree.
setup_python() {
    local venv="$ROOT/.tools/venv"
    if [ ! -x "$venv/bin/st" ] || [ "$ROOT/tools/requirements.txt" -nt "$venv/.installed" ]; then
        say "installing Python tools"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check -r "$ROOT/tools/requirements.txt"
        touch "$venv/.installed"
    fi
    export PATH="$venv/bin:$PATH"
}
