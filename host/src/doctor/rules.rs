//! The doctor's rows of the core's rule table, and the lint's own workload-identity rows
//! (KEDA4001..KEDA4004, KEDA3009) the doctor reports as well.

use scalecore::rules::Rule;

pub use scalecore::rules::doctor::*;

/// A rule of the core's table by code (the lint's workload-identity rules).
pub fn core(code: &str) -> &'static Rule {
    scalecore::rules::by_code(code).unwrap_or(&OPERATOR_NOT_FOUND)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_lints_workload_identity_rows_are_found() {
        for code in ["KEDA4001", "KEDA4002", "KEDA4003", "KEDA4004", "KEDA3009"] {
            assert_eq!(super::core(code).code, code);
        }
    }
}
