#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../src/crd/mod.rs"]
mod crd;

#[test]
fn dump() {
    println!("{}", crd::crds_yaml().unwrap());
}
