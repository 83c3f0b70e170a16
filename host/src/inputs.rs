//! Turns command-line paths into inputs: `-` is standard input, a folder is every
//! .yaml/.yml/.json file under it (sorted, hidden folders skipped), a file is itself.

use std::io::Read;
use std::path::Path;

pub struct Input {
    /// As shown in reports.
    pub path: String,
    pub bytes: Vec<u8>,
    /// Size on disk (for standard input: what was read), to report oversized inputs
    /// without loading them.
    pub size: u64,
}

/// Reads every input; a path that cannot be read is an error that stops the run.
pub fn collect(paths: &[String], max_bytes: usize) -> Result<Vec<Input>, String> {
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
            let mut files: Vec<_> = walkdir::WalkDir::new(path)
                .follow_links(false)
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                })
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file() && is_manifest(e.path()))
                .map(|e| e.into_path())
                .collect();
            files.sort();
            for f in files {
                out.push(read_file(&f, max_bytes)?);
            }
        } else {
            out.push(read_file(path, max_bytes)?);
        }
    }
    Ok(out)
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
