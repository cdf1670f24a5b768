//! Who may do what: password hashing, random tokens, rate limits, sessions and permissions.

pub mod password;
pub mod ratelimit;
pub mod token;
