//! Is an ID photo good enough for staff to read? Checked at upload, so the citizen can take it
//! again at once: big enough, neither too dark nor burnt out, sharp (variance of the Laplacian),
//! and, for a photo of the card itself, shaped like a card. The thresholds were measured on the
//! sample photos in `crates/files/tests/samples/` (see `docs/tenants.md`).

use image::DynamicImage;
use image::imageops::FilterType;

/// The shorter and longer side an ID photo must have at least: below this the card's text
/// (a 13-digit number in about 2 mm type) cannot be read.
pub const MIN_SHORT_SIDE: u32 = 400;
pub const MIN_LONG_SIDE: u32 = 600;
/// Mean brightness (0–255) outside which a photo is too dark or burnt out.
pub const MIN_MEAN_LUMA: f64 = 45.0;
pub const MAX_MEAN_LUMA: f64 = 225.0;
/// The variance of the Laplacian, measured at `MEASURE_SIDE`, below which a photo is blurred.
pub const MIN_SHARPNESS: f64 = 25.0;
/// The long side the sharpness is measured at, so that it does not depend on the camera.
pub const MEASURE_SIDE: u32 = 640;
/// Long side over short side of a photo of the card: a card is 85.6 × 54 mm (1.59); a phone
/// frame around it is 4:3 (1.33) or 16:9 (1.78). Square or panoramic photos are not of a card.
pub const CARD_ASPECT: (f64, f64) = (1.25, 2.0);

/// What a photo looks like, in the numbers the checks use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measures {
    pub width: u32,
    pub height: u32,
    pub mean_luma: f64,
    pub sharpness: f64,
}

impl Measures {
    pub fn of(photo: &DynamicImage) -> Self {
        let (width, height) = (photo.width(), photo.height());
        let gray = photo.resize(MEASURE_SIDE, MEASURE_SIDE, FilterType::Triangle).to_luma8();
        let count = f64::from(gray.width() * gray.height()).max(1.0);
        let mean_luma = gray.pixels().map(|p| f64::from(p.0[0])).sum::<f64>() / count;
        Self { width, height, mean_luma, sharpness: laplacian_variance(&gray) }
    }

    fn aspect(&self) -> f64 {
        let (long, short) = (self.width.max(self.height), self.width.min(self.height).max(1));
        f64::from(long) / f64::from(short)
    }
}

/// The variance of the Laplacian, taken in each direction apart (the second derivative across
/// and down) and the smaller kept: high where there are edges (text, the card's outline), low when
/// the photo is out of focus, and low in one direction when the camera moved.
fn laplacian_variance(gray: &image::GrayImage) -> f64 {
    let (w, h) = gray.dimensions();
    if w < 3 || h < 3 {
        return 0.0;
    }
    let at = |x: u32, y: u32| f64::from(gray.get_pixel(x, y).0[0]);
    let mut across = Spread::default();
    let mut down = Spread::default();
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            across.add(at(x - 1, y) + at(x + 1, y) - 2.0 * at(x, y));
            down.add(at(x, y - 1) + at(x, y + 1) - 2.0 * at(x, y));
        }
    }
    across.variance().min(down.variance())
}

/// A running variance.
#[derive(Default)]
struct Spread {
    sum: f64,
    squares: f64,
    n: f64,
}

impl Spread {
    fn add(&mut self, v: f64) {
        self.sum += v;
        self.squares += v * v;
        self.n += 1.0;
    }

    fn variance(&self) -> f64 {
        if self.n == 0.0 {
            return 0.0;
        }
        let mean = self.sum / self.n;
        self.squares / self.n - mean * mean
    }
}

/// What is wrong with a photo, worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcoming {
    TooSmall,
    TooDark,
    TooBright,
    Blurred,
    NotCardShaped,
}

/// What the photo must show: the card itself (shape checked), or anything (a selfie with it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Card,
    Any,
}

pub fn judge(m: &Measures, subject: Subject) -> Option<Shortcoming> {
    let (long, short) = (m.width.max(m.height), m.width.min(m.height));
    if long < MIN_LONG_SIDE || short < MIN_SHORT_SIDE {
        Some(Shortcoming::TooSmall)
    } else if m.mean_luma < MIN_MEAN_LUMA {
        Some(Shortcoming::TooDark)
    } else if m.mean_luma > MAX_MEAN_LUMA {
        Some(Shortcoming::TooBright)
    } else if m.sharpness < MIN_SHARPNESS {
        Some(Shortcoming::Blurred)
    } else if subject == Subject::Card && !(CARD_ASPECT.0..=CARD_ASPECT.1).contains(&m.aspect()) {
        Some(Shortcoming::NotCardShaped)
    } else {
        None
    }
}
