//! sea-orm entities: one module per table. Never returned over the wire; views are built from them.

pub mod access_rule;
pub mod audit_log;
pub mod citizen;
pub mod document;
pub mod form_draft;
pub mod form_version;
pub mod identity_photo;
pub mod known_device;
pub mod outbox;
pub mod password_reset;
pub mod reference_counter;
pub mod request;
pub mod request_event;
pub mod request_file;
pub mod request_note;
pub mod service_category;
pub mod service_item;
pub mod session;
pub mod staff;
pub mod staff_category;
pub mod staff_recovery_code;
pub mod staff_session;
pub mod tenant;
pub mod tenant_domain;
pub mod tenant_terms;
pub mod terms_acceptance;
