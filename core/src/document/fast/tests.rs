//! Each construct of the subset, checked against the full parser, and each way out of it.

use super::{parse, run};
use crate::document::parse::{parse_full, Limits};
use crate::document::{ParseError, ScalarStyle};

/// The fast reader must answer, and answer as the full parser does.
#[track_caller]
fn fast(text: &str) -> Vec<crate::document::ParsedDocument> {
    let limits = Limits::default();
    let quick = match run(text, &limits) {
        Ok(docs) => docs,
        Err(at) => panic!("fell back at byte {at} of {text:?}"),
    };
    assert_eq!(quick, parse_full(text, &limits), "{text:?}");
    quick
}

/// The fast reader must leave this text to the full parser.
#[track_caller]
fn falls_back(text: &str) {
    assert!(parse(text, &Limits::default()).is_none(), "{text:?}");
}

#[test]
fn block_mappings_and_plain_scalars() {
    let docs =
        fast("kind: ScaledObject\nspec:\n  minReplicaCount: 0  # none when idle\n  a#b: c#d\n");
    let root = docs[0].root.as_ref().unwrap();
    assert_eq!(
        root.at(&["spec", "minReplicaCount"]).unwrap().as_i64(),
        Some(0)
    );
    assert_eq!(root.at(&["spec", "a#b"]).unwrap().text(), Some("c#d"));
    fast("key : value\nurl: http://host:80/x\nempty:\nnext: 1");
}

#[test]
fn look_alikes_of_indicators_are_plain() {
    fast("\"a\"   : 1\nb  : 2\n...x: 3\nd: ...\ne: --- x\nf: -x\ng: a - b :c\n");
    fast("- ---\n- -1\n- --flag=x\n- a,b]\n");
    fast("k: {}  # c\nl: [ ]\nm: { }\n");
}

#[test]
fn sequences_in_every_indentation() {
    fast("triggers:\n  - type: cpu\n    metadata:\n      value: \"50\"\n  - type: memory\n");
    fast("triggers:\n- type: cpu\n  metadata:\n    value: \"50\"\n- type: memory\nafter: 1\n");
    fast("-   a\n-\n- # empty\n-    k: v\n     j: w\n");
    fast("- a:\n  - x\n  - y\n  b: 1\n");
    fast("list:\n-\n  - nested\n- last\n");
    let docs = fast("a:\n    -   x\n    - y\nb: 2\n");
    let a = docs[0].root.as_ref().unwrap().get("a").unwrap();
    assert_eq!(a.as_sequence().unwrap().len(), 2);
}

#[test]
fn quoted_scalars_with_escapes() {
    let docs = fast("a: 'it''s'  # c\nb: \"tab\\there \\\"q\\\" \\u00e9\\x41\\/\"\n\"k\": 'v'\n");
    let root = docs[0].root.as_ref().unwrap();
    assert_eq!(root.get("a").unwrap().as_str(), Some("it's"));
    assert_eq!(root.get("b").unwrap().as_str(), Some("tab\there \"q\" éA/"));
    let k = root.entry("k").unwrap();
    assert_eq!(k.key.as_scalar().unwrap().style, ScalarStyle::DoubleQuoted);
    fast("- \"x\"\n- 'y' # c\n- \"k\": v\n");
}

#[test]
fn flow_collections_on_one_line() {
    let docs = fast("a: []\nb: {}\nc: [x, \"y\", {k: v}]  # c\nd: { a : [1, 2] , b: 'z' }\n");
    let root = docs[0].root.as_ref().unwrap();
    assert_eq!(root.get("c").unwrap().as_sequence().unwrap().len(), 3);
    fast("[a, b]");
    fast("{\"apiVersion\": \"v1\", \"kind\": \"Secret\"}\n");
    fast("- [a]\n- {k: v}\n");
}

#[test]
fn documents_and_markers() {
    assert_eq!(fast("").len(), 0);
    assert_eq!(fast("# only a comment\n\n").len(), 0);
    let docs = fast("a: 1\n---\n---\nb: 2\n...\n# tail\n...\n---\nc: 3\n...\n");
    assert_eq!(docs.len(), 4);
    assert!(docs[1].root.is_none());
    fast("--- # first\na: 1\n--- \n");
    fast("---");
    fast("a: 1\n...\nb: 2\n");
}

#[test]
fn unterminated_last_lines() {
    fast("a: 1");
    fast("a:\n  b:\n    - x\n ");
    fast("a:\n  b:\n    - x\n  # c");
    fast("- a\n-");
}

#[test]
fn crlf_line_endings_and_non_ascii_comments() {
    fast("a: 1\r\nb:\r\n  - x # c\r\n  -\r\n---\r\nc: 'q'\r\n");
    fast("# überall\nname: x # ünïcödé\nlist:\n- # 日本\n  k: y\nq: \"z\"  # ü\n");
    fast("a: [x]   # ü\r\n");
}

#[test]
fn duplicate_and_merge_keys_are_the_builders() {
    let docs = fast("a: 1\nb: 2\na: 3\n");
    assert!(matches!(&docs[0].errors[0], ParseError::DuplicateKey { key, .. } if key == "a"));
    let docs = fast("m:\n  <<: {x: 1, y: 2}\n  y: 3\n");
    let m = docs[0].root.as_ref().unwrap().get("m").unwrap();
    assert_eq!(m.get("x").unwrap().as_i64(), Some(1));
    assert_eq!(m.get("y").unwrap().as_i64(), Some(3));
}

#[test]
fn each_way_out_of_the_subset() {
    for text in [
        "a: &x 1\nb: *x\n",
        "a: !!str 5\n",
        "a: |\n  text\n",
        "a: >\n  text\n",
        "a: first\n  second\n",
        "a: 'first\n  second'\n",
        "a: \"first\n  second\"\n",
        "a:\n\tb: 1\n",
        "a: 1\rb: 2\n",
        "a: é\n",
        "'é': 1\n",
        "a: [é]\n",
        "? complex\n: key\n",
        "[a]: b\n",
        "%YAML 1.2\n---\na: 1\n",
        "--- a: 1\n",
        "scalar root\n",
        "a: [1,\n  2]\n",
        "a: {x: }\n",
        "a: [x, ]\n",
        "a: [k: v]\n",
        "a: b: c\n",
        "a: - b\n",
        "- - a\n",
        "a: 1\n  b: 2\n",
        "a:\n    b: 1\n  c: 2\n",
        "a: \"x\"#c\n",
        "a: \"\\q\"\n",
        "a: 1\n...x\n",
        "\u{feff}a: 1\n",
    ] {
        falls_back(text);
    }
    falls_back(&format!("{}: 1\n", "k".repeat(1100)));
}

#[test]
fn refused_input_is_refused_by_the_full_parser() {
    // Whatever the fast reader leaves behind still gets the full parser's errors.
    let docs = crate::document::parse_stream("a: 1\n  b: 2\n", &Limits::default());
    assert!(matches!(docs[0].errors[0], ParseError::Syntax { .. }));
}

#[test]
fn limits_send_the_stream_to_the_full_parser() {
    let limits = Limits {
        max_depth: 2,
        ..Limits::default()
    };
    assert!(parse("a:\n  b:\n    c: 1\n", &limits).is_none());
    let limits = Limits {
        max_documents: 1,
        ..Limits::default()
    };
    assert!(parse("a: 1\n---\nb: 2\n", &limits).is_none());
}
