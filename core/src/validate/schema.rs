//! Rules of the `schema` layer.

use crate::rules::Rule;

pub static RULES: &[&Rule] = &[];
