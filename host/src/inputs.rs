//! Turns command-line paths into inputs: `-` is standard input, a folder is every
//! .yaml/.yml/.json file under it, a file is itself.
//!
//! A folder walk skips what a repository does not ship: hidden files and folders,
//! `node_modules`, whatever `.gitignore` files (and `.git/info/exclude`, `.ignore`) leave out,
//! whether or not the folder is a git checkout, and the `--exclude` globs. Files are sorted so
//! reports are stable.

use std::io::Read;
use std::path::{Path, PathBuf};

use ignore::overrides::OverrideBuilder;
use ignore::WalkBuilder;

pub struct Input {
    /// As shown in reports.
    pub path: String,
    pub bytes: Vec<u8>,
    /// Size on disk (for standard input: what was read), to report oversized inputs
    /// without loading them.
    pub size: u64,
}

/// Reads every input; a path that cannot be read is an error that stops the run.
///
/// `exclude` holds gitignore-style globs applied inside each folder walked (`*.gen.yaml`
/// anywhere, `charts/` a folder, `/deploy/x.yaml` relative to the folder); a file named on the
/// command line is always read.
pub fn collect(
    paths: &[String],
    exclude: &[String],
    max_bytes: usize,
) -> Result<Vec<Input>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(max_bytes as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            out.push(Input {
                path: "<stdin>".to_owned(),
                size: bytes.len() as u64,
                bytes,
            });
            continue;
        }
        let path = Path::new(p);
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {p}: {e}"))?;
        if meta.is_dir() {
            for f in walk(path, exclude)? {
                out.push(read_file(&f, max_bytes)?);
            }
        } else {
            out.push(read_file(path, max_bytes)?);
        }
    }
    Ok(out)
}

fn walk(root: &Path, exclude: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut overrides = OverrideBuilder::new(root);
    for glob in exclude {
        // An override glob includes; `!` turns it into an exclusion.
        overrides
            .add(&format!("!{glob}"))
            .map_err(|e| format!("--exclude {glob}: {e}"))?;
    }
    let overrides = overrides.build().map_err(|e| format!("--exclude: {e}"))?;
    let mut files = Vec::new();
    let walker = WalkBuilder::new(root)
        .follow_links(false)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .ignore(true)
        .parents(true)
        // The same files in CI as on a laptop: no per-user global excludes.
        .git_global(false)
        .require_git(false)
        .overrides(overrides)
        .filter_entry(|e| e.depth() == 0 || e.file_name() != "node_modules")
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| format!("cannot walk {}: {e}", root.display()))?;
        if entry.file_type().is_some_and(|t| t.is_file()) && is_manifest(entry.path()) {
            files.push(entry.into_path());
        }
    }
    files.sort();
    Ok(files)
}

fn is_manifest(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Reads at most one byte past the limit, so an oversized file is reported, not loaded.
fn read_file(path: &Path, max_bytes: usize) -> Result<Input, String> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    file.take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    Ok(Input {
        path: shown,
        bytes,
        size,
    })
}
