#!/usr/bin/env bash
# Builds and tests the scalecore Python package (python/): a venv under target/, the package
# installed the way users install it (`pip install ./python`, maturin as the PEP 517 backend),
# then pytest (golden answers, API edge cases, views, the example, mypy.stubtest).
# Needs the Rust toolchain and Python >= 3.9 with pip; reaches only PyPI (and crates.io).
# SCALECORE_PY_EXTRAS=0 skips pandas/matplotlib (their tests then skip).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$here/.." && pwd)
venv="$repo/target/py-venv"
python=${PYTHON:-python3}
start=$SECONDS

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
# maturin's PEP 517 hooks run `maturin` from PATH.
export PATH="$venv/bin:$PATH"
export PIP_DISABLE_PIP_VERSION_CHECK=1

want=()
maturin_ok=$(python - <<'PY'
try:
    from importlib.metadata import version
    v = tuple(int(x) for x in version("maturin").split(".")[:3])
    print("yes" if v >= (1, 9, 4) else "no")
except Exception:
    print("no")
PY
)
[ "$maturin_ok" = yes ] || want+=("maturin>=1.9.4,<2")
python -c "import pytest" 2>/dev/null || want+=("pytest>=7")
python -c "import mypy.stubtest" 2>/dev/null || want+=("mypy>=1.10")
if [ "${SCALECORE_PY_EXTRAS:-1}" != 0 ]; then
    python -c "import pandas" 2>/dev/null || want+=("pandas")
    python -c "import matplotlib" 2>/dev/null || want+=("matplotlib")
fi
if [ ${#want[@]} -gt 0 ]; then
    echo "python: installing ${want[*]}"
    pip install -q "${want[@]}"
fi
echo "python: tools ready after $((SECONDS - start)) s"

# The real install path: pip builds the wheel with maturin (release, abi3) into the
# workspace target/, so the crates are compiled once for every part of the project.
pip install -q --no-build-isolation --no-deps --force-reinstall "$here"
echo "python: package built and installed after $((SECONDS - start)) s"

cd "$here"
pytest -q -p no:cacheprovider tests
echo "python: done in $((SECONDS - start)) s"
