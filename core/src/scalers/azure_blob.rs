//! `azure-blob`: how many blobs a container holds under a prefix
//! (`pkg/scalers/azure_blob_scaler.go`, `azureBlobMetadata`, its `Validate()` and
//! `parseAzureBlobMetadata`). The account is reached with a connection string, or with
//! workload identity and `accountName`; `cloud` / `endpointSuffix` pick the blob endpoint
//! suffix either way. `connection` is also read from the metadata under `connectionFromEnv`
//! itself, so a variable that does not resolve still leaves a (useless) connection string.
//!
//! Valid: the connection string in a TriggerAuthentication.
//! ```yaml
//! - type: azure-blob
//!   metadata:
//!     blobContainerName: uploads
//!     blobCount: "5"
//!     blobPrefix: incoming
//!   authenticationRef:
//!     name: storage-connection   # connection
//! ```
//! Invalid: `recursive` is not a boolean.
//! ```yaml
//! - type: azure-blob
//!   metadata:
//!     blobContainerName: uploads
//!     recursive: "sometimes"
//!     connectionFromEnv: STORAGE_CONNECTION
//! ```

use super::azure_storage::{Secret, StorageAuth};
use super::cloud::{self, Service};
use super::typed::{self, Param, Parsed, A, BOOL, E, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["azure-blob"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("blobContainerName", &[M], STRING),
    Param::new("blobCount", &[M], INT64).default("5"),
    Param::new("activationBlobCount", &[M], INT64).default("0"),
    Param::new("blobDelimiter", &[M], STRING).default("/"),
    Param::new("blobPrefix", &[M], STRING).optional(),
    Param::new("recursive", &[M], BOOL).default("false"),
    Param::new("globPattern", &[M], STRING).optional(),
    Param::new("endpointSuffix", &[M], STRING).optional(),
    Param::new("connection;connectionFromEnv", &[A, E, M], STRING).optional(),
    Param::new("accountName", &[M], STRING).optional(),
];

/// What the scaler polls with: the container, which blobs count, how the account is reached.
#[derive(Clone, Debug, PartialEq)]
pub struct AzureBlobConfig {
    pub container_name: String,
    /// The listing prefix, `blobDelimiter` already appended when both are set.
    pub prefix: String,
    /// `""` with `recursive: true` (a flat listing).
    pub delimiter: String,
    pub recursive: bool,
    /// `globPattern` without its leading `/` (blob names never start with one): only
    /// matching blob names are counted.
    pub glob_pattern: Option<String>,
    pub auth: StorageAuth,
    /// `blob.<storage suffix of cloud>`, or `endpointSuffix` as written for `Private`.
    pub endpoint_suffix: String,
    pub metric: ScalerMetric,
}

impl AzureBlobConfig {
    /// The container's URL (`None` for a connection string naming no account).
    pub fn container_url(&self) -> Option<String> {
        let service = self.auth.service_url("blob", &self.endpoint_suffix)?;
        Some(format!("{service}/{}", self.container_name))
    }

    /// Whether a blob of a flat listing is counted: every blob without `globPattern`, else
    /// those the pattern matches whole (gobwas/glob without separators: `*` and `**` any
    /// run of characters, `/` included; `?` one character; `[…]` / `[!…]` a class; `{a,b}`
    /// alternatives; `\` escapes). Braces nested deeper than [`MAX_NESTING`] match nothing.
    pub fn matches(&self, blob_name: &str) -> bool {
        let Some(pattern) = &self.glob_pattern else {
            return true;
        };
        let name: Vec<char> = blob_name.chars().collect();
        let Some(glob) = compile(pattern) else {
            return false;
        };
        let mut start = vec![false; name.len() + 1];
        start[0] = true;
        run(&glob, start, &name).last().copied().unwrap_or(false)
    }
}

/// How deep `{…}` groups may nest in a pattern [`AzureBlobConfig::matches`] evaluates.
pub const MAX_NESTING: usize = 64;

/// One element of a compiled glob.
enum Glob {
    Char(char),
    /// `*` or `**`.
    Any,
    /// `?`.
    Single,
    /// `[…]`: negated, then the characters or `lo-hi` range.
    Class(bool, Vec<char>, Option<(char, char)>),
    Alternatives(Vec<Vec<Glob>>),
}

/// The elements of a pattern [`glob_error`] accepted, as gobwas/glob parses them (an
/// unclosed `{` ends with the pattern; `}` and `,` outside a group are text).
fn compile(pattern: &str) -> Option<Vec<Glob>> {
    let mut chars = pattern.chars();
    let mut current = Vec::new();
    // Per open group: the sequence it sits in, and its alternatives so far.
    let mut open: Vec<(Vec<Glob>, Vec<Vec<Glob>>)> = Vec::new();
    while let Some(c) = chars.next() {
        match c {
            '{' if open.len() < MAX_NESTING => open.push((std::mem::take(&mut current), Vec::new())),
            '{' => return None,
            ',' if !open.is_empty() => {
                let seq = std::mem::take(&mut current);
                open.last_mut()?.1.push(seq);
            }
            '}' if !open.is_empty() => {
                let (parent, mut alternatives) = open.pop()?;
                alternatives.push(std::mem::replace(&mut current, parent));
                current.push(Glob::Alternatives(alternatives));
            }
            '*' => {
                if chars.clone().next() == Some('*') {
                    chars.next();
                }
                current.push(Glob::Any);
            }
            '?' => current.push(Glob::Single),
            '\\' => {
                if let Some(c) = chars.next() {
                    current.push(Glob::Char(c));
                }
            }
            '[' => {
                let mut not = false;
                let mut lo = chars.next()?;
                if lo == '!' {
                    not = true;
                    lo = chars.next()?;
                }
                let mut rest = chars.clone();
                if rest.next() == Some('-') {
                    let hi = rest.next()?;
                    rest.next();
                    chars = rest;
                    current.push(Glob::Class(not, Vec::new(), Some((lo, hi))));
                    continue;
                }
                let mut set = Vec::new();
                let mut c = Some(lo);
                while let Some(x) = c {
                    match x {
                        ']' => break,
                        '\\' => set.extend(chars.next()),
                        x => set.push(x),
                    }
                    c = chars.next();
                }
                current.push(Glob::Class(not, set, None));
            }
            c => current.push(Glob::Char(c)),
        }
    }
    while let Some((parent, mut alternatives)) = open.pop() {
        alternatives.push(std::mem::replace(&mut current, parent));
        current.push(Glob::Alternatives(alternatives));
    }
    Some(current)
}

/// The positions of `name` reachable after `glob`, from those set in `at` (one pass per
/// element: linear in the name for each element of the pattern).
fn run(glob: &[Glob], mut at: Vec<bool>, name: &[char]) -> Vec<bool> {
    for g in glob {
        let step = |test: &dyn Fn(char) -> bool| {
            let mut next = vec![false; at.len()];
            for (i, c) in name.iter().enumerate() {
                next[i + 1] = at[i] && test(*c);
            }
            next
        };
        at = match g {
            Glob::Char(want) => step(&|c| c == *want),
            Glob::Single => step(&|_| true),
            Glob::Class(not, set, range) => step(&|c| {
                let hit = match range {
                    Some((lo, hi)) => (*lo..=*hi).contains(&c),
                    None => set.contains(&c),
                };
                hit != *not
            }),
            Glob::Any => {
                let first = at.iter().position(|&x| x).unwrap_or(at.len());
                (0..at.len()).map(|i| i >= first).collect()
            }
            Glob::Alternatives(alternatives) => {
                let mut union = vec![false; at.len()];
                for alternative in alternatives {
                    for (u, x) in union.iter_mut().zip(run(alternative, at.clone(), name)) {
                        *u |= x;
                    }
                }
                union
            }
        };
    }
    at
}

fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    config(input).map(|c| c.metric)
}

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let pattern = p.str("globPattern");
    match glob_error(pattern.strip_prefix('/').unwrap_or(pattern)) {
        Some(why) if !pattern.is_empty() => Err(typed::error(
            "globPattern",
            ErrorKind::Invalid,
            format!("invalid glob pattern {pattern:?}: {why}"),
        )),
        _ => Ok(()),
    }
}

/// `NewAzureBlobScaler` up to the client: metric type, typed config and `Validate()`,
/// endpoint suffix, then what the pod identity requires.
pub fn config(input: &TriggerInput<'_>) -> Result<AzureBlobConfig, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, validate)?;
    let endpoint_suffix =
        cloud::suffix(input.metadata, Service::Storage("blob")).map_err(|e| vec![e])?;
    let connection = p.str("connection;connectionFromEnv");
    let auth = match input.pod_identity.unwrap_or("") {
        "" | "none" if connection.is_empty() => {
            return Err(vec![typed::error(
                "connection",
                ErrorKind::Missing,
                "connection string is required when not using pod identity)",
            )])
        }
        "" | "none" => StorageAuth::ConnectionString(Secret::new(connection)),
        "azure-workload" => match p.str("accountName") {
            "" => {
                return Err(vec![typed::error(
                    "accountName",
                    ErrorKind::Missing,
                    "accountName is required when using Azure Workload Identity",
                )])
            }
            a => StorageAuth::WorkloadIdentity {
                account_name: a.to_owned(),
            },
        },
        other => {
            return Err(vec![typed::error(
                "",
                ErrorKind::PodIdentity,
                format!(
                    "pod identity provider {other:?} is not supported for Azure Storage Blobs \
                     (supported: none, azure-workload)"
                ),
            )])
        }
    };
    let recursive = p.bool("recursive");
    let delimiter = if recursive { "" } else { p.str("blobDelimiter") };
    let mut prefix = p.str("blobPrefix").to_owned();
    if !prefix.is_empty() {
        prefix.push_str(delimiter);
    }
    let glob = p.str("globPattern");
    let container_name = p.str("blobContainerName").to_owned();
    Ok(AzureBlobConfig {
        metric: ScalerMetric {
            metric_name: super::metric_name(input.index, &format!("azure-blob-{container_name}")),
            metric_type,
            target: p.int("blobCount") as f64,
            activation: p.int("activationBlobCount") as f64,
        },
        container_name,
        prefix,
        delimiter: delimiter.to_owned(),
        recursive,
        glob_pattern: (!glob.is_empty()).then(|| glob.strip_prefix('/').unwrap_or(glob).to_owned()),
        auth,
        endpoint_suffix,
    })
}

/// Why `glob.Compile` (github.com/gobwas/glob v0.2.3) refuses a pattern, or `None`. Only
/// character classes can fail: `[` must close, holding a set of characters or one `lo-hi`
/// range with `lo <= hi`, optionally negated by a leading `!`; `\` escapes.
fn glob_error(pattern: &str) -> Option<String> {
    const END: &str = "unexpected end of input";
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
            continue;
        }
        if c != '[' {
            continue;
        }
        let mut first = chars.next();
        if first == Some('!') {
            first = chars.next();
        }
        let Some(lo) = first else {
            return Some(END.to_owned());
        };
        let mut rest = chars.clone();
        if rest.next() == Some('-') {
            chars = rest;
            let (Some(hi), close) = (chars.next(), chars.next()) else {
                return Some(END.to_owned());
            };
            match close {
                None => return Some(END.to_owned()),
                Some(']') if hi < lo => {
                    return Some(format!(
                        "hi character '{hi}' should be greater than lo '{lo}'"
                    ))
                }
                Some(']') => continue,
                Some(_) => return Some("expected close range character".to_owned()),
            }
        }
        // A set: characters (escapes resolved) up to the closing `]`.
        let mut current = Some(lo);
        let mut empty = true;
        loop {
            match current {
                None => return Some(END.to_owned()),
                Some(']') => break,
                Some('\\') if chars.next().is_none() => return Some(END.to_owned()),
                Some(_) => empty = false,
            }
            current = chars.next();
        }
        if empty {
            return Some("could not parse range".to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalers::testing::Trigger;

    fn config_of(
        meta: &[(&str, &str)],
        env: &[(&str, &str)],
        identity: Option<&str>,
    ) -> Result<AzureBlobConfig, Vec<ScalerError>> {
        crate::scalers::azure_storage::with_input("azure-blob", meta, env, identity, config)
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("azure-blob")
            .meta(&[
                ("blobContainerName", "uploads"),
                ("blobCount", "5"),
                ("blobPrefix", "incoming"),
            ])
            .auth(&[("connection", "AccountName=acct;AccountKey=a2V5")]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-azure-blob-uploads", 5.0));
        let bad = Trigger::new("azure-blob")
            .meta(&[
                ("blobContainerName", "uploads"),
                ("recursive", "sometimes"),
                ("connectionFromEnv", "STORAGE_CONNECTION"),
            ])
            .env(&[("STORAGE_CONNECTION", "AccountName=acct")]);
        assert_eq!(bad.messages().len(), 1);
    }

    /// `testAzBlobMetadata` and `TestAzBlobGlobPatternLeadingSlash`.
    #[test]
    fn prefix_delimiter_and_glob() {
        let base = [("blobContainerName", "c"), ("connectionFromEnv", "CONN")];
        let env = [("CONN", "AccountName=acct;AccountKey=a2V5")];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut meta = base.to_vec();
            meta.extend_from_slice(extra);
            config_of(&meta, &env, None)
        };
        let c = with(&[("blobPrefix", "in")]).unwrap();
        assert_eq!((c.prefix.as_str(), c.delimiter.as_str()), ("in/", "/"));
        assert_eq!(
            c.container_url().as_deref(),
            Some("https://acct.blob.core.windows.net/c")
        );
        assert!(!format!("{c:?}").contains("a2V5"));
        let c = with(&[("blobPrefix", "in"), ("recursive", "true")]).unwrap();
        assert_eq!((c.prefix.as_str(), c.delimiter.as_str()), ("in", ""));
        let c = with(&[("globPattern", "/folder/*.json")]).unwrap();
        assert_eq!(c.glob_pattern.as_deref(), Some("folder/*.json"));
        // `TestAzBlobGlobPatternLeadingSlash`.
        for (pattern, name, want) in [
            ("/folderA/subFolderA/*.json", "folderA/subFolderA/part-fileA.json", true),
            ("/folderA/**", "folderA/subFolderA/part-fileA.json", true),
            ("folderA/subFolderA/*.json", "folderA/subFolderA/part-fileA.json", true),
            ("/folderA/subFolderA/*.json", "folderB/subFolderC/fileE.txt", false),
        ] {
            let c = with(&[("globPattern", pattern)]).unwrap();
            assert_eq!(c.matches(name), want, "{pattern} {name}");
        }
        let m = |pattern: &'static str, name: &str| {
            with(&[("globPattern", pattern)]).unwrap().matches(name)
        };
        assert!(m("a/*/c", "a/b/x/c") && !m("a/*/c", "a/b/x/d"));
        assert!(m("log-?.{json,csv}", "log-1.csv") && !m("log-?.{json,csv}", "log-12.csv"));
        assert!(m("[a-c][!x]\\*", "bz*") && !m("[a-c][!x]\\*", "bx*"));
        assert!(m("{a,b", "b") && m("x}", "x}"));
        assert!(!m("*a*a*a*a*a*a*a*b", &"a".repeat(5000)));
        assert!(with(&[]).unwrap().matches("anything"));
        let deep = format!("{}a", "{".repeat(MAX_NESTING + 1));
        let c = config_of(&[base[0], base[1], ("globPattern", &deep)], &env, None).unwrap();
        assert!(!c.matches("a"));
        let nested = format!("{}a", "{".repeat(MAX_NESTING));
        let c = config_of(&[base[0], base[1], ("globPattern", &nested)], &env, None).unwrap();
        assert!(c.matches("a"));
        for good in ["foo**", "[a-c]x", "[!abc]", "{a,b}*", "a\\[b"] {
            assert!(with(&[("globPattern", good)]).is_ok(), "{good}");
        }
        for bad in ["[\\]", "[", "[]", "[z-a]", "[a-bc]", "[!]"] {
            let e = with(&[("globPattern", bad)]).unwrap_err();
            assert!(e[0].message.starts_with("invalid glob pattern"), "{bad}");
        }
        // The literal `connectionFromEnv` value is a connection when the variable is unset.
        let literal = config_of(&base, &[], None).unwrap();
        assert_eq!(
            literal.auth,
            StorageAuth::ConnectionString(Secret::new("CONN"))
        );
    }

    #[test]
    fn pod_identities() {
        let meta = [("blobContainerName", "c"), ("accountName", "acct"), ("cloud", "AzureGermanCloud")];
        let c = config_of(&meta, &[], Some("azure-workload")).unwrap();
        assert_eq!(c.endpoint_suffix, "blob.core.cloudapi.de");
        let e = config_of(&meta[..1], &[], Some("azure-workload")).unwrap_err();
        assert_eq!(
            e[0].message,
            "accountName is required when using Azure Workload Identity"
        );
        let e = config_of(&meta[..1], &[], None).unwrap_err();
        assert_eq!(
            e[0].message,
            "connection string is required when not using pod identity)"
        );
        let e = config_of(&meta, &[], Some("gcp")).unwrap_err();
        assert_eq!(e[0].kind, ErrorKind::PodIdentity);
    }

    /// `azBlobMetricIdentifiers`.
    #[test]
    fn metric_names() {
        let by_connection = Trigger::new("azure-blob")
            .meta(&[
                ("connectionFromEnv", "CONNECTION"),
                ("blobContainerName", "sample"),
                ("blobCount", "5"),
                ("blobDelimiter", "/"),
                ("blobPrefix", "blobsubpath"),
            ])
            .env(&[("CONNECTION", "SAMPLE")]);
        let by_identity = Trigger::new("azure-blob")
            .meta(&[
                ("accountName", "sample_acc"),
                ("blobContainerName", "sample_container"),
            ])
            .pod_identity("azure-workload")
            .index(1);
        let name = |t: Trigger| t.parse().unwrap().metric_name;
        assert_eq!(name(by_connection), "s0-azure-blob-sample");
        assert_eq!(name(by_identity), "s1-azure-blob-sample_container");
    }

}
