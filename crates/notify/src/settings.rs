//! Mail configuration as it appears in the app config: the sender and how mail leaves.

use serde::Deserialize;
use std::fmt;
use std::path::PathBuf;

/// `[mail]` in the config. The embedded default writes .eml files to `./data/mail`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// The platform's sender, e.g. `eservice <no-reply@example.go.th>`; a message's
    /// `from_name` replaces the display name, never the address.
    pub from: String,
    pub transport: MailTransport,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            from: "eservice <no-reply@localhost>".to_owned(),
            transport: MailTransport::default(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum MailTransport {
    /// Each message becomes `<uuid>.eml` in `dir` (development and the embedded mode).
    File {
        #[serde(default = "default_mail_dir")]
        dir: PathBuf,
    },
    Smtp {
        host: String,
        /// Defaults to 25, 587 or 465 by `tls`.
        port: Option<u16>,
        tls: TlsMode,
        username: Option<String>,
        password: Option<Secret>,
    },
}

impl Default for MailTransport {
    fn default() -> Self {
        MailTransport::File {
            dir: default_mail_dir(),
        }
    }
}

fn default_mail_dir() -> PathBuf {
    PathBuf::from("./data/mail")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text: only for a relay on the same host or network.
    None,
    /// STARTTLS, required (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl TlsMode {
    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::None => 25,
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
        }
    }
}

/// A credential that never shows in `Debug` output or logs.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_file_transport_under_data() {
        let settings: MailSettings = toml::from_str("").unwrap();
        assert_eq!(settings.from, "eservice <no-reply@localhost>");
        assert!(
            matches!(settings.transport, MailTransport::File { ref dir } if dir.ends_with("data/mail"))
        );
    }

    #[test]
    fn smtp_settings_parse_and_never_print_the_password() {
        let settings: MailSettings = toml::from_str(
            r#"
            from = "เทศบาลตัวอย่าง <no-reply@example.go.th>"
            [transport]
            kind = "smtp"
            host = "smtp.example.go.th"
            tls = "starttls"
            username = "mailer"
            password = "hunter2-very-secret"
            "#,
        )
        .unwrap();
        let MailTransport::Smtp {
            port,
            tls,
            ref password,
            ..
        } = settings.transport
        else {
            panic!("expected smtp: {settings:?}")
        };
        assert_eq!((port, tls), (None, TlsMode::Starttls));
        assert_eq!(
            password.as_ref().map(Secret::expose),
            Some("hunter2-very-secret")
        );
        assert!(!format!("{settings:?}").contains("hunter2"));
    }

    #[test]
    fn unknown_tls_modes_and_fields_are_rejected() {
        let bad_tls = "[transport]\nkind = \"smtp\"\nhost = \"h\"\ntls = \"ssl\"";
        assert!(toml::from_str::<MailSettings>(bad_tls).is_err());
        assert!(toml::from_str::<MailSettings>("sender = \"x\"").is_err());
    }
}
