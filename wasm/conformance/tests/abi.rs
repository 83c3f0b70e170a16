//! Every golden native answer (tests/golden/lint.json, fix.json and simulate.json) recomputed by
//! the import-free module under wasmtime, through the JSON ABI of wasm/ABI.md, and compared field
//! for field.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use wasmtime::{Config, Engine, Instance, Memory, Module, OptLevel, Result, Store, TypedFunc};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The module, compiled once for all tests (cranelift without optimisation: the suite checks
/// answers, not speed, and compiling is most of its time).
fn compiled() -> Result<&'static (Engine, Module)> {
    static COMPILED: OnceLock<std::result::Result<(Engine, Module), String>> = OnceLock::new();
    let compiled = COMPILED.get_or_init(|| {
        let path = std::env::var_os("SCALECORE_ABI_WASM")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo().join("wasm/pkg/abi/scalecore_abi.wasm"));
        let mut config = Config::new();
        config.cranelift_opt_level(OptLevel::None);
        let engine = Engine::new(&config).map_err(|e| e.to_string())?;
        let module = Module::from_file(&engine, &path)
            .map_err(|e| format!("{}: {e} (run `npm run build` in wasm/)", path.display()))?;
        Ok((engine, module))
    });
    compiled
        .as_ref()
        .map_err(|e| wasmtime::Error::msg(e.clone()))
}

/// One instance of the module and its exports.
struct Abi {
    store: Store<()>,
    memory: Memory,
    alloc: TypedFunc<u32, u32>,
    free: TypedFunc<(u32, u32), ()>,
    lint: TypedFunc<(u32, u32), u64>,
    lint_request: TypedFunc<(u32, u32), u64>,
    fix: TypedFunc<(u32, u32), u64>,
    simulate: TypedFunc<(u32, u32), u64>,
    rules: TypedFunc<(), u64>,
}

impl Abi {
    fn load() -> Result<Self> {
        let (engine, module) = compiled()?;
        assert_eq!(
            module.imports().len(),
            0,
            "the ABI module must import nothing"
        );
        let mut store = Store::new(engine, ());
        let instance = Instance::new(&mut store, module, &[])?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| wasmtime::Error::msg("no exported memory"))?;
        let abi_version: TypedFunc<(), u32> = instance.get_typed_func(&mut store, "abi_version")?;
        assert_eq!(abi_version.call(&mut store, ())?, 1);
        Ok(Abi {
            alloc: instance.get_typed_func(&mut store, "alloc")?,
            free: instance.get_typed_func(&mut store, "free")?,
            lint: instance.get_typed_func(&mut store, "lint")?,
            lint_request: instance.get_typed_func(&mut store, "lint_request")?,
            fix: instance.get_typed_func(&mut store, "fix")?,
            simulate: instance.get_typed_func(&mut store, "simulate")?,
            rules: instance.get_typed_func(&mut store, "rules")?,
            memory,
            store,
        })
    }

    /// Reads and frees an answer.
    fn answer(&mut self, packed: u64) -> Result<Value> {
        let (ptr, len) = ((packed >> 32) as u32, packed as u32);
        let mut buf = vec![0; len as usize];
        self.memory.read(&self.store, ptr as usize, &mut buf)?;
        self.free.call(&mut self.store, (ptr, len))?;
        Ok(serde_json::from_slice(&buf)?)
    }

    /// Copies `input` in, calls `f`, frees the input, returns the parsed answer.
    fn call(&mut self, f: fn(&Abi) -> TypedFunc<(u32, u32), u64>, input: &[u8]) -> Result<Value> {
        let len = input.len() as u32;
        let ptr = self.alloc.call(&mut self.store, len)?;
        self.memory.write(&mut self.store, ptr as usize, input)?;
        let func = f(self);
        let packed = func.call(&mut self.store, (ptr, len))?;
        self.free.call(&mut self.store, (ptr, len))?;
        self.answer(packed)
    }

    fn memory_pages(&self) -> u64 {
        self.memory.size(&self.store)
    }
}

fn golden(name: &str) -> Result<serde_json::Map<String, Value>> {
    let text = std::fs::read_to_string(repo().join("tests/golden").join(name))?;
    match serde_json::from_str(&text)? {
        Value::Object(m) => Ok(m),
        _ => Err(wasmtime::Error::msg(format!("{name} is not an object"))),
    }
}

/// Field-for-field comparison that names the first difference.
fn same(what: &str, got: &Value, want: &Value, failures: &mut Vec<String>) {
    if got != want {
        let got = serde_json::to_string(got).unwrap_or_default();
        let want = serde_json::to_string(want).unwrap_or_default();
        let at = got
            .bytes()
            .zip(want.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let from = at.saturating_sub(80);
        failures.push(format!(
            "{what}: differs at byte {at}\n  wasm:   {}\n  native: {}",
            got.get(from..(at + 120).min(got.len())).unwrap_or(""),
            want.get(from..(at + 120).min(want.len())).unwrap_or(""),
        ));
    }
}

#[test]
fn every_golden_lint_answer_is_the_same_under_wasmtime() -> Result<()> {
    let mut abi = Abi::load()?;
    let golden = golden("lint.json")?;
    assert!(golden.len() > 100, "golden lint answers missing");
    let mut failures = Vec::new();
    let mut diagnostics = 0;
    for (path, want) in &golden {
        let text = std::fs::read(repo().join(path))?;
        let got = abi.call(|a| a.lint.clone(), &text)?;
        same(path, &got, want, &mut failures);
        diagnostics += want.as_array().map_or(0, Vec::len);
    }
    println!("{} files, {diagnostics} diagnostics compared", golden.len());
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        golden.len(),
        failures.join("\n")
    );
    // Answers and inputs are freed: linting everything again must not grow memory.
    let pages = abi.memory_pages();
    for path in golden.keys() {
        let text = std::fs::read(repo().join(path))?;
        abi.call(|a| a.lint.clone(), &text)?;
    }
    assert_eq!(
        abi.memory_pages(),
        pages,
        "memory grew on a second pass: a leak"
    );
    Ok(())
}

/// The golden form of a `fix` answer (tests/tests/golden.rs): `text` null when unchanged, and
/// only the codes of what is left.
fn golden_fix_form(input: &str, got: &Value) -> Value {
    let text = got["text"].as_str().filter(|t| *t != input);
    let codes: Vec<&Value> = got["remaining"]
        .as_array()
        .map(|ds| ds.iter().map(|d| &d["code"]).collect())
        .unwrap_or_default();
    serde_json::json!({
        "text": text,
        "applied": got["applied"],
        "remaining": codes,
        "converged": got["converged"],
    })
}

#[test]
fn every_golden_fix_answer_is_the_same_under_wasmtime() -> Result<()> {
    let mut abi = Abi::load()?;
    let golden = golden("fix.json")?;
    let lint = self::golden("lint.json")?;
    assert_eq!(
        golden.keys().collect::<Vec<_>>(),
        lint.keys().collect::<Vec<_>>(),
        "fix.json covers every lint input"
    );
    let mut failures = Vec::new();
    let mut applied = 0;
    for (path, want) in &golden {
        let text = std::fs::read_to_string(repo().join(path))?;
        for mode in ["safe", "unsafe"] {
            let request = serde_json::json!({
                "text": text,
                "options": {"unsafeFixes": mode == "unsafe"},
            });
            let got = abi.call(|a| a.fix.clone(), request.to_string().as_bytes())?;
            applied += got["applied"].as_u64().unwrap_or(0);
            same(
                &format!("{path} ({mode})"),
                &golden_fix_form(&text, &got),
                &want[mode],
                &mut failures,
            );
        }
    }
    assert!(applied > 0, "no golden input had a fix applied");
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let v = abi.call(|a| a.fix.clone(), br#"{"text":"a: 1","options":{"unsafeFix":true}}"#)?;
    assert_eq!(v["error"]["kind"], "request");
    Ok(())
}

#[test]
fn every_golden_trace_is_the_same_under_wasmtime() -> Result<()> {
    let mut abi = Abi::load()?;
    let golden = golden("simulate.json")?;
    assert!(golden.len() >= 20, "golden traces missing");
    let mut failures = Vec::new();
    let mut replicas_seen = 0;
    for (path, want) in &golden {
        let scenario = std::fs::read(repo().join(path))?;
        let got = abi.call(|a| a.simulate.clone(), &scenario)?;
        same(path, &got, want, &mut failures);
        if let Some(steps) = got["steps"].as_array() {
            replicas_seen += steps.len();
        }
        // Scenario vectors carry expectations; none may be unmet.
        assert!(
            got.get("mismatches").is_none(),
            "{path}: {}",
            got["mismatches"]
        );
    }
    println!("{} scenarios, {replicas_seen} steps compared", golden.len());
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        golden.len(),
        failures.join("\n")
    );
    Ok(())
}

#[test]
fn requests_that_cannot_run_answer_an_error_envelope() -> Result<()> {
    let mut abi = Abi::load()?;
    let v = abi.call(|a| a.simulate.clone(), b"{\"manifest\": 3}")?;
    assert_eq!(v["error"]["kind"], "scenario");
    let v = abi.call(
        |a| a.lint_request.clone(),
        br#"{"text":"a: 1","options":{"kedaVersion":"2.x"}}"#,
    )?;
    assert_eq!(v["error"]["kind"], "version");
    // Options reach the linter: a rule introduced in a later release is silent for an old one.
    let seed = std::fs::read_to_string(repo().join("examples/seed/keda.yaml"))?;
    let request = serde_json::json!({"text": seed, "options": {"kedaVersion": "2.20"}});
    let v = abi.call(|a| a.lint_request.clone(), request.to_string().as_bytes())?;
    assert_eq!(v[0]["code"], "KEDA4001");
    assert_eq!(v[0]["line"], 10);
    // Not UTF-8: a diagnostic, not a trap.
    let v = abi.call(|a| a.lint.clone(), &[0xff, 0xfe, 0x00])?;
    assert!(v.as_array().is_some_and(|d| !d.is_empty()), "{v}");
    let v = abi.call(|a| a.lint.clone(), b"")?;
    assert!(v.is_array());
    let packed = abi.rules.call(&mut abi.store, ())?;
    let rules = abi.answer(packed)?;
    assert!(rules.as_array().is_some_and(|r| r.len() > 20));
    Ok(())
}
