//! KEDA release numbers, so rules apply only to the releases that enforce them.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KedaVersion {
    pub major: u16,
    pub minor: u16,
    pub patch: u16,
}

impl KedaVersion {
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        KedaVersion {
            major,
            minor,
            patch,
        }
    }

    /// The release whose rules apply when none is named.
    pub const DEFAULT: KedaVersion = KedaVersion::new(2, 20, 2);
    /// The oldest release scalecore models.
    pub const OLDEST: KedaVersion = KedaVersion::new(2, 0, 0);
}

impl Default for KedaVersion {
    fn default() -> Self {
        KedaVersion::DEFAULT
    }
}

impl fmt::Display for KedaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a KEDA version: {0:?} (expected 2.MINOR or 2.MINOR.PATCH, e.g. 2.20 or 2.18.1)")]
pub struct VersionError(pub String);

impl FromStr for KedaVersion {
    type Err = VersionError;

    /// Reads `2.20`, `2.20.2` or `v2.20.2`. A release without a patch number means its
    /// newest patch, since rules change within a minor line (2.20.2 allowed `strategy: default`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || VersionError(s.to_owned());
        let body = s.trim().trim_start_matches('v');
        let parts: Vec<&str> = body.split('.').collect();
        let num = |p: &str| p.parse::<u16>().map_err(|_| err());
        let v = match parts.as_slice() {
            [ma, mi] => KedaVersion::new(num(ma)?, num(mi)?, u16::MAX),
            [ma, mi, pa] => KedaVersion::new(num(ma)?, num(mi)?, num(pa)?),
            _ => return Err(err()),
        };
        if v.major != 2 {
            return Err(err());
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_release_numbers() {
        assert_eq!("2.20.2".parse(), Ok(KedaVersion::new(2, 20, 2)));
        assert_eq!("v2.18.1".parse(), Ok(KedaVersion::new(2, 18, 1)));
        let minor: KedaVersion = "2.20".parse().unwrap();
        assert!(minor >= KedaVersion::new(2, 20, 2));
        assert!(minor < KedaVersion::new(2, 21, 0));
        assert!("3.0".parse::<KedaVersion>().is_err());
        assert!("2.x".parse::<KedaVersion>().is_err());
    }
}
