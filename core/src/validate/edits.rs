//! Text edits that fixes are made of, built from the spans of the nodes they change, so that
//! a fix keeps the author's quoting and indentation (and JSON stays JSON).

use crate::diagnostic::Edit;
use crate::document::resolve_plain;
use crate::document::{Entry, Node, Pos, Resolved, ScalarStyle, Span};

/// `value` as a string scalar written the way `node` is written (plain, single- or
/// double-quoted), falling back to double quotes where a plain scalar would not read back as
/// this string. None for block scalars and tagged nodes, whose text a fix would have to
/// reflow or whose tag might not fit the new value.
pub(crate) fn string_like(node: &Node, value: &str) -> Option<String> {
    let s = node.as_scalar()?;
    if s.tag.is_some() {
        return None;
    }
    match s.style {
        ScalarStyle::Plain if plain_reads_as(value) => Some(value.to_owned()),
        ScalarStyle::Plain | ScalarStyle::DoubleQuoted => Some(double_quoted(value)),
        ScalarStyle::SingleQuoted => Some(format!("'{}'", value.replace('\'', "''"))),
        ScalarStyle::Literal | ScalarStyle::Folded => None,
    }
}

/// Replaces a string scalar's value, keeping its style.
pub(crate) fn replace_string(node: &Node, value: &str) -> Option<Edit> {
    string_like(node, value).map(|t| Edit::replace(node.span, t))
}

/// Renames a mapping key, keeping its style.
pub(crate) fn rename_key(entry: &Entry, name: &str) -> Option<Edit> {
    replace_string(&entry.key, name)
}

/// Whether `value` may be written as a plain scalar and read back as the same string: a
/// conservative set of characters (names, ids, paths) that resolves to no other type.
fn plain_reads_as(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    first.is_ascii_alphanumeric()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && matches!(resolve_plain(value), Resolved::Str(_))
}

pub(crate) fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Adds `key: value` (value a string) to a mapping, before its first entry: on a line of its
/// own with the first key's indentation in a block mapping (`- ` of a list item included), or
/// as `key: value, ` in a flow mapping (`{…}`, JSON). None when the layout is not one of
/// these (an empty mapping, a key after an anchor or tag, text that does not match).
pub(crate) fn insert_entry(text: &str, entries: &[Entry], key: &str, value: &str) -> Option<Edit> {
    let first = entries.first()?;
    let at = first.key.span.start;
    let offset = at.offset as usize;
    let before = text.get(..offset)?;
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let quoted_keys = first
        .key
        .as_scalar()
        .is_some_and(|s| s.style == ScalarStyle::DoubleQuoted);
    let key = if quoted_keys {
        double_quoted(key)
    } else {
        key.to_owned()
    };
    let value = if quoted_keys || !plain_reads_as(value) {
        double_quoted(value)
    } else {
        value.to_owned()
    };
    if block_indent(line) {
        let indent = " ".repeat(line.chars().count());
        return Some(Edit::insert(at, format!("{key}: {value}\n{indent}")));
    }
    if before.trim_end().ends_with('{') {
        return Some(Edit::insert(at, format!("{key}: {value}, ")));
    }
    None
}

/// Deletes `entries[index]` with its whole line(s) from a block mapping: only a `key: scalar`
/// alone on its lines (a trailing comment goes with it), not the first entry of a list item
/// (its `- ` would go too) and not the mapping's last entry (the mapping would become null).
pub(crate) fn delete_entry(text: &str, entries: &[Entry], index: usize) -> Option<Edit> {
    if entries.len() < 2 {
        return None;
    }
    let e = entries.get(index)?;
    let scalar = e.value.as_scalar()?;
    if matches!(scalar.style, ScalarStyle::Literal | ScalarStyle::Folded) {
        return None;
    }
    let start = e.key.span.start.offset as usize;
    let end = e.value.span.end.offset as usize;
    let before = text.get(..start)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if !before.get(line_start..)?.bytes().all(|b| b == b' ') {
        return None;
    }
    let rest = text.get(end..)?;
    let newline = rest.find('\n')?;
    let tail = rest.get(..newline)?.trim();
    if !(tail.is_empty() || tail.starts_with('#')) {
        return None;
    }
    let from = Pos {
        offset: u32::try_from(line_start).ok()?,
        line: e.key.span.start.line,
        column: 1,
    };
    let to = Pos {
        offset: u32::try_from(end + newline + 1).ok()?,
        line: e.value.span.end.line + 1,
        column: 1,
    };
    Some(Edit::delete(Span::new(from, to)))
}

/// What may stand before the first key of a block mapping on its line: spaces, and the
/// `- ` of the list items the mapping is in.
fn block_indent(line: &str) -> bool {
    let mut rest = line;
    loop {
        rest = rest.trim_start_matches(' ');
        match rest.strip_prefix('-') {
            Some(r) if r.starts_with(' ') => rest = r,
            Some(_) => return false,
            None => return rest.is_empty(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{parse_stream, Limits};

    fn root(text: &str) -> Node {
        parse_stream(text, &Limits::default())
            .remove(0)
            .root
            .expect("a document")
    }

    fn apply(text: &str, e: &Edit) -> String {
        let (s, t) = (e.span.start.offset as usize, e.span.end.offset as usize);
        format!("{}{}{}", &text[..s], e.new_text, &text[t..])
    }

    #[test]
    fn strings_keep_the_style_they_replace() {
        for (text, want) in [
            ("a: x\n", "a: y-1\n"),
            ("a: 'x'\n", "a: 'y-1'\n"),
            ("a: \"x\"\n", "a: \"y-1\"\n"),
            ("{\"a\": \"x\"}", "{\"a\": \"y-1\"}"),
        ] {
            let r = root(text);
            let node = &r.as_mapping().unwrap()[0].value;
            assert_eq!(apply(text, &replace_string(node, "y-1").unwrap()), want);
        }
        let r = root("a: x\n");
        let node = &r.as_mapping().unwrap()[0].value;
        // Plain text that would read back as a boolean, a number or with a comment is quoted.
        for (value, want) in [("true", "\"true\""), ("5", "\"5\""), ("a #b", "\"a #b\"")] {
            assert_eq!(replace_string(node, value).unwrap().new_text, want);
        }
        let r = root("a: |\n  x\n");
        assert!(replace_string(&r.as_mapping().unwrap()[0].value, "y").is_none());
    }

    #[test]
    fn entries_go_before_the_first_key_with_its_indentation() {
        for (text, want) in [
            (
                "p:\n  provider: azure-workload\n",
                "p:\n  identityId: abc\n  provider: azure-workload\n",
            ),
            (
                "l:\n  - provider: azure-workload\n    x: 1\n",
                "l:\n  - identityId: abc\n    provider: azure-workload\n    x: 1\n",
            ),
            (
                "p: {provider: azure-workload}\n",
                "p: {identityId: abc, provider: azure-workload}\n",
            ),
            (
                "{\"p\": { \"provider\": \"azure-workload\"}}",
                "{\"p\": { \"identityId\": \"abc\", \"provider\": \"azure-workload\"}}",
            ),
        ] {
            let r = root(text);
            let inner = r.as_mapping().unwrap()[0].value.clone();
            let entries = match inner.as_sequence() {
                Some(items) => items[0].as_mapping().unwrap().to_vec(),
                None => inner.as_mapping().unwrap().to_vec(),
            };
            let e = insert_entry(text, &entries, "identityId", "abc").unwrap();
            let out = apply(text, &e);
            assert_eq!(out, want);
            assert!(parse_stream(&out, &Limits::default())[0].errors.is_empty());
        }
        // A key after a tag or anchor on its line: no guess at the layout.
        let text = "p: !!map {a: 1}\nq: [!!map a: 1]\n";
        let r = root(text);
        let m = r.as_mapping().unwrap()[1].value.as_sequence().unwrap()[0].clone();
        assert!(insert_entry(text, m.as_mapping().unwrap(), "k", "v").is_none());
        assert!(insert_entry(text, &[], "k", "v").is_none());
    }

    #[test]
    fn an_entry_goes_with_its_line_only_where_nothing_else_is_on_it() {
        let text = "m:\n  a: 1\n  type: Utilization # old\n  b: 2\n";
        let r = root(text);
        let m = r.as_mapping().unwrap()[0]
            .value
            .as_mapping()
            .unwrap()
            .to_vec();
        let e = delete_entry(text, &m, 1).unwrap();
        assert_eq!(apply(text, &e), "m:\n  a: 1\n  b: 2\n");
        assert_eq!((e.line, e.column, e.end_line, e.end_column), (3, 1, 4, 1));
        // The first entry of a list item, a flow mapping, a sole entry: no deletion.
        for (text, index) in [
            ("l:\n- a: 1\n  b: 2\n", 0),
            ("m: {a: 1, b: 2}\n", 0),
            ("m:\n  a: 1\n", 0),
        ] {
            let r = root(text);
            let v = &r.as_mapping().unwrap()[0].value;
            let m = match v.as_sequence() {
                Some(items) => items[0].as_mapping().unwrap().to_vec(),
                None => v.as_mapping().unwrap().to_vec(),
            };
            assert!(delete_entry(text, &m, index).is_none(), "{text}");
        }
    }
}
