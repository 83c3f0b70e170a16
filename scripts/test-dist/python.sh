#!/usr/bin/env bash
# Installs the x86_64 wheel from dist/ into a fresh venv in a temporary folder outside the
# repository (pip --no-index: nothing but the wheel) and uses it from there as a user would:
# `scalecore` and `python -m scalecore` lint the seed (clean: exit 0) and a broken copy
# (exit 1, the finding printed), simulate the seed scenario, show a rule, import the module.
# Checks the wheel's tags (cp39-abi3, manylinux2014) and that its extension needs no glibc
# newer than 2.17, reading the ELF symbol versions with objdump (binutils, which gcc brings).
# PYTHON names the interpreter the venvs are made with (default python3; the wheel is abi3, so
# any CPython from 3.9 on). SCALECORE_TEST_SDIST=1 also installs the sdist into another fresh
# venv (pip builds it with maturin from PyPI: a release build of the crates, 2.5 to 5 minutes
# here) and lints the seed with it.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
export PIP_DISABLE_PIP_VERSION_CHECK=1
python=${PYTHON:-python3}
start=$SECONDS

fail() { printf 'test-dist/python: FAILED: %s\n' "$*" >&2; exit 1; }

shopt -s nullglob
wheels=("$repo"/dist/scalecore-[0-9]*_x86_64.whl)
[ ${#wheels[@]} -eq 1 ] || fail "expected one x86_64 wheel in dist/, found ${#wheels[@]} (run scripts/dist.sh python)"
wheel=${wheels[0]}
sdists=("$repo"/dist/scalecore-[0-9]*.tar.gz)
seed="$repo/examples/seed"
scenario="$repo/examples/seed-servicebus-queue.json"
command -v objdump >/dev/null || fail "objdump (binutils) is needed to read the glibc symbol versions"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"

# The tags pip and package indexes go by: the file name and the WHEEL metadata must agree.
name=$(basename "$wheel")
case "$name" in
  scalecore-*-cp39-abi3-*manylinux2014_x86_64*.whl) ;;
  *) fail "$name: expected the tags cp39-abi3 and manylinux2014_x86_64" ;;
esac
"$python" - "$wheel" <<'PY' || fail "$name: WHEEL metadata tags"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    [meta] = [n for n in z.namelist() if n.endswith(".dist-info/WHEEL")]
    tags = {l.split(":", 1)[1].strip() for l in z.read(meta).decode().splitlines() if l.startswith("Tag:")}
    z.extractall("wheel")
want = {"cp39-abi3-manylinux_2_17_x86_64", "cp39-abi3-manylinux2014_x86_64"}
if tags != want:
    sys.exit(f"WHEEL tags {sorted(tags)}, expected {sorted(want)}")
PY
sos=(wheel/scalecore/_native*.so)
[ ${#sos[@]} -eq 1 ] || fail "$name holds ${#sos[@]} scalecore/_native*.so, expected 1"
newest=$(objdump -T "${sos[0]}" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1 || true)
[ -n "$newest" ] || fail "no GLIBC symbol versions found in ${sos[0]##*/}"
if [ "$(printf '%s\n2.17\n' "$newest" | sort -V | tail -1)" != 2.17 ]; then
  fail "${sos[0]##*/} needs glibc $newest, newer than manylinux2014's 2.17"
fi
echo "test-dist/python: $name: tags cp39-abi3 + manylinux2014, newest glibc symbol $newest"

"$python" -m venv venv
# The wheel alone: no index, so a missing or wrong-platform file fails here.
venv/bin/pip install -q --no-index "$wheel" || fail "pip install --no-index $name"
export PATH="$scratch/venv/bin:$PATH"
[ "$(command -v scalecore)" = "$scratch/venv/bin/scalecore" ] || fail "the console script is not on the venv's PATH"
where=$(python -c 'import scalecore; print(scalecore.__file__)')
case "$where" in "$scratch"/venv/*) ;; *) fail "imported scalecore from $where, not from the venv" ;; esac
version=$(python -c 'import scalecore; print(scalecore.__version__)')
[ "$(scalecore --version)" = "scalecore $version" ] || fail "scalecore --version: $(scalecore --version), module says $version"
case "$name" in "scalecore-$version-"*) ;; *) fail "module version $version, wheel $name" ;; esac

# expect STATUS NAME COMMAND...: runs COMMAND, checks its exit status, keeps its output.
expect() {
  local want=$1 label=$2
  shift 2
  local got=0
  "$@" >"$scratch/out" 2>&1 || got=$?
  if [ "$got" != "$want" ]; then
    cat "$scratch/out" >&2
    fail "$label: exit $got, expected $want"
  fi
}
mkdir broken
cp "$seed"/*.yaml broken/
sed -i 's/minReplicaCount: 0/minReplicaCount: 12/' broken/keda.yaml
grep -q 'minReplicaCount: 12' broken/keda.yaml || fail "the seed changed: no minReplicaCount: 0 to break"
for cli in "scalecore" "python -m scalecore"; do
  # shellcheck disable=SC2086 # $cli is one or three words on purpose
  expect 0 "$cli lint (seed)" $cli lint "$seed"
  grep -q '^0 errors, ' "$scratch/out" || fail "$cli lint (seed): no '0 errors' summary"
  # shellcheck disable=SC2086
  expect 1 "$cli lint (broken copy)" $cli lint broken
  grep -q 'error\[KEDA1004\]: minReplicaCount (12) is greater than maxReplicaCount (10)' "$scratch/out" ||
    { cat "$scratch/out" >&2; fail "$cli lint (broken copy): the KEDA1004 finding is not printed"; }
  echo "test-dist/python: $cli lint: seed clean (0), broken copy KEDA1004 (1)"
done
expect 0 "scalecore simulate" scalecore simulate "$scenario"
grep -q 'peak 10 replicas; 100 messages in, 100 processed' "$scratch/out" ||
  { cat "$scratch/out" >&2; fail "scalecore simulate: no summary of the seed scenario"; }
echo "test-dist/python: scalecore simulate: $(grep -o '[0-9]* steps; peak [0-9]* replicas' "$scratch/out")"
expect 0 "python -m scalecore rules" python -m scalecore rules keda1004
grep -q '^KEDA1004 min-replicas-above-max (error' "$scratch/out" ||
  { cat "$scratch/out" >&2; fail "python -m scalecore rules keda1004: not the rule's entry"; }
echo "test-dist/python: python -m scalecore rules keda1004: $(head -1 "$scratch/out")"
expect 0 "import" python -c 'import scalecore; print(scalecore.__version__)'
[ "$(cat "$scratch/out")" = "$version" ] || fail "import scalecore printed $(cat "$scratch/out")"
echo "test-dist/python: wheel scalecore $version works from a fresh venv"

# The aarch64 wheel on an emulated arm64 machine: Debian's arm64 CPython 3.11 (its packages
# unpacked into a folder, not installed) run by qemu-user, with the wheel's files on its path.
arm64=("$repo"/dist/scalecore-[0-9]*manylinux2014_aarch64*.whl)
[ ${#arm64[@]} -eq 1 ] || fail "expected one aarch64 wheel in dist/, found ${#arm64[@]}"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_arm64=(-o APT::Architectures::=amd64 -o APT::Architectures::=arm64)
sysroot="$repo/target/tools/debian-arm64-python3.11"
if { ! command -v qemu-aarch64 >/dev/null || [ ! -x "$sysroot/usr/bin/python3.11" ]; } &&
  ! command -v apt-get >/dev/null; then
  echo "test-dist/python: aarch64 wheel not run (no qemu-aarch64 or arm64 CPython, and no apt-get)"
else
  if ! command -v qemu-aarch64 >/dev/null; then
    echo "test-dist/python: installing qemu-user (apt-get)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user >/dev/null
  fi
  if [ ! -x "$sysroot/usr/bin/python3.11" ]; then
    echo "test-dist/python: fetching Debian's arm64 CPython 3.11 (apt-get download)"
    as_root apt-get "${apt_arm64[@]}" update -qq
    rm -rf "$sysroot.part" && mkdir -p "$sysroot.part/debs"
    (cd "$sysroot.part/debs" && apt-get "${apt_arm64[@]}" download -qq \
      python3.11-minimal:arm64 libpython3.11-minimal:arm64 libpython3.11-stdlib:arm64 \
      libc6:arm64 libgcc-s1:arm64 libexpat1:arm64 zlib1g:arm64 libffi8:arm64 2>/dev/null)
    for deb in "$sysroot.part"/debs/*.deb; do dpkg-deb -x "$deb" "$sysroot.part"; done
    rm -rf "$sysroot.part/debs"
    # The program interpreter arm64 binaries name, where Debian's merged /usr keeps it.
    [ -e "$sysroot.part/lib/ld-linux-aarch64.so.1" ] ||
      ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$sysroot.part/lib/ld-linux-aarch64.so.1"
    mv "$sysroot.part" "$sysroot"
  fi
  mkdir arm64-site
  "$python" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "${arm64[0]}" arm64-site
  so=(arm64-site/scalecore/_native*.so)
  # e_machine of the ELF header: 183 is EM_AARCH64.
  [ ${#so[@]} -eq 1 ] && "$python" -c '
import sys
with open(sys.argv[1], "rb") as f:
    head = f.read(20)
sys.exit(0 if head[:4] == b"\x7fELF" and int.from_bytes(head[18:20], "little") == 183 else 1)' "${so[0]}" ||
    fail "${arm64[0]##*/}: scalecore/_native is not one aarch64 library"
  py_arm64() { PYTHONPATH="$scratch/arm64-site" qemu-aarch64 -L "$sysroot" "$sysroot/usr/bin/python3.11" "$@"; }
  expect 0 "aarch64: platform" py_arm64 -c 'import platform, scalecore; print(platform.machine(), scalecore.__version__)'
  [ "$(cat "$scratch/out")" = "aarch64 $version" ] || fail "aarch64: the emulated CPython printed $(cat "$scratch/out")"
  expect 0 "aarch64: python -m scalecore lint (seed)" py_arm64 -m scalecore lint "$seed"
  grep -q '^0 errors, ' "$scratch/out" || fail "aarch64: python -m scalecore lint (seed): no '0 errors' summary"
  expect 1 "aarch64: python -m scalecore lint (broken copy)" py_arm64 -m scalecore lint broken
  grep -q 'error\[KEDA1004\]: minReplicaCount (12) is greater than maxReplicaCount (10)' "$scratch/out" ||
    fail "aarch64: python -m scalecore lint (broken copy): the KEDA1004 finding is not printed"
  expect 0 "aarch64: scalecore.simulate" py_arm64 -c '
import sys, scalecore
t = scalecore.simulate(open(sys.argv[1]).read())
print(len(t.steps), max(s["replicas"] for s in t.steps))' "$scenario"
  [ "$(cat "$scratch/out")" = "61 10" ] || fail "aarch64: simulate gave $(cat "$scratch/out"), expected 61 steps, peak 10"
  echo "test-dist/python: ${arm64[0]##*/} on arm64 CPython 3.11 (qemu-aarch64): lint 0 / 1 with KEDA1004, simulate 61 steps, peak 10"
fi

if [ "${SCALECORE_TEST_SDIST:-0}" = 1 ]; then
  [ ${#sdists[@]} -eq 1 ] || fail "expected one sdist in dist/, found ${#sdists[@]}"
  t0=$SECONDS
  "$python" -m venv sdist-venv
  # From PyPI only the build backend (maturin); the crates come from crates.io.
  CARGO_TARGET_DIR="$scratch/sdist-target" sdist-venv/bin/pip install -q "${sdists[0]}" \
    >"$scratch/sdist.log" 2>&1 || { tail -40 "$scratch/sdist.log" >&2; fail "pip install ${sdists[0]##*/}"; }
  expect 0 "sdist: scalecore lint (seed)" sdist-venv/bin/scalecore lint "$seed"
  expect 1 "sdist: python -m scalecore lint (broken copy)" sdist-venv/bin/python -m scalecore lint broken
  grep -q 'error\[KEDA1004\]' "$scratch/out" || fail "sdist: the KEDA1004 finding is not printed"
  echo "test-dist/python: the sdist installs and lints ($((SECONDS - t0)) s, a release build)"
fi
echo "test-dist/python: done in $((SECONDS - start)) s"
