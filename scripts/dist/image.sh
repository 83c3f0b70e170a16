#!/usr/bin/env bash
# The in-cluster image, dist/scalecore-image.tar (an OCI archive named localhost/scalecore:VERSION):
# a static x86_64 musl `scalecore` built without the `demo` feature, in an image FROM scratch
# that holds only that binary and a CA bundle (the Azure client trusts the system roots), runs
# as user 65532 and writes nothing, so it runs with a read-only root filesystem.
# Installs what it lacks: the Rust target, and Debian's musl-tools, buildah and ca-certificates.
set -euo pipefail
cd "$(dirname "$0")/../.."

target=x86_64-unknown-linux-musl
archive=dist/scalecore-image.tar
# The archive is what a cluster node imports; past this something unwanted got in.
max_bytes=$((25 * 1000 * 1000))
ca_bundle=/etc/ssl/certs/ca-certificates.crt
export CARGO_INCREMENTAL=0

# musl-gcc compiles for the machine it runs on.
if [ "$(uname -m)" != x86_64 ]; then
  echo "error: the image is x86_64 and is built on an x86_64 machine (this one is $(uname -m))" >&2
  exit 1
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pkg in musl-tools buildah ca-certificates; do
  dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing with apt-get: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! rustup target list --installed | grep -qx "$target"; then
  echo "installing the Rust target $target"
  rustup target add "$target"
fi

IFS=$'\t' read -r version license source target_dir < <(
  cargo metadata --no-deps --format-version 1 --locked | python3 -c '
import json, sys
m = json.load(sys.stdin)
p = next(p for p in m["packages"] if p["name"] == "scalecore-host")
print(p["version"], p["license"], p["repository"], m["target_directory"], sep="\t")')
name=localhost/scalecore:$version

# ring compiles C for the target: with musl-gcc it builds against musl's headers, not glibc's.
t=$SECONDS
CC_x86_64_unknown_linux_musl=musl-gcc \
  cargo build --locked --profile host -p scalecore-host --no-default-features --target "$target"
bin=$target_dir/$target/host/scalecore
echo "binary: $bin, $(stat -c %s "$bin") bytes, built in $((SECONDS - t)) s"
# FROM scratch has no loader and no libc: a dynamic executable would not start.
if ! dynamic=$(LC_ALL=C readelf -d "$bin" 2>&1) || grep -q NEEDED <<<"$dynamic"; then
  echo "error: $bin is not a static executable:" >&2
  grep NEEDED <<<"$dynamic" >&2 || true
  exit 1
fi

# buildah keeps its containers and layers in a private store, removed on exit: nothing is left
# behind in the machine's image store, and no base image is pulled.
store=$(mktemp -d)
bh() { buildah --root "$store/root" --runroot "$store/run" --storage-driver vfs "$@"; }
ctr=
cleanup() {
  [ -z "$ctr" ] || bh rm "$ctr" >/dev/null 2>&1 || true
  # Rootless, the store's files belong to subordinate ids: removed from inside that namespace.
  if [ "$(id -u)" = 0 ]; then rm -rf "$store"; else buildah unshare rm -rf "$store"; fi
}
trap cleanup EXIT

t=$SECONDS
ctr=$(bh from --quiet scratch)
bh copy --quiet --chown 0:0 --chmod 0555 "$ctr" "$bin" /scalecore >/dev/null
bh copy --quiet --chown 0:0 --chmod 0444 "$ctr" "$ca_bundle" "$ca_bundle" >/dev/null
# Numeric user: a scratch image has no /etc/passwd, and Kubernetes can check runAsNonRoot
# only against a numeric user.
bh config \
  --os linux --arch amd64 \
  --user 65532:65532 \
  --workingdir / \
  --entrypoint '["/scalecore"]' --cmd '["--help"]' \
  --port 8080/tcp \
  --created-by "scripts/dist/image.sh: the static binary and a CA bundle, FROM scratch" \
  --env SSL_CERT_FILE="$ca_bundle" \
  --label org.opencontainers.image.title=scalecore \
  --label org.opencontainers.image.description="KEDA-compatible autoscaler: scalecore run, lint, simulate" \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.source="$source" \
  --label org.opencontainers.image.licenses="$license" \
  "$ctr"
rm -f "$archive"
# gzip layers (buildah stores them uncompressed by default); the creation time is the last
# commit's, so the same sources give the same image digest.
created=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
bh commit --quiet --format oci --disable-compression=false --timestamp "$created" --rm \
  "$ctr" "oci-archive:$archive:$name" >/dev/null
ctr=

size=$(stat -c %s "$archive")
echo "image: $archive ($name), $size bytes, assembled in $((SECONDS - t)) s"
if [ "$size" -gt "$max_bytes" ]; then
  echo "error: $archive is $size bytes, more than the $max_bytes allowed" >&2
  rm -f "$archive"
  exit 1
fi
