#![no_main]
//! Any bytes as a scenario: no panic, and the run bounded in time and memory by the
//! scenario limits (ticks, queue seconds, trace readings), whatever the JSON asks for.

use libfuzzer_sys::fuzz_target;
use scalecore::simulate::simulate_json;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = simulate_json(text);
    }
});
