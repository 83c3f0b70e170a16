#!/usr/bin/env bash
# npm `scalecore` into dist/: the native addon for Linux x64 and arm64 (glibc 2.17+ and musl),
# cross-built with zig (cargo-zigbuild, from PyPI with zig itself), the WebAssembly (WASI)
# build that is the fallback everywhere else, one npm package each, and the main package
# (loader, types, language server, the `scalecore` command) whose optionalDependencies name exactly
# those. Targets build one after another, release, and each one's release folder under target/
# is removed once its addon is copied out (KEEP_TARGETS=1 keeps them, for faster rebuilds).
# Needs the Rust toolchain (rustup), Python 3 with pip, Node 20.17+ with npm; installs the rest.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
node="$root/node"
dist="$root/dist"
export CARGO_INCREMENTAL=0 CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# Symbols are half of an unstripped addon and no user needs them.
export CARGO_PROFILE_RELEASE_STRIP=symbols
mkdir -p "$dist"

say() { printf '==> node: %s\n' "$*"; }

# --- tools -------------------------------------------------------------------------------
# `<napi target>:<cargo-zigbuild target>:<package dir>`; `.2.17` is the glibc the addon links
# against (the oldest that Rust's std supports), so it loads on any glibc distribution since.
linux=(
  "x86_64-unknown-linux-gnu:x86_64-unknown-linux-gnu.2.17:linux-x64-gnu"
  "aarch64-unknown-linux-gnu:aarch64-unknown-linux-gnu.2.17:linux-arm64-gnu"
  "x86_64-unknown-linux-musl:x86_64-unknown-linux-musl:linux-x64-musl"
  "aarch64-unknown-linux-musl:aarch64-unknown-linux-musl:linux-arm64-musl"
)
wasi=wasm32-wasip1-threads
installed=$(rustup target list --installed)
missing=()
for t in "${linux[@]%%:*}" "$wasi"; do
  grep -qx "$t" <<<"$installed" || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Rust targets ${missing[*]} (rustup)"
  rustup target add "${missing[@]}"
fi
pyuser=$(python3 -m site --user-base)/bin
export PATH="$PATH:$pyuser"
if ! python3 -c 'import ziglang' 2>/dev/null || ! command -v cargo-zigbuild >/dev/null; then
  say "installing zig and cargo-zigbuild (pip: ziglang cargo-zigbuild)"
  python3 -m pip install --quiet ziglang cargo-zigbuild
fi
if [ ! -f "$node/node_modules/.package-lock.json" ] ||
  [ "$node/package-lock.json" -nt "$node/node_modules/.package-lock.json" ]; then
  say "installing the package's npm build dependencies (npm ci)"
  (cd "$node" && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- loader, types, package folders ------------------------------------------------------
cd "$node"
# The committed loader and types ship; they must be what the build of this source generates
# (scripts/test.sh checks that), so this only refuses stale ones early.
if ! grep -q 'scalecore has no native addon for' index.js; then
  echo "index.js is napi's untrimmed loader: run npm run build (it trims it)" >&2
  exit 1
fi
rm -rf npm
npx --no-install napi create-npm-dirs --npm-dir npm >/dev/null
node scripts/copy-schemas.js
times=()

# --- native addons -----------------------------------------------------------------------
for entry in "${linux[@]}"; do
  IFS=: read -r target zigtarget dir <<<"$entry"
  say "building $dir ($zigtarget, release)"
  t=$SECONDS
  flags=()
  # Rust links musl statically by default, and a static executable cannot be a shared
  # library; the addon uses the musl libc that loads Node.
  [[ $target == *musl ]] && flags=(--config "target.$target.rustflags=['-C','target-feature=-crt-static']")
  (cd "$root" && cargo zigbuild "${flags[@]}" --release --locked -p scalecore-node --target "$zigtarget")
  cp "$root/target/$target/release/libscalecore_node.so" "npm/$dir/scalecore.$dir.node"
  times+=("$dir $((SECONDS - t)) s")
  [ "${KEEP_TARGETS:-}" = 1 ] || rm -rf "$root/target/$target/release"
done

# --- WebAssembly -------------------------------------------------------------------------
say "building wasm32-wasi ($wasi, release)"
t=$SECONDS
rm -rf npm/.wasi-build
npx --no-install napi build --platform --release --target "$wasi" -o npm/.wasi-build
for f in $(node -p "require('./npm/wasm32-wasi/package.json').files.join(' ')"); do
  if [ -f "npm/.wasi-build/$f" ]; then
    cp "npm/.wasi-build/$f" npm/wasm32-wasi/
  fi
done
rm -rf npm/.wasi-build
times+=("wasm32-wasi $((SECONDS - t)) s")
[ "${KEEP_TARGETS:-}" = 1 ] || rm -rf "$root/target/$wasi/release"

# --- packages ----------------------------------------------------------------------------
node scripts/stage-packages.js
# Only this part's tarballs (dist/ also holds scalecore-wasm, the other npm package).
ours() { ls "$dist"/scalecore-[0-9]*.tgz "$dist"/scalecore-linux-*.tgz "$dist"/scalecore-wasm32-wasi-*.tgz 2>/dev/null || true; }
ours | xargs -r rm -f
for dir in npm/*/; do
  (cd "$dir" && npm pack --silent --pack-destination "$dist" >/dev/null)
done
say "build times: $(IFS=,; echo "${times[*]}")"
say "tarballs:"
for f in $(ours); do
  printf '  %-44s %8s bytes (unpacked %s)\n' "$(basename "$f")" "$(stat -c %s "$f")" \
    "$(tar -xzOf "$f" | wc -c)"
done
