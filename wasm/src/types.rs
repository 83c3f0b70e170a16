//! The TypeScript declarations of what the functions take and return. The JSON contract is
//! generated from the Rust types that encode every answer (`contract.d.ts`, by
//! tests/tests/contract_types.rs, which fails when it is stale), so the `.d.ts` cannot drift
//! from what the functions return; only the options, which this package adds to, are written here.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CONTRACT: &str = include_str!("contract.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const OPTIONS: &str = r#"
/** Options of `lint` and `lintFiles` (all optional). */
export interface LintOptions extends LintRequestOptions {
  /** How `range` counts characters; default `utf-16` (JavaScript strings, CodeMirror, LSP). */
  positionEncoding?: PositionEncoding | null
}

/** Options of `fix`: those of `lint`, and whether unsafe fixes apply too. */
export interface FixOptions extends FixRequestOptions {
  /** How the `range` of what is left counts characters; default `utf-16`. */
  positionEncoding?: PositionEncoding | null
}
"#;
