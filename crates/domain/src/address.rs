//! Thailand's provinces, districts and sub-districts with their postcodes: the linked choices of a
//! citizen's address and the server-side check of what was chosen. Data: `data/thai-address/`.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The credit the data's licence (CC BY 4.0) asks for wherever the lists are shown.
pub const ATTRIBUTION: &str = "Address data: GeoThai (CC BY 4.0)";

/// A province (จังหวัด), by its DOPA code, such as 50 for Chiang Mai.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Province {
    pub code: u32,
    pub name_th: String,
    pub name_en: String,
}

/// A district (อำเภอ, or เขต in Bangkok, where the Thai name carries the word), such as 5001.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct District {
    pub code: u32,
    pub province_code: u32,
    pub name_th: String,
    pub name_en: String,
}

/// A sub-district (ตำบล, or แขวง in Bangkok), such as 500101.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct SubDistrict {
    pub code: u32,
    pub district_code: u32,
    pub name_th: String,
    pub name_en: String,
    /// The postcode a form fills in: the first of `postcodes`.
    pub postcode: String,
    /// Every valid postcode; more than one where the sub-district spans post-office zones.
    pub postcodes: Vec<String>,
}

/// A sub-district with the district and province it lies in, for showing a stored address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Address {
    pub province: &'static Province,
    pub district: &'static District,
    pub sub_district: &'static SubDistrict,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("choose a province from the list")]
    Province,
    #[error("choose a district of the chosen province")]
    District,
    #[error("choose a sub-district of the chosen district")]
    SubDistrict,
    #[error("the postcode is not one of the chosen sub-district")]
    Postcode,
}

impl AddressError {
    /// The form field to mark as wrong.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::District => "district",
            Self::SubDistrict => "sub_district",
            Self::Postcode => "postcode",
        }
    }
}

/// Every province, in Thai dictionary order.
pub fn provinces() -> &'static [Province] {
    &DATA.provinces
}

/// The districts of a province in Thai order; empty for an unknown code.
pub fn districts(province_code: u32) -> Vec<&'static District> {
    children(&DATA.districts, province_code, |d| d.province_code)
        .iter()
        .collect()
}

/// The sub-districts of a district in Thai order; empty for an unknown code.
pub fn sub_districts(district_code: u32) -> Vec<&'static SubDistrict> {
    children(&DATA.sub_districts, district_code, |s| s.district_code)
        .iter()
        .collect()
}

pub fn province(code: u32) -> Option<&'static Province> {
    DATA.province_at.get(&code).map(|&i| &DATA.provinces[i])
}

pub fn district(code: u32) -> Option<&'static District> {
    DATA.district_at.get(&code).map(|&i| &DATA.districts[i])
}

pub fn sub_district(code: u32) -> Option<&'static SubDistrict> {
    DATA.sub_district_at
        .get(&code)
        .map(|&i| &DATA.sub_districts[i])
}

pub fn address(sub_district_code: u32) -> Option<Address> {
    let sub_district = sub_district(sub_district_code)?;
    let district = district(sub_district.district_code)?;
    let province = province(district.province_code)?;
    Some(Address {
        province,
        district,
        sub_district,
    })
}

/// Validates a chosen address; the error names the field that is wrong. Each level must lie in
/// the one above it, and the postcode must be one of the sub-district's, as given (no trimming).
pub fn validate(
    province_code: u32,
    district_code: u32,
    sub_district_code: u32,
    postcode: &str,
) -> Result<(), AddressError> {
    province(province_code).ok_or(AddressError::Province)?;
    district(district_code)
        .filter(|d| d.province_code == province_code)
        .ok_or(AddressError::District)?;
    let sub_district = sub_district(sub_district_code)
        .filter(|s| s.district_code == district_code)
        .ok_or(AddressError::SubDistrict)?;
    if sub_district.postcodes.iter().any(|p| p == postcode) {
        Ok(())
    } else {
        Err(AddressError::Postcode)
    }
}

struct Dataset {
    provinces: Vec<Province>,
    /// Grouped by province code, each group in Thai order, so a province's districts are a slice.
    districts: Vec<District>,
    /// Grouped by district code, each group in Thai order.
    sub_districts: Vec<SubDistrict>,
    province_at: HashMap<u32, usize>,
    district_at: HashMap<u32, usize>,
    sub_district_at: HashMap<u32, usize>,
}

/// The file's shape: `[code, name_th, name_en, children]`, nested three deep, a sub-district's
/// children being its postcodes.
#[derive(Deserialize)]
struct SourceFile {
    provinces: Vec<SourceArea<Vec<SourceDistrict>>>,
}

#[derive(Deserialize)]
struct SourceArea<C>(u32, String, String, C);

type SourceDistrict = SourceArea<Vec<SourceSubDistrict>>;
type SourceSubDistrict = SourceArea<Vec<String>>;

static DATA: LazyLock<Dataset> = LazyLock::new(|| {
    let source: SourceFile =
        serde_json::from_str(include_str!("../data/thai-address/address.json"))
            // The file is part of the build, not input; `dataset_is_whole` proves it parses.
            .expect("embedded address.json parses");
    Dataset::from(source)
});

impl From<SourceFile> for Dataset {
    fn from(source: SourceFile) -> Self {
        let mut provinces = Vec::new();
        let mut districts = Vec::new();
        let mut sub_districts = Vec::new();
        for SourceArea(province_code, name_th, name_en, children) in source.provinces {
            provinces.push(Province {
                code: province_code,
                name_th,
                name_en,
            });
            for SourceArea(district_code, name_th, name_en, children) in children {
                districts.push(District {
                    code: district_code,
                    province_code,
                    name_th,
                    name_en,
                });
                for SourceArea(code, name_th, name_en, postcodes) in children {
                    let postcode = postcodes.first().cloned().unwrap_or_default();
                    sub_districts.push(SubDistrict {
                        code,
                        district_code,
                        name_th,
                        name_en,
                        postcode,
                        postcodes,
                    });
                }
            }
        }
        provinces.sort_by_cached_key(|p| thai_sort_key(&p.name_th));
        districts.sort_by_cached_key(|d| (d.province_code, thai_sort_key(&d.name_th)));
        sub_districts.sort_by_cached_key(|s| (s.district_code, thai_sort_key(&s.name_th)));
        Self {
            province_at: index(&provinces, |p| p.code),
            district_at: index(&districts, |d| d.code),
            sub_district_at: index(&sub_districts, |s| s.code),
            provinces,
            districts,
            sub_districts,
        }
    }
}

fn index<T>(items: &[T], code: impl Fn(&T) -> u32) -> HashMap<u32, usize> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| (code(item), i))
        .collect()
}

/// The run of `items` (sorted by parent) whose parent is `parent`.
fn children<T>(items: &[T], parent: u32, parent_of: impl Fn(&T) -> u32) -> &[T] {
    let start = items.partition_point(|item| parent_of(item) < parent);
    let end = items.partition_point(|item| parent_of(item) <= parent);
    items.get(start..end).unwrap_or_default()
}

/// Thai dictionary order, close to what ICU does: a leading vowel (เ แ โ ใ ไ) sorts after the
/// consonant it is written before, and tone marks only break ties. Plain code-point order would
/// put every name that starts with เ after every name that starts with a consonant.
fn thai_sort_key(name: &str) -> (String, String) {
    let mut primary = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if ('\u{0E40}'..='\u{0E44}').contains(&c) {
            primary.extend(chars.next());
        }
        if !('\u{0E47}'..='\u{0E4C}').contains(&c) {
            primary.push(c);
        }
    }
    (primary, name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const CHIANG_MAI: u32 = 50;
    const MUEANG_CHIANG_MAI: u32 = 5001;
    const SI_PHUM: u32 = 500101;

    #[test]
    fn dataset_is_whole() {
        assert_eq!(provinces().len(), 77);
        assert!(
            (900..1000).contains(&DATA.districts.len()),
            "{}",
            DATA.districts.len()
        );
        assert!(
            (7000..8000).contains(&DATA.sub_districts.len()),
            "{}",
            DATA.sub_districts.len()
        );
        assert_eq!(
            DATA.province_at.len(),
            DATA.provinces.len(),
            "province codes are unique"
        );
        assert_eq!(
            DATA.district_at.len(),
            DATA.districts.len(),
            "district codes are unique"
        );
        assert_eq!(
            DATA.sub_district_at.len(),
            DATA.sub_districts.len(),
            "sub-district codes are unique"
        );
        for p in provinces() {
            assert!(
                !districts(p.code).is_empty(),
                "province {} has districts",
                p.code
            );
            assert!(!p.name_th.is_empty() && !p.name_en.is_empty());
        }
        for d in &DATA.districts {
            assert_eq!(
                d.code / 100,
                d.province_code,
                "district {} sits in its province",
                d.code
            );
            assert!(
                !sub_districts(d.code).is_empty(),
                "district {} has sub-districts",
                d.code
            );
        }
        for s in &DATA.sub_districts {
            assert_eq!(
                s.code / 100,
                s.district_code,
                "sub-district {} sits in its district",
                s.code
            );
            assert_eq!(s.postcodes.first(), Some(&s.postcode));
            let five_digits = |p: &String| p.len() == 5 && p.bytes().all(|b| b.is_ascii_digit());
            assert!(
                s.postcodes.iter().all(five_digits),
                "postcodes of {}",
                s.code
            );
        }
    }

    #[test]
    fn known_addresses_validate() {
        assert_eq!(
            validate(CHIANG_MAI, MUEANG_CHIANG_MAI, SI_PHUM, "50200"),
            Ok(())
        );
        // Suan Chitlada, Dusit, Bangkok spans two post-office zones.
        assert_eq!(validate(10, 1002, 100203, "10300"), Ok(()));
        assert_eq!(validate(10, 1002, 100203, "10303"), Ok(()));
        assert_eq!(validate(10, 1001, 100101, "10200"), Ok(()));
    }

    #[test]
    fn every_listed_address_validates_with_each_of_its_postcodes() {
        for s in &DATA.sub_districts {
            let d = district(s.district_code).unwrap();
            for postcode in &s.postcodes {
                assert_eq!(
                    validate(d.province_code, d.code, s.code, postcode),
                    Ok(()),
                    "{}",
                    s.code
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_input_is_answered_without_panic(p: u32, d: u32, s: u32, postcode in "\\PC{0,8}") {
            let _ = validate(p, d, s, &postcode);
            let _ = (districts(p), sub_districts(d), address(s));
        }
    }

    #[test]
    fn each_level_must_lie_in_the_one_above() {
        assert_eq!(
            validate(CHIANG_MAI, 1001, 100101, "10200"),
            Err(AddressError::District)
        );
        let ban_luang_chom_thong = 500203;
        assert_eq!(
            sub_district(ban_luang_chom_thong).map(|s| s.district_code),
            Some(5002)
        );
        assert_eq!(
            validate(CHIANG_MAI, MUEANG_CHIANG_MAI, ban_luang_chom_thong, "50160"),
            Err(AddressError::SubDistrict)
        );
        assert_eq!(
            validate(10, 1001, SI_PHUM, "50200"),
            Err(AddressError::SubDistrict)
        );
    }

    #[test]
    fn wrong_postcode_is_rejected() {
        assert_eq!(
            validate(CHIANG_MAI, MUEANG_CHIANG_MAI, SI_PHUM, "10200"),
            Err(AddressError::Postcode)
        );
        assert_eq!(
            validate(CHIANG_MAI, MUEANG_CHIANG_MAI, SI_PHUM, ""),
            Err(AddressError::Postcode)
        );
        assert_eq!(
            validate(CHIANG_MAI, MUEANG_CHIANG_MAI, SI_PHUM, " 50200"),
            Err(AddressError::Postcode)
        );
    }

    #[test]
    fn unknown_codes_are_errors_or_empty() {
        assert_eq!(validate(0, 0, 0, ""), Err(AddressError::Province));
        assert_eq!(
            validate(u32::MAX, MUEANG_CHIANG_MAI, SI_PHUM, "50200"),
            Err(AddressError::Province)
        );
        assert_eq!(
            validate(CHIANG_MAI, 5099, SI_PHUM, "50200"),
            Err(AddressError::District)
        );
        assert_eq!(
            validate(CHIANG_MAI, MUEANG_CHIANG_MAI, 500199, "50200"),
            Err(AddressError::SubDistrict)
        );
        assert!(districts(0).is_empty() && districts(u32::MAX).is_empty());
        assert!(sub_districts(0).is_empty() && sub_districts(u32::MAX).is_empty());
        assert_eq!(province(99), None);
        assert_eq!(district(0), None);
        assert_eq!(sub_district(u32::MAX), None);
        assert_eq!(address(1), None);
    }

    #[test]
    fn children_belong_to_their_parent() {
        let chiang_mai = districts(CHIANG_MAI);
        assert!(chiang_mai.iter().all(|d| d.province_code == CHIANG_MAI));
        let mueang = chiang_mai
            .iter()
            .find(|d| d.code == MUEANG_CHIANG_MAI)
            .unwrap();
        assert_eq!(mueang.name_th, "เมืองเชียงใหม่");
        let subs = sub_districts(MUEANG_CHIANG_MAI);
        assert!(subs.iter().all(|s| s.district_code == MUEANG_CHIANG_MAI));
        assert!(
            subs.iter()
                .any(|s| s.code == SI_PHUM && s.name_en == "Si Phum")
        );
        let all: HashSet<u32> = provinces()
            .iter()
            .flat_map(|p| districts(p.code))
            .map(|d| d.code)
            .collect();
        assert_eq!(all.len(), DATA.districts.len());
    }

    #[test]
    fn address_gathers_the_three_levels() {
        let a = address(SI_PHUM).unwrap();
        assert_eq!(
            (
                a.sub_district.name_th.as_str(),
                a.district.name_th.as_str(),
                a.province.name_th.as_str()
            ),
            ("ศรีภูมิ", "เมืองเชียงใหม่", "เชียงใหม่")
        );
        assert_eq!(a.province.name_en, "Chiang Mai");
    }

    #[test]
    fn lists_are_in_thai_dictionary_order() {
        let names: Vec<&str> = provinces().iter().map(|p| p.name_th.as_str()).collect();
        assert_eq!(names[0], "กระบี่");
        let at = |name: &str| names.iter().position(|n| *n == name).unwrap();
        assert!(at("ชุมพร") < at("เชียงราย"));
        assert!(at("เชียงราย") < at("เชียงใหม่"));
        assert!(at("เชียงใหม่") < at("ตรัง"));
        let keys: Vec<_> = names.iter().map(|n| thai_sort_key(n)).collect();
        assert!(keys.is_sorted());
    }

    #[test]
    fn errors_name_their_field() {
        let fields = [
            AddressError::Province,
            AddressError::District,
            AddressError::SubDistrict,
            AddressError::Postcode,
        ]
        .map(|e| e.field());
        assert_eq!(fields, ["province", "district", "sub_district", "postcode"]);
    }

    #[test]
    fn areas_serialize_for_the_dropdowns() {
        let json = serde_json::to_value(sub_district(100203).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": 100203, "district_code": 1002, "name_th": "สวนจิตรลดา",
                "name_en": "Suan Chitlada", "postcode": "10300", "postcodes": ["10300", "10303"],
            })
        );
    }
}
