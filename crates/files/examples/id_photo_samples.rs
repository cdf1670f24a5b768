//! Draws the sample ID photos in `tests/samples/` that the quality thresholds were measured on:
//! a card-like photo (a light card with lines of glyph-like marks and a portrait block, on a dark
//! table, as a 4:3 phone photo), and from it the bad ones: tiny, dark, burnt out, out of focus,
//! shaken, square. Synthetic, so the suite needs no one's real card; run it again after a change:
//! `cargo run -p files --example id_photo_samples`.

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, imageops};
use std::path::Path;

/// A small deterministic generator, so the samples are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u32) -> u32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % u64::from(below.max(1))) as u32
    }
}

fn fill(img: &mut RgbImage, x0: u32, y0: u32, w: u32, h: u32, colour: [u8; 3]) {
    for y in y0..(y0 + h).min(img.height()) {
        for x in x0..(x0 + w).min(img.width()) {
            img.put_pixel(x, y, Rgb(colour));
        }
    }
}

fn card_photo() -> RgbImage {
    let mut rng = Lcg(2569);
    let mut img = RgbImage::from_fn(1200, 900, |x, y| {
        let grain = ((x * 7 + y * 13) % 11) as u8;
        Rgb([52 + grain, 56 + grain, 64 + grain])
    });
    let (cx, cy) = (172, 180);
    fill(&mut img, cx, cy, 856, 540, [233, 240, 247]);
    fill(&mut img, cx, cy, 856, 90, [201, 214, 230]);
    fill(&mut img, cx + 620, cy + 150, 200, 250, [154, 167, 184]);
    // Lines of "text": glyph-sized dark marks with gaps, as print on a card looks to a camera.
    for (line, size) in [(30u32, 22u32), (150, 30), (230, 20), (280, 20), (330, 20), (380, 20), (480, 14)] {
        let mut x = cx + 40;
        let limit = if line < 100 { cx + 800 } else { cx + 590 };
        while x < limit {
            let glyph = 6 + rng.next(size / 2 + 4);
            fill(&mut img, x, cy + line, glyph, size, [29, 42, 68]);
            x += glyph + 3 + rng.next(5) + if rng.next(7) == 0 { 14 } else { 0 };
        }
    }
    img
}

fn scaled(img: &RgbImage, factor: f32, lift: f32) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = (f32::from(*c) * factor + lift).clamp(0.0, 255.0) as u8;
        }
    }
    out
}

fn shaken(img: &RgbImage, length: u32) -> RgbImage {
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let mut sum = [0u32; 3];
        for d in 0..length {
            let p = img.get_pixel((x + d).min(img.width() - 1), y);
            for (s, c) in sum.iter_mut().zip(p.0) {
                *s += u32::from(c);
            }
        }
        Rgb(sum.map(|s| (s / length) as u8))
    })
}

fn save(dir: &Path, name: &str, img: RgbImage) {
    let format = if name.ends_with(".png") { ImageFormat::Png } else { ImageFormat::Jpeg };
    DynamicImage::ImageRgb8(img).save_with_format(dir.join(name), format).expect("sample written");
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/samples");
    std::fs::create_dir_all(&dir).expect("samples folder");
    let good = card_photo();
    save(&dir, "good-card.jpg", good.clone());
    save(&dir, "good-card-portrait.jpg", imageops::rotate90(&good));
    save(&dir, "good-card-dim.jpg", scaled(&good, 0.6, 0.0));
    save(&dir, "good-card-small.jpg", imageops::resize(&good, 800, 600, imageops::FilterType::CatmullRom));
    save(&dir, "bad-tiny-grey.png", RgbImage::from_pixel(120, 80, Rgb([128, 128, 128])));
    save(&dir, "bad-dark.jpg", scaled(&good, 0.18, 0.0));
    save(&dir, "bad-overexposed.jpg", scaled(&good, 1.6, 120.0));
    save(&dir, "bad-blurred.jpg", imageops::blur(&good, 6.0));
    save(&dir, "bad-shaken.jpg", shaken(&good, 24));
    save(&dir, "bad-square.jpg", imageops::crop_imm(&good, 150, 0, 900, 900).to_image());
}
