//! `scalecore.toml` (or `.scalecore.toml`): lint settings kept beside the manifests.
//!
//! Each linted file takes the nearest configuration file in its folder or a parent folder;
//! `--config FILE` gives one file for every input and `--isolated` reads none. Flags on the
//! command line win over the file.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use scalecore::Severity;
use serde::Deserialize;

/// Names looked for in each folder, in this order.
pub const FILE_NAMES: [&str; 2] = ["scalecore.toml", ".scalecore.toml"];

/// The file's keys; any other key is an error that names it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Codes never reported.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Codes or code prefixes reported (`KEDA1` is every webhook code); absent means all.
    #[serde(default)]
    pub select: Option<Vec<String>>,
    /// Severity overrides by code.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// KEDA release whose rules apply.
    #[serde(default)]
    pub keda_version: Option<String>,
    #[serde(default)]
    pub strict_refs: Option<bool>,
    /// Gitignore-style globs, relative to the file's folder, left out of folder walks.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// Why a configuration file cannot be used. Each message starts with the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not TOML, or a key that is not one of [`ConfigFile`]'s (toml names it).
    #[error("{}: {}", .path.display(), .source.to_string().trim_end())]
    Toml {
        path: PathBuf,
        source: toml::de::Error,
    },
    /// A code in `ignore`, `select` or `[severity]` that is no rule's (the core's words).
    #[error("{}: {message}", .path.display())]
    Codes { path: PathBuf, message: String },
    #[error("{}: keda-version: {source}", .path.display())]
    KedaVersion {
        path: PathBuf,
        source: scalecore::version::VersionError,
    },
    /// A file or folder whose absolute path cannot be made (the working folder is gone).
    #[error("cannot resolve {}: {source}", .path.display())]
    Resolve {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: exclude {glob:?}: {source}", .path.display())]
    Exclude {
        path: PathBuf,
        glob: String,
        source: ignore::Error,
    },
    #[error("{}: exclude: {source}", .path.display())]
    Excludes {
        path: PathBuf,
        source: ignore::Error,
    },
}

fn resolve(path: &Path) -> Result<PathBuf, ConfigError> {
    std::path::absolute(path).map_err(|source| ConfigError::Resolve {
        path: path.to_owned(),
        source,
    })
}

/// A configuration file read and checked.
#[derive(Debug)]
pub struct Config {
    pub path: PathBuf,
    pub file: ConfigFile,
    exclude: Gitignore,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let at = || path.to_owned();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: at(), source })?;
        let file: ConfigFile =
            toml::from_str(&text).map_err(|source| ConfigError::Toml { path: at(), source })?;
        let options = scalecore::LintOptions {
            ignore: file.ignore.clone(),
            select: file.select.clone(),
            severity: file.severity.clone(),
            ..Default::default()
        };
        options
            .check_codes()
            .map_err(|message| ConfigError::Codes {
                path: at(),
                message,
            })?;
        if let Some(v) = &file.keda_version {
            v.parse::<scalecore::KedaVersion>()
                .map_err(|source| ConfigError::KedaVersion { path: at(), source })?;
        }
        // Globs are anchored at the file's folder, and walked paths are compared absolute.
        let abs = resolve(path)?;
        let dir = abs.parent().unwrap_or(Path::new("/"));
        let mut globs = GitignoreBuilder::new(dir);
        for g in &file.exclude {
            globs
                .add_line(None, g)
                .map_err(|source| ConfigError::Exclude {
                    path: at(),
                    glob: g.clone(),
                    source,
                })?;
        }
        let exclude = globs
            .build()
            .map_err(|source| ConfigError::Excludes { path: at(), source })?;
        Ok(Config {
            path: path.to_owned(),
            file,
            exclude,
        })
    }

    /// Whether a folder walk leaves `path` (absolute) out.
    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        path.starts_with(self.exclude.path())
            && self
                .exclude
                .matched_path_or_any_parents(path, is_dir)
                .is_ignore()
    }
}

enum Mode {
    Discover,
    Fixed(Arc<Config>),
    Isolated,
}

/// Finds the configuration of each folder, reading every file once (shared with the folder
/// walk's filter, which wants `Sync`).
pub struct Finder {
    mode: Mode,
    cache: Mutex<HashMap<PathBuf, Option<Arc<Config>>>>,
}

impl Finder {
    pub fn new(config: Option<&str>, isolated: bool) -> Result<Finder, ConfigError> {
        let mode = match (config, isolated) {
            (_, true) => Mode::Isolated,
            (Some(p), false) => Mode::Fixed(Arc::new(Config::load(Path::new(p))?)),
            (None, false) => Mode::Discover,
        };
        Ok(Finder {
            mode,
            cache: Mutex::default(),
        })
    }

    /// The configuration that applies to files in `dir`.
    pub fn for_dir(&self, dir: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        match &self.mode {
            Mode::Isolated => Ok(None),
            Mode::Fixed(c) => Ok(Some(c.clone())),
            Mode::Discover => self.discover(&resolve(dir)?),
        }
    }

    /// The configuration of the file at `path`.
    pub fn for_file(&self, path: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        let abs = resolve(path)?;
        match abs.parent() {
            Some(dir) => self.for_dir(dir),
            None => Ok(None),
        }
    }

    fn discover(&self, dir: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        let mut visited = Vec::new();
        let mut found = None;
        for d in dir.ancestors() {
            let known = self
                .cache
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(d)
                .cloned();
            if let Some(known) = known {
                found = known;
                break;
            }
            visited.push(d.to_owned());
            if let Some(p) = FILE_NAMES.iter().map(|n| d.join(n)).find(|p| p.is_file()) {
                found = Some(Arc::new(Config::load(&p)?));
                break;
            }
        }
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        for d in visited {
            cache.insert(d, found.clone());
        }
        Ok(found)
    }
}
