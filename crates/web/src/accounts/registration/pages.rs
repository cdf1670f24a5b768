//! The first two screens: the tenant's current terms ("ข้าพเจ้ายอมรับเงื่อนไข" → "ตกลง") and the
//! "ลงทะเบียน" form ("ถัดไป"). A refused form comes back with every typed value but the passwords.

use axum::extract::State;
use crate::extract::Query;
use axum::http::{StatusCode, Uri, header};
use app::citizens::registration::{self, RegisterError};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::locale::Lang;
use domain::password_policy::PasswordPolicy;
use domain::registration::{RegistrationForm, TITLES};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::address::{AddressChoices, Choice, suggested_postcode};
use super::{messages, service};
use crate::accounts::csrf::{self, CsrfToken};
use crate::accounts::login::{Client, HtmlForm};
use crate::accounts::session::{self, MaybeCitizen};
use crate::error::{AppError, FieldIssue, field_issues};
use crate::form_errors::{Answer, ErrorLink, required_message};
use crate::i18n::RequestLang;
use crate::render::{PageCtx, markdown};
use crate::state::AppState;
use crate::tenancy::Tenant;

/// The fields of the form, in the order they are shown.
const FIELDS: [&str; 16] = [
    "title",
    "first_name",
    "last_name",
    "national_id",
    "birth_date",
    "phone",
    "email",
    "house_no",
    "village",
    "road",
    "province",
    "district",
    "sub_district",
    "postcode",
    "password",
    "password_confirm",
];

/// The fields chosen from a list rather than typed.
const SELECTS: [&str; 4] = ["title", "province", "district", "sub_district"];

/// Carried from the terms screen to the form: the ticked box and the version that was read.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Acceptance {
    accept_terms: String,
    terms_version: String,
}

fn ticked(value: &str) -> bool {
    matches!(value, "1" | "on" | "true" | "yes")
}

#[derive(Serialize)]
struct TermsPage {
    version: String,
    html: String,
    summary: Vec<ErrorLink>,
    error: Option<String>,
    notice: Option<String>,
}

async fn render_terms(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    path: &str,
    error: Option<&str>,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let version = &tenant.0.settings.terms_version;
    let terms = store::tenants::terms(&state.db, tenant.0.id, version).await?.ok_or(AppError::NotFound)?;
    let body = match lang {
        Lang::Th => &terms.body_th,
        Lang::En => &terms.body_en,
    };
    let error = error.map(|code| state.views.t(lang, &format!("field_error.{code}")));
    let page = TermsPage {
        version: terms.version.clone(),
        html: markdown(body),
        summary: error.iter().map(|m| ErrorLink::new("f-accept_terms", m.clone())).collect(),
        error,
        notice: notice.map(|key| state.views.t(lang, key)),
    };
    state.views.page("register_terms.html", &PageCtx::new(lang, path, Some(tenant)), &page)
}

/// `GET /register`: the current terms with the acceptance box.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
pub async fn terms(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    MaybeCitizen(current): MaybeCitizen,
    uri: Uri,
) -> Result<Response, AppError> {
    if let Some(current) = current {
        return Ok(Redirect::to(service::landing_path(&current.citizen)).into_response());
    }
    Ok(render_terms(&state, &tenant, lang, uri.path(), None, None).await?.into_response())
}

/// `GET /register/form?accept_terms=1&terms_version=…`: the form, only for the current terms accepted.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
pub async fn form(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    MaybeCitizen(current): MaybeCitizen,
    Query(acceptance): Query<Acceptance>,
) -> Result<Response, AppError> {
    if let Some(current) = current {
        return Ok(Redirect::to(service::landing_path(&current.citizen)).into_response());
    }
    if acceptance.accept_terms.is_empty() && acceptance.terms_version.is_empty() {
        // Reached without the terms screen (a bookmark, a shared link): read them first.
        return Ok(Redirect::to("/register").into_response());
    }
    if !ticked(&acceptance.accept_terms) {
        let html = render_terms(&state, &tenant, lang, "/register", Some("terms_not_accepted"), None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    if acceptance.terms_version != tenant.0.settings.terms_version {
        let html = render_terms(&state, &tenant, lang, "/register", None, Some("registration.terms_outdated")).await?;
        return Ok((StatusCode::CONFLICT, html).into_response());
    }
    let fields = RegisterFields { terms_version: acceptance.terms_version, accept_terms: "1".into(), ..Default::default() };
    let html = render_form(&state, &tenant, lang, &csrf, &fields, &[], None)?;
    Ok(html.into_response())
}

/// The posted form. Also the values shown again when it comes back (never the passwords).
#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RegisterFields {
    #[serde(skip_serializing)]
    csrf_token: String,
    title: String,
    first_name: String,
    last_name: String,
    national_id: String,
    birth_date: String,
    phone: String,
    email: String,
    house_no: String,
    village: String,
    road: String,
    province: String,
    district: String,
    sub_district: String,
    postcode: String,
    #[serde(skip_serializing)]
    password: String,
    #[serde(skip_serializing)]
    password_confirm: String,
    accept_terms: String,
    terms_version: String,
    /// `address`: only refresh the district and sub-district lists (the no-JavaScript path).
    #[serde(skip_serializing)]
    step: String,
}

impl RegisterFields {
    fn value(&self, field: &str) -> &str {
        match field {
            "title" => &self.title,
            "first_name" => &self.first_name,
            "last_name" => &self.last_name,
            "national_id" => &self.national_id,
            "birth_date" => &self.birth_date,
            "phone" => &self.phone,
            "email" => &self.email,
            "house_no" => &self.house_no,
            "village" => &self.village,
            "road" => &self.road,
            "province" => &self.province,
            "district" => &self.district,
            "sub_district" => &self.sub_district,
            "postcode" => &self.postcode,
            _ => "",
        }
    }

    fn to_form(&self) -> RegistrationForm {
        RegistrationForm {
            title: self.title.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            national_id: self.national_id.clone(),
            birth_date: self.birth_date.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            house_no: self.house_no.clone(),
            village: self.village.clone(),
            road: self.road.clone(),
            province: self.province.clone(),
            district: self.district.clone(),
            sub_district: self.sub_district.clone(),
            postcode: self.postcode.clone(),
            password: self.password.clone(),
            password_confirm: self.password_confirm.clone(),
            accept_terms: ticked(&self.accept_terms),
            terms_version: self.terms_version.clone(),
        }
    }
}

#[derive(Serialize)]
struct FieldView {
    value: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct FormPage<'a> {
    csrf_token: &'a str,
    f: BTreeMap<&'static str, FieldView>,
    /// The error summary above the form, in the order of the form.
    summary: Vec<ErrorLink>,
    banner: Option<String>,
    terms_version: &'a str,
    /// The terms changed (or were not accepted) since the form was opened: ask again, visibly.
    terms_error: Option<String>,
    titles: Vec<Choice>,
    address: AddressChoices,
    guidance: Vec<String>,
    attribution: &'static str,
}

fn render_form(
    state: &AppState,
    tenant: &Tenant,
    lang: Lang,
    csrf: &CsrfToken,
    fields: &RegisterFields,
    issues: &[FieldIssue],
    banner: Option<&str>,
) -> Result<Html<String>, AppError> {
    let mut errors = messages(&state.views, lang, issues);
    let terms_error = errors.remove("accept_terms").or_else(|| errors.remove("terms_version"));
    for issue in issues.iter().filter(|i| i.code == "required") {
        if let Some(name) = FIELDS.iter().find(|&&n| n == issue.field) {
            let answer = if SELECTS.contains(name) { Answer::Choose } else { Answer::Type };
            let label = state.views.t(lang, &format!("registration.field.{name}"));
            errors.insert(issue.field.clone(), required_message(&state.views, lang, answer, &label));
        }
    }
    let mut summary: Vec<ErrorLink> = terms_error
        .iter()
        .map(|message| ErrorLink::labelled("f-accept_terms", &state.views.t(lang, "registration.accept"), message))
        .collect();
    summary.extend(FIELDS.iter().filter_map(|&name| {
        let label = state.views.t(lang, &format!("registration.field.{name}"));
        errors.get(name).map(|message| ErrorLink::labelled(format!("f-{name}"), &label, message))
    }));
    let f = FIELDS
        .iter()
        .map(|&name| (name, FieldView { value: fields.value(name).to_owned(), error: errors.get(name).cloned() }))
        .collect();
    let titles = TITLES
        .iter()
        .map(|&value| Choice {
            value: value.to_owned(),
            label: super::title_label(&state.views, lang, value),
            selected: fields.title.trim() == value,
        })
        .collect();
    let page = FormPage {
        csrf_token: &csrf.0,
        f,
        summary,
        banner: banner.map(|key| state.views.t(lang, key)),
        terms_version: &tenant.0.settings.terms_version,
        terms_error,
        titles,
        address: AddressChoices::new(lang, &fields.province, &fields.district, &fields.sub_district),
        guidance: guidance(state, lang),
        attribution: domain::address::ATTRIBUTION,
    };
    state.views.page("register_form.html", &PageCtx::new(lang, "/register/form", Some(tenant)), &page)
}

/// The password guidance (คำแนะนำ) of the policy the form enforces.
fn guidance(state: &AppState, lang: Lang) -> Vec<String> {
    let policy = PasswordPolicy::default();
    domain::password_policy::guidance_keys()
        .iter()
        .map(|key| {
            state.views.t(lang, key).replace("{min}", &policy.min_length.to_string()).replace("{max}", &policy.max_length.to_string())
        })
        .collect()
}

/// `POST /register/form`: creates the citizen, signs them in and goes on to the photos.
#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
pub async fn submit(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    client: Client,
    MaybeCitizen(current): MaybeCitizen,
    HtmlForm(mut fields): HtmlForm<RegisterFields>,
) -> Result<Response, AppError> {
    csrf::verify(&csrf, &fields.csrf_token)?;
    if let Some(current) = current {
        return Ok(Redirect::to(service::landing_path(&current.citizen)).into_response());
    }
    if fields.step == "address" {
        if fields.postcode.trim().is_empty() {
            fields.postcode = suggested_postcode(&fields.sub_district).unwrap_or_default().to_owned();
        }
        return Ok(render_form(&state, &tenant, lang, &csrf, &fields, &[], None)?.into_response());
    }
    let refused = |status: StatusCode, issues: &[FieldIssue], banner: Option<&str>| -> Result<Response, AppError> {
        let mut shown = fields.clone();
        if issues.iter().any(|i| i.field == "terms_version") {
            // Asked again below the form; the new acceptance is for the current version.
            shown.accept_terms.clear();
            shown.terms_version = tenant.0.settings.terms_version.clone();
        }
        Ok((status, render_form(&state, &tenant, lang, &csrf, &shown, issues, banner)?).into_response())
    };
    let registered =
        registration::register_and_sign_in(&state.app, &state.limits, &tenant.0, &fields.to_form(), &client.with_kind(session::WEB)).await;
    match registered {
        Ok((_, started)) => {
            let mut response = Redirect::to("/register/identity").into_response();
            response.headers_mut().append(header::SET_COOKIE, session::cookie(&state, &started.token));
            Ok(response)
        }
        Err(RegisterError::Invalid(issues)) => refused(StatusCode::UNPROCESSABLE_ENTITY, &field_issues(issues), None),
        Err(RegisterError::Taken(issues)) => refused(StatusCode::CONFLICT, &field_issues(issues), None),
        Err(RegisterError::TooMany(wait)) => {
            let mut response = refused(StatusCode::TOO_MANY_REQUESTS, &[], Some("error.too_many"))?;
            response.headers_mut().insert(header::RETRY_AFTER, wait.seconds().into());
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}
