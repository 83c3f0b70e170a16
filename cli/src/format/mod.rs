//! Renderers of a lint report: code frames for people, SARIF for dashboards, workflow
//! commands for GitHub Actions.

pub mod github;
pub mod human;
pub mod sarif;
