//! Pure rules of the e-service platform: tenants, identities, passwords, addresses.
//! No I/O lives here; the web, store and access crates build on these types.

pub mod address;
pub mod contrast;
pub mod date_parts;
pub mod email;
pub mod form;
pub mod locale;
pub mod national_id;
pub mod password_policy;
pub mod registration;
pub mod request;
pub mod tenant;
pub mod text;
pub mod working_days;
