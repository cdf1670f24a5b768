//! The ID-photo, avatar and evidence-image pipeline: decode within limits, apply EXIF
//! orientation, re-encode so no metadata (nor anything appended to the file) survives, and stamp
//! ID photos. Synchronous and CPU-bound: run it in `spawn_blocking`.

pub mod quality;
mod watermark;

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use crate::sniff::{Sniffed, sniff};

pub use watermark::Watermark;

/// Photos are shrunk to this long side: enough for staff to read a card, and it bounds the
/// size of what we store and stamp.
const ID_PHOTO_MAX_SIDE: u32 = 2000;
const AVATAR_SIDE: u32 = 512;
/// Evidence keeps more detail than an ID photo (a scanned page must stay legible).
const EVIDENCE_MAX_SIDE: u32 = 4000;
const JPEG_QUALITY: u8 = 85;

/// What an upload may be before it is decoded. Dimensions are checked from the header, so a
/// small file declaring a huge canvas is refused before any pixel buffer is allocated.
#[derive(Debug, Clone)]
pub struct ImageLimits {
    pub max_bytes: usize,
    pub max_width: u32,
    pub max_height: u32,
    pub max_pixels: u64,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            max_bytes: 10 * 1024 * 1024,
            max_width: 8000,
            max_height: 8000,
            max_pixels: 40_000_000,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ProcessedImage {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
pub enum ImageError {
    #[error("the file is too large")]
    TooLarge,
    #[error("the image has too many pixels")]
    TooManyPixels,
    #[error("the file is not a JPEG, PNG or WebP image")]
    UnsupportedType,
    #[error("the image could not be decoded")]
    Corrupt,
    /// Rendering the stamp failed; the photo is refused rather than kept unstamped.
    #[error("the watermark could not be applied")]
    Watermark,
    /// An ID photo staff could not read: too small, dark, bright, blurred or not of a card.
    #[error("the photo cannot be read: {0:?}")]
    Unreadable(quality::Shortcoming),
}

impl ImageError {
    /// A stable code the web layer maps to a translated message.
    pub fn code(&self) -> &'static str {
        match self {
            ImageError::TooLarge => "too_large",
            ImageError::TooManyPixels => "too_many_pixels",
            ImageError::UnsupportedType => "unsupported_type",
            ImageError::Corrupt => "corrupt",
            ImageError::Watermark => "watermark_failed",
            ImageError::Unreadable(s) => match s {
                quality::Shortcoming::TooSmall => "photo_too_small",
                quality::Shortcoming::TooDark => "photo_too_dark",
                quality::Shortcoming::TooBright => "photo_too_bright",
                quality::Shortcoming::Blurred => "photo_blurred",
                quality::Shortcoming::NotCardShaped => "photo_not_card",
            },
        }
    }
}

/// Decodes an identity-document photo, turns it upright, shrinks it if huge, stamps the crossing
/// lines and the tenant's text, and re-encodes it as JPEG. Only the stamped image leaves here.
pub fn process_id_photo(
    bytes: &[u8],
    watermark: &Watermark,
    limits: &ImageLimits,
) -> Result<ProcessedImage, ImageError> {
    stamp_id_photo(decode(bytes, limits)?, watermark)
}

/// `process_id_photo` for a citizen's upload: a photo staff could not read (`quality::judge`) is
/// refused before it is stamped, so the citizen can take it again at once.
pub fn process_checked_id_photo(
    bytes: &[u8],
    watermark: &Watermark,
    limits: &ImageLimits,
    subject: quality::Subject,
) -> Result<ProcessedImage, ImageError> {
    let photo = decode(bytes, limits)?;
    if let Some(shortcoming) = quality::judge(&quality::Measures::of(&photo), subject) {
        return Err(ImageError::Unreadable(shortcoming));
    }
    stamp_id_photo(photo, watermark)
}

fn stamp_id_photo(mut photo: DynamicImage, watermark: &Watermark) -> Result<ProcessedImage, ImageError> {
    if photo.width().max(photo.height()) > ID_PHOTO_MAX_SIDE {
        photo = photo.resize(ID_PHOTO_MAX_SIDE, ID_PHOTO_MAX_SIDE, FilterType::CatmullRom);
    }
    let mut rgb = flatten_onto_white(photo);
    watermark.stamp(&mut rgb)?;
    encode_jpeg(&rgb)
}

/// Decodes a profile picture, crops the centre square and re-encodes it at 512x512.
pub fn process_avatar(bytes: &[u8], limits: &ImageLimits) -> Result<ProcessedImage, ImageError> {
    let photo = decode(bytes, limits)?;
    let square = photo.resize_to_fill(AVATAR_SIDE, AVATAR_SIDE, FilterType::CatmullRom);
    encode_jpeg(&flatten_onto_white(square))
}

/// Decodes an evidence image (a photo or scan attached to a request), turns it upright, shrinks it
/// if huge and re-encodes it: PNG stays PNG (screenshots and scans keep sharp text), JPEG and WebP
/// become JPEG. EXIF (GPS position, camera), XMP and bytes appended after the image are dropped.
pub fn process_evidence(bytes: &[u8], limits: &ImageLimits) -> Result<ProcessedImage, ImageError> {
    let was_png = sniff(bytes) == Some(Sniffed::Png);
    let mut photo = decode(bytes, limits)?;
    if photo.width().max(photo.height()) > EVIDENCE_MAX_SIDE {
        photo = photo.resize(EVIDENCE_MAX_SIDE, EVIDENCE_MAX_SIDE, FilterType::CatmullRom);
    }
    let rgb = flatten_onto_white(photo);
    if was_png { encode_png(&rgb) } else { encode_jpeg(&rgb) }
}

/// A made-up ID card (no one's data: coloured bands, a face-sized box, grey lines for text)
/// stamped with `watermark`, for the admin's preview of the stamp.
pub fn stamp_sample_card(watermark: &Watermark) -> Result<ProcessedImage, ImageError> {
    let (width, height) = (856, 540);
    let card = RgbImage::from_fn(width, height, |x, y| {
        let band = y < 90;
        let photo = (56..256).contains(&x) && (150..420).contains(&y);
        let line = (300..800).contains(&x) && [170, 230, 290, 350, 410].iter().any(|top| (*top..top + 22).contains(&y)) && x < 800 - (y % 7) * 30;
        let c = if band {
            [190, 215, 235]
        } else if photo {
            [200, 200, 205]
        } else if line {
            [150, 150, 155]
        } else {
            let shade = 248 - (x / 40) as u8;
            [shade, shade, 242]
        };
        image::Rgb(c)
    });
    stamp_id_photo(DynamicImage::ImageRgb8(card), watermark)
}

/// The longest side of a stored tenant logo (it is shown at 48 px, 96 px on dense screens).
const LOGO_MAX_SIDE: u32 = 512;

/// Decodes a municipality's logo, shrinks it if large and re-encodes it as PNG on white (it is
/// shown on a white circle), so that nothing but pixels reaches the citizens' pages.
pub fn process_logo(bytes: &[u8], limits: &ImageLimits) -> Result<ProcessedImage, ImageError> {
    process_picture(bytes, LOGO_MAX_SIDE, limits)
}

/// An SVG logo: refused if it holds script or outside references ([`svg_hazard`]), else drawn
/// into a PNG of at most 512 px on white, so that the SVG itself is never served.
pub fn process_svg_logo(text: &str) -> Result<ProcessedImage, &'static str> {
    if let Some(hazard) = svg_hazard(text) {
        return Err(hazard);
    }
    let tree = resvg::usvg::Tree::from_str(text, &watermark::SVG_OPTIONS).map_err(|_| "not_svg")?;
    let size = tree.size();
    let scale = (LOGO_MAX_SIDE as f32 / size.width().max(size.height())).min(8.0);
    let (width, height) = ((size.width() * scale).ceil() as u32, (size.height() * scale).ceil() as u32);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width.max(1), height.max(1)).ok_or("not_svg")?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    let rgba = image::RgbaImage::from_raw(pixmap.width(), pixmap.height(), pixmap.take()).ok_or("not_svg")?;
    // tiny-skia's pixels are premultiplied; over white that is c + (255 - a).
    let rgb = RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| c.saturating_add(255 - a);
        image::Rgb([over(r), over(g), over(b)])
    });
    encode_png(&rgb).map_err(|_| "not_svg")
}

/// A small picture (a photo slot's example): decoded, shrunk to `max_side` if larger, re-encoded
/// as PNG on white.
pub fn process_picture(bytes: &[u8], max_side: u32, limits: &ImageLimits) -> Result<ProcessedImage, ImageError> {
    let mut picture = decode(bytes, limits)?;
    if picture.width().max(picture.height()) > max_side {
        picture = picture.resize(max_side, max_side, FilterType::CatmullRom);
    }
    encode_png(&flatten_onto_white(picture))
}

/// [`process_picture`], as a JPEG instead when the PNG would be over `max_bytes` (a photo).
pub fn process_picture_within(bytes: &[u8], max_side: u32, max_bytes: usize, limits: &ImageLimits) -> Result<ProcessedImage, ImageError> {
    let png = process_picture(bytes, max_side, limits)?;
    if png.bytes.len() <= max_bytes {
        return Ok(png);
    }
    let rgb = image::load_from_memory_with_format(&png.bytes, ImageFormat::Png).map_err(|_| ImageError::Corrupt)?.into_rgb8();
    let jpeg = encode_jpeg(&rgb)?;
    if jpeg.bytes.len() <= max_bytes { Ok(jpeg) } else { Err(ImageError::TooLarge) }
}

/// Why an SVG logo is refused: it could run script or load something from elsewhere. Checked on
/// the lower-cased text; an SVG is also only ever served with a policy that blocks scripts.
pub fn svg_hazard(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("<svg") {
        return Some("not_svg");
    }
    const ACTIVE: &[&str] = &["<script", "<foreignobject", "<iframe", "<embed", "<object", "<!entity", "<!doctype", "javascript:", "data:text", "<?xml-stylesheet", "@import"];
    if ACTIVE.iter().any(|needle| lower.contains(needle)) {
        return Some("svg_script");
    }
    // Event handlers: on…= as an attribute.
    let bytes = lower.as_bytes();
    let handler = lower.match_indices("on").any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let name_len = bytes[i + 2..].iter().take_while(|b| b.is_ascii_lowercase()).count();
        let after = bytes[i + 2 + name_len..].iter().find(|b| !b.is_ascii_whitespace());
        matches!(before, Some(b' ' | b'\n' | b'\t' | b'\r' | b'/')) && name_len > 0 && after == Some(&b'=')
    });
    if handler {
        return Some("svg_script");
    }
    // Only the document's own fragments (#id) may be referenced.
    let external = ["href=\"", "href='", "url("].iter().any(|attr| {
        lower.match_indices(attr).any(|(i, _)| {
            let rest = lower[i + attr.len()..].trim_start_matches(['"', '\'', ' ']);
            !rest.starts_with('#')
        })
    });
    if external {
        return Some("svg_external");
    }
    None
}

fn decode(bytes: &[u8], limits: &ImageLimits) -> Result<DynamicImage, ImageError> {
    if bytes.len() > limits.max_bytes {
        return Err(ImageError::TooLarge);
    }
    let format = match sniff(bytes) {
        Some(Sniffed::Jpeg) => ImageFormat::Jpeg,
        Some(Sniffed::Png) => ImageFormat::Png,
        Some(Sniffed::WebP) => ImageFormat::WebP,
        Some(Sniffed::Pdf) | None => return Err(ImageError::UnsupportedType),
    };

    let mut decoder_limits = Limits::default();
    decoder_limits.max_image_width = Some(limits.max_width);
    decoder_limits.max_image_height = Some(limits.max_height);
    // Room for the decoded buffer at 16 bits per RGBA channel plus the decoders' working memory.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).saturating_add(64 << 20));

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoder_limits.clone());
    // Constructing the decoder reads only the header; nothing the size of the image exists yet.
    let mut decoder = reader.into_decoder().map_err(from_image_error)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt);
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(ImageError::TooManyPixels);
    }
    decoder_limits
        .reserve(decoder.total_bytes())
        .map_err(from_image_error)?;

    // Unreadable EXIF is treated as "no rotation": the pixels themselves may still be fine.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(from_image_error)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn from_image_error(error: image::ImageError) -> ImageError {
    match error {
        image::ImageError::Limits(_) => ImageError::TooManyPixels,
        image::ImageError::Unsupported(_) => ImageError::UnsupportedType,
        other => {
            tracing::debug!(error = %other, "image failed to decode");
            ImageError::Corrupt
        }
    }
}

/// JPEG has no alpha: transparent areas of a PNG or WebP become white, not black.
fn flatten_onto_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let c = u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a));
            (c / 255) as u8
        };
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

/// A fresh encode writes only the pixels: EXIF, GPS, XMP, ICC and comments are all left behind.
fn encode_jpeg(image: &RgbImage) -> Result<ProcessedImage, ImageError> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
        .encode_image(image)
        .map_err(|error| {
            tracing::warn!(%error, "JPEG encoding failed");
            ImageError::Corrupt
        })?;
    Ok(ProcessedImage {
        bytes,
        mime: "image/jpeg",
        width: image.width(),
        height: image.height(),
    })
}

fn encode_png(image: &RgbImage) -> Result<ProcessedImage, ImageError> {
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png).map_err(|error| {
        tracing::warn!(%error, "PNG encoding failed");
        ImageError::Corrupt
    })?;
    Ok(ProcessedImage { bytes, mime: "image/png", width: image.width(), height: image.height() })
}

#[cfg(test)]
mod tests;
