//! `scalecore demo --format json`: the seed end to end over loopback HTTP, time compressed.
#![cfg(feature = "demo")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use serde_json::Value;

#[test]
fn demo_scales_the_seed_out_and_back_to_zero() {
    demo_scales_out_and_back_to_zero(&[], "s0-azure-servicebus-orders");
}

#[test]
fn demo_with_a_storage_queue_scales_the_same_way() {
    demo_scales_out_and_back_to_zero(&["--scaler", "azure-queue"], "s0-azure-queue-orders");
}

#[test]
fn demo_with_blobs_scales_the_same_way() {
    demo_scales_out_and_back_to_zero(&["--scaler", "azure-blob"], "s0-azure-blob-orders");
}

#[test]
fn demo_with_an_event_hub_scales_the_same_way() {
    demo_scales_out_and_back_to_zero(
        &["--scaler", "azure-eventhub"],
        "s0-azure-eventhub-$Default",
    );
}

#[test]
fn demo_with_a_data_explorer_query_scales_the_same_way() {
    demo_scales_out_and_back_to_zero(
        &["--scaler", "azure-data-explorer"],
        "s0-azure-data-explorer-orders",
    );
}

#[test]
fn demo_with_pipeline_jobs_scales_the_same_way() {
    demo_scales_out_and_back_to_zero(
        &["--scaler", "azure-pipelines"],
        "s0-azure-pipelines-orders",
    );
}

/// The demo's timeline with `extra` arguments: 0 -> 10 -> 0 as the seed scenario, every HPA
/// step naming `metric`.
fn demo_scales_out_and_back_to_zero(extra: &[&str], metric: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_scalecore"))
        .args(["demo", "--format", "json", "--speed", "40"])
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for e in &events {
        for key in ["t", "queue", "replicas", "reason"] {
            assert!(e.get(key).is_some(), "{e} lacks {key}");
        }
    }
    let replicas: Vec<i64> = events
        .iter()
        .map(|e| e["replicas"].as_i64().unwrap())
        .collect();
    assert_eq!(replicas[0], 0, "{stdout}");
    let mut path = replicas.clone();
    path.dedup();
    // KEDA activates, the HPA grows by max(2x, +4) per sync to the cap of 10, and after the
    // queue drains and the 300 s cooldown passes, back to 0 (the seed scenario's shape).
    assert_eq!(&path[..5], &[0, 1, 4, 8, 10], "{stdout}");
    assert_eq!(*path.last().unwrap(), 0, "{stdout}");
    let activated = events.iter().find(|e| e["replicas"] == 1).unwrap();
    assert!(
        activated["reason"]
            .as_str()
            .unwrap()
            .contains("KEDA scales to 1"),
        "{activated}"
    );
    let hpa = events
        .iter()
        .find(|e| e["reason"].as_str().unwrap().contains("ceil("))
        .unwrap();
    assert!(hpa["reason"].as_str().unwrap().contains(metric), "{hpa}");
    let last_t = events.last().unwrap()["t"].as_f64().unwrap();
    assert!(last_t > 300.0, "cooldown must have passed: {stdout}");
}

#[test]
fn demo_with_azure_monitor_scales_the_same_way() {
    demo_scales_out_and_back_to_zero(
        &["--scaler", "azure-monitor"],
        "s0-azure-monitor-ActiveMessages",
    );
}

#[test]
fn demo_with_log_analytics_scales_the_same_way() {
    demo_scales_out_and_back_to_zero(
        &["--scaler", "azure-log-analytics"],
        "s0-azure-log-analytics-00000000-0000-0000-0000-0000000010a5",
    );
}

#[test]
fn demo_with_app_insights_scales_the_same_way() {
    demo_scales_out_and_back_to_zero(
        &["--scaler", "azure-app-insights"],
        "s0-azure-app-insights-customMetrics-OrdersQueued",
    );
}
