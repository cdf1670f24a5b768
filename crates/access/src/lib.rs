//! Who may do what: password hashing, random tokens, rate limits, staff and operator sessions and TOTP, and
//! permissions as capabilities decided by casbin.

pub mod authz;
pub mod operator;
pub mod password;
pub mod ratelimit;
pub mod staff;
pub mod token;
pub mod totp;
