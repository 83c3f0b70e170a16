#!/usr/bin/env bash
# Loads dist/scalecore-image.tar into a private podman store and runs it as a cluster would:
# read-only root filesystem, no network, no capabilities, the image's own user. Checks what the
# archive holds (the binary and a CA bundle, nothing else), its labels and user, that `demo` is
# not in it, and the exit status of `lint` on the seed (0) and on a broken copy (1).
# Installs Debian's podman if it is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

archive=$PWD/dist/scalecore-image.tar
[ -f "$archive" ] || { echo "error: $archive is missing (run scripts/dist.sh image)" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
for pkg in podman runc; do
  dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing with apt-get: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
# runc, not Debian's default crun: it runs under cgroup v1, v2 and the hybrid of both (inside
# another container, say), which crun refuses.
pm() { podman --root "$work/root" --runroot "$work/run" --storage-driver vfs --runtime runc "$@"; }
cleanup() {
  pm rmi --all --force >/dev/null 2>&1 || true
  if [ "$(id -u)" = 0 ]; then rm -rf "$work"; else podman unshare rm -rf "$work"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

version=$(cargo metadata --no-deps --format-version 1 --locked | python3 -c '
import json, sys
print(next(p for p in json.load(sys.stdin)["packages"] if p["name"] == "scalecore-host")["version"])')
name=localhost/scalecore:$version

# The archive itself: one image named $name, one layer holding exactly these files.
python3 - "$archive" "$name" <<'EOF' || fail "archive contents"
import json, sys, tarfile
archive, name = sys.argv[1:]
with tarfile.open(archive) as tar:
    blob = lambda d: tar.extractfile("blobs/" + d.replace(":", "/"))
    index = json.load(tar.extractfile("index.json"))
    [entry] = index["manifests"]
    ref = entry.get("annotations", {}).get("org.opencontainers.image.ref.name")
    assert ref == name, f"image is named {ref!r}, not {name!r}"
    manifest = json.load(blob(entry["digest"]))
    files = {}
    for layer in manifest["layers"]:
        with tarfile.open(fileobj=blob(layer["digest"])) as lt:
            files |= {m.name.lstrip("./"): m for m in lt if not m.isdir()}
    want = {"scalecore": 0o555, "etc/ssl/certs/ca-certificates.crt": 0o444}
    assert files.keys() == want.keys(), f"layers hold {sorted(files)}, want {sorted(want)}"
    # Owned by root and read-only: user 65532 cannot change them, whatever the mount.
    for path, mode in want.items():
        m = files[path]
        assert (m.uid, m.gid, m.mode & 0o7777) == (0, 0, mode), f"{path}: {m.uid}:{m.gid} {m.mode:o}"
EOF
pass "the archive holds $name with only /scalecore and the CA bundle, root-owned and read-only"

loaded=$(pm load --quiet --input "$archive")
grep -q "$name" <<<"$loaded" || fail "podman load named no $name: $loaded"
pass "podman load: $loaded"

inspect() { pm image inspect --format "$1" "$name"; }
[ "$(inspect '{{.Config.User}}')" = 65532:65532 ] || fail "user is '$(inspect '{{.Config.User}}')', not 65532:65532"
for label in title=scalecore version="$version" licenses=Apache-2.0; do
  key=${label%%=*} want=${label#*=}
  got=$(inspect "{{index .Config.Labels \"org.opencontainers.image.$key\"}}")
  [ "$got" = "$want" ] || fail "label org.opencontainers.image.$key is '$got', not '$want'"
done
[ -n "$(inspect '{{index .Config.Labels "org.opencontainers.image.source"}}')" ] || fail "no source label"
pass "user 65532:65532 and OCI labels (title, version $version, source, licenses)"

# As the Deployment runs it (deploy/scalecore.yaml): nothing writable, no capabilities. The
# limits are set low because podman otherwise raises them to the maximum, which fails where
# the runtime itself lacks CAP_SYS_RESOURCE (in a container).
run() {
  pm run --rm --read-only --network=none --cap-drop=ALL --security-opt=no-new-privileges \
    --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@"
}

out=$(run "$name" --version) || fail "--version exited with $?"
[ "$out" = "scalecore $version" ] || fail "--version printed '$out'"
pass "--version: $out"

help=$(run "$name" --help) || fail "--help exited with $?"
grep -q '^  run ' <<<"$help" || fail "--help lists no run command: $help"
if grep -q '^  demo ' <<<"$help"; then fail "--help lists demo: the image was built with the demo feature"; fi
set +e
out=$(run "$name" demo 2>&1)
status=$?
set -e
[ "$status" = 2 ] || fail "scalecore demo exited with $status, not 2 (unknown command): $out"
pass "no demo command (--help lists run but not demo; 'scalecore demo' is an unknown command)"

seed=$PWD/examples/seed
out=$(run -v "$seed:/seed:ro" "$name" lint /seed) || fail "lint of the seed exited with $?: $out"
grep -q '^0 errors' <<<"$out" || fail "lint of the seed: $out"
pass "lint of the seed (read-only mount): exit 0, $(grep '^0 errors' <<<"$out")"

broken=$work/broken
mkdir "$broken"
cp "$seed"/* "$broken/"
sed -i 's/minReplicaCount: 0/minReplicaCount: 20/' "$broken/keda.yaml"
chmod -R a+rX "$broken"
set +e
out=$(run -v "$broken:/seed:ro" "$name" lint /seed 2>&1)
status=$?
set -e
[ "$status" = 1 ] || fail "lint of the broken copy exited with $status, not 1: $out"
grep -q 'error\[KEDA1004\]' <<<"$out" || fail "lint of the broken copy did not report KEDA1004: $out"
pass "lint of a broken copy: exit 1, error[KEDA1004]"

# The process's own uid, not just the configuration: with no capabilities, only uid 65532
# reads a directory of mode 0700 owned by 65532, and it cannot read one owned by root.
own() { if [ "$(id -u)" = 0 ]; then chown -R "$@"; else podman unshare chown -R "$@"; fi; }
mine=$work/mine
cp -r "$seed" "$mine"
chmod 0700 "$mine"
own 65532:65532 "$mine"
run -v "$mine:/seed:ro" "$name" lint /seed >/dev/null || fail "lint of a directory owned by 65532 exited with $?"
own 0:0 "$mine"
set +e
out=$(run -v "$mine:/seed:ro" "$name" lint /seed 2>&1)
status=$?
set -e
if [ "$status" = 0 ] || ! grep -qi 'permission denied' <<<"$out"; then
  fail "lint of a directory only root may read exited with $status: $out"
fi
pass "runs as uid 65532, not root (reads only what 65532 may read)"

echo "image: all checks passed"
