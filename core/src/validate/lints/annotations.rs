//! ScaledObject/ScaledJob annotations (spec §2.5): none is validated at admission, and each is
//! read in its own way.

use super::{
    HPA_OWNERSHIP_ON_SCALED_OBJECT, PAUSED_NOT_BOOLEAN, PAUSED_REPLICAS_NOT_INT, TRANSFER_NOT_EXACT,
};
use crate::document::{Kind, Node, Resource};
use crate::go::strconv::{parse_bool, parse_int};
use crate::rules::{Ctx, Report};
use crate::version::KedaVersion;

const PAUSED: &str = "autoscaling.keda.sh/paused";
const PAUSED_REPLICAS: &str = "autoscaling.keda.sh/paused-replicas";
const HPA_OWNERSHIP: &str = "validations.keda.sh/hpa-ownership";
const TRANSFER: &str = "scaledobject.keda.sh/transfer-hpa-ownership";

fn annotation<'a>(r: &'a Resource, key: &str) -> Option<(&'a Node, &'a str)> {
    let node = r.root.at(&["metadata", "annotations", key])?;
    Some((node, node.text()?))
}

fn path(key: &str) -> String {
    format!("metadata.annotations.{key}")
}

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let r = ctx.resource;
    let v = ctx.version();
    let paused_since = match r.kind {
        Kind::ScaledObject => KedaVersion::new(2, 12, 0),
        Kind::ScaledJob => KedaVersion::new(2, 11, 0),
        _ => return,
    };
    if let Some((node, value)) = annotation(r, PAUSED) {
        if v >= paused_since {
            match parse_bool(value) {
                None => {
                    report.emit(
                        &PAUSED_NOT_BOOLEAN,
                        r,
                        node.span,
                        path(PAUSED),
                        format!("paused annotation {value:?} is not a boolean; KEDA reads it as true and pauses this {}", r.kind.name()),
                    );
                }
                Some(false) if r.kind == Kind::ScaledObject && v < KedaVersion::new(2, 13, 0) => {
                    report.emit(
                        &PAUSED_NOT_BOOLEAN,
                        r,
                        node.span,
                        path(PAUSED),
                        format!("paused annotation {value:?}: KEDA {v} pauses a ScaledObject whenever the annotation is present (the value false is respected from 2.13.0)"),
                    );
                }
                Some(_) => {}
            }
        }
    }
    if r.kind != Kind::ScaledObject {
        return;
    }
    if let Some((node, value)) = annotation(r, PAUSED_REPLICAS) {
        if parse_int(value, 32).is_none() {
            report.emit(
                &PAUSED_REPLICAS_NOT_INT,
                r,
                node.span,
                path(PAUSED_REPLICAS),
                format!("paused-replicas {value:?} is not a 32-bit integer: the annotation still pauses the ScaledObject, and every reconcile fails (Ready=False)"),
            );
        }
    }
    if let Some((node, "true")) = annotation(r, HPA_OWNERSHIP) {
        report.emit(
            &HPA_OWNERSHIP_ON_SCALED_OBJECT,
            r,
            node.span,
            path(HPA_OWNERSHIP),
            "validations.keda.sh/hpa-ownership: \"true\" does nothing: KEDA's webhook skips only HPAs annotated \"false\"",
        );
    }
    if let Some((node, value)) = annotation(r, TRANSFER) {
        if value != "true" && value.eq_ignore_ascii_case("true") {
            report.emit(
                &TRANSFER_NOT_EXACT,
                r,
                node.span,
                path(TRANSFER),
                format!("transfer-hpa-ownership {value:?} is not the exact string \"true\", so no ownership transfer happens"),
            );
        }
    }
}
