//! Registering as tests do it: the filled-in form of a `TestCitizen`, photos made on the spot
//! (a real PNG carrying metadata, a text file posing as a JPEG, a decompression bomb), multipart
//! bodies, and a look at what the object store holds.

use crate::citizens::TestCitizen;
use crate::{TestApp, spawn_app_with};
use std::path::{Path, PathBuf};

/// Text planted in a test photo's metadata; it must never reach storage.
pub const METADATA_MARKER: &str = "GPS-13.7563N-100.5018E-SECRET";

/// `spawn_app()` whose object store is a folder of its own (the default is shared `./data/files`).
pub async fn spawn_app_with_own_files() -> TestApp {
    spawn_app_with(own_files).await
}

pub fn own_files(config: &mut web::Config) {
    config.storage = web::config::Storage::Local { dir: config.data_dir.join("files") };
}

/// Every object the app's local store holds, as keys (`<tenant>/<kind>/<year>/<id>`).
pub fn stored_objects(app: &TestApp) -> Vec<String> {
    let web::config::Storage::Local { dir } = &app.state.config.storage else {
        panic!("the test app stores files locally");
    };
    let mut found = Vec::new();
    walk(dir, dir, &mut found);
    found.sort();
    found
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if path.is_dir() {
            walk(root, &path, found);
        } else if !hidden {
            found.push(path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/"));
        }
    }
}

pub async fn tenant_id(app: &TestApp, slug: &str) -> uuid::Uuid {
    tenant_scope(app, slug).await.tenant_id()
}

/// The store scope of the tenant `slug`.
pub async fn tenant_scope(app: &TestApp, slug: &str) -> store::Scope {
    store::tenants::find_by_slug(app.db(), slug).await.expect("db").expect("tenant").scope()
}

/// The version of the terms `slug` shows now.
pub async fn terms_version(app: &TestApp, slug: &str) -> String {
    store::tenants::find_by_slug(app.db(), slug).await.expect("db").expect("tenant").settings.terms_version
}

/// The registration form of `citizen`, every field filled in validly (Khon Kaen address); the
/// date of birth in the Buddhist era, as Thai people write it. The terms are the demo tenant's:
/// set `terms_version` for another.
pub fn form_fields(citizen: &TestCitizen) -> Vec<(String, String)> {
    use chrono::Datelike as _;
    let born = format!("{}/{}", citizen.birth_date.format("%d/%m"), citizen.birth_date.year() + 543);
    [
        ("title", "นาย"),
        ("first_name", citizen.first_name.as_str()),
        ("last_name", citizen.last_name.as_str()),
        ("national_id", citizen.national_id.as_str()),
        ("birth_date", born.as_str()),
        ("phone", "081 234 5678"),
        ("email", citizen.email.as_str()),
        ("house_no", "99/1"),
        ("village", "หมู่ 4"),
        ("road", "มิตรภาพ"),
        ("province", "40"),
        ("district", "4001"),
        ("sub_district", "400101"),
        ("postcode", "40000"),
        ("password", citizen.password.as_str()),
        ("password_confirm", citizen.password.as_str()),
        ("accept_terms", "1"),
        ("terms_version", "2569.1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// `fields` with `name` set to `value` (added if missing).
pub fn with(mut fields: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some((_, v)) => *v = value.to_owned(),
        None => fields.push((name.to_owned(), value.to_owned())),
    }
    fields
}

/// The JSON body of `POST /api/v1/citizens` for `citizen`.
pub fn api_body(citizen: &TestCitizen) -> serde_json::Value {
    serde_json::json!({
        "title": "นาง",
        "first_name": citizen.first_name,
        "last_name": citizen.last_name,
        "national_id": citizen.national_id,
        "birth_date": citizen.birth_date.to_string(),
        "phone": "0812345678",
        "email": citizen.email,
        "house_no": "12",
        "village": "-",
        "road": "-",
        "province": 40,
        "district": 4001,
        "sub_district": 400101,
        "postcode": "40000",
        "password": citizen.password,
        "password_confirm": citizen.password,
        "accept_terms": true,
        "terms_version": "2569.1"
    })
}

/// A real RGB PNG of `width` x `height` with a gradient, carrying EXIF and a text comment
/// (`METADATA_MARKER`) that a proper pipeline strips.
pub fn png_photo(width: u32, height: u32) -> Vec<u8> {
    png_of(width, height, |x, y| [(x * 255 / width.max(1)) as u8, (y * 255 / height.max(1)) as u8, 160])
}

/// An 800x600 photo of an ID card as the upload checks want one (big enough, lit, sharp, card
/// shaped): a light card with lines of glyph-like marks on a dark table; `seed` makes each differ.
/// It carries the same EXIF and comment as `png_photo`.
pub fn card_photo(seed: u32) -> Vec<u8> {
    png_of(800, 600, |x, y| {
        let on_card = (96..704).contains(&x) && (90..510).contains(&y);
        let in_line = (y - 90.min(y)) % 40 >= 16 && (y - 90.min(y)) % 40 < 34 && (130..600).contains(&x);
        let mark = ((x / 9) * 7 + seed * 3 + y / 40) % 5 != 0 && x % 9 < 7;
        match (on_card, in_line && mark) {
            (true, true) => [29, 42, 68],
            (true, false) => [233, 240, 247],
            _ => [52 + (seed * 9 % 40) as u8, 56, 64],
        }
    })
}

/// A PNG of `width` x `height` with the pixels of `pixel`, carrying EXIF and a text comment.
fn png_of(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((width * 3 + 1) * height) as usize);
    for y in 0..height {
        raw.push(0);
        for x in 0..width {
            raw.extend(pixel(x, y));
        }
    }
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = PNG_SIGNATURE.to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    // A big-endian TIFF header with an empty IFD, then the marker as a text comment.
    png.extend(chunk(b"eXIf", b"MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"));
    png.extend(chunk(b"tEXt", format!("Comment\0{METADATA_MARKER}").as_bytes()));
    png.extend(chunk(b"IDAT", &zlib_stored(&raw)));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// A few dozen bytes whose header declares a `width` x `height` canvas: a decompression bomb.
pub fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    let mut png = PNG_SIGNATURE.to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// Not an image at all, whatever its name says.
pub fn text_file() -> Vec<u8> {
    b"This is a plain text file that was renamed to card.jpg\n".repeat(20)
}

/// A file just over the 10 MB image limit.
pub fn oversized_file() -> Vec<u8> {
    let mut bytes = png_photo(16, 16);
    bytes.resize(10 * 1024 * 1024 + 1, 0);
    bytes
}

/// A multipart body: `csrf_token` first (when given), then one part per `(field, file name, bytes)`.
pub fn multipart(csrf: Option<&str>, files: Vec<(&str, &str, Vec<u8>)>) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    if let Some(token) = csrf {
        form = form.text("csrf_token", token.to_owned());
    }
    for (field, name, bytes) in files {
        let mime = if name.ends_with(".png") { "image/png" } else { "image/jpeg" };
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()).mime_str(mime).expect("mime");
        form = form.part(field.to_owned(), part);
    }
    form
}

/// `n` distinct valid photos as `photo` parts.
pub fn photos(n: usize) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    (0..n).map(|i| ("photo", "card.png", card_photo(i as u32))).collect()
}

/// Width and height from a JPEG's frame header.
pub fn jpeg_size(jpeg: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 9 < jpeg.len() {
        if jpeg[i] != 0xFF {
            return None;
        }
        let marker = jpeg[i + 1];
        let length = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        if matches!(marker, 0xC0..=0xC3) {
            let height = u32::from(u16::from_be_bytes([jpeg[i + 5], jpeg[i + 6]]));
            let width = u32::from(u16::from_be_bytes([jpeg[i + 7], jpeg[i + 8]]));
            return Some((width, height));
        }
        i += 2 + length;
    }
    None
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let body = [kind.as_slice(), data].concat();
    out.extend(&body);
    out.extend(crc32(&body).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// zlib with uncompressed deflate blocks: no compressor needed.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = if data.is_empty() { vec![&[][..]] } else { data.chunks(65_535).collect() };
    let last = blocks.len() - 1;
    for (i, block) in blocks.into_iter().enumerate() {
        out.push(u8::from(i == last));
        let len = block.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}
