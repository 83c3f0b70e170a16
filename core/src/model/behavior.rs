//! `autoscaling/v2` HorizontalPodAutoscalerBehavior as written in
//! `advanced.horizontalPodAutoscalerConfig.behavior`, and the API server's defaulting.

use crate::document::Node;

use super::read::{f64_at, i64_at, text_at};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectPolicy {
    Max,
    Min,
    Disabled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyType {
    Pods,
    Percent,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    pub policy_type: PolicyType,
    pub value: i64,
    pub period_seconds: i64,
}

/// One direction's rules. Fields stay optional as written; `defaulted_*` fill them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScalingRules {
    pub stabilization_window_seconds: Option<i64>,
    pub select_policy: Option<SelectPolicy>,
    pub policies: Option<Vec<Policy>>,
    pub tolerance: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Behavior {
    pub scale_up: Option<ScalingRules>,
    pub scale_down: Option<ScalingRules>,
}

fn rules_from_node(n: &Node) -> ScalingRules {
    ScalingRules {
        stabilization_window_seconds: i64_at(n, &["stabilizationWindowSeconds"]),
        select_policy: text_at(n, &["selectPolicy"]).and_then(|s| match s.as_str() {
            "Max" => Some(SelectPolicy::Max),
            "Min" => Some(SelectPolicy::Min),
            "Disabled" => Some(SelectPolicy::Disabled),
            _ => None,
        }),
        policies: n.get("policies").and_then(Node::as_sequence).map(|items| {
            items
                .iter()
                .filter_map(|p| {
                    let policy_type = match text_at(p, &["type"])?.as_str() {
                        "Pods" => PolicyType::Pods,
                        "Percent" => PolicyType::Percent,
                        _ => return None,
                    };
                    Some(Policy {
                        policy_type,
                        value: i64_at(p, &["value"])?,
                        period_seconds: i64_at(p, &["periodSeconds"])?,
                    })
                })
                .collect()
        }),
        tolerance: f64_at(n, &["tolerance"]),
    }
}

impl Behavior {
    pub fn from_node(n: &Node) -> Behavior {
        Behavior {
            scale_up: n.get("scaleUp").map(rules_from_node),
            scale_down: n.get("scaleDown").map(rules_from_node),
        }
    }

    /// Scale-up rules after `SetDefaults_HorizontalPodAutoscalerBehavior`: window 0,
    /// Max, `[Pods 4/15s, Percent 100/15s]`; a written policy list replaces the default whole.
    pub fn defaulted_scale_up(&self) -> ScalingRules {
        let r = self.scale_up.clone().unwrap_or_default();
        ScalingRules {
            stabilization_window_seconds: Some(r.stabilization_window_seconds.unwrap_or(0)),
            select_policy: Some(r.select_policy.unwrap_or(SelectPolicy::Max)),
            policies: Some(r.policies.unwrap_or_else(|| {
                vec![
                    Policy {
                        policy_type: PolicyType::Pods,
                        value: 4,
                        period_seconds: 15,
                    },
                    Policy {
                        policy_type: PolicyType::Percent,
                        value: 100,
                        period_seconds: 15,
                    },
                ]
            })),
            tolerance: r.tolerance,
        }
    }

    /// Scale-down rules after API defaulting plus the controller filling the window with its
    /// downscale stabilization (300 s by default).
    pub fn defaulted_scale_down(&self, downscale_window: i64) -> ScalingRules {
        let r = self.scale_down.clone().unwrap_or_default();
        ScalingRules {
            stabilization_window_seconds: Some(
                r.stabilization_window_seconds.unwrap_or(downscale_window),
            ),
            select_policy: Some(r.select_policy.unwrap_or(SelectPolicy::Max)),
            policies: Some(r.policies.unwrap_or_else(|| {
                vec![Policy {
                    policy_type: PolicyType::Percent,
                    value: 100,
                    period_seconds: 15,
                }]
            })),
            tolerance: r.tolerance,
        }
    }
}
