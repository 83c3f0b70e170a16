#![no_main]
//! Any bytes through the whole linter: no panic, bounded time and memory.

use libfuzzer_sys::fuzz_target;
use scalecore::validate::lint_bytes;
use scalecore::LintOptions;

fuzz_target!(|data: &[u8]| {
    let options = LintOptions::default();
    let _ = lint_bytes(data, &options);
});
