//! Citizen accounts: sessions and CSRF (here), registration, identity photos, login and
//! password reset (in their own modules).

pub mod csrf;
pub mod login;
pub mod registration;
pub mod session;
pub mod terms;

pub use session::{CurrentCitizen, MaybeCitizen};
