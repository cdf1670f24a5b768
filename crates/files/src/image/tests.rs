use std::time::{Duration, Instant};

use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use resvg::{tiny_skia, usvg};

use super::watermark::{SVG_OPTIONS, render_overlay};
use super::*;

const SAMPLE_TEXT: &str = "ใช้สำหรับยืนยันตัวตนกับเทศบาลเมืองตัวอย่าง เท่านั้น 25 พ.ย. 2569";
const EXIF_MAKE: &str = "SECRETCAM-9000";
const EXIF_GPS: &str = "GPS 13.7563N 100.5018E";

fn watermark() -> Watermark {
    Watermark::new(SAMPLE_TEXT)
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 95)
        .encode_image(image)
        .expect("encode test JPEG");
    bytes
}

fn decoded(processed: &ProcessedImage) -> RgbImage {
    let image = image::load_from_memory(&processed.bytes).expect("output decodes");
    assert_eq!(
        (image.width(), image.height()),
        (processed.width, processed.height)
    );
    image.into_rgb8()
}

/// Inserts an APP1 EXIF segment right after SOI, the way a phone camera writes it: an
/// orientation tag plus a camera make and a location-like description that must not survive.
fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let strings = [EXIF_GPS, EXIF_MAKE].map(|s| [s.as_bytes(), b"\0"].concat());
    let entries = 3u16;
    let data_start = 8 + 2 + 12 * u32::from(entries) + 4;
    let mut tiff = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    tiff.extend(entries.to_le_bytes());
    let mut offset = data_start;
    for (tag, string) in [(0x010Eu16, &strings[0]), (0x010F, &strings[1])] {
        tiff.extend(tag.to_le_bytes());
        tiff.extend(2u16.to_le_bytes()); // ASCII
        tiff.extend((string.len() as u32).to_le_bytes());
        tiff.extend(offset.to_le_bytes());
        offset += string.len() as u32;
    }
    tiff.extend(0x0112u16.to_le_bytes());
    tiff.extend(3u16.to_le_bytes()); // SHORT
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(orientation.to_le_bytes());
    tiff.extend([0, 0]);
    tiff.extend(0u32.to_le_bytes()); // no next IFD
    strings.iter().for_each(|s| tiff.extend(s));

    let payload = [b"Exif\0\0".as_slice(), &tiff].concat();
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((payload.len() + 2) as u16).to_be_bytes());
    out.extend(payload);
    out.extend(&jpeg[2..]);
    out
}

/// The markers of the segments before the image data (APPn, DQT, SOF, ...).
fn header_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    }
    markers
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn difference(a: &Rgb<u8>, b: &Rgb<u8>) -> u8 {
    (0..3).map(|i| a.0[i].abs_diff(b.0[i])).max().unwrap_or(0)
}

/// A mock Thai ID card drawn with the same fonts, to judge how readable it stays.
fn mock_card(width: u32, height: u32) -> RgbImage {
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 856 540">
          <defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
            <stop offset="0" stop-color="#dfeefa"/><stop offset="0.5" stop-color="#f7e3ee"/><stop offset="1" stop-color="#e4f3e0"/>
          </linearGradient></defs>
          <rect width="856" height="540" rx="30" fill="url(#bg)"/>
          <g font-family="Noto Sans Thai, Noto Sans" fill="#1b2a4a">
            <text x="40" y="60" font-size="34" font-weight="bold">บัตรประจำตัวประชาชน</text>
            <text x="420" y="60" font-size="24">Thai National ID Card</text>
            <text x="40" y="120" font-size="22">เลขประจำตัวประชาชน</text>
            <text x="290" y="122" font-size="34" font-weight="bold">1 1037 02071 81 1</text>
            <text x="40" y="190" font-size="30" font-weight="bold">ชื่อตัวและชื่อสกุล นางสาว ทดสอบ ใจดี</text>
            <text x="40" y="240" font-size="24">Name Miss Thodsob</text>
            <text x="40" y="280" font-size="24">Last name Jaidee</text>
            <text x="40" y="330" font-size="24">เกิดวันที่ 12 ก.ค. 2535   Date of Birth 12 Jul. 1992</text>
            <text x="40" y="380" font-size="22">ศาสนา พุทธ</text>
            <text x="40" y="430" font-size="22">ที่อยู่ 99/9 หมู่ที่ 4 ต.ในเมือง อ.เมืองตัวอย่าง จ.ตัวอย่าง</text>
            <text x="40" y="500" font-size="20">วันออกบัตร 1 ม.ค. 2566   วันบัตรหมดอายุ 11 ก.ค. 2574</text>
          </g>
          <rect x="630" y="250" width="180" height="220" fill="#9aa6b2"/>
          <circle cx="720" cy="330" r="50" fill="#56616d"/>
          <rect x="650" y="390" width="140" height="80" rx="60" fill="#56616d"/>
        </svg>"##
    );
    let tree = usvg::Tree::from_str(&svg, &SVG_OPTIONS).expect("mock card parses");
    let mut pixmap = tiny_skia::Pixmap::new(width, height).expect("pixmap");
    pixmap.fill(tiny_skia::Color::from_rgba8(70, 70, 70, 255));
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    RgbImage::from_fn(width, height, |x, y| {
        let pixel = pixmap.pixel(x, y).expect("in bounds");
        Rgb([pixel.red(), pixel.green(), pixel.blue()])
    })
}

fn save_png(image: &RgbImage, name: &str) {
    let path = std::env::temp_dir().join(name);
    image.save(&path).expect("write sample PNG");
    eprintln!("wrote {}", path.display());
}

#[test]
fn id_photo_is_stamped_and_written_as_a_readable_sample() {
    let card = mock_card(1284, 810);
    let stamped = process_id_photo(&jpeg(&card), &watermark(), &ImageLimits::default()).unwrap();
    assert_eq!(stamped.mime, "image/jpeg");
    let output = decoded(&stamped);
    assert_eq!(output.dimensions(), card.dimensions());
    save_png(&output, "watermark-sample.png");

    let (w, h) = (card.width() as f32, card.height() as f32);
    let diagonal = w.hypot(h);
    let distance_to_diagonal =
        |x: u32, y: u32| (h * x as f32 + w * y as f32 - w * h).abs() / diagonal;
    let (mut near, mut near_changed, mut far, mut far_changed) = (0u32, 0u32, 0u32, 0u32);
    for (x, y, pixel) in output.enumerate_pixels() {
        let changed = difference(pixel, card.get_pixel(x, y)) > 60;
        if distance_to_diagonal(x, y) < 0.06 * h {
            near += 1;
            near_changed += u32::from(changed);
        } else {
            far += 1;
            far_changed += u32::from(changed);
        }
    }
    let near_share = near_changed as f32 / near as f32;
    let far_share = far_changed as f32 / far as f32;
    assert!(
        near_share > 0.08,
        "the crossing marks the diagonal ({near_share})"
    );
    assert!(
        far_share < 0.05,
        "the rest of the card stays close to the original ({far_share})"
    );
}

#[test]
fn exif_is_applied_then_dropped() {
    // Top-left quarter red, the rest blue; orientation 6 means "rotate 90° clockwise to view".
    let original = RgbImage::from_fn(300, 200, |x, y| {
        if x < 150 && y < 100 {
            Rgb([220, 30, 30])
        } else {
            Rgb([30, 30, 220])
        }
    });
    let upload = with_exif(&jpeg(&original), 6);
    assert!(
        contains(&upload, EXIF_MAKE.as_bytes()),
        "the fixture carries EXIF"
    );
    assert!(
        image::load_from_memory(&upload).is_ok(),
        "the fixture is a valid JPEG"
    );

    let stamped = process_id_photo(&upload, &watermark(), &ImageLimits::default()).unwrap();
    assert_eq!(
        (stamped.width, stamped.height),
        (200, 300),
        "turned upright"
    );
    let markers = header_markers(&stamped.bytes);
    assert!(
        markers.contains(&0xDA),
        "walked to the image data: {markers:x?}"
    );
    assert!(
        markers
            .iter()
            .all(|&m| m == 0xE0 || !(0xE1..=0xEF).contains(&m) && m != 0xFE),
        "no metadata segments: {markers:x?}"
    );
    for secret in [
        b"Exif".as_slice(),
        EXIF_MAKE.as_bytes(),
        EXIF_GPS.as_bytes(),
        b"13.7563",
    ] {
        assert!(!contains(&stamped.bytes, secret));
    }

    let output = decoded(&stamped);
    let reddish = |x, y| {
        let Rgb([r, _, b]) = *output.get_pixel(x, y);
        r > b
    };
    assert!(reddish(120, 20), "the red corner is now top-right");
    assert!(!reddish(30, 100), "the bottom-left stays blue");
    assert!(!reddish(20, 20), "the top-left is blue");

    let avatar = process_avatar(&upload, &ImageLimits::default()).unwrap();
    assert!(!contains(&avatar.bytes, EXIF_MAKE.as_bytes()));
}

#[test]
fn large_photos_are_shrunk_to_2000_px() {
    let big = RgbImage::from_pixel(3000, 1500, Rgb([200, 210, 220]));
    let stamped = process_id_photo(&jpeg(&big), &watermark(), &ImageLimits::default()).unwrap();
    assert_eq!((stamped.width, stamped.height), (2000, 1000));
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    let body = [kind.as_slice(), data].concat();
    chunk.extend(&body);
    chunk.extend(crc32(&body).to_be_bytes());
    chunk
}

/// A few dozen bytes that declare a canvas of `width` x `height` RGBA pixels.
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

#[test]
fn decompression_bombs_are_refused_from_the_header() {
    for (width, height) in [(60_000, 60_000), (7_999, 7_999), (100_000, 1)] {
        let bomb = png_bomb(width, height);
        assert!(bomb.len() < 100);
        let started = Instant::now();
        let refused = process_id_photo(&bomb, &watermark(), &ImageLimits::default());
        assert_eq!(
            refused.unwrap_err(),
            ImageError::TooManyPixels,
            "{width}x{height}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "refused before decoding"
        );
        assert_eq!(
            process_avatar(&bomb, &ImageLimits::default()).unwrap_err(),
            ImageError::TooManyPixels
        );
    }
}

#[test]
fn oversized_uploads_are_refused_before_sniffing() {
    let limits = ImageLimits {
        max_bytes: 1000,
        ..ImageLimits::default()
    };
    let photo = jpeg(&RgbImage::from_pixel(64, 64, Rgb([1, 2, 3])));
    let mut padded = photo.clone();
    padded.resize(1001, 0);
    assert_eq!(
        process_avatar(&padded, &limits).unwrap_err(),
        ImageError::TooLarge
    );
    let huge = vec![0xFF; ImageLimits::default().max_bytes + 1];
    assert_eq!(
        process_id_photo(&huge, &watermark(), &ImageLimits::default()).unwrap_err(),
        ImageError::TooLarge
    );
    assert!(process_avatar(&photo, &limits).is_ok());
}

#[test]
fn garbage_is_refused() {
    let limits = ImageLimits::default();
    let cases: [(&[u8], ImageError); 5] = [
        (b"", ImageError::UnsupportedType),
        (
            b"not an image at all, just text named photo.jpg",
            ImageError::UnsupportedType,
        ),
        (b"%PDF-1.7\n", ImageError::UnsupportedType),
        (
            b"\xFF\xD8\xFF\xE0 and then nonsense that is no JPEG",
            ImageError::Corrupt,
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ImageError::Corrupt),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            process_id_photo(bytes, &watermark(), &limits).unwrap_err(),
            expected,
            "{bytes:?}"
        );
        assert_eq!(process_avatar(bytes, &limits).unwrap_err(), expected);
    }
    let mut truncated = jpeg(&RgbImage::from_pixel(200, 200, Rgb([9, 9, 9])));
    truncated.truncate(truncated.len() / 3);
    assert!(process_avatar(&truncated, &limits).is_err());
}

#[test]
fn error_codes_are_stable() {
    let codes = [
        ImageError::TooLarge,
        ImageError::TooManyPixels,
        ImageError::UnsupportedType,
        ImageError::Corrupt,
        ImageError::Watermark,
    ]
    .map(|e| e.code());
    assert_eq!(
        codes,
        [
            "too_large",
            "too_many_pixels",
            "unsupported_type",
            "corrupt",
            "watermark_failed"
        ]
    );
}

#[test]
fn avatars_are_square_and_transparency_becomes_white() {
    let wide = RgbaImage::from_fn(900, 300, |x, _| {
        if x < 300 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([20, 120, 20, 255])
        }
    });
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(wide.as_raw(), 900, 300, image::ExtendedColorType::Rgba8)
        .unwrap();
    let avatar = process_avatar(&png, &ImageLimits::default()).unwrap();
    assert_eq!(
        (avatar.width, avatar.height, avatar.mime),
        (512, 512, "image/jpeg")
    );
    let output = decoded(&avatar);
    assert!(
        output.get_pixel(256, 256).0[1] > 90,
        "the centre is the green part"
    );

    let tall = RgbaImage::from_fn(100, 300, |_, y| {
        if y < 150 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([0, 0, 0, 255])
        }
    });
    let mut webp = Vec::new();
    WebPEncoder::new_lossless(&mut webp)
        .write_image(tall.as_raw(), 100, 300, image::ExtendedColorType::Rgba8)
        .unwrap();
    let output = decoded(&process_avatar(&webp, &ImageLimits::default()).unwrap());
    assert!(
        output.get_pixel(256, 100).0.iter().all(|&c| c > 230),
        "transparent → white"
    );
    assert!(output.get_pixel(256, 400).0.iter().all(|&c| c < 30));
}

/// Alpha drawn in the strip along the middle of the rising diagonal, where the main text sits.
fn ink_on_centre_line(overlay: &tiny_skia::Pixmap) -> usize {
    let (w, h) = (overlay.width() as f32, overlay.height() as f32);
    let diagonal = w.hypot(h);
    let mut inked = 0;
    for y in 0..overlay.height() {
        for x in 0..overlay.width() {
            let (fx, fy) = (x as f32, y as f32);
            let across = (h * fx + w * fy - w * h).abs() / diagonal;
            let along = ((fx - w / 2.0) * w - (fy - h / 2.0) * h).abs() / diagonal;
            let alpha = overlay.pixel(x, y).map_or(0, |p| p.alpha());
            if across < 0.02 * h && along < 0.25 * diagonal && alpha > 0 {
                inked += 1;
            }
        }
    }
    inked
}

#[test]
fn thai_text_is_drawn_between_the_lines() {
    let text = render_overlay(900, 600, "ใช้สำหรับ").unwrap();
    let lines_only = render_overlay(900, 600, "").unwrap();
    assert!(ink_on_centre_line(&text) > 500, "glyphs were drawn");
    assert_eq!(ink_on_centre_line(&lines_only), 0);
    assert_ne!(text.data(), lines_only.data());
    assert!(
        lines_only.pixels().iter().any(|p| p.alpha() > 0),
        "the crossing lines are drawn even without text"
    );

    let other = render_overlay(900, 600, "ใช้สำหรับเทศบาลอื่น").unwrap();
    assert_ne!(text.data(), other.data());
}

#[test]
fn every_character_of_the_watermark_has_a_glyph() {
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text font-family="Noto Sans Thai, Noto Sans" font-weight="bold">{SAMPLE_TEXT} ABC xyz ()-/:</text></svg>"#
    );
    let tree = usvg::Tree::from_str(&svg, &SVG_OPTIONS).unwrap();
    let Some(usvg::Node::Text(text)) = tree.root().children().first() else {
        panic!("expected a text node");
    };
    let glyphs: Vec<_> = text
        .layouted()
        .iter()
        .flat_map(|span| &span.positioned_glyphs)
        .collect();
    assert!(glyphs.len() >= SAMPLE_TEXT.chars().filter(|c| !c.is_whitespace()).count() - 2);
    let missing: Vec<_> = glyphs
        .iter()
        .filter(|g| g.id.0 == 0)
        .map(|g| g.text.as_str())
        .collect();
    assert!(missing.is_empty(), "no .notdef boxes, missing: {missing:?}");
}

#[test]
fn hostile_watermark_text_is_escaped() {
    let overlay = render_overlay(
        400,
        300,
        "</text><image href=\"file:///etc/passwd\"/>&amp; \u{0}\u{7}ใช้",
    );
    assert!(overlay.is_some());
    let mut photo = RgbImage::from_pixel(40, 30, Rgb([255, 255, 255]));
    Watermark::new("a\nb\tc").stamp(&mut photo).unwrap();
}

#[test]
fn tiny_and_thin_photos_are_stamped_without_failing() {
    for (width, height) in [(1, 1), (3, 2000), (2000, 3), (16, 16)] {
        let photo = RgbImage::from_pixel(width, height, Rgb([128, 128, 128]));
        let stamped =
            process_id_photo(&jpeg(&photo), &watermark(), &ImageLimits::default()).unwrap();
        assert_eq!((stamped.width, stamped.height), (width, height));
    }
}

#[test]
fn evidence_photos_lose_their_metadata_and_anything_appended() {
    let photo = RgbImage::from_fn(640, 480, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut upload = with_exif(&jpeg(&photo), 1);
    upload.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
    assert!(contains(&upload, EXIF_GPS.as_bytes()) && contains(&upload, b"<script>"), "the fixture carries both");

    let kept = process_evidence(&upload, &ImageLimits::default()).unwrap();
    assert_eq!((kept.mime, kept.width, kept.height), ("image/jpeg", 640, 480));
    for secret in [b"Exif".as_slice(), EXIF_MAKE.as_bytes(), EXIF_GPS.as_bytes(), b"<script>", b"<html>"] {
        assert!(!contains(&kept.bytes, secret), "{:?} is gone", String::from_utf8_lossy(secret));
    }
    let markers = header_markers(&kept.bytes);
    assert!(markers.iter().all(|&m| m == 0xE0 || !(0xE1..=0xEF).contains(&m) && m != 0xFE), "{markers:x?}");
    assert!(kept.bytes.ends_with(&[0xFF, 0xD9]), "the file ends where the image ends");
    let pixel = *decoded(&kept).get_pixel(200, 100);
    assert!(difference(&pixel, photo.get_pixel(200, 100)) < 12, "the picture itself is kept: {pixel:?}");
}

#[test]
fn evidence_scans_in_png_stay_png_and_bombs_are_refused() {
    let scan = RgbImage::from_fn(300, 400, |x, _| if x % 20 < 2 { Rgb([0, 0, 0]) } else { Rgb([255, 255, 255]) });
    let mut png = Vec::new();
    scan.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    png.extend_from_slice(b"<svg onload=alert(1)>");
    let kept = process_evidence(&png, &ImageLimits::default()).unwrap();
    assert_eq!((kept.mime, kept.width, kept.height), ("image/png", 300, 400));
    assert!(!contains(&kept.bytes, b"<svg"));
    let back = image::load_from_memory(&kept.bytes).unwrap().into_rgb8();
    assert_eq!(back, scan, "lossless");

    let big = RgbImage::from_pixel(5000, 2500, Rgb([200, 210, 220]));
    let shrunk = process_evidence(&jpeg(&big), &ImageLimits::default()).unwrap();
    assert_eq!((shrunk.width, shrunk.height), (4000, 2000));
    assert_eq!(process_evidence(&png_bomb(65_535, 65_535), &ImageLimits::default()).unwrap_err(), ImageError::TooManyPixels);
}

#[test]
fn the_demo_logos_are_safe_svgs_and_script_or_outside_references_are_not() {
    for logo in [include_str!("../../../../tenants/demo/logo.svg"), include_str!("../../../../tenants/nongbua/logo.svg")] {
        assert_eq!(svg_hazard(logo), None);
    }
    let svg = |inner: &str| format!(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{inner}</svg>"#);
    assert_eq!(svg_hazard(&svg(r##"<circle r="4" fill="url(#g)"/><use href="#c"/>"##)), None);
    assert_eq!(svg_hazard(&svg("<script>alert(1)</script>")), Some("svg_script"));
    assert_eq!(svg_hazard(&svg(r#"<circle r="4" onload ="alert(1)"/>"#)), Some("svg_script"));
    assert_eq!(svg_hazard(&svg(r#"<a href="javascript:alert(1)"><circle r="4"/></a>"#)), Some("svg_script"));
    assert_eq!(svg_hazard(&svg(r#"<foreignObject><p>x</p></foreignObject>"#)), Some("svg_script"));
    assert_eq!(svg_hazard(&svg(r#"<image href="https://tracker.example/x.png"/>"#)), Some("svg_external"));
    assert_eq!(svg_hazard("just text"), Some("not_svg"));
}

#[test]
fn a_logo_is_re_encoded_as_a_small_png() {
    let big = image::RgbImage::from_pixel(1200, 600, image::Rgb([20, 90, 160]));
    let mut bytes = Vec::new();
    big.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Jpeg).expect("encode");
    let logo = process_logo(&bytes, &ImageLimits::default()).expect("a JPEG logo");
    assert_eq!((logo.mime, logo.width, logo.height), ("image/png", 512, 256));
    assert_eq!(process_logo(b"<svg/>", &ImageLimits::default()).expect_err("not raster"), ImageError::UnsupportedType);
}

#[test]
fn an_svg_logo_is_drawn_into_a_png_and_never_kept_as_svg() {
    let logo = process_svg_logo(include_str!("../../../../tenants/demo/logo.svg")).expect("the demo logo draws");
    assert_eq!(logo.mime, "image/png");
    assert_eq!(logo.width.max(logo.height), 512);
    let png = image::load_from_memory(&logo.bytes).expect("decodes").into_rgb8();
    assert!(png.pixels().any(|p| p.0 != [255, 255, 255]), "something was drawn");
    assert_eq!(process_svg_logo(r#"<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>"#).expect_err("script"), "svg_script");
}
