//! The linked province → district → sub-district choices: JSON lists for `address.js`, and the
//! same lists rendered on the server for the form (without JavaScript, or when it comes back).

use axum::Json;
use crate::extract::Query;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::address;
use domain::locale::Lang;
use serde::{Deserialize, Serialize};

/// One `<option>`.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The three lists for a form whose current choices are `province`, `district`, `sub_district`.
#[derive(Debug, Serialize)]
pub struct AddressChoices {
    pub provinces: Vec<Choice>,
    pub districts: Vec<Choice>,
    pub sub_districts: Vec<Choice>,
}

fn pick<'a>(lang: Lang, th: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Th => th,
        Lang::En => en,
    }
}

impl AddressChoices {
    pub fn new(lang: Lang, province: &str, district: &str, sub_district: &str) -> Self {
        let code = |raw: &str| raw.trim().parse::<u32>().ok();
        let (province, district, sub_district) = (code(province), code(district), code(sub_district));
        let choice = |value: u32, label: &str, chosen: Option<u32>| Choice {
            value: value.to_string(),
            label: label.to_owned(),
            selected: chosen == Some(value),
        };
        let provinces = address::provinces().iter().map(|p| choice(p.code, pick(lang, &p.name_th, &p.name_en), province)).collect();
        let districts = province
            .map(address::districts)
            .unwrap_or_default()
            .into_iter()
            .map(|d| choice(d.code, pick(lang, &d.name_th, &d.name_en), district))
            .collect();
        let in_province = |d: &u32| address::district(*d).is_some_and(|d| Some(d.province_code) == province);
        let sub_districts = district
            .filter(in_province)
            .map(address::sub_districts)
            .unwrap_or_default()
            .into_iter()
            .map(|s| choice(s.code, pick(lang, &s.name_th, &s.name_en), sub_district))
            .collect();
        Self { provinces, districts, sub_districts }
    }
}

/// The postcode to suggest for a chosen sub-district when none was typed.
pub fn suggested_postcode(sub_district: &str) -> Option<&'static str> {
    let code = sub_district.trim().parse::<u32>().ok()?;
    address::sub_district(code).map(|s| s.postcode.as_str())
}

#[derive(Serialize)]
pub struct Area<'a> {
    code: u32,
    name_th: &'a str,
    name_en: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    postcodes: Option<&'a [String]>,
}

#[derive(Deserialize)]
pub struct DistrictsQuery {
    #[serde(default)]
    province: Option<String>,
}

#[derive(Deserialize)]
pub struct SubDistrictsQuery {
    #[serde(default)]
    district: Option<String>,
}

/// The data changes only with a release; let browsers and proxies keep it for a day.
fn cached(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    response
}

/// `GET /address/provinces`
pub async fn provinces() -> Response {
    let list: Vec<Area<'_>> = address::provinces()
        .iter()
        .map(|p| Area { code: p.code, name_th: &p.name_th, name_en: &p.name_en, postcodes: None })
        .collect();
    cached(Json(list))
}

/// `GET /address/districts?province=40`; an unknown province has no districts.
pub async fn districts(Query(q): Query<DistrictsQuery>) -> Response {
    let list: Vec<Area<'_>> = q
        .province
        .and_then(|p| p.trim().parse().ok())
        .map(address::districts)
        .unwrap_or_default()
        .into_iter()
        .map(|d| Area { code: d.code, name_th: &d.name_th, name_en: &d.name_en, postcodes: None })
        .collect();
    cached(Json(list))
}

/// `GET /address/sub-districts?district=4001`, each with its postcodes.
pub async fn sub_districts(Query(q): Query<SubDistrictsQuery>) -> Response {
    let list: Vec<Area<'_>> = q
        .district
        .and_then(|d| d.trim().parse().ok())
        .map(address::sub_districts)
        .unwrap_or_default()
        .into_iter()
        .map(|s| Area { code: s.code, name_th: &s.name_th, name_en: &s.name_en, postcodes: Some(&s.postcodes) })
        .collect();
    cached(Json(list))
}
