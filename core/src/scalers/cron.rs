//! `cron`: a fixed replica count inside a schedule window (`pkg/scalers/cron_scaler.go`).
//! Schedules use the 5-field standard syntax without descriptors (robfig/cron parser with
//! Minute | Hour | Dom | Month | Dow).
//!
//! Valid: ten replicas on weekdays from 8:00 to 18:00, Berlin time.
//! ```yaml
//! - type: cron
//!   metadata:
//!     timezone: Europe/Berlin
//!     start: 0 8 * * 1-5
//!     end: 0 18 * * 1-5
//!     desiredReplicas: "10"
//! ```
//! Invalid: a schedule with seconds, which the 5-field parser refuses. (A time zone name is
//! not checked here: that needs the IANA database KEDA's operator carries.)
//! ```yaml
//! - type: cron
//!   metadata:
//!     timezone: Europe/Berlin
//!     start: 0 0 8 * * *
//!     end: 0 0 18 * * *
//!     desiredReplicas: "10"
//! ```

use super::typed::{self, Order};
use super::{ErrorKind, ScalerError, ScalerMetric, TriggerInput};
use crate::version::KedaVersion;

/// `,` in schedules is spelled `Cm` in metric names from this release on.
const COMMA_IN_NAME: KedaVersion = KedaVersion::new(2, 20, 0);

#[derive(Clone, Debug)]
pub struct CronConfig {
    pub timezone: String,
    pub start: String,
    pub end: String,
    pub desired_replicas: i64,
    pub metric: ScalerMetric,
}

impl CronConfig {
    pub fn metric(&self) -> ScalerMetric {
        self.metric.clone()
    }
}

pub fn parse(input: &TriggerInput<'_>) -> Result<CronConfig, Vec<ScalerError>> {
    parse_for(input, KedaVersion::DEFAULT)
}

pub fn parse_for(
    input: &TriggerInput<'_>,
    version: KedaVersion,
) -> Result<CronConfig, Vec<ScalerError>> {
    const META: &[Order] = &[Order::TriggerMetadata];
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let mut text = |name: &str| match typed::lookup(input, name, META) {
        Some((v, _)) => v.to_owned(),
        None => {
            errors.push(typed::missing(name, META));
            String::new()
        }
    };
    let start = text("start");
    let end = text("end");
    let timezone = text("timezone");
    let desired_replicas = match typed::lookup(input, "desiredReplicas", META) {
        Some((v, _)) => typed::parse_int64("desiredReplicas", v).unwrap_or_else(|e| {
            errors.push(e);
            0
        }),
        None => {
            errors.push(typed::missing("desiredReplicas", META));
            0
        }
    };
    let validated = (|| {
        if timezone.is_empty() {
            return Err(invalid("timezone", "no timezone specified".to_owned()));
        }
        for (key, spec) in [("start", &start), ("end", &end)] {
            if spec.is_empty() {
                return Err(invalid(key, format!("no {key} schedule specified")));
            }
            if let Err(e) = parse_schedule(spec) {
                return Err(invalid(key, format!("error parsing {key} schedule: {e}")));
            }
        }
        if start == end {
            return Err(invalid(
                "end",
                "start and end can not have exactly same time input".to_owned(),
            ));
        }
        if desired_replicas == 0 {
            return Err(invalid(
                "desiredReplicas",
                "no desiredReplicas specified".to_owned(),
            ));
        }
        Ok(())
    })();
    // A field that failed to decode is already reported; Validate() then sees its zero value.
    if let Err(e) = validated {
        if !errors.iter().any(|x| x.key == e.key) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let base = format!(
        "cron-{timezone}-{}-{}",
        name_part(&start, version),
        name_part(&end, version)
    );
    Ok(CronConfig {
        metric: ScalerMetric {
            metric_name: super::metric_name(input.index, &base),
            metric_type,
            // The metric is desiredReplicas inside the window against a target of 1.
            target: 1.0,
            activation: 0.0,
        },
        timezone,
        start,
        end,
        desired_replicas,
    })
}

fn invalid(key: &str, message: String) -> ScalerError {
    ScalerError {
        key: Some(key.to_owned()),
        kind: ErrorKind::Invalid,
        message,
    }
}

/// `parseCronTimeFormat`: spaces dropped, `*`->`x`, `/`->`Sl`, `?`->`Qm`, `,`->`Cm`.
fn name_part(spec: &str, version: KedaVersion) -> String {
    let mut out = String::with_capacity(spec.len() + 4);
    for c in spec.chars() {
        match c {
            ' ' => {}
            '*' => out.push('x'),
            '/' => out.push_str("Sl"),
            '?' => out.push_str("Qm"),
            ',' if version >= COMMA_IN_NAME => out.push_str("Cm"),
            c => out.push(c),
        }
    }
    out
}

const FIELDS: [(u32, u32, &[&str]); 5] = [
    (0, 59, &[]),
    (0, 23, &[]),
    (1, 31, &[]),
    (
        1,
        12,
        &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    ),
    (0, 6, &["sun", "mon", "tue", "wed", "thu", "fri", "sat"]),
];

/// Checks a 5-field schedule the way robfig/cron's standard parser does; the error text
/// follows robfig's.
pub fn parse_schedule(spec: &str) -> Result<(), String> {
    let mut spec = spec.trim();
    if let Some(rest) = spec
        .strip_prefix("TZ=")
        .or_else(|| spec.strip_prefix("CRON_TZ="))
    {
        spec = rest.split_once(' ').map_or("", |(_, s)| s).trim();
    }
    if spec.starts_with('@') {
        return Err(format!("parser does not accept descriptors: {spec}"));
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected exactly 5 fields, found {}: [{}]",
            fields.len(),
            fields.join(" ")
        ));
    }
    for (field, (min, max, names)) in fields.iter().zip(FIELDS) {
        for range in field.split(',') {
            check_range(range, min, max, names)?;
        }
    }
    Ok(())
}

fn check_range(expr: &str, min: u32, max: u32, names: &[&str]) -> Result<(), String> {
    let (range, step) = match expr.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (expr, None),
    };
    let value = |s: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
            return Ok(u32::try_from(i).unwrap_or(0) + min);
        }
        s.parse::<u32>().map_err(|_| {
            format!("failed to parse int from {s}: strconv.Atoi: parsing {s:?}: invalid syntax")
        })
    };
    let (start, end) = if range == "*" || range == "?" {
        (min, max)
    } else {
        match range.split_once('-') {
            Some((a, b)) => (value(a)?, value(b)?),
            None => {
                let v = value(range)?;
                (v, if step.is_some() { max } else { v })
            }
        }
    };
    if let Some(s) = step {
        let s = value(s)?;
        if s == 0 {
            return Err(format!("step of range should be a positive number: {expr}"));
        }
    }
    if start < min {
        return Err(format!(
            "beginning of range ({start}) below minimum ({min}): {expr}"
        ));
    }
    if end > max {
        return Err(format!(
            "end of range ({end}) above maximum ({max}): {expr}"
        ));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn schedules() {
        assert!(parse_schedule("0 7 * * 1-5").is_ok());
        assert!(parse_schedule("*/15 0-23/2 ? JAN-mar mon,wed").is_ok());
        assert!(parse_schedule("CRON_TZ=UTC 0 7 * * *").is_ok());
        assert!(parse_schedule("@daily").is_err());
        assert!(parse_schedule("0 7 * *").is_err());
        assert!(parse_schedule("0 24 * * *").is_err());
        assert!(parse_schedule("0 7 * * 7").is_err());
        assert!(parse_schedule("*/0 * * * *").is_err());
        assert!(parse_schedule("5-1 * * * *").is_err());
    }

    #[test]
    fn metric_name_as_keda() {
        let metadata: BTreeMap<String, String> = [
            ("timezone", "Europe/Berlin"),
            ("start", "0 7 * * 1-5"),
            ("end", "0 19 * * 1-5"),
            ("desiredReplicas", "3"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let empty = BTreeMap::new();
        let input = TriggerInput {
            trigger_type: "cron",
            index: 0,
            metadata: &metadata,
            auth_params: &empty,
            env: &empty,
            pod_identity: None,
            metric_type: None,
            namespace: "default",
        };
        let c = parse(&input).unwrap();
        assert_eq!(
            c.metric.metric_name,
            "s0-cron-Europe-Berlin-07xx1-5-019xx1-5"
        );
        assert_eq!(c.desired_replicas, 3);
    }
}
