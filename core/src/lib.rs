//! scalecore: KEDA documents checked the way KEDA's webhooks and scalers check them, and
//! KEDA + HPA scale decisions computed as a deterministic state machine.
//!
//! The crate does no I/O, keeps no clock and draws no random numbers: every answer is a
//! function of its inputs, so the CLI, the bindings and the in-cluster host agree by
//! construction.

mod decfloat;
pub mod diagnostic;
pub mod document;
pub mod fix;
#[doc(hidden)]
pub mod go;
pub mod resolve;
pub mod rules;
pub mod scalers;
pub mod sort;
pub mod validate;
pub mod version;

pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity, Source};
pub use document::{parse_stream, Bundle, Limits};
pub use validate::{lint, LintOptions};
pub use version::KedaVersion;
pub mod decide;
pub mod model;
pub mod simulate;
