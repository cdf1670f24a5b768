//! The Thai "crossing" (ขีดคร่อม) stamped on ID photos: two parallel lines along the rising
//! diagonal with the tenant's text between them, the same text tiled faintly over the rest.

use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

use image::RgbImage;
use resvg::{tiny_skia, usvg};

use super::ImageError;

const THAI_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansThai-Regular.ttf");
const THAI_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansThai-Bold.ttf");
const LATIN_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
// Noto Sans Thai has no Latin digits; without this the date in a bold stamp falls back to regular.
const LATIN_BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");

/// Long enough for "for use with <municipality> only <date>"; longer text would be too small to read.
const MAX_TEXT_CHARS: usize = 160;
const INK: &str = "#c0102a";

/// Only the embedded fonts, and no way for the SVG to reach the file system or the network.
pub(super) static SVG_OPTIONS: LazyLock<usvg::Options<'static>> = LazyLock::new(|| {
    let mut fonts = usvg::fontdb::Database::new();
    for font in [THAI_REGULAR, THAI_BOLD, LATIN_REGULAR, LATIN_BOLD] {
        fonts.load_font_source(usvg::fontdb::Source::Binary(Arc::new(font)));
    }
    usvg::Options {
        fontdb: Arc::new(fonts),
        font_family: "Noto Sans Thai".to_owned(),
        languages: vec!["th".to_owned()],
        font_resolver: usvg::FontResolver {
            select_font: usvg::FontResolver::default_font_selector(),
            select_fallback: Box::new(closest_fallback),
        },
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    }
});

/// The font to try for a character the chosen font lacks (Latin digits in Noto Sans Thai), closest
/// in weight: usvg's default takes the first face with the character, so bold digits came out thin.
/// usvg asks again, with this face added to `used`, while characters are still missing.
fn closest_fallback(
    _: char,
    used: &[usvg::fontdb::ID],
    fonts: &mut Arc<usvg::fontdb::Database>,
) -> Option<usvg::fontdb::ID> {
    let base = fonts.face(*used.first()?)?;
    fonts
        .faces()
        .filter(|face| !used.contains(&face.id))
        .min_by_key(|face| {
            (
                face.style != base.style,
                face.weight.0.abs_diff(base.weight.0),
            )
        })
        .map(|face| face.id)
}

/// The tenant's "for use with … only" text, e.g.
/// "ใช้สำหรับยืนยันตัวตนกับเทศบาลเมืองตัวอย่าง เท่านั้น 25 พ.ย. 2569".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watermark {
    pub text: String,
}

impl Watermark {
    pub fn new(text: impl Into<String>) -> Self {
        Watermark { text: text.into() }
    }

    pub(super) fn stamp(&self, photo: &mut RgbImage) -> Result<(), ImageError> {
        let overlay = render_overlay(photo.width(), photo.height(), &self.text)
            .ok_or(ImageError::Watermark)?;
        blend(photo, &overlay);
        Ok(())
    }
}

/// Draws the stamp on a transparent canvas the size of the photo.
pub(super) fn render_overlay(width: u32, height: u32, text: &str) -> Option<tiny_skia::Pixmap> {
    let text = clean(text);
    let svg = overlay_svg(width, height, &text)?;
    let tree = usvg::Tree::from_str(&svg, &SVG_OPTIONS)
        .inspect_err(|error| tracing::error!(%error, "watermark SVG did not parse"))
        .ok()?;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    Some(pixmap)
}

fn overlay_svg(width: u32, height: u32, text: &str) -> Option<String> {
    let (w, h) = (width as f32, height as f32);
    let short = w.min(h);
    let diagonal = w.hypot(h);
    // The rising diagonal, bottom-left to top-right; SVG angles turn clockwise.
    let angle = -(h.atan2(w).to_degrees());
    // In the rotated frame the photo spans ±diagonal/2 along the lines and ±w·h/diagonal across.
    let half_across = w * h / diagonal;

    let width_in_ems = if text.is_empty() {
        0.0
    } else {
        bold_width_at(100.0, text)? / 100.0
    };
    let font_size = if width_in_ems > 0.0 {
        (0.78 * diagonal / width_in_ems).min(0.075 * short).max(8.0)
    } else {
        0.05 * short
    };
    let gap = font_size * 2.3;
    let line_width = (short / 260.0).max(1.5);

    let mut svg = String::new();
    write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">"#
    )
    .ok()?;
    write!(
        svg,
        r#"<g transform="translate({cx} {cy}) rotate({angle})" font-family="Noto Sans Thai, Noto Sans">"#,
        cx = w / 2.0,
        cy = h / 2.0,
    )
    .ok()?;

    if !text.is_empty() {
        tile(
            &mut svg,
            text,
            width_in_ems,
            font_size,
            gap,
            diagonal,
            half_across,
        )?;
    }

    let x = diagonal / 2.0;
    for y in [-gap / 2.0, gap / 2.0] {
        // A faint white edge keeps the red line visible on dark parts of the photo.
        write!(
            svg,
            r#"<line x1="{x1}" y1="{y}" x2="{x}" y2="{y}" stroke="white" stroke-opacity="0.3" stroke-width="{halo}"/><line x1="{x1}" y1="{y}" x2="{x}" y2="{y}" stroke="{INK}" stroke-opacity="0.75" stroke-width="{line_width}"/>"#,
            x1 = -x,
            halo = line_width * 3.0,
        )
        .ok()?;
    }

    if !text.is_empty() {
        // Thai stacks marks above and below the line; this baseline centres the ink in the band.
        write!(
            svg,
            r#"<text x="0" y="{baseline}" text-anchor="middle" font-size="{font_size}" font-weight="bold" fill="{INK}" fill-opacity="0.7" stroke="white" stroke-opacity="0.3" stroke-width="{halo}" paint-order="stroke">{escaped}</text>"#,
            baseline = font_size * 0.3,
            halo = font_size * 0.08,
            escaped = escape(text),
        )
        .ok()?;
    }
    svg.push_str("</g></svg>");
    Some(svg)
}

/// Faint rows of the text over the whole photo, outside the band, so a crop that cuts the
/// crossing away still carries the stamp.
fn tile(
    svg: &mut String,
    text: &str,
    width_in_ems: f32,
    main_size: f32,
    gap: f32,
    diagonal: f32,
    half_across: f32,
) -> Option<()> {
    let size = (main_size * 0.5).max(7.0);
    let pitch = size * 3.2;
    let separator = "\u{2003}\u{2003}";
    let repeat_width = width_in_ems * size * 1.1 + 2.0 * size;
    let repeats = (diagonal / repeat_width).ceil() as usize + 2;
    let row = vec![escape(text); repeats].join(separator);
    let band = gap / 2.0 + size * 1.2;

    write!(
        svg,
        r#"<g font-size="{size}" fill="{INK}" fill-opacity="0.17">"#
    )
    .ok()?;
    let rows = (half_across / pitch).ceil() as i32 + 1;
    for index in -rows..=rows {
        let y = index as f32 * pitch + size * 0.3;
        if y.abs() < band {
            continue;
        }
        let stagger = if index % 2 == 0 {
            0.0
        } else {
            repeat_width / 2.0
        };
        let x = -diagonal / 2.0 - stagger;
        write!(svg, r#"<text x="{x}" y="{y}">{row}</text>"#).ok()?;
    }
    svg.push_str("</g>");
    Some(())
}

/// Ink width of the bold text at a font size, from a throwaway layout.
fn bold_width_at(font_size: f32, text: &str) -> Option<f32> {
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><text font-family="Noto Sans Thai, Noto Sans" font-size="{font_size}" font-weight="bold">{}</text></svg>"#,
        escape(text)
    );
    let tree = usvg::Tree::from_str(&svg, &SVG_OPTIONS).ok()?;
    Some(tree.root().abs_bounding_box().width())
}

fn clean(text: &str) -> String {
    let single_line: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control())
        .take(MAX_TEXT_CHARS)
        .collect();
    single_line.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Source-over compositing of the premultiplied overlay onto the opaque photo.
fn blend(photo: &mut RgbImage, overlay: &tiny_skia::Pixmap) {
    for (pixel, ink) in photo.pixels_mut().zip(overlay.pixels()) {
        let keep = 255 - u16::from(ink.alpha());
        let [r, g, b] = pixel.0;
        let mix = |under: u8, over: u8| {
            (u16::from(over) + (u16::from(under) * keep + 127) / 255).min(255) as u8
        };
        pixel.0 = [mix(r, ink.red()), mix(g, ink.green()), mix(b, ink.blue())];
    }
}
