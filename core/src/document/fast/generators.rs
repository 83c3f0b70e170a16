//! Random texts for the agreement tests: manifest fragments, generated manifests in several
//! layouts, and manifests with fragments spliced in.

use proptest::prelude::*;

/// Fragments of the YAML that manifests are made of, plus some that leave the subset.
const FRAGMENTS: &[&str] = &[
    "a",
    "b",
    "key",
    "kind",
    "spec",
    "name",
    "-",
    "- ",
    ":",
    ": ",
    " ",
    "  ",
    "    ",
    "\n",
    "\n",
    "\n",
    "\n  ",
    "\n    ",
    "\n- ",
    "\n  - ",
    "#",
    " # c",
    "---",
    "\n---\n",
    "...",
    "\n...\n",
    "\"",
    "'",
    "\"x\"",
    "'y'",
    "\"a\\\"b\"",
    "'it''s'",
    "\"\\u00e9\\x41\\t\"",
    "[",
    "]",
    "{",
    "}",
    ",",
    ", ",
    "[]",
    "{}",
    "[a, b]",
    "{a: b}",
    "{x: [1, 2], y: 'z'}",
    "5",
    "\"5\"",
    "yes",
    "0x1F",
    "~",
    "null",
    "1.5",
    "-1",
    "--flag",
    "http://x:80/y",
    "a#b",
    "<<",
    "&a",
    "*a",
    "!t",
    "|",
    ">",
    "?",
    "%",
    "@",
    "\t",
    "\r",
    "\r\n",
    "é",
    "{{ x }}",
    "a: b",
    "- a: b",
    "k:\n  v: 1",
    " : ",
    "...x",
    "- ---",
    "a  : b",
    "\"k\" : v",
    "[ ]",
    "{ }",
    "a,b]",
    "-#",
    "#x",
    "- # c",
    ":#",
    "key:#x",
    "\n# ü\n",
    "\"\\\n\"",
    "\\",
    "'''",
    "\"\\x4\"",
];

pub(super) fn fragment_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => proptest::sample::select(FRAGMENTS).prop_map(str::to_owned),
        1 => proptest::collection::vec(any::<u8>(), 0..4)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

#[derive(Clone, Debug)]
enum Tree {
    Leaf(&'static str),
    Map(Vec<(&'static str, Tree)>),
    Seq(Vec<Tree>),
}

const LEAVES: &[&str] = &[
    "x",
    "\"5\"",
    "'q'",
    "10",
    "[]",
    "{}",
    "[a, b]",
    "{k: v}",
    "",
    " # c",
    "true",
    "a b",
    "\"a: b\"",
    "'a''b' # c",
    "[\"x\", {y: z}]",
    "~",
    "\"\\u00e9\"",
    "--flag",
    "0x1F",
];
const KEYS: &[&str] = &[
    "name", "type", "metadata", "a", "b", "\"q\"", "name", "<<", "'k'",
];

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = proptest::sample::select(LEAVES).prop_map(Tree::Leaf);
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            proptest::collection::vec((proptest::sample::select(KEYS), inner.clone()), 1..5)
                .prop_map(Tree::Map),
            proptest::collection::vec(inner, 1..4).prop_map(Tree::Seq),
        ]
    })
}

/// How a tree is laid out: indentation step, indented or indentless sequences under keys,
/// blanks after `:` and `-`, and comment lines between entries.
#[derive(Clone, Copy, Debug)]
struct Layout {
    step: usize,
    indentless: bool,
    wide: bool,
    notes: bool,
}

fn write_leaf(out: &mut String, leaf: &str, wide: bool) {
    if !leaf.is_empty() && !leaf.starts_with(' ') {
        out.push_str(if wide { "   " } else { " " });
    }
    out.push_str(leaf);
    out.push('\n');
}

fn write(out: &mut String, t: &Tree, indent: usize, l: Layout, inline: bool) {
    let pad = " ".repeat(indent);
    match t {
        Tree::Leaf(v) => write_leaf(out, v, l.wide),
        Tree::Map(entries) => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if !(inline && i == 0) {
                    if l.notes && i % 2 == 1 {
                        out.push_str(&format!("{pad}# note\n"));
                    }
                    out.push_str(&pad);
                }
                out.push_str(k);
                out.push(':');
                match v {
                    Tree::Leaf(leaf) => write_leaf(out, leaf, l.wide),
                    Tree::Map(_) => {
                        out.push('\n');
                        write(out, v, indent + l.step, l, false);
                    }
                    Tree::Seq(_) => {
                        out.push('\n');
                        let at = if l.indentless {
                            indent
                        } else {
                            indent + l.step
                        };
                        write(out, v, at, l, false);
                    }
                }
            }
        }
        Tree::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                if !(inline && i == 0) {
                    out.push_str(&pad);
                }
                out.push('-');
                match item {
                    Tree::Leaf(leaf) => write_leaf(out, leaf, l.wide),
                    Tree::Map(_) => {
                        out.push_str(if l.wide { "   " } else { " " });
                        let inner = indent + if l.wide { 4 } else { 2 };
                        write(out, item, inner, l, true);
                    }
                    Tree::Seq(_) => {
                        out.push('\n');
                        write(out, item, indent + l.step, l, false);
                    }
                }
            }
        }
    }
}

/// Manifest-shaped text: generated trees written as block YAML in several layouts, one or
/// more documents per stream.
pub(super) fn manifest_text() -> impl Strategy<Value = String> {
    let layout = (1usize..5, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(step, indentless, wide, notes)| Layout {
            step,
            indentless,
            wide,
            notes,
        },
    );
    let docs = proptest::collection::vec(tree(), 1..4);
    (docs, layout, 0usize..3).prop_map(|(docs, layout, separator)| {
        let mut out = String::new();
        for (i, t) in docs.iter().enumerate() {
            if i > 0 || separator == 1 {
                out.push_str("---\n");
            }
            write(&mut out, t, 0, layout, false);
            if separator == 2 {
                out.push_str("...\n");
            }
        }
        out
    })
}

/// A manifest-shaped text with a few fragments spliced in at random places.
pub(super) fn mutated_manifest() -> impl Strategy<Value = String> {
    let edit = (
        any::<proptest::sample::Index>(),
        proptest::sample::select(FRAGMENTS),
    );
    (manifest_text(), proptest::collection::vec(edit, 1..3)).prop_map(|(mut text, edits)| {
        for (at, fragment) in edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            text.insert_str(i, fragment);
        }
        text
    })
}
