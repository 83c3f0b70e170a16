"""The API's shapes and edge cases: immutability, reprs, errors with locations, hostile input."""

import json
import pathlib
import pickle
import threading
import time
from typing import Any, Dict, List

import pytest

import scalecore
from conftest import REPO, SEED_SO

CONTRACT_KEYS = [
    "code", "severity", "message", "path", "document", "line", "column",
    "endLine", "endColumn", "help", "source",
]
MIN_OVER_MAX = SEED_SO.replace("minReplicaCount: 0", "minReplicaCount: 12")


def scenario(**extra: Any) -> Dict[str, Any]:
    base: Dict[str, Any] = {"manifest": SEED_SO, "steps": [
        {"t": 0, "loop": "keda", "metrics": {"orders": 0}},
        {"t": 5, "loop": "hpa", "metrics": {"orders": 100}},
    ]}
    base.update(extra)
    return base


# --- Diagnostic -------------------------------------------------------------------------

def test_diagnostic_attributes_are_snake_case_and_match_the_contract() -> None:
    [d] = [d for d in scalecore.lint(MIN_OVER_MAX, path="so.yaml") if d.code == "KEDA1004"]
    assert (d.severity, d.source, d.path) == ("error", "webhook", "spec.minReplicaCount")
    assert d.message == "minReplicaCount (12) is greater than maxReplicaCount (10)"
    assert (d.line, d.column, d.end_line, d.end_column) == (11, 20, 11, 22)
    assert d.document == 0 and d.file == "so.yaml" and d.is_error
    assert d.help == "lower minReplicaCount or raise maxReplicaCount"
    assert list(d.to_dict()) == CONTRACT_KEYS
    assert d.to_dict()["endColumn"] == 22


def test_diagnostic_is_immutable_hashable_and_comparable() -> None:
    a = scalecore.lint(MIN_OVER_MAX)
    b = scalecore.lint(MIN_OVER_MAX)
    assert a == b and len({*a, *b}) == len(a)
    with pytest.raises(AttributeError):
        a[0].code = "KEDA0000"  # type: ignore[misc]
    with pytest.raises(TypeError):
        scalecore.Diagnostic()  # type: ignore[call-arg]


def test_diagnostics_pickle_and_rebuild() -> None:
    diags = scalecore.lint(MIN_OVER_MAX, path="so.yaml")
    back = pickle.loads(pickle.dumps(diags))
    assert back == diags and [d.file for d in back] == ["so.yaml"] * len(diags)
    d = scalecore.Diagnostic("KEDA4001", "warning", "m", "spec", 0, 1, 1, 1, 2)
    assert d.to_dict() == {"code": "KEDA4001", "severity": "warning", "message": "m", "path": "spec",
                           "document": 0, "line": 1, "column": 1, "endLine": 1, "endColumn": 2,
                           "source": "lint"}
    with pytest.raises(ValueError, match="severity must be one of"):
        scalecore.Diagnostic("X", "fatal", "m", "", 0, 1, 1, 1, 1)


def test_diagnostic_repr_and_str_are_readable() -> None:
    d = next(d for d in scalecore.lint(MIN_OVER_MAX, pathlib.Path("x/so.yaml")) if d.code == "KEDA1004")
    assert repr(d) == (
        "<Diagnostic KEDA1004 error at x/so.yaml:11:20 spec.minReplicaCount: "
        "minReplicaCount (12) is greater than maxReplicaCount (10)>"
    )
    assert str(d) == (
        "x/so.yaml:11:20: error KEDA1004: minReplicaCount (12) is greater than maxReplicaCount (10)"
    )


def test_help_is_left_out_of_the_dict_when_absent() -> None:
    # Golden answers carry `help` only where the native JSON does.
    golden = json.loads((REPO / "tests/golden/lint.json").read_text(encoding="utf-8"))
    without = [(p, i) for p, ds in golden.items() for i, d in enumerate(ds) if "help" not in d]
    for path, i in without[:5]:
        d = scalecore.lint((REPO / path).read_bytes())[i]
        assert d.help is None and "help" not in d.to_dict()


# --- lint input -------------------------------------------------------------------------

def test_non_utf8_bytes_give_the_core_diagnostic() -> None:
    [d] = scalecore.lint(b"kind: ScaledObject\nname: \xff\xfe\n", path="bad.yaml")
    assert (d.code, d.severity, d.line, d.column) == ("KEDA0002", "error", 2, 7)
    assert "UTF-8" in d.message


def test_lone_surrogate_str_is_reported_as_not_utf8() -> None:
    [d] = scalecore.lint("a: \udc80\n")
    assert d.code == "KEDA0002"


def test_huge_input_is_a_diagnostic_not_a_crash() -> None:
    text = "# padding\n" * (500 * 1024)  # 5 MiB
    [d] = scalecore.lint(text)
    assert d.code == "KEDA0003" and d.severity == "error"
    assert str(len(text)) in d.message


def test_deep_nesting_is_bounded() -> None:
    diags = scalecore.lint("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert any(d.code == "KEDA0004" for d in diags)


def test_lint_accepts_bytearray_and_rejects_other_types() -> None:
    assert scalecore.lint(bytearray(MIN_OVER_MAX, "utf-8")) == scalecore.lint(MIN_OVER_MAX)
    with pytest.raises(TypeError, match="text must be str or bytes, not int"):
        scalecore.lint(42)  # type: ignore[arg-type]


def test_lint_options() -> None:
    with pytest.raises(scalecore.OptionsError) as e:
        scalecore.lint(SEED_SO, keda_version="banana")
    assert isinstance(e.value, scalecore.ScalecoreError) and isinstance(e.value, ValueError)
    assert "banana" in str(e.value)
    assert scalecore.lint(SEED_SO, keda_version="2.18") is not None
    plain = {d.code for d in scalecore.lint(SEED_SO)}
    strict = {d.code for d in scalecore.lint(SEED_SO, strict_refs=True)}
    assert strict - plain, "strict_refs reports references to objects that are not given"


def test_lint_file_errors_are_os_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        scalecore.lint_file(tmp_path / "missing.yaml")
    p = tmp_path / "so.yaml"
    p.write_bytes(MIN_OVER_MAX.encode())
    assert [d.to_dict() for d in scalecore.lint_file(str(p))] == [
        d.to_dict() for d in scalecore.lint(MIN_OVER_MAX)
    ]


def test_rules_cover_every_code_the_golden_answers_use() -> None:
    rules = scalecore.rules()
    codes = [r["code"] for r in rules]
    assert len(codes) == len(set(codes))
    r = next(r for r in rules if r["code"] == "KEDA1004")
    assert r["severity"] == "error" and r["source"] == "webhook" and r["summary"]
    golden = json.loads((REPO / "tests/golden/lint.json").read_text(encoding="utf-8"))
    used = {d["code"] for ds in golden.values() for d in ds}
    assert used <= set(codes)


# --- fixes ------------------------------------------------------------------------------

UNQUOTED = SEED_SO.replace('messageCount: "5"', "messageCount: 5")
# A flow mapping with multi-byte text before the value: edit columns are str indices.
FLOW = SEED_SO.replace(
    '        namespace: contoso-sb\n        queueName: orders\n        messageCount: "5"\n',
    '        {namespace: contoso-sb, queueName: "ördërs-𝄞", messageCount: 5}\n',
).replace("      metadata:\n        {", "      metadata: {")


def apply_edit(text: str, e: "scalecore.Edit") -> str:
    lines = text.split("\n")
    start = sum(len(l) + 1 for l in lines[: e.line - 1]) + e.column - 1
    end = sum(len(l) + 1 for l in lines[: e.end_line - 1]) + e.end_column - 1
    return text[:start] + e.new_text + text[end:]


def test_diagnostic_fixes_are_typed_and_in_the_contract() -> None:
    assert UNQUOTED != SEED_SO
    [d] = [d for d in scalecore.lint(UNQUOTED) if d.code == "KEDA0101"]
    [f] = d.fixes
    assert isinstance(f, scalecore.Fix) and f.applicability == "safe" and f.is_safe
    [e] = f.edits
    assert isinstance(e, scalecore.Edit) and e.new_text == '"5"'
    assert (e.line, e.column, e.end_line, e.end_column) == (d.line, d.column, d.end_line, d.end_column)
    assert apply_edit(UNQUOTED, e) == SEED_SO
    assert d.to_dict()["fixes"] == [f.to_dict()]
    assert f.to_dict() == {"title": f.title, "applicability": "safe", "edits": [
        {"line": e.line, "column": e.column, "endLine": e.end_line, "endColumn": e.end_column,
         "newText": '"5"'}]}
    assert "fixes" not in scalecore.lint(MIN_OVER_MAX)[0].to_dict()
    assert scalecore.lint(MIN_OVER_MAX)[0].fixes == ()
    with pytest.raises(AttributeError):
        f.title = "x"  # type: ignore[misc]


def test_fix_edit_columns_are_str_indices_past_multibyte_text() -> None:
    [d] = [d for d in scalecore.lint(FLOW) if d.code == "KEDA0101"]
    fixed = apply_edit(FLOW, d.fixes[0].edits[0])
    assert 'queueName: "ördërs-𝄞", messageCount: "5"}' in fixed
    assert scalecore.fix(FLOW).text == fixed


def test_fixes_take_part_in_equality_hashing_and_pickling() -> None:
    [d] = [d for d in scalecore.lint(UNQUOTED, path="so.yaml") if d.code == "KEDA0101"]
    back = pickle.loads(pickle.dumps(d))
    assert back == d and back.fixes == d.fixes and back.file == "so.yaml" and hash(back) == hash(d)
    bare = scalecore.Diagnostic(d.code, d.severity, d.message, d.path, d.document, d.line,
                                d.column, d.end_line, d.end_column, d.help, d.source, d.file)
    assert bare != d and bare.fixes == ()
    rebuilt = scalecore.Diagnostic(d.code, d.severity, d.message, d.path, d.document, d.line,
                                   d.column, d.end_line, d.end_column, d.help, d.source, d.file,
                                   fixes=list(d.fixes))
    assert rebuilt == d
    other = scalecore.Fix(d.fixes[0].title, "unsafe", d.fixes[0].edits)
    assert other != d.fixes[0] and len({other, d.fixes[0]}) == 2
    assert pickle.loads(pickle.dumps(other)) == other
    e = d.fixes[0].edits[0]
    assert pickle.loads(pickle.dumps(e)) == e == scalecore.Edit(e.line, e.column, e.end_line, e.end_column, '"5"')
    with pytest.raises(ValueError, match="applicability must be one of"):
        scalecore.Fix("t", "maybe", [])


def test_fix_applies_safe_fixes_and_reports_what_is_left() -> None:
    r = scalecore.fix(UNQUOTED, path="so.yaml")
    assert isinstance(r, scalecore.FixResult)
    assert (r.text, r.applied, r.converged, r.changed) == (SEED_SO, 1, True, True)
    assert r.remaining == scalecore.lint(SEED_SO, path="so.yaml")
    assert all(d.file == "so.yaml" for d in r.remaining)
    assert r.to_dict() == {"text": SEED_SO, "applied": 1, "converged": True,
                           "remaining": [d.to_dict() for d in r.remaining]}
    assert pickle.loads(pickle.dumps(r)) == r
    assert repr(r).startswith("<FixResult applied=1 ")
    # Nothing to fix: the text comes back as given.
    same = scalecore.fix(SEED_SO)
    assert (same.text, same.applied, same.changed) == (SEED_SO, 0, False)


def test_fix_options_are_those_of_lint() -> None:
    # A finding left out by ignore/select is not fixed either.
    assert scalecore.fix(UNQUOTED, ignore=["KEDA0101"]).text == UNQUOTED
    assert scalecore.fix(UNQUOTED, select=["KEDA1"]).applied == 0
    # Unsafe fixes come on top of the safe ones (whatever else they change).
    assert 'messageCount: "5"' in scalecore.fix(UNQUOTED, unsafe_fixes=True).text
    assert scalecore.fix(UNQUOTED.encode()).text == SEED_SO
    assert scalecore.fix(bytearray(UNQUOTED, "utf-8")).text == SEED_SO
    r = scalecore.fix(MIN_OVER_MAX, severity={"KEDA1004": "warning"})
    assert [d.severity for d in r.remaining if d.code == "KEDA1004"] == ["warning"]
    with pytest.raises(scalecore.OptionsError, match="banana"):
        scalecore.fix(UNQUOTED, keda_version="banana")
    with pytest.raises(scalecore.OptionsError, match="KEDA1O04"):
        scalecore.fix(UNQUOTED, ignore=["KEDA1O04"])
    with pytest.raises(ValueError, match="not UTF-8"):
        scalecore.fix(b"a: \xff\n")
    with pytest.raises(TypeError, match="text must be str or bytes, not int"):
        scalecore.fix(42)  # type: ignore[arg-type]


# --- simulate ---------------------------------------------------------------------------

def test_simulate_explicit_steps() -> None:
    trace = scalecore.simulate(scenario())
    assert [s["replicas"] for s in trace.steps] == [0, 0]
    assert trace.steps[1]["loop"] == "hpa" and "reason" in trace.steps[1]
    assert len(trace) == 2 and list(trace) == trace.steps
    assert trace.steps is trace.steps  # built once
    assert trace.queue is None and trace.ok


def test_scenario_json_error_has_line_and_column(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text('{\n  "manifest": 3\n}\n')
    with pytest.raises(scalecore.ScenarioError) as e:
        scalecore.simulate(p)
    err = e.value
    assert (err.line, err.column, err.source) == (2, 15, str(p))
    assert err.location == f"{p}:2:15"
    assert str(err).startswith(f"{p}: scenario is not valid")


def test_scenario_unknown_field_in_a_dict() -> None:
    with pytest.raises(scalecore.ScenarioError, match="unknown field `stepz`"):
        scalecore.simulate(scenario(stepz=[]))


def test_scenario_without_a_scaled_object() -> None:
    with pytest.raises(scalecore.ScenarioError, match="no keda.sh/v1alpha1 ScaledObject"):
        scalecore.simulate({"manifest": "kind: ConfigMap\n"})


def test_scenario_manifest_syntax_error_points_into_the_manifest() -> None:
    with pytest.raises(scalecore.ScenarioError) as e:
        scalecore.simulate({"manifest": "kind: [\n"})
    assert e.value.within == "manifest" and e.value.line is not None


def test_step_errors_name_the_step() -> None:
    s = scenario()
    s["steps"].append({"t": 20, "loop": "hpa", "metrics": {"nope": 1}})
    with pytest.raises(scalecore.ScenarioError) as e:
        scalecore.simulate(s)
    assert (e.value.step, e.value.t) == (2, 20)
    assert e.value.location == "steps[2] (t=20)"
    assert "nope" in str(e.value)


@pytest.mark.parametrize(
    "bad, where",
    [
        ({"steps": [{"t": 0, "metrics": {"orders": {1, 2}}}]}, "steps[0].metrics.orders"),
        ({"steps": [{"t": 0, "metrics": {"orders": float("nan")}}]}, "steps[0].metrics.orders"),
        ({"steps": [{"t": 0, "metrics": {1: 2.0}}]}, "steps[0].metrics"),
        ({"until": 2**70}, "until"),
    ],
)
def test_python_values_that_are_not_json(bad: Dict[str, Any], where: str) -> None:
    with pytest.raises(scalecore.ScenarioError) as e:
        scalecore.simulate({"manifest": SEED_SO, **bad})
    assert e.value.within == where
    assert where in str(e.value)


def test_self_referencing_dict_is_an_error_not_a_crash() -> None:
    rates: List[Any] = []
    rates.append(rates)
    s = {"manifest": SEED_SO, "queue": {"messagesPerPodPerSecond": 1, "arrivalRate": rates}}
    with pytest.raises(scalecore.ScenarioError, match="nesting deeper"):
        scalecore.simulate(s)


def test_non_utf8_scenario_bytes() -> None:
    with pytest.raises(scalecore.ScenarioError, match="not UTF-8"):
        scalecore.simulate(b'{"manifest": "\xff"}')


def test_too_long_run_is_refused() -> None:
    with pytest.raises(scalecore.ScenarioError,
                       match=r"at most 100000 are allowed \(shorten `until`\)"):
        scalecore.simulate({"manifest": SEED_SO, "until": 10**9,
                            "steps": [{"t": 0, "metrics": {"orders": 1}}]})


def test_simulate_argument_types(tmp_path: pathlib.Path) -> None:
    with pytest.raises(TypeError, match="not int"):
        scalecore.simulate(42)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        scalecore.simulate(str(tmp_path / "none.json"))


def test_errors_pickle_with_their_location() -> None:
    err = scalecore.ScenarioError("x", source="a.json", line=3, column=4, step=1, t=5)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is scalecore.ScenarioError
    assert (back.source, back.line, back.column, back.step, back.t) == ("a.json", 3, 4, 1, 5)


def test_numpy_scalars_are_numbers() -> None:
    np = pytest.importorskip("numpy")
    s = scenario()
    s["steps"][1]["metrics"]["orders"] = np.float64(100.0)
    s["steps"][1]["t"] = np.int64(5)
    assert scalecore.simulate(s).to_dict() == scalecore.simulate(scenario()).to_dict()


def test_long_simulation_releases_the_gil() -> None:
    text = json.dumps({"manifest": SEED_SO, "until": 990_000,
                       "steps": [{"t": 0, "metrics": {"orders": 10}}]})
    counted = 0
    running = threading.Event()
    done = threading.Event()

    def count() -> None:
        nonlocal counted
        running.set()
        while not done.is_set():
            counted += 1

    ticker = threading.Thread(target=count)
    ticker.start()
    running.wait()
    try:
        # How fast the other thread counts when this one waits without the GIL.
        c0 = counted
        time.sleep(0.1)
        rate = (counted - c0) / 0.1
        before = counted
        started = time.perf_counter()
        scalecore._native.simulate_json(text)  # only the native run: no Python-side work
        elapsed = time.perf_counter() - started
        during = counted - before
    finally:
        done.set()
        ticker.join()
    # Holding the GIL through the run leaves the other thread a few switch intervals of
    # counting (measured: under 0.1 of the run's time); released, it counts for about half
    # of the run or more, even on a busy 2-core machine.
    assert elapsed > 0.1, "the run was too short to tell"
    assert during > 0.2 * rate * elapsed, (during, rate, elapsed)


def test_ctrl_c_interrupts_a_running_simulation() -> None:
    """SIGINT during a long run raises KeyboardInterrupt from inside the run, well before it
    would have ended: the run checks Python's signals as it goes. (CPython handles a signal
    that arrives during a call right after the call returns, so only the time tells an
    interrupted run from a finished one.)"""
    import os
    import signal

    # The longest run allowed: 10 triggers over 100,000 ticks, a million readings.
    trigger = SEED_SO[SEED_SO.index("    - type:"):]
    manifest = SEED_SO + "".join(
        trigger.replace("name: orders", f"name: orders{i}") for i in range(1, 10))
    text = json.dumps({"manifest": manifest, "until": 990_000,
                       "steps": [{"t": 0, "metrics": {"orders": 10}}]})
    started = time.perf_counter()
    scalecore._native.simulate_json(text)
    whole = time.perf_counter() - started

    timer = threading.Timer(whole / 5, os.kill, (os.getpid(), signal.SIGINT))
    started = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            scalecore._native.simulate_json(text)
            time.sleep(whole)
    finally:
        timer.cancel()
    stopped = time.perf_counter() - started
    assert stopped < whole * 0.7, f"stopped after {stopped:.2f} s of a {whole:.2f} s run"
