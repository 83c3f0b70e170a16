//! scalingModifiers: the composite metric computed from a formula over named triggers.
//!
//! KEDA compiles the formula with expr-lang after wrapping it in `float(...)` (or, when it
//! uses `??`, in a form that lets nil through); each named, non-cpu/memory trigger is bound
//! to its metric value.

use expr::{Context, Program, Value};

use crate::model::ScalingModifiers;
use crate::scalers::MetricType;

use super::plan::TriggerPlan;

#[derive(Clone, Debug)]
pub struct Composite {
    pub formula: String,
    pub program: Result<Program, String>,
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
        let target: f64 = m.target.trim().parse().ok()?;
        if m.formula.trim().is_empty() || target.is_nan() || target <= 0.0 {
            return None;
        }
        let activation_target = if m.activation_target.trim().is_empty() {
            Ok(0.0)
        } else {
            m.activation_target
                .trim()
                .parse::<f64>()
                .map_err(|_| format!("activationTarget {:?} is not a number", m.activation_target))
        };
        Some(Composite {
            formula: m.formula.clone(),
            program: expr::compile(&wrap_formula(&m.formula)).map_err(|e| e.to_string()),
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
        let mut env = Context::default();
        for (i, name) in &self.bindings {
            let v = match values.get(*i).copied().flatten() {
                Some(v) => Value::Float(v),
                None => Value::Nil,
            };
            env.insert(name.clone(), v);
        }
        match expr::run(program, &env).map_err(|e| e.to_string())? {
            Value::Nil => Ok(None),
            Value::Float(f) => Ok(Some(f)),
            Value::Integer(i) => Ok(Some(i as f64)),
            other => Err(format!("formula result {other:?} is not a number")),
        }
    }
}
