//! Paths of nodes (`spec.triggers[0].metadata.queueName`), kept on the stack while walking
//! and written out only when a diagnostic needs one.

/// One step of a path, linked to its parent on the stack.
#[derive(Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    pub seg: Seg<'a>,
}

#[derive(Clone, Copy)]
pub enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    pub const ROOT: Path<'static> = Path {
        parent: None,
        seg: Seg::Root,
    };

    pub fn key(&'a self, k: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Key(k),
        }
    }

    pub fn index(&'a self, i: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Index(i),
        }
    }

    /// `spec.triggers[0].metadata.queueName`; keys holding `.` or `/` (annotation keys) are
    /// written in brackets, as Kubernetes field paths do.
    pub fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut p = Some(self);
        while let Some(node) = p {
            segs.push(node.seg);
            p = node.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Seg::Root => {}
                Seg::Key(k) if needs_brackets(k) => {
                    out.push('[');
                    out.push_str(k);
                    out.push(']');
                }
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

fn needs_brackets(k: &str) -> bool {
    k.is_empty() || k.contains(['.', '/', '[', ']', ' '])
}

/// The path of key `key` of the mapping at `parent` (`metadata.labels` + `app`).
pub fn child_path(parent: &str, key: &str) -> String {
    if needs_brackets(key) {
        format!("{parent}[{key}]")
    } else {
        format!("{parent}.{key}")
    }
}
