//! The message catalogue (Thai first, English second) and the request's language.
//! Templates call `t(key="...")`; Rust code calls `Catalogue::get`.

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use domain::locale::Lang;
use std::collections::HashMap;
use std::convert::Infallible;

pub const LANG_COOKIE: &str = "lang";

/// One file per area and language; every key must exist in both languages.
const TH: &[&str] = &[
    include_str!("../locales/th/site.toml"),
    include_str!("../locales/th/accounts.toml"),
    include_str!("../locales/th/registration.toml"),
    include_str!("../locales/th/login.toml"),
    include_str!("../locales/th/api.toml"),
    include_str!("../locales/th/services.toml"),
    include_str!("../locales/th/requests.toml"),
    include_str!("../locales/th/backoffice.toml"),
    include_str!("../locales/th/admin.toml"),
    include_str!("../locales/th/operator.toml"),
];
const EN: &[&str] = &[
    include_str!("../locales/en/site.toml"),
    include_str!("../locales/en/accounts.toml"),
    include_str!("../locales/en/registration.toml"),
    include_str!("../locales/en/login.toml"),
    include_str!("../locales/en/api.toml"),
    include_str!("../locales/en/services.toml"),
    include_str!("../locales/en/requests.toml"),
    include_str!("../locales/en/backoffice.toml"),
    include_str!("../locales/en/admin.toml"),
    include_str!("../locales/en/operator.toml"),
];

#[derive(Debug)]
pub struct Catalogue {
    th: HashMap<String, String>,
    en: HashMap<String, String>,
}

impl Catalogue {
    pub fn load() -> anyhow::Result<Self> {
        let load = |files: &[&str]| -> anyhow::Result<HashMap<String, String>> {
            let mut all = HashMap::new();
            for source in files {
                for (key, value) in flatten(source)? {
                    if all.insert(key.clone(), value).is_some() {
                        anyhow::bail!("message key {key} is defined twice");
                    }
                }
            }
            Ok(all)
        };
        Ok(Self { th: load(TH)?, en: load(EN)? })
    }

    /// The message for `key`, falling back to Thai, then to the key itself.
    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        let primary = match lang {
            Lang::Th => &self.th,
            Lang::En => &self.en,
        };
        primary.get(key).or_else(|| self.th.get(key)).map(String::as_str).unwrap_or(key)
    }

    /// Keys present in one language but not the other.
    pub fn missing(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .th
            .keys()
            .filter(|k| !self.en.contains_key(*k))
            .map(|k| format!("en: {k}"))
            .chain(self.en.keys().filter(|k| !self.th.contains_key(*k)).map(|k| format!("th: {k}")))
            .collect();
        out.sort();
        out
    }
}

fn flatten(source: &str) -> anyhow::Result<HashMap<String, String>> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
        for (key, value) in table {
            let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            match value {
                toml::Value::Table(inner) => walk(&path, inner, out),
                toml::Value::String(s) => {
                    out.insert(path, s.clone());
                }
                other => {
                    out.insert(path, other.to_string());
                }
            }
        }
    }
    let table: toml::Table = toml::from_str(source)?;
    let mut out = HashMap::new();
    walk("", &table, &mut out);
    Ok(out)
}

/// The language of this request: the `lang` cookie, else `Accept-Language`, else Thai.
#[derive(Clone, Copy, Debug)]
pub struct RequestLang(pub Lang);

impl RequestLang {
    pub fn from_parts(parts: &Parts) -> Self {
        let from_cookie = crate::accounts::session::cookie_value(parts, LANG_COOKIE).and_then(Lang::parse);
        let lang = from_cookie
            .or_else(|| {
                parts
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or_default();
        Self(lang)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self::from_parts(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_and_english_have_the_same_keys() {
        let c = Catalogue::load().expect("catalogue parses");
        assert_eq!(c.missing(), Vec::<String>::new());
    }

    #[test]
    fn lookups_fall_back_to_the_key() {
        let c = Catalogue::load().expect("catalogue parses");
        assert_eq!(c.get(Lang::Th, "site.title"), "ระบบบริการประชาชนออนไลน์");
        assert_eq!(c.get(Lang::En, "site.title"), "Online Citizen Services");
        assert_eq!(c.get(Lang::En, "no.such.key"), "no.such.key");
    }
}
