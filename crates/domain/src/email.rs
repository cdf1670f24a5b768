//! An e-mail address as a citizen gives it: trimmed, domain lowercased, checked for the shape mail
//! servers accept (dot-atom local part, dotted domain). Whether it receives mail is not known here.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_LABEL_LEN: usize = 63;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email {
    address: String,
    at: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("an e-mail address is required")]
    Empty,
    #[error("an e-mail address has at most 254 characters")]
    TooLong,
    #[error("an e-mail address may not contain spaces or control characters")]
    InvalidCharacter,
    #[error("an e-mail address has exactly one @")]
    MissingAt,
    #[error("the part before @ is empty, too long or badly formed")]
    LocalPart,
    #[error("the part after @ is not a valid domain such as example.go.th")]
    Domain,
}

impl EmailError {
    pub fn code(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLong => "too_long",
            Self::InvalidCharacter => "invalid_character",
            Self::MissingAt => "missing_at",
            Self::LocalPart => "local_part",
            Self::Domain => "domain",
        }
    }
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(EmailError::Empty);
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::InvalidCharacter);
        }
        let (local, domain) = match raw.split_once('@') {
            Some((local, domain)) if !domain.contains('@') => (local, domain.to_lowercase()),
            _ => return Err(EmailError::MissingAt),
        };
        if !valid_local_part(local) {
            return Err(EmailError::LocalPart);
        }
        if !valid_domain(&domain) {
            return Err(EmailError::Domain);
        }
        let address = format!("{local}@{domain}");
        if address.chars().count() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        Ok(Self { at: local.len(), address })
    }

    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The part before `@`, case kept as given.
    pub fn local_part(&self) -> &str {
        &self.address[..self.at]
    }

    /// The part after `@`, lowercased.
    pub fn domain(&self) -> &str {
        &self.address[self.at + 1..]
    }
}

/// RFC 5322 dot-atom: no quoted strings, which real sign-up forms never need.
fn valid_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
    !local.is_empty()
        && local.chars().count() <= MAX_LOCAL_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_alphanumeric() || is_thai_mark(c) || SPECIALS.contains(c))
}

/// Letters (Thai and other scripts included, for internationalised domains), digits and hyphens in
/// at least two labels, no label starting or ending with a hyphen.
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= MAX_LABEL_LEN
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-' || is_thai_mark(c))
        })
        && labels.last().is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

/// Thai vowel and tone marks are not alphanumeric to Unicode but are part of Thai words (.ไทย).
fn is_thai_mark(c: char) -> bool {
    ('\u{0E31}'..='\u{0E4E}').contains(&c)
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

impl FromStr for Email {
    type Err = EmailError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.address
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.address)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_by_trimming_and_lowercasing_the_domain_only() {
        let email = Email::parse("  Somchai.J+forms@Example.GO.TH \n").unwrap();
        assert_eq!(email.as_str(), "Somchai.J+forms@example.go.th");
        assert_eq!(email.local_part(), "Somchai.J+forms");
        assert_eq!(email.domain(), "example.go.th");
    }

    #[test]
    fn accepts_common_and_thai_addresses() {
        for raw in ["a@b.co", "o'brien@mail.example.com", "น้ำใส@ตัวอย่าง.ไทย", "x_y-z@sub-domain.example.org"]
        {
            assert!(Email::parse(raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn rejects_with_a_reason() {
        let cases = [
            ("", EmailError::Empty),
            ("   ", EmailError::Empty),
            ("som chai@example.com", EmailError::InvalidCharacter),
            ("somchai@exa\u{7}mple.com", EmailError::InvalidCharacter),
            ("somchai.example.com", EmailError::MissingAt),
            ("a@b@example.com", EmailError::MissingAt),
            ("@example.com", EmailError::LocalPart),
            (".a@example.com", EmailError::LocalPart),
            ("a..b@example.com", EmailError::LocalPart),
            ("a<b>@example.com", EmailError::LocalPart),
            ("somchai@localhost", EmailError::Domain),
            ("somchai@", EmailError::Domain),
            ("somchai@example..com", EmailError::Domain),
            ("somchai@-example.com", EmailError::Domain),
            ("somchai@example.com.", EmailError::Domain),
            ("somchai@ex_ample.com", EmailError::Domain),
            ("somchai@1.2.3.4", EmailError::Domain),
        ];
        for (raw, expected) in cases {
            assert_eq!(Email::parse(raw), Err(expected), "{raw:?}");
        }
    }

    #[test]
    fn enforces_length_limits_in_characters() {
        let local = "a".repeat(64);
        assert!(Email::parse(&format!("{local}@example.com")).is_ok());
        assert_eq!(Email::parse(&format!("a{local}@example.com")), Err(EmailError::LocalPart));
        let long_domain =
            format!("{}.{}.{}.{}.com", "b".repeat(63), "c".repeat(63), "d".repeat(63), "e".repeat(60));
        assert_eq!(Email::parse(&format!("a@{long_domain}")), Err(EmailError::TooLong));
        assert_eq!(Email::parse(&format!("a@{}.com", "b".repeat(64))), Err(EmailError::Domain));
        assert_eq!(EmailError::TooLong.code(), "too_long");
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let email: Email = serde_json::from_str("\"A@Example.com\"").unwrap();
        assert_eq!(serde_json::to_string(&email).unwrap(), "\"A@example.com\"");
        assert!(serde_json::from_str::<Email>("\"not-an-address\"").is_err());
    }
}
