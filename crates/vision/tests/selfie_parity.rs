//! Parity of the Rust selfie segmentation with MediaPipe's own graph
//! (`mediapipe.solutions.selfie_segmentation`, pip mediapipe==0.10.14, run by
//! `scripts/fetch-selfie.sh --fixtures`) on exact 256x256 crops of committed photos.

use std::path::PathBuf;

use retouch_vision::selfie::{input_from_rgb8, SelfieSegmenter, SIDE};
use retouch_vision::Planes;
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    photo: String,
    left: usize,
    top: usize,
    side: usize,
    step: usize,
    mean: f64,
    /// Every `step`-th row and column of the reference mask.
    mask: Vec<f32>,
}

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn model() -> SelfieSegmenter {
    SelfieSegmenter::load(&root().join("models").join(retouch_vision::selfie::WEIGHTS))
        .expect("models/selfie is committed")
}

fn fixture() -> Fixture {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/selfie_reference.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn crop(photo: &str, left: usize, top: usize, side: usize) -> Planes {
    let img = image::open(root().join("assets/photos").join(photo))
        .unwrap()
        .to_rgb8();
    let mut rgb = Vec::with_capacity(side * side * 3);
    for y in top..top + side {
        for x in left..left + side {
            rgb.extend_from_slice(&img.get_pixel(x as u32, y as u32).0);
        }
    }
    input_from_rgb8(&rgb, side, side)
}

#[test]
fn masks_match_mediapipe() {
    let net = model();
    let fx = fixture();
    assert_eq!(fx.cases.len(), 3);
    for c in &fx.cases {
        assert_eq!(c.side, SIDE);
        let mask = net.segment(&crop(&c.photo, c.left, c.top, c.side)).unwrap();
        assert_eq!((mask.channels, mask.height, mask.width), (1, SIDE, SIDE));
        let sub: Vec<f32> = (0..SIDE)
            .step_by(c.step)
            .flat_map(|y| (0..SIDE).step_by(c.step).map(move |x| (x, y)))
            .map(|(x, y)| mask.data[y * SIDE + x])
            .collect();
        assert_eq!(sub.len(), c.mask.len());
        let worst = sub
            .iter()
            .zip(&c.mask)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        let mean = mask.data.iter().map(|&v| v as f64).sum::<f64>() / mask.data.len() as f64;
        eprintln!(
            "{} @{},{}: worst {worst:.2e}, mean {mean:.5} vs {:.5}",
            c.photo, c.left, c.top, c.mean
        );
        assert!(
            worst < 5e-4,
            "{} @{},{}: worst difference {worst}",
            c.photo,
            c.left,
            c.top
        );
        assert!(
            (mean - c.mean).abs() < 5e-5,
            "{}: mean {mean} vs {}",
            c.photo,
            c.mean
        );
    }
    // The fixtures are not trivial: a portrait mostly person, a cat almost none.
    assert!(fx.cases[1].mean > 0.5 && fx.cases[2].mean < 0.1);
}

#[test]
fn reference_path_matches_the_fast_one() {
    let net = model();
    // Any multiple of 16 runs; a small one keeps the scalar reference quick.
    let x = crop("astronaut.png", 200, 40, 64);
    let fast = net.segment(&x).unwrap();
    let slow = net.segment_reference(&x).unwrap();
    assert_eq!(fast.data.len(), 64 * 64);
    let worst = fast
        .data
        .iter()
        .zip(&slow.data)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(worst < 1e-5, "fast vs reference: {worst}");
}

#[test]
fn sides_that_do_not_divide_are_refused() {
    let net = model();
    let x = crop("astronaut.png", 0, 0, 72);
    assert!(net.segment(&x).is_err());
    let tiny = crop("astronaut.png", 0, 0, 16);
    assert!(net.segment(&tiny).is_err());
}
