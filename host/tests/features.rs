//! The `demo` feature: on by default, off in the in-cluster image. Without it the binary links
//! neither stand-in and has no `demo` subcommand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

/// The packages `scalecore-host` links (normal dependencies only: what ships in the binary,
/// not what its tests use), as `cargo tree` resolves them from Cargo.lock without the network.
fn linked_packages(default_features: bool) -> Vec<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let mut cmd = Command::new(cargo);
    cmd.args(["tree", "--offline", "--locked", "--manifest-path", manifest])
        .args(["-p", "scalecore-host", "-e", "normal"])
        .args(["--prefix", "none", "--format", "{p}"]);
    if !default_features {
        cmd.arg("--no-default-features");
    }
    let out = cmd.output().expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

fn standins(packages: &[String]) -> Vec<&str> {
    let mut found: Vec<&str> = packages
        .iter()
        .map(String::as_str)
        .filter(|p| p.starts_with("scalecore-standin-"))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

#[test]
fn the_in_cluster_build_links_no_standin() {
    let shipped = linked_packages(false);
    // The tree is the real one (the host and its Azure client are in it), so an empty
    // stand-in list means none is linked, not that cargo listed nothing.
    assert!(shipped.iter().any(|p| p == "scalecore-host"), "{shipped:?}");
    assert!(
        shipped.iter().any(|p| p == "scalecore-azure"),
        "{shipped:?}"
    );
    assert_eq!(standins(&shipped), Vec::<&str>::new());

    // The default build is the one with `demo`, and the check sees the stand-ins there.
    let default = linked_packages(true);
    assert_eq!(
        standins(&default),
        ["scalecore-standin-azure", "scalecore-standin-kube"]
    );
}

#[test]
fn demo_is_a_subcommand_only_with_the_feature() {
    let out = Command::new(env!("CARGO_BIN_EXE_scalecore"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    let listed = help.lines().any(|l| l.trim_start().starts_with("demo "));
    assert_eq!(listed, cfg!(feature = "demo"), "{help}");
    // `run` is the in-cluster command: it is there either way.
    assert!(
        help.lines().any(|l| l.trim_start().starts_with("run ")),
        "{help}"
    );
}
