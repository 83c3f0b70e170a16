//! Multi-document YAML/JSON streams as span-carrying node trees, and the KEDA (and
//! neighbouring Kubernetes) resources found in them.

mod fast;
mod node;
mod parse;
mod resource;
mod scalar;
mod tree;

pub use node::{Entry, Node, Pos, Span, Value};
pub use parse::{decode, parse_stream, Limits, ParseError, ParsedDocument};
pub use resource::{Bundle, Kind, Resource, KEDA_API_VERSION};
pub(crate) use scalar::resolve_plain;
pub use scalar::{Resolved, Scalar, ScalarStyle};
