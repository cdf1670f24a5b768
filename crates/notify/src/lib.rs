//! Outgoing notifications: the mail transport (SMTP or files), the outbox worker that delivers
//! queued rows with retries, and the dev mailbox that shows what the file transport wrote.

pub mod dev_mailbox;
mod mailer;
mod settings;
mod worker;

pub use mailer::Mailer;
pub use settings::{MailSettings, MailTransport, Secret, TlsMode};
pub use store::outbox::EmailMessage;
pub use worker::{WorkerOptions, drain_once, run_worker};
