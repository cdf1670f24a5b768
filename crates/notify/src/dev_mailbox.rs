//! The development mailbox: lists and shows the .eml files written by the file transport.
//! Blocking file I/O: call it from `spawn_blocking`.

use chrono::{DateTime, Utc};
use mail_parser::{Message, MessageParser};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

#[derive(Clone, Debug, Serialize)]
pub struct MailSummary {
    /// File stem; pass it back to [`read`].
    pub id: String,
    pub to: String,
    pub subject: String,
    /// When the file was written.
    pub date: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MailView {
    pub to: String,
    pub subject: String,
    pub text: Option<String>,
    /// The message's own HTML: show it in a sandboxed iframe, never inline in a page.
    pub html: Option<String>,
}

/// The newest `limit` messages, newest first. A missing folder is an empty mailbox.
pub fn list(dir: &Path, limit: usize) -> Vec<MailSummary> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(SystemTime, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let id = name
                .strip_suffix(".eml")
                .filter(|id| valid_id(id))?
                .to_owned();
            let written = entry.metadata().ok()?.modified().ok()?;
            Some((written, id))
        })
        .collect();
    files.sort_by(|a, b| b.cmp(a));
    files
        .into_iter()
        .take(limit)
        .filter_map(|(written, id)| {
            let raw = std::fs::read(eml_path(dir, &id)).ok()?;
            let message = MessageParser::new().parse_headers(&raw)?;
            Some(MailSummary {
                to: recipients(&message),
                subject: message.subject().unwrap_or_default().to_owned(),
                date: DateTime::<Utc>::from(written),
                id,
            })
        })
        .collect()
}

/// One message, decoded; `None` for an unknown or malformed id.
pub fn read(dir: &Path, id: &str) -> Option<MailView> {
    if !valid_id(id) {
        return None;
    }
    let raw = std::fs::read(eml_path(dir, id)).ok()?;
    let message = MessageParser::default().parse(&raw)?;
    let text = message
        .text_part(0)
        .filter(|p| !p.is_text_html())
        .and_then(|p| p.text_contents());
    let html = message
        .html_part(0)
        .filter(|p| p.is_text_html())
        .and_then(|p| p.text_contents());
    Some(MailView {
        to: recipients(&message),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: text.map(|text| text.replace("\r\n", "\n")),
        html: html.map(str::to_owned),
    })
}

/// The file transport names files by UUID; anything else (dots, slashes) is refused.
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn eml_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.eml"))
}

fn recipients(message: &Message<'_>) -> String {
    message
        .to()
        .map(|address| address.iter())
        .into_iter()
        .flatten()
        .map(|addr| match (addr.name(), addr.address()) {
            (Some(name), Some(address)) => format!("{name} <{address}>"),
            (None, Some(address)) => address.to_owned(),
            (Some(name), None) => name.to_owned(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_could_leave_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("mail");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(
            dir.path().join("secret.eml"),
            "To: a@b\r\nSubject: s\r\n\r\nx",
        )
        .unwrap();
        for id in [
            "../secret",
            "..",
            "/etc/passwd",
            "a/b",
            "x.eml",
            "",
            "secret\0",
        ] {
            assert!(read(&inner, id).is_none(), "{id:?}");
        }
        assert!(read(dir.path(), "secret").is_some());
    }

    #[test]
    fn missing_folder_is_an_empty_mailbox() {
        assert!(list(Path::new("/nonexistent/mailbox"), 10).is_empty());
    }
}
