//! Builds and sends one rendered e-mail over the configured transport.

use anyhow::{Context, anyhow};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::settings::{MailSettings, MailTransport, Secret, TlsMode};
use store::outbox::EmailMessage;

/// Per SMTP command; the worker also bounds a whole send.
const SMTP_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends rendered e-mails. Cheap to clone: SMTP connections are pooled and shared.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
    /// Kept only to scrub it from error texts before they are logged or stored.
    password: Option<Secret>,
}

#[derive(Clone)]
enum Transport {
    Smtp {
        client: AsyncSmtpTransport<Tokio1Executor>,
        endpoint: String,
    },
    File {
        client: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
    },
}

impl Mailer {
    /// Checks the sender address and prepares the transport (creating the mail folder of the
    /// file transport). Connects lazily: an SMTP server that is down fails sends, not start-up.
    /// With SMTP, call it inside the Tokio runtime.
    pub fn new(settings: &MailSettings) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .from
            .parse()
            .with_context(|| format!("mail.from {:?} is not an address", settings.from))?;
        let (transport, password) = match &settings.transport {
            MailTransport::File { dir } => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the mail folder {}", dir.display()))?;
                let client = AsyncFileTransport::<Tokio1Executor>::new(dir);
                (
                    Transport::File {
                        client,
                        dir: dir.clone(),
                    },
                    None,
                )
            }
            MailTransport::Smtp {
                host,
                port,
                tls,
                username,
                password,
            } => {
                // The connection pool spawns its reaper task as it is built.
                tokio::runtime::Handle::try_current()
                    .context("the SMTP mailer must be built inside the Tokio runtime")?;
                let port = port.unwrap_or(tls.default_port());
                let tls_setting = match tls {
                    TlsMode::None => Tls::None,
                    TlsMode::Starttls => Tls::Required(tls_parameters(host)?),
                    TlsMode::Tls => Tls::Wrapper(tls_parameters(host)?),
                };
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(port)
                    .tls(tls_setting)
                    .timeout(Some(SMTP_COMMAND_TIMEOUT))
                    .pool_config(PoolConfig::new().max_size(4));
                match (username, password) {
                    (Some(user), Some(pass)) => {
                        builder = builder
                            .credentials(Credentials::new(user.clone(), pass.expose().to_owned()));
                    }
                    (None, None) => {}
                    _ => {
                        return Err(anyhow!(
                            "mail.transport needs both username and password, or neither"
                        ));
                    }
                }
                let endpoint = format!("{host}:{port} ({tls:?})");
                (
                    Transport::Smtp {
                        client: builder.build(),
                        endpoint,
                    },
                    password.clone(),
                )
            }
        };
        Ok(Self {
            from,
            transport,
            password,
        })
    }

    /// Sends one message as multipart/alternative (text, then HTML), UTF-8 throughout.
    pub async fn send(&self, msg: &EmailMessage) -> anyhow::Result<()> {
        let message = self.build(msg, None)?;
        self.deliver(message).await
    }

    /// The folder the file transport writes to, for the dev mailbox; `None` with SMTP.
    pub fn mailbox_dir(&self) -> Option<&Path> {
        match &self.transport {
            Transport::File { dir, .. } => Some(dir),
            Transport::Smtp { .. } => None,
        }
    }

    /// Fails only on the message itself (bad recipient, unusable name): retrying cannot help.
    /// `key` (the outbox row id) makes a re-sent message keep its Message-ID, so that a mail
    /// client shows a duplicate delivery once.
    pub(crate) fn build(&self, msg: &EmailMessage, key: Option<&str>) -> anyhow::Result<Message> {
        let to: Mailbox = msg
            .to
            .parse()
            .with_context(|| format!("recipient {:?} is not an address", msg.to))?;
        let from = match &msg.from_name {
            Some(name) => Mailbox::new(Some(one_line(name)), self.from.email.clone()),
            None => self.from.clone(),
        };
        Message::builder()
            .from(from)
            .to(to)
            .subject(one_line(&msg.subject))
            .message_id(key.map(|key| format!("<{key}@{}>", self.from.email.domain())))
            .multipart(MultiPart::alternative_plain_html(
                msg.text.clone(),
                msg.html.clone(),
            ))
            .context("building the message")
    }

    pub(crate) async fn deliver(&self, message: Message) -> anyhow::Result<()> {
        let result = match &self.transport {
            Transport::Smtp { client, endpoint } => client
                .send(message)
                .await
                .map(drop)
                .with_context(|| format!("sending through {endpoint}")),
            Transport::File { client, dir } => client
                .send(message)
                .await
                .map(drop)
                .with_context(|| format!("writing to {}", dir.display())),
        };
        result.map_err(|err| anyhow!(self.scrub(&format!("{err:#}"))))
    }

    /// Error text safe to log and store: the SMTP password never appears in it.
    pub(crate) fn scrub(&self, text: &str) -> String {
        match &self.password {
            Some(secret) if !secret.expose().is_empty() => text.replace(secret.expose(), "***"),
            _ => text.to_owned(),
        }
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = match &self.transport {
            Transport::Smtp { endpoint, .. } => format!("smtp {endpoint}"),
            Transport::File { dir, .. } => format!("file {}", dir.display()),
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("transport", &transport)
            .finish()
    }
}

fn tls_parameters(host: &str) -> anyhow::Result<TlsParameters> {
    TlsParameters::new(host.to_owned()).with_context(|| format!("TLS settings for {host}"))
}

/// Header text on one line: a newline in a subject or name must not start a new header.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_mailer(dir: &Path) -> Mailer {
        Mailer::new(&MailSettings {
            from: "eservice <no-reply@localhost>".to_owned(),
            transport: MailTransport::File {
                dir: dir.to_owned(),
            },
        })
        .unwrap()
    }

    fn message(to: &str) -> EmailMessage {
        EmailMessage {
            to: to.to_owned(),
            subject: "เรื่อง\r\nBcc: victim@example.test".to_owned(),
            html: "<p>สวัสดี</p>".to_owned(),
            text: "สวัสดี".to_owned(),
            from_name: Some("เทศบาลนคร\nตัวอย่าง".to_owned()),
        }
    }

    #[test]
    fn newlines_cannot_inject_headers() {
        let dir = tempfile::tempdir().unwrap();
        let built = file_mailer(dir.path())
            .build(&message("a@example.test"), Some("k"))
            .unwrap();
        let raw = String::from_utf8(built.formatted()).unwrap();
        assert!(!raw.lines().any(|line| line.starts_with("Bcc:")), "{raw}");
        assert!(raw.contains("Message-ID: <k@localhost>"), "{raw}");
    }

    #[test]
    fn bad_recipients_and_senders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            file_mailer(dir.path())
                .build(&message("not an address"), None)
                .is_err()
        );
        let bad_from = MailSettings {
            from: "nobody".to_owned(),
            ..MailSettings::default()
        };
        assert!(Mailer::new(&bad_from).is_err());
    }

    fn smtp_settings() -> MailSettings {
        MailSettings {
            from: "x <x@localhost>".to_owned(),
            transport: MailTransport::Smtp {
                host: "127.0.0.1".to_owned(),
                port: Some(2525),
                tls: TlsMode::None,
                username: Some("u".to_owned()),
                password: Some(Secret::new("s3cr3t-pw")),
            },
        }
    }

    #[tokio::test]
    async fn scrub_hides_the_password() {
        let mailer = Mailer::new(&smtp_settings()).unwrap();
        assert_eq!(mailer.scrub("auth s3cr3t-pw failed"), "auth *** failed");
        assert!(!format!("{mailer:?}").contains("s3cr3t"));
    }

    #[test]
    fn smtp_outside_the_runtime_is_an_error_not_a_panic() {
        assert!(Mailer::new(&smtp_settings()).is_err());
    }
}
