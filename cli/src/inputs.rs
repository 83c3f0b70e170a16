//! Turns command-line paths into inputs: `-` is standard input, a folder is every
//! .yaml/.yml/.json file under it, a file is itself.
//!
//! A folder walk skips what a repository does not ship: hidden files and folders,
//! `node_modules`, whatever `.gitignore` files (and `.git/info/exclude`, `.ignore`) leave out,
//! whether or not the folder is a git checkout, and the `--exclude` globs. Files are sorted so
//! reports are stable.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ignore::overrides::OverrideBuilder;
use ignore::WalkBuilder;

use crate::config::{Config, ConfigError, Finder};

/// Why the inputs cannot be collected: the run stops with this message.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read standard input: {0}")]
    Stdin(#[source] std::io::Error),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("--exclude {glob}: {source}")]
    Exclude { glob: String, source: ignore::Error },
    #[error("--exclude: {0}")]
    Excludes(#[source] ignore::Error),
    #[error("cannot walk {}: {source}", .root.display())]
    Walk {
        root: PathBuf,
        source: ignore::Error,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
}

pub struct Input {
    /// As shown in reports.
    pub path: String,
    /// Where it was read from (None for standard input), where `--fix` writes it back.
    pub file: Option<PathBuf>,
    pub bytes: Vec<u8>,
    /// Size on disk (for standard input: what was read), to report oversized inputs
    /// without loading them.
    pub size: u64,
    /// The nearest `scalecore.toml` (standard input: the working folder's), if any.
    pub config: Option<Arc<Config>>,
}

/// Reads every input; a path that cannot be read is an error that stops the run.
///
/// `exclude` holds gitignore-style globs applied inside each folder walked (`*.gen.yaml`
/// anywhere, `charts/` a folder, `/deploy/x.yaml` relative to the folder); a file named on the
/// command line is always read. The `exclude` globs of each file's configuration apply the
/// same way, relative to the configuration file's folder.
pub fn collect(
    paths: &[String],
    exclude: &[String],
    max_bytes: usize,
    configs: &Arc<Finder>,
) -> Result<Vec<Input>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(max_bytes as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(InputError::Stdin)?;
            out.push(Input {
                path: "<stdin>".to_owned(),
                file: None,
                size: bytes.len() as u64,
                bytes,
                config: configs.for_dir(Path::new("."))?,
            });
            continue;
        }
        let path = Path::new(p);
        let meta = std::fs::metadata(path).map_err(|source| InputError::Read {
            path: p.clone(),
            source,
        })?;
        if meta.is_dir() {
            for f in walk(path, exclude, configs)? {
                let mut input = read_file(&f, max_bytes)?;
                input.config = configs.for_file(&f)?;
                out.push(input);
            }
        } else {
            let mut input = read_file(path, max_bytes)?;
            input.config = configs.for_file(path)?;
            out.push(input);
        }
    }
    Ok(out)
}

fn walk(
    root: &Path,
    exclude: &[String],
    configs: &Arc<Finder>,
) -> Result<Vec<PathBuf>, InputError> {
    let mut overrides = OverrideBuilder::new(root);
    for glob in exclude {
        // An override glob includes; `!` turns it into an exclusion.
        overrides
            .add(&format!("!{glob}"))
            .map_err(|source| InputError::Exclude {
                glob: glob.clone(),
                source,
            })?;
    }
    let overrides = overrides.build().map_err(InputError::Excludes)?;
    let mut files = Vec::new();
    // A configuration file that cannot be read stops the run, once the walk returns.
    let config_error: Arc<Mutex<Option<ConfigError>>> = Arc::default();
    let (finder, error) = (Arc::clone(configs), Arc::clone(&config_error));
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
        .filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            e.file_name() != "node_modules" && !config_excludes(&finder, e.path(), &error)
        })
        .build();
    for entry in walker {
        if let Some(e) = take(&config_error) {
            return Err(e.into());
        }
        let entry = entry.map_err(|source| InputError::Walk {
            root: root.to_owned(),
            source,
        })?;
        if entry.file_type().is_some_and(|t| t.is_file()) && is_manifest(entry.path()) {
            files.push(entry.into_path());
        }
    }
    if let Some(e) = take(&config_error) {
        return Err(e.into());
    }
    files.sort();
    Ok(files)
}

/// Whether the configuration of the folder holding `path` leaves it out of walks.
fn take(error: &Mutex<Option<ConfigError>>) -> Option<ConfigError> {
    error.lock().unwrap_or_else(PoisonError::into_inner).take()
}

fn config_excludes(configs: &Finder, path: &Path, error: &Mutex<Option<ConfigError>>) -> bool {
    let Some(parent) = path.parent() else {
        return false;
    };
    match configs.for_dir(parent) {
        Ok(Some(c)) => match std::path::absolute(path) {
            Ok(abs) => c.excludes(&abs, path.is_dir()),
            Err(_) => false,
        },
        Ok(None) => false,
        Err(e) => {
            error
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get_or_insert(e);
            false
        }
    }
}

fn is_manifest(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Reads at most one byte past the limit, so an oversized file is reported, not loaded.
fn read_file(path: &Path, max_bytes: usize) -> Result<Input, InputError> {
    let shown = path.display().to_string();
    let unreadable = |source| InputError::Read {
        path: shown.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    file.take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    Ok(Input {
        path: shown,
        file: Some(path.to_owned()),
        bytes,
        size,
        config: None,
    })
}
