//! A credential a scaler's config carries for its poller (a connection string, a client
//! secret, a personal access token): `Debug` never shows it, so it cannot reach a log or a
//! diagnostic by accident.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: &str) -> Self {
        Secret(value.to_owned())
    }

    /// The value itself, for the request that authenticates with it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value of `key` in a `Key=value;…` connection string (first occurrence, the key
    /// as written, the value split at its first `=` as the Azure SDKs do).
    pub fn part(&self, key: &str) -> Option<&str> {
        self.0
            .split(';')
            .filter_map(|pair| pair.split_once('='))
            .find_map(|(k, v)| (k == key).then_some(v))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_hides_the_value_and_parts_are_found() {
        let text = "AccountName=acct;AccountKey=a2V5==;EndpointSuffix=core.windows.net";
        let s = Secret::new(text);
        assert_eq!(format!("{s:?}"), "Secret(..)");
        assert_eq!(s.part("AccountKey"), Some("a2V5=="));
        assert_eq!(s.part("accountname"), None);
        assert_eq!(s.expose(), text);
    }
}
