//! Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step of
//! clock skew) for staff, and their single-use recovery codes. A code's step is returned so the
//! caller can refuse a second use of the same code.

use rand::RngCore as _;
use totp_rs::{Builder, Secret, Totp};

use crate::token::hash_token;

/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;

/// 20 random bytes (160 bits, as RFC 4226 recommends), base32 as authenticator apps take them.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    Secret::from(bytes).to_base32()
}

fn totp(secret: &str, issuer: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret).ok()?;
    // A colon would split the label in the otpauth URL.
    let clean = |s: &str| s.replace(':', " ");
    Builder::new()
        .with_secret(secret)
        .with_issuer(Some(clean(issuer)))
        .with_account_name(clean(account))
        .build()
        .ok()
}

/// The `otpauth://totp/…` URL an authenticator app reads from the enrolment QR code.
pub fn otpauth_url(secret: &str, issuer: &str, account: &str) -> Option<String> {
    totp(secret, issuer, account)?.to_url().ok()
}

/// The code as typed, without spaces, when it has the shape of a TOTP code (six digits); anything
/// else a person types at the code prompt is taken for a recovery code.
pub fn six_digits(code: &str) -> Option<String> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// The step (Unix time / 30) the code is valid for at `unix_time`, if it is valid.
pub fn verify(secret: &str, code: &str, unix_time: u64) -> Option<i64> {
    let code = six_digits(code)?;
    let step = totp(secret, "eservice", "staff")?.check(&code, unix_time)?;
    i64::try_from(step).ok()
}

/// The code at `unix_time` (for the embedded mode's `staff totp-code` helper and for tests).
pub fn code_at(secret: &str, unix_time: u64) -> Option<String> {
    Some(totp(secret, "eservice", "staff")?.generate(unix_time).to_string())
}

/// Characters of a recovery code: lower-case letters and digits a person will not confuse.
const RECOVERY_ALPHABET: &[u8; 32] = b"23456789abcdefghjkmnpqrstuvwxyz-";

/// Ten fresh recovery codes like `k7m2-q9xr-4tne` (60 random bits each), shown once.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 12];
            rand::rng().fill_bytes(&mut bytes);
            let chars: Vec<char> = bytes.iter().map(|b| char::from(RECOVERY_ALPHABET[usize::from(b % 31)])).collect();
            chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// What a recovery code is stored and looked up by: its SHA-256, ignoring case, spaces and dashes.
pub fn recovery_code_hash(code: &str) -> String {
    let normal: String = code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    hash_token(&normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B: the SHA-1 seed "12345678901234567890", 8-digit codes; the 6-digit
    /// code is the last six digits of the same truncation.
    #[test]
    fn matches_the_rfc_6238_test_vectors() {
        let secret = Secret::from(*b"12345678901234567890").to_base32();
        for (time, eight_digits) in [(59, "94287082"), (1_111_111_109, "07081804"), (1_234_567_890, "89005924")] {
            assert_eq!(code_at(&secret, time).as_deref(), Some(&eight_digits[2..]), "at {time}");
        }
    }

    #[test]
    fn a_code_is_valid_for_its_step_and_one_step_either_side() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now).expect("code");
        assert_eq!(verify(&secret, &code, now), Some(60_000_000));
        assert_eq!(verify(&secret, &code, now + 30), Some(60_000_000));
        assert_eq!(verify(&secret, &code, now - 30), Some(60_000_000));
        assert_eq!(verify(&secret, &code, now + 90), None);
        assert_eq!(verify(&secret, &format!("{} {}", &code[..3], &code[3..]), now), Some(60_000_000));
        assert_eq!(verify(&secret, "12345", now), None);
        assert_eq!(verify(&secret, "abcdef", now), None);
        assert_eq!(verify("not base32!", &code, now), None);
    }

    #[test]
    fn the_otpauth_url_names_the_issuer_and_account() {
        let url = otpauth_url(&new_secret(), "เทศบาล: demo", "officer@demo.go.th").expect("url");
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains("officer%40demo.go.th") || url.contains("officer@demo.go.th"), "{url}");
        assert!(url.contains("secret="), "{url}");
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_hash_without_formatting() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 14 && c.matches('-').count() >= 2), "{codes:?}");
        assert_eq!(recovery_code_hash(&codes[0]), recovery_code_hash(&codes[0].to_uppercase().replace('-', " ")));
        assert_ne!(recovery_code_hash(&codes[0]), recovery_code_hash(&codes[1]));
    }
}
