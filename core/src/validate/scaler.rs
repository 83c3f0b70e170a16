//! Rules of the `scaler` layer.

use crate::rules::Rule;

pub static RULES: &[&Rule] = &[];
