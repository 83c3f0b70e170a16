//! Rules of the `lints` layer.

use crate::rules::Rule;

pub static RULES: &[&Rule] = &[];
