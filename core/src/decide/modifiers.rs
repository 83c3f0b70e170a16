//! scalingModifiers: the composite metric computed from a formula over named triggers.
//!
//! KEDA compiles the formula with Go's expr after wrapping it in `float(...)` (or, when it
//! uses `??`, in a form that lets nil through); each named, non-cpu/memory trigger is bound
//! to its metric value. The core's own expr reader and evaluator run it.

use crate::validate::webhook::CompiledFormula;

use crate::model::ScalingModifiers;
use crate::scalers::MetricType;

use super::plan::TriggerPlan;

#[derive(Clone, Debug)]
pub struct Composite {
    pub formula: String,
    pub program: Result<CompiledFormula, String>,
    pub target: f64,
    /// `activationTarget` (default 0); a bad value is a runtime error in every poll.
    pub activation_target: Result<f64, String>,
    pub metric_type: MetricType,
    /// Trigger index and the name the formula sees.
    pub bindings: Vec<(usize, String)>,
}

/// KEDA's rewrite before compiling (`scaledobject_webhook.go`, since v2.13).
pub fn wrap_formula(formula: &str) -> String {
    const LET: &str = "let _kedaCompositeResult = ";
    if formula.contains("??") {
        if formula.starts_with(LET) {
            formula.to_owned()
        } else {
            format!(
                "{LET}({formula}); _kedaCompositeResult == nil ? nil : float(_kedaCompositeResult)"
            )
        }
    } else if formula.starts_with("float(") {
        formula.to_owned()
    } else {
        format!("float({formula})")
    }
}

impl Composite {
    /// `None` unless the HPA gets a composite metric: a formula and a target > 0.
    pub fn new(m: &ScalingModifiers, triggers: &[TriggerPlan]) -> Option<Composite> {
        let target = crate::decfloat::parse_f64(m.target.trim())?;
        if m.formula.trim().is_empty() || target.is_nan() || target <= 0.0 {
            return None;
        }
        let activation_target = if m.activation_target.trim().is_empty() {
            Ok(0.0)
        } else {
            crate::decfloat::parse_f64(m.activation_target.trim()).ok_or_else(|| {
                format!("activationTarget {:?} is not a number", m.activation_target)
            })
        };
        Some(Composite {
            formula: m.formula.clone(),
            program: CompiledFormula::compile(&wrap_formula(&m.formula)),
            target,
            activation_target,
            metric_type: if m.metric_type == "Value" {
                MetricType::Value
            } else {
                MetricType::AverageValue
            },
            bindings: triggers
                .iter()
                .enumerate()
                .filter(|(_, t)| !t.resource)
                .filter_map(|(i, t)| Some((i, t.name.clone()?)))
                .collect(),
        })
    }

    /// Runs the formula. `values[i]` is trigger i's value, `None` for a fallback placeholder
    /// (nil in the formula). `Ok(None)` is a nil result.
    pub fn evaluate(&self, values: &[Option<f64>]) -> Result<Option<f64>, String> {
        let program = self.program.as_ref().map_err(Clone::clone)?;
        let env: Vec<(&str, Option<f64>)> = self
            .bindings
            .iter()
            .map(|(i, name)| (name.as_str(), values.get(*i).copied().flatten()))
            .collect();
        program.run(&env)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn composite(formula: &str, names: &[&str]) -> Composite {
        let m = ScalingModifiers {
            formula: formula.into(),
            target: "10".into(),
            activation_target: String::new(),
            metric_type: String::new(),
        };
        let triggers: Vec<TriggerPlan> = names
            .iter()
            .map(|n| TriggerPlan {
                key: (*n).into(),
                name: Some((*n).into()),
                metric_name: format!("s0-{n}"),
                metric_type: MetricType::AverageValue,
                target: 1.0,
                activation: 0.0,
                resource: false,
                cpu: false,
                use_cached_metrics: false,
                build_error: None,
            })
            .collect();
        Composite::new(&m, &triggers).expect("composite")
    }

    #[test]
    fn wraps_like_keda() {
        assert_eq!(wrap_formula("a + b"), "float(a + b)");
        assert_eq!(wrap_formula("float(a) + b"), "float(a) + b");
        assert!(wrap_formula("a ?? 0").starts_with("let _kedaCompositeResult = (a ?? 0);"));
    }

    #[test]
    fn evaluates_arithmetic_ternaries_and_builtins() {
        let c = composite("queue + backlog / 2", &["queue", "backlog"]);
        assert_eq!(c.evaluate(&[Some(3.0), Some(4.0)]), Ok(Some(5.0)));
        let c = composite("queue > 5 ? max(queue, backlog) : 1", &["queue", "backlog"]);
        assert_eq!(c.evaluate(&[Some(6.0), Some(9.0)]), Ok(Some(9.0)));
        assert_eq!(c.evaluate(&[Some(2.0), Some(9.0)]), Ok(Some(1.0)));
    }

    #[test]
    fn nil_passes_through_coalescing_and_whole_nil_is_nil() {
        let c = composite("(a ?? 0) + b", &["a", "b"]);
        assert_eq!(c.evaluate(&[None, Some(4.0)]), Ok(Some(4.0)));
        let c = composite("a ?? b", &["a", "b"]);
        assert_eq!(c.evaluate(&[None, None]), Ok(None));
        // Without `??` a nil operand is a runtime error, as in KEDA.
        let c = composite("a + b", &["a", "b"]);
        assert!(c.evaluate(&[None, Some(1.0)]).is_err());
    }

    #[test]
    fn no_composite_without_a_positive_target() {
        let m = ScalingModifiers {
            formula: "a".into(),
            target: "0".into(),
            ..ScalingModifiers::default()
        };
        assert!(Composite::new(&m, &[]).is_none());
    }
}
