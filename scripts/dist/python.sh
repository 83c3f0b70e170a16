#!/usr/bin/env bash
# The Python package (python/) as users install it: abi3 wheels for manylinux2014 x86_64 and
# aarch64 (glibc 2.17 and later, CPython 3.9 and later), cross-linked with zig so the build
# machine's own glibc does not leak into them, plus the sdist. Every file is checked before it
# lands in dist/: `twine check` (metadata PyPI accepts), `auditwheel show` (the manylinux2014
# tag really holds), `abi3audit` (the extension uses only the stable ABI), and the sdist is
# built into a wheel in a temporary folder outside the repository, as pip would on a machine
# without a matching wheel.
# Needs the Rust toolchain and Python >= 3.9 with pip; installs the rest (into target/dist-py-venv).
# SCALECORE_PY_SDIST_BUILD=0 skips the sdist build check (a third release build of the crates).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
export CARGO_INCREMENTAL=0
export PIP_DISABLE_PIP_VERSION_CHECK=1
python=${PYTHON:-python3}
venv="$repo/target/dist-py-venv"
targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu)
start=$SECONDS

fail() { printf 'dist/python: FAILED: %s\n' "$*" >&2; exit 1; }

# Tools. maturin's --zig finds zig through `python -m ziglang` of the Python on PATH, so the
# venv comes first on PATH.
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
export PATH="$venv/bin:$PATH"
want=()
have() { python -c "import importlib.metadata as m, sys; m.version(sys.argv[1])" "$1" 2>/dev/null; }
# Versions tested together: zig releases change the linker driver that maturin calls.
have maturin || want+=("maturin>=1.16,<2")
have ziglang || want+=("ziglang>=0.17,<0.18")
have twine || want+=("twine")
have auditwheel || want+=("auditwheel")
have abi3audit || want+=("abi3audit")
if [ ${#want[@]} -gt 0 ]; then
  echo "dist/python: installing ${want[*]} (into target/dist-py-venv)"
  pip install -q "${want[@]}"
fi
installed=$(rustup target list --installed)
for t in "${targets[@]}"; do
  if ! grep -qx "$t" <<<"$installed"; then
    echo "dist/python: installing the Rust target $t (rustup)"
    rustup target add "$t"
  fi
done

# Build into a staging folder so dist/ never holds a half-checked set.
stage="$repo/target/dist-py"
rm -rf "$stage"
mkdir -p "$stage" "$repo/dist"
for t in "${targets[@]}"; do
  t0=$SECONDS
  maturin build --release --locked --zig --compatibility manylinux2014 --target "$t" \
    -m python/Cargo.toml --out "$stage" >"$stage/build-$t.log" 2>&1 || {
    tail -40 "$stage/build-$t.log" >&2
    fail "maturin build for $t (log: $stage/build-$t.log)"
  }
  echo "dist/python: wheel for $t built in $((SECONDS - t0)) s"
done
maturin sdist -m python/Cargo.toml --out "$stage" >"$stage/sdist.log" 2>&1 || {
  cat "$stage/sdist.log" >&2
  fail "maturin sdist"
}

shopt -s nullglob
wheels=("$stage"/scalecore-[0-9]*.whl)
sdists=("$stage"/scalecore-[0-9]*.tar.gz)
[ ${#wheels[@]} -eq ${#targets[@]} ] || fail "expected ${#targets[@]} wheels, found ${#wheels[@]}"
[ ${#sdists[@]} -eq 1 ] || fail "expected one sdist, found ${#sdists[@]}"

twine check --strict "${wheels[@]}" "${sdists[@]}" >"$stage/twine.log" 2>&1 || {
  cat "$stage/twine.log" >&2
  fail "twine check: the metadata would be refused by a package index"
}
for t in "${targets[@]}"; do
  arch=${t%%-*}
  w=("$stage"/scalecore-[0-9]*_"$arch".whl)
  [ ${#w[@]} -eq 1 ] || fail "expected one wheel for $arch, found ${#w[@]}"
  w=${w[0]}
  name=$(basename "$w")
  case "$name" in
    scalecore-*-cp39-abi3-*manylinux2014_"$arch"*) ;;
    *) fail "$name: expected the tags cp39-abi3 and manylinux2014_$arch" ;;
  esac
  # The JSON report, as the text one wraps its lines at the terminal width.
  auditwheel show --json "$w" >"$stage/auditwheel.json" || fail "auditwheel show $name"
  python -c '
import json, sys
arch, name, path = sys.argv[1:]
with open(path) as f:
    r = json.load(f)
want = f"manylinux_2_17_{arch}"
tag, libs = r["overall_tag"], sorted(r["external_libs"])
if tag != want or libs:
    sys.exit(f"{name}: auditwheel says {tag} (expected {want}); libraries it would bundle: {libs}")
' "$arch" "$name" "$stage/auditwheel.json" || fail "auditwheel: $name is not manylinux2014 (glibc 2.17) compatible"
  abi3audit --strict --summary "$w" >"$stage/abi3audit.log" 2>&1 || {
    cat "$stage/abi3audit.log" >&2
    fail "abi3audit: $name uses more than the stable ABI of CPython 3.9"
  }
  echo "dist/python: $name: twine check, auditwheel (manylinux_2_17_$arch) and abi3audit clean"
done

# The sdist is what pip builds on a platform without a wheel: check that it holds everything
# the build needs (the workspace crates it depends on, their data files, Cargo.lock) by
# building it away from the repository, with pip's isolated build environment.
if [ "${SCALECORE_PY_SDIST_BUILD:-1}" != 0 ]; then
  t0=$SECONDS
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  cp "${sdists[0]}" "$scratch/"
  (cd "$scratch" && CARGO_TARGET_DIR="$scratch/target" \
    python -m pip wheel -q --no-deps -w "$scratch/out" "$scratch/$(basename "${sdists[0]}")") \
    >"$stage/sdist-build.log" 2>&1 || {
    tail -40 "$stage/sdist-build.log" >&2
    fail "the sdist does not build outside the repository (log: $stage/sdist-build.log)"
  }
  built=("$scratch"/out/scalecore-[0-9]*.whl)
  [ ${#built[@]} -eq 1 ] || fail "pip wheel on the sdist made no wheel"
  echo "dist/python: the sdist builds outside the repository ($(basename "${built[0]}"), $((SECONDS - t0)) s)"
  rm -rf "$scratch"
  trap - EXIT
fi

rm -f "$repo"/dist/scalecore-[0-9]*.whl "$repo"/dist/scalecore-[0-9]*.tar.gz
mv "${wheels[@]}" "${sdists[@]}" "$repo/dist/"
rm -rf "$stage"
for f in "$repo"/dist/scalecore-[0-9]*.whl "$repo"/dist/scalecore-[0-9]*.tar.gz; do
  printf 'dist/python: %-82s %6d KiB\n' "dist/$(basename "$f")" $(($(stat -c %s "$f") / 1024))
done
echo "dist/python: done in $((SECONDS - start)) s"
