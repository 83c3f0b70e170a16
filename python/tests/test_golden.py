"""Every native answer (tests/golden) reproduced through the Python API, field for field."""

import pytest

import scalecore
from conftest import REPO, load_golden

LINT = load_golden("lint.json")
FIX = load_golden("fix.json")
SIMULATE = load_golden("simulate.json")


def test_golden_files_are_complete() -> None:
    assert len(LINT) > 300
    assert sorted(FIX) == sorted(LINT)
    assert len(SIMULATE) >= 25
    # The inputs hold findings with fixes, so the fix comparisons below compare real fixes.
    assert any(d.get("fixes") for ds in LINT.values() for d in ds)
    assert any(entry["safe"]["applied"] for entry in FIX.values())


@pytest.mark.parametrize("rel", sorted(LINT))
def test_lint_matches_native(rel: str) -> None:
    path = REPO / rel
    data = path.read_bytes()
    text = data.decode("utf-8")
    expected = LINT[rel]
    found = scalecore.lint(text)
    assert [d.to_dict() for d in found] == expected
    # The typed fixes say what the contract's dicts say.
    assert [[f.to_dict() for f in d.fixes] for d in found] == [d.get("fixes", []) for d in expected]
    from_file = scalecore.lint_file(path)
    assert [d.to_dict() for d in from_file] == expected
    assert all(d.file == str(path) for d in from_file)


@pytest.mark.parametrize("rel", sorted(FIX))
def test_fix_matches_native(rel: str) -> None:
    text = (REPO / rel).read_text(encoding="utf-8")
    for mode, unsafe_fixes in (("safe", False), ("unsafe", True)):
        want = FIX[rel][mode]
        got = scalecore.fix(text, unsafe_fixes=unsafe_fixes)
        where = f"{rel} ({mode})"
        assert got.text == (text if want["text"] is None else want["text"]), where
        assert got.applied == want["applied"], where
        assert [d.code for d in got.remaining] == want["remaining"], where
        assert got.converged == want["converged"], where
        assert got.changed == (want["text"] is not None), where


@pytest.mark.parametrize("rel", sorted(SIMULATE))
def test_simulate_matches_native(rel: str) -> None:
    expected = SIMULATE[rel]
    trace = scalecore.simulate(REPO / rel)
    assert trace.to_dict() == expected
    assert trace.steps == expected["steps"]
    assert trace.ok, trace.mismatches
    # The same scenario given as a dict and as JSON text answers the same.
    import json

    text = (REPO / rel).read_text(encoding="utf-8")
    assert scalecore.simulate(json.loads(text)).to_dict() == expected
    assert json.loads(scalecore.simulate(text).to_json()) == expected
