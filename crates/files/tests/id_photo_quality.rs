//! The ID-photo checks on the sample photos they were measured on (`tests/samples/`, drawn by
//! `examples/id_photo_samples.rs`): every good one passes, every bad one fails for its reason.

use files::image::quality::{Measures, Shortcoming, Subject, judge};

fn measure(name: &str) -> Measures {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/samples").join(name);
    let photo = image::open(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let m = Measures::of(&photo);
    println!("{name:24} {:>5}x{:<5} mean luma {:6.1}  sharpness {:8.1}", m.width, m.height, m.mean_luma, m.sharpness);
    m
}

#[test]
fn the_good_samples_pass_and_each_bad_one_fails_for_its_reason() {
    for good in ["good-card.jpg", "good-card-portrait.jpg", "good-card-dim.jpg", "good-card-small.jpg"] {
        assert_eq!(judge(&measure(good), Subject::Card), None, "{good}");
    }
    for (bad, why) in [
        ("bad-tiny-grey.png", Shortcoming::TooSmall),
        ("bad-dark.jpg", Shortcoming::TooDark),
        ("bad-overexposed.jpg", Shortcoming::TooBright),
        ("bad-blurred.jpg", Shortcoming::Blurred),
        ("bad-shaken.jpg", Shortcoming::Blurred),
        ("bad-square.jpg", Shortcoming::NotCardShaped),
    ] {
        assert_eq!(judge(&measure(bad), Subject::Card), Some(why), "{bad}");
    }
    assert_eq!(judge(&measure("bad-square.jpg"), Subject::Any), None, "a selfie with the card may be square");
}
