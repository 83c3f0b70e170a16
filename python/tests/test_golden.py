"""Every native answer (tests/golden) reproduced through the Python API, field for field."""

import pytest

import scalecore
from conftest import REPO, load_golden

LINT = load_golden("lint.json")
SIMULATE = load_golden("simulate.json")


def test_golden_files_are_complete() -> None:
    assert len(LINT) > 300
    assert len(SIMULATE) >= 25


@pytest.mark.parametrize("rel", sorted(LINT))
def test_lint_matches_native(rel: str) -> None:
    path = REPO / rel
    data = path.read_bytes()
    text = data.decode("utf-8")
    expected = LINT[rel]
    assert [d.to_dict() for d in scalecore.lint(text)] == expected
    from_file = scalecore.lint_file(path)
    assert [d.to_dict() for d in from_file] == expected
    assert all(d.file == str(path) for d in from_file)


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
