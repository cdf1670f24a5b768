//! Pages: tera templates compiled into the binary, rendered with the tenant's branding and the
//! request's language. Templates are auto-escaped (`.html`); `t(key=…)` translates.

use axum::response::Html;
use domain::locale::Lang;
use serde::Serialize;
use std::sync::Arc;
use tera::{Context, Kwargs, State, Tera};

use crate::error::AppError;
use crate::i18n::Catalogue;
use crate::tenancy::Tenant;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("platform.html", include_str!("../templates/platform.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("nav_signed_in.html", include_str!("../templates/nav_signed_in.html")),
    ("terms.html", include_str!("../templates/terms.html")),
    ("terms_accept.html", include_str!("../templates/terms_accept.html")),
    ("register_components.html", include_str!("../templates/register_components.html")),
    ("register_terms.html", include_str!("../templates/register_terms.html")),
    ("register_form.html", include_str!("../templates/register_form.html")),
    ("register_identity.html", include_str!("../templates/register_identity.html")),
    ("welcome.html", include_str!("../templates/welcome.html")),
    ("profile.html", include_str!("../templates/profile.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("forgot_request.html", include_str!("../templates/forgot_request.html")),
    ("forgot_sent.html", include_str!("../templates/forgot_sent.html")),
    ("reset_form.html", include_str!("../templates/reset_form.html")),
    ("reset_invalid.html", include_str!("../templates/reset_invalid.html")),
    ("mailbox.html", include_str!("../templates/mailbox.html")),
    ("mailbox_message.html", include_str!("../templates/mailbox_message.html")),
    ("requests_list.html", include_str!("../templates/requests_list.html")),
    ("requests_show.html", include_str!("../templates/requests_show.html")),
    ("documents_item.html", include_str!("../templates/documents_item.html")),
    ("documents_list.html", include_str!("../templates/documents_list.html")),
    ("verify.html", include_str!("../templates/verify.html")),
    ("verify_unknown.html", include_str!("../templates/verify_unknown.html")),
    ("form_field.html", include_str!("../templates/form_field.html")),
    ("error_summary.html", include_str!("../templates/error_summary.html")),
    ("services_catalogue.html", include_str!("../templates/services_catalogue.html")),
    ("services_form.html", include_str!("../templates/services_form.html")),
    ("services_done.html", include_str!("../templates/services_done.html")),
    ("staff/nav.html", include_str!("../templates/staff/nav.html")),
    ("staff/done.html", include_str!("../templates/staff/done.html")),
    ("staff/pager.html", include_str!("../templates/staff/pager.html")),
    ("staff/login.html", include_str!("../templates/staff/login.html")),
    ("staff/enrol.html", include_str!("../templates/staff/enrol.html")),
    ("staff/recovery_codes.html", include_str!("../templates/staff/recovery_codes.html")),
    ("staff/invite.html", include_str!("../templates/staff/invite.html")),
    ("staff/dashboard.html", include_str!("../templates/staff/dashboard.html")),
    ("staff/identities.html", include_str!("../templates/staff/identities.html")),
    ("staff/identity.html", include_str!("../templates/staff/identity.html")),
    ("staff/queue.html", include_str!("../templates/staff/queue.html")),
    ("staff/request.html", include_str!("../templates/staff/request.html")),
    ("staff/audit.html", include_str!("../templates/staff/audit.html")),
    ("staff/team.html", include_str!("../templates/staff/team.html")),
    ("operator/nav.html", include_str!("../templates/operator/nav.html")),
    ("operator/login.html", include_str!("../templates/operator/login.html")),
    ("operator/tenants.html", include_str!("../templates/operator/tenants.html")),
    ("operator/tenant.html", include_str!("../templates/operator/tenant.html")),
    ("staff/settings_input.html", include_str!("../templates/staff/settings_input.html")),
    ("staff/settings_nav.html", include_str!("../templates/staff/settings_nav.html")),
    ("staff/settings.html", include_str!("../templates/staff/settings.html")),
    ("staff/settings_services.html", include_str!("../templates/staff/settings_services.html")),
    ("staff/form_builder.html", include_str!("../templates/staff/form_builder.html")),
    ("staff/form_preview.html", include_str!("../templates/staff/form_preview.html")),
    ("email/account.html", include_str!("../templates/email/account.html")),
    ("email/account.txt", include_str!("../templates/email/account.txt")),
];

#[derive(Clone)]
pub struct Views {
    tera: Arc<Tera>,
    pub catalogue: Arc<Catalogue>,
}

/// What every page knows: language, the tenant (if any), where it is.
#[derive(Serialize)]
pub struct PageCtx<'a> {
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub path: &'a str,
    /// The language switch link, back to this page.
    pub switch_url: String,
    pub asset_version: &'static str,
    pub tenant: Option<TenantView<'a>>,
    /// An admin's preview of unsaved colours: the stylesheet that sets them over the saved ones.
    pub preview_css: Option<String>,
}

/// The tenant as templates see it.
#[derive(Serialize)]
pub struct TenantView<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub name_other: &'a str,
    pub revision: &'a str,
    pub photo_count: u8,
    pub terms_version: &'a str,
    pub contact: ContactView<'a>,
}

#[derive(Serialize)]
pub struct ContactView<'a> {
    pub address: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub website: Option<&'a str>,
    pub line_id: Option<&'a str>,
    pub office_hours: Option<&'a str>,
}

impl<'a> TenantView<'a> {
    pub fn new(tenant: &'a Tenant, lang: Lang) -> Self {
        let t = &tenant.0;
        let c = &t.settings.contact;
        let (name, name_other, address, hours) = match lang {
            Lang::Th => (&t.name_th, &t.name_en, &c.address_th, &c.office_hours_th),
            Lang::En => (&t.name_en, &t.name_th, &c.address_en, &c.office_hours_en),
        };
        Self {
            slug: &t.slug,
            name,
            name_other,
            revision: &t.revision,
            photo_count: t.settings.identity.photo_count,
            terms_version: &t.settings.terms_version,
            contact: ContactView {
                address,
                phone: &c.phone,
                email: &c.email,
                website: c.website.as_deref(),
                line_id: c.line_id.as_deref(),
                office_hours: hours.as_deref(),
            },
        }
    }
}

impl<'a> PageCtx<'a> {
    pub fn new(lang: Lang, path: &'a str, tenant: Option<&'a Tenant>) -> Self {
        Self {
            lang: lang.code(),
            other_lang: match lang {
                Lang::Th => "en",
                Lang::En => "th",
            },
            path,
            switch_url: format!("/lang?to={}&next={}", match lang { Lang::Th => "en", Lang::En => "th" }, encode_path(path)),
            asset_version: crate::assets::version(),
            tenant: tenant.map(|t| TenantView::new(t, lang)),
            preview_css: None,
        }
    }
}

impl Views {
    pub fn load(catalogue: Arc<Catalogue>) -> anyhow::Result<Self> {
        let mut tera = Tera::new();
        let for_t = catalogue.clone();
        tera.register_function("t", move |kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
            let key: &str = kwargs.must_get("key")?;
            let lang = state.get::<String>("lang")?.and_then(|l| Lang::parse(&l)).unwrap_or_default();
            let mut text = for_t.get(lang, key).to_owned();
            for (name, value) in kwargs.iter() {
                if name.as_str() != Some("key") {
                    text = text.replace(&format!("{{{name}}}"), &value.to_string());
                }
            }
            Ok(text)
        });
        tera.add_raw_templates(TEMPLATES.iter().copied())?;
        Ok(Self { tera: Arc::new(tera), catalogue })
    }

    /// Renders `template` with the page context plus `extra` (a serialisable struct of page data).
    pub fn page(&self, template: &str, page: &PageCtx<'_>, extra: &impl Serialize) -> Result<Html<String>, AppError> {
        let mut ctx = Context::from_serialize(page).map_err(|e| AppError::Internal(e.into()))?;
        ctx.insert("page", extra);
        self.tera
            .render(template, &ctx)
            .map(Html)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering {template}: {e:?}")))
    }

    pub fn t(&self, lang: Lang, key: &str) -> String {
        self.catalogue.get(lang, key).to_owned()
    }
}

/// Markdown from a trusted tenant definition to HTML; raw HTML in it is escaped, not passed through.
pub fn markdown(source: &str) -> String {
    use pulldown_cmark::{Event, Parser, html};
    let parser = Parser::new(source).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

/// Percent-encodes a local path (or any text) for use as a query value.
pub fn encode_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
