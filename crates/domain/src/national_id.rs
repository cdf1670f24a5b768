//! The 13-digit Thai national ID (เลขประจำตัวประชาชน): the citizen's username, checked by its mod-11
//! digit. Debug output is masked so an ID that slips into a log line does not leak whole.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

const LEN: usize = 13;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NationalId(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NationalIdError {
    #[error("a national ID has 13 digits")]
    Length,
    #[error("a national ID may contain only digits, spaces and dashes")]
    NotDigits,
    #[error("a national ID does not start with 0")]
    LeadingZero,
    #[error("the check digit of this national ID does not match")]
    Checksum,
}

impl NationalIdError {
    pub fn code(self) -> &'static str {
        match self {
            Self::Length => "length",
            Self::NotDigits => "not_digits",
            Self::LeadingZero => "leading_zero",
            Self::Checksum => "checksum",
        }
    }
}

impl NationalId {
    /// Accepts `1103702071561`, `1-1037-02071-56-1` or `1 1037 02071 56 1`; Thai digits (๑๒๓) too.
    pub fn parse(raw: &str) -> Result<Self, NationalIdError> {
        let mut digits = String::with_capacity(LEN);
        for c in raw.trim().chars() {
            let digit = match c {
                ' ' | '-' => continue,
                '0'..='9' => c,
                _ => thai_digit(c).ok_or(NationalIdError::NotDigits)?,
            };
            digits.push(digit);
        }
        if digits.len() != LEN {
            return Err(NationalIdError::Length);
        }
        let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        if values[0] == 0 {
            return Err(NationalIdError::LeadingZero);
        }
        if check_digit(&values[..LEN - 1]) != values[LEN - 1] {
            return Err(NationalIdError::Checksum);
        }
        Ok(Self(digits))
    }

    /// The 13 digits without separators, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped as printed on the card: `1-1037-02071-56-1`.
    pub fn formatted(&self) -> String {
        let d = &self.0;
        format!("{}-{}-{}-{}-{}", &d[0..1], &d[1..5], &d[5..10], &d[10..12], &d[12..13])
    }

    /// For showing back to people and logs: `1-1037-xxxxx-xx-1`.
    pub fn masked(&self) -> String {
        let d = &self.0;
        format!("{}-{}-xxxxx-xx-{}", &d[0..1], &d[1..5], &d[12..13])
    }
}

/// The 13th digit for the first 12: weights 13 down to 2, then `(11 - sum % 11) % 10`.
pub fn check_digit(first_twelve: &[u32]) -> u32 {
    let sum: u32 = first_twelve.iter().zip((2..=13).rev()).map(|(d, w)| d * w).sum();
    (11 - sum % 11) % 10
}

/// `๐`..`๙` as `0`..`9`; people copy IDs from Thai documents.
fn thai_digit(c: char) -> Option<char> {
    let offset = u32::from(c).checked_sub(u32::from('๐'))?;
    if offset < 10 { char::from_digit(offset, 10) } else { None }
}

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("NationalId").field(&self.masked()).finish()
    }
}

impl FromStr for NationalId {
    type Err = NationalIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for NationalId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for NationalId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NationalId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_valid_ids_in_every_spelling() {
        for raw in ["1103702071561", "1-1037-02071-56-1", " 1 1037 02071 56 1 ", "๑๑๐๓๗๐๒๐๗๑๕๖๑"]
        {
            let id = NationalId::parse(raw).unwrap();
            assert_eq!(id.as_str(), "1103702071561", "{raw}");
        }
        assert!(NationalId::parse("1101700207030").is_ok());
        assert!(NationalId::parse("3100100123451").is_ok());
        assert!(NationalId::parse("5123456789017").is_ok());
    }

    #[test]
    fn a_wrong_check_digit_is_a_checksum_error() {
        assert_eq!(NationalId::parse("1101700207031"), Err(NationalIdError::Checksum));
        assert_eq!(NationalId::parse("1103702071562"), Err(NationalIdError::Checksum));
    }

    #[test]
    fn the_third_digit_is_outside_the_checksum() {
        // Weight 11 vanishes mod 11; a limit of the official scheme, not of this parser.
        assert!(NationalId::parse("1151700207030").is_ok());
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(NationalId::parse(""), Err(NationalIdError::Length));
        assert_eq!(NationalId::parse("110370207156"), Err(NationalIdError::Length));
        assert_eq!(NationalId::parse("11037020715611"), Err(NationalIdError::Length));
        assert_eq!(NationalId::parse("11037020715a1"), Err(NationalIdError::NotDigits));
        assert_eq!(NationalId::parse("1.1037.02071.56.1"), Err(NationalIdError::NotDigits));
        assert_eq!(NationalId::parse("１１０３７０２０７１５６１"), Err(NationalIdError::NotDigits));
        assert_eq!(NationalId::parse("0103702071561"), Err(NationalIdError::LeadingZero));
        assert_eq!(NationalIdError::Checksum.code(), "checksum");
        assert_eq!(NationalIdError::Length.code(), "length");
        assert_eq!(NationalIdError::NotDigits.code(), "not_digits");
    }

    #[test]
    fn shows_formatted_masked_and_never_whole_in_debug() {
        let id = NationalId::parse("1103702071561").unwrap();
        assert_eq!(id.to_string(), "1103702071561");
        assert_eq!(id.formatted(), "1-1037-02071-56-1");
        assert_eq!(id.masked(), "1-1037-xxxxx-xx-1");
        assert!(!format!("{id:?}").contains("1103702071561"));
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let id: NationalId = serde_json::from_str("\"1-1037-02071-56-1\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"1103702071561\"");
        assert!(serde_json::from_str::<NationalId>("\"1103702071562\"").is_err());
    }

    fn with_check_digit(first_twelve: &[u32]) -> String {
        let check = check_digit(first_twelve);
        first_twelve.iter().chain([check].iter()).map(|d| d.to_string()).collect()
    }

    proptest! {
        #[test]
        fn twelve_digits_and_their_check_digit_parse(
            first in 1u32..=9,
            rest in proptest::collection::vec(0u32..=9, 11),
        ) {
            let twelve: Vec<u32> = std::iter::once(first).chain(rest).collect();
            let raw = with_check_digit(&twelve);
            prop_assert_eq!(NationalId::parse(&raw).map(|id| id.as_str().to_owned()), Ok(raw));
        }

        #[test]
        fn changing_the_check_digit_fails(
            first in 1u32..=9,
            rest in proptest::collection::vec(0u32..=9, 11),
            delta in 1u32..=9,
        ) {
            let twelve: Vec<u32> = std::iter::once(first).chain(rest).collect();
            let mut raw = with_check_digit(&twelve);
            let check = raw.pop().and_then(|c| c.to_digit(10)).unwrap_or(0);
            raw.push_str(&((check + delta) % 10).to_string());
            prop_assert_eq!(NationalId::parse(&raw), Err(NationalIdError::Checksum));
        }

        /// The scheme cannot see a change to the third digit (weight 11) and maps sums ≡ 0 and
        /// ≡ 10 (mod 11) to the same check digit; every other single-digit change is caught.
        #[test]
        fn changing_one_body_digit_fails(
            first in 1u32..=9,
            rest in proptest::collection::vec(0u32..=9, 11),
            position in (0usize..12).prop_filter("weight 11", |p| *p != 2),
            delta in 1u32..=9,
        ) {
            let original: Vec<u32> = std::iter::once(first).chain(rest).collect();
            let mut changed = original.clone();
            changed[position] = (changed[position] + delta) % 10;
            let residue = |d: &[u32]| d.iter().zip((2..=13).rev()).map(|(d, w)| d * w).sum::<u32>() % 11;
            let residues = [residue(&original), residue(&changed)];
            prop_assume!(residues != [0, 10] && residues != [10, 0]);
            let check = check_digit(&original);
            let raw: String = changed.iter().chain([check].iter()).map(|d| d.to_string()).collect();
            let result = NationalId::parse(&raw);
            prop_assert!(
                matches!(result, Err(NationalIdError::Checksum | NationalIdError::LeadingZero)),
                "{} gave {:?}", raw, result
            );
        }
    }
}
