//! The answer of `explain`, as data (`--format json`, docs/formats.md) and as text.

use std::fmt::Write;

use serde::Serialize;

use super::live::EventView;

#[derive(Clone, Debug, Serialize)]
pub struct ObjectView {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    /// `Kind name` of the scale target.
    pub target: String,
    /// The HPA found for the object, if any.
    pub hpa: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MetricView {
    pub trigger: String,
    pub metric: String,
    pub metric_type: String,
    pub value: Option<f64>,
    /// Where the value came from: `external.metrics.k8s.io`, `hpa status.currentMetrics`,
    /// `status.health` (a failing scaler), or `none`.
    pub source: &'static str,
    pub error: Option<String>,
    pub target: f64,
    pub activation: f64,
}

/// One loop's replayed tick, with the engine's reason chain (as `simulate` prints it).
#[derive(Clone, Debug, Serialize)]
pub struct LoopView {
    pub action: &'static str,
    pub replicas: i64,
    pub active: bool,
    pub fallback: bool,
    /// HPA: the metrics' proposal before stabilization and limits.
    pub desired: Option<i64>,
    pub stabilized: Option<i64>,
    pub limit: Option<&'static str>,
    pub reason: String,
}

/// A rule that holds the replicas where they are.
#[derive(Clone, Debug, Serialize)]
pub struct Rule {
    /// `paused`, `cooldown`, `activation`, `fallback`, `stabilization_window`,
    /// `scale_up_policy`, `scale_down_policy`, `max_replicas`, `min_replicas`,
    /// `hpa_disabled`, `missing_metric`.
    pub rule: &'static str,
    pub replicas: Option<i64>,
    pub seconds_left: Option<i64>,
    pub until: Option<String>,
    /// The time rests on a reconstruction (the HPA keeps its history in memory only); it is
    /// then a lower bound: the recommendation may have been repeated since.
    pub estimated: bool,
    pub text: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Next {
    /// 0: at the loop's next tick (within one polling interval or HPA sync period).
    pub in_seconds: i64,
    pub at: String,
    #[serde(rename = "loop")]
    pub loop_: &'static str,
    pub from: i64,
    pub to: i64,
    pub reason: String,
    /// The replay started from an estimated HPA history (see `estimates`): the change may
    /// come later.
    pub estimated: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Disagreement {
    pub what: String,
    pub likely_cause: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub object: ObjectView,
    pub now: String,
    pub replicas: i64,
    pub ready: Option<i64>,
    /// What the replayed loops set now.
    pub engine_replicas: i64,
    pub summary: String,
    pub metrics: Vec<MetricView>,
    pub keda: LoopView,
    pub hpa: Option<LoopView>,
    pub holding: Vec<Rule>,
    pub next: Option<Next>,
    pub disagreements: Vec<Disagreement>,
    pub estimates: Vec<String>,
    pub events: Vec<EventView>,
}

fn num(v: f64) -> String {
    scalecore::decide::num(v)
}

impl Report {
    pub fn text(&self) -> String {
        let mut s = String::with_capacity(1024);
        let _ = self.write_text(&mut s);
        s
    }

    fn write_text(&self, s: &mut String) -> std::fmt::Result {
        let o = &self.object;
        writeln!(
            s,
            "{} {}/{} -> {}, at {}",
            o.kind, o.namespace, o.name, o.target, self.now
        )?;
        writeln!(s, "\n{}.", self.summary)?;
        if !self.holding.is_empty() {
            writeln!(s, "\nWhat holds it:")?;
            for r in &self.holding {
                write!(s, "  - {}: {}", r.rule.replace('_', " "), r.text)?;
                if let (Some(left), Some(until)) = (r.seconds_left, &r.until) {
                    if r.estimated {
                        write!(s, " (at least {left} s left, until {until} or later)")?;
                    } else {
                        write!(s, " ({left} s left, until {until})")?;
                    }
                }
                writeln!(s)?;
            }
        }
        writeln!(s, "\nMetrics:")?;
        for m in &self.metrics {
            let value = m.value.map_or("?".to_owned(), num);
            write!(
                s,
                "  {} {} = {value} ({}), {} target {}, activation {}",
                m.trigger,
                m.metric,
                m.source,
                m.metric_type,
                num(m.target),
                num(m.activation)
            )?;
            if let Some(e) = &m.error {
                write!(s, "; {e}")?;
            }
            writeln!(s)?;
        }
        writeln!(s, "\nReplayed now:\n  {}", self.keda.reason)?;
        match &self.hpa {
            Some(h) => writeln!(s, "  {}", h.reason)?,
            None => writeln!(s, "  hpa: none (deleted while paused)")?,
        }
        match &self.next {
            Some(n) => {
                let when = match (n.in_seconds, n.estimated) {
                    (0, _) => "at its next tick".to_owned(),
                    (s, true) => format!("at the earliest in {s} s ({})", n.at),
                    (s, false) => format!("in {s} s ({})", n.at),
                };
                writeln!(
                    s,
                    "\nNext, if the metrics stay as they are: {when} the {} loop scales {} -> {}\n  {}",
                    n.loop_, n.from, n.to, n.reason
                )?
            }
            None => writeln!(
                s,
                "\nNext: no change within the hour if the metrics stay as they are."
            )?,
        }
        write_tail(
            s,
            &self.disagreements,
            "Estimated",
            &self.estimates,
            &self.events,
        )
    }
}

/// The end of either answer: disagreements, the notes under `title`, the recent Events.
pub(super) fn write_tail(
    s: &mut String,
    disagreements: &[Disagreement],
    title: &str,
    notes: &[String],
    events: &[EventView],
) -> std::fmt::Result {
    if !disagreements.is_empty() {
        writeln!(s, "\nThe cluster disagrees:")?;
        for d in disagreements {
            writeln!(s, "  - {}\n    likely: {}", d.what, d.likely_cause)?;
        }
    }
    if !notes.is_empty() {
        writeln!(s, "\n{title}:")?;
        for n in notes {
            writeln!(s, "  - {n}")?;
        }
    }
    if !events.is_empty() {
        writeln!(s, "\nRecent events:")?;
        for e in events {
            writeln!(
                s,
                "  {}  {}  {} {}: {}",
                e.time.as_deref().unwrap_or("-"),
                e.object,
                e.type_,
                e.reason,
                e.message
            )?;
        }
    }
    Ok(())
}
