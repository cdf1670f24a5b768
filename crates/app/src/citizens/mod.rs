//! What a citizen does with their own account: register, send the ID photos and a profile
//! picture, sign in and out, and reset a forgotten password. The rules are in `domain`, rows in
//! `store`, bytes in `files`; the words of the e-mails come from [`crate::Letters`].

pub mod password_reset;
pub mod photos;
pub mod registration;
pub mod session;
pub mod sign_in;
pub mod terms;

use access::ratelimit::{Policy, RateLimiter};
use chrono::{NaiveDate, Utc};

/// Brute-force limits (per process). Keys are prefixed by tenant so tenants never share a count.
#[derive(Clone)]
pub struct CitizenLimits {
    /// Failed logins per client IP, from devices not known to the account.
    pub login_ip: RateLimiter,
    /// Failed logins per account (tenant + national ID) and client IP.
    pub login_account_client: RateLimiter,
    /// Failed logins per account from all devices not known to it: caps a guesser with many
    /// addresses; the owner on a known device, or after a password reset, is not held by it.
    pub login_unknown_devices: RateLimiter,
    /// Failed logins per known device (by its device token).
    pub login_device: RateLimiter,
    /// Registrations and forgot-password requests per client IP.
    pub register_ip: RateLimiter,
    pub forgot_ip: RateLimiter,
    pub forgot_account: RateLimiter,
}

impl Default for CitizenLimits {
    fn default() -> Self {
        let strict = Policy { free_attempts: 5, ..Policy::default() };
        let per_ip = Policy { free_attempts: 20, ..Policy::default() };
        Self {
            login_ip: RateLimiter::new(per_ip),
            login_account_client: RateLimiter::new(strict),
            login_unknown_devices: RateLimiter::new(per_ip),
            login_device: RateLimiter::new(strict),
            register_ip: RateLimiter::new(Policy { free_attempts: 10, ..Policy::default() }),
            forgot_ip: RateLimiter::new(Policy { free_attempts: 10, ..Policy::default() }),
            forgot_account: RateLimiter::new(Policy { free_attempts: 3, ..strict }),
        }
    }
}

/// Thailand has one time zone and no daylight saving: dates of birth and stamps use its calendar day.
pub fn thai_today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(7)).date_naive()
}
