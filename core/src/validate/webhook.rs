//! Rules of the `webhook` layer.

use crate::rules::Rule;

pub static RULES: &[&Rule] = &[];
