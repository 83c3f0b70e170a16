//! Rules of the `reference` layer.

use crate::rules::Rule;

pub static RULES: &[&Rule] = &[];
