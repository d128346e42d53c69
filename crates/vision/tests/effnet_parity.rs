//! Parity of the Rust EfficientNet-Lite0 with the original implementation
//! (`efficientnet_lite_pytorch==0.1.0` on torch, run by `scripts/fetch-effnet.sh --fixtures`
//! with the same f16 weights) on exact crops of committed photos.

use std::path::PathBuf;

use retouch_vision::effnet::{input_from_rgb8, EfficientNetLite0, Observation};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    photo: String,
    top: usize,
    left: usize,
    height: usize,
    width: usize,
    top5: Vec<usize>,
    logits: Vec<f32>,
    pooled: Vec<f32>,
    stage_means: Vec<Vec<f32>>,
}

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn model() -> EfficientNetLite0 {
    EfficientNetLite0::load(&root().join("models").join(retouch_vision::effnet::WEIGHTS))
        .expect("models/effnet-lite0 is committed")
}

fn fixture() -> Fixture {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/effnet_reference.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn crop(c: &Case) -> retouch_vision::Planes {
    let img = image::open(root().join("assets/photos").join(&c.photo))
        .unwrap()
        .to_rgb8();
    let mut rgb = Vec::with_capacity(c.height * c.width * 3);
    for y in c.top..c.top + c.height {
        for x in c.left..c.left + c.width {
            rgb.extend_from_slice(&img.get_pixel(x as u32, y as u32).0);
        }
    }
    input_from_rgb8(&rgb, c.width, c.height)
}

/// Worst absolute difference, relative to the reference's largest magnitude.
fn relative_error(ours: &[f32], theirs: &[f32]) -> f32 {
    assert_eq!(ours.len(), theirs.len());
    let scale = theirs.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-6);
    ours.iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max)
        / scale
}

fn top5(logits: &[f32]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..logits.len()).collect();
    idx.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]));
    idx.truncate(5);
    idx
}

fn check(net: &EfficientNetLite0, seen: &Observation, c: &Case) {
    for (s, (ours, theirs)) in seen.stage_means.iter().zip(&c.stage_means).enumerate() {
        let e = relative_error(ours, theirs);
        assert!(e < 1e-4, "{} stage {s}: relative error {e}", c.photo);
    }
    let e = relative_error(&seen.pooled, &c.pooled);
    assert!(e < 1e-4, "{} pooled: relative error {e}", c.photo);
    let logits = net.classify(seen);
    let e = relative_error(&logits, &c.logits);
    assert!(e < 1e-4, "{} logits: relative error {e}", c.photo);
    assert_eq!(top5(&logits), c.top5, "{}: top-5 classes", c.photo);
}

#[test]
fn matches_the_original_on_committed_photos() {
    let net = model();
    let f = fixture();
    assert_eq!(f.cases.len(), 2);
    for c in &f.cases {
        let seen = net.observe(&crop(c)).unwrap();
        check(&net, &seen, c);
    }
}

#[test]
fn the_reference_path_matches_the_original_too() {
    // The scalar path is slow: the smaller (non-square) case only.
    let net = model();
    let f = fixture();
    let c = f.cases.iter().find(|c| c.height != c.width).unwrap();
    let seen = net.observe_reference(&crop(c)).unwrap();
    check(&net, &seen, c);
}

#[test]
fn recognises_what_the_committed_photos_show() {
    // ImageNet classes: 281-285 domestic cats, 967 espresso.
    let net = model();
    let f = fixture();
    let cat = &f.cases[0];
    let logits = net.classify(&net.observe(&crop(cat)).unwrap());
    assert!(
        (281..=285).contains(&top5(&logits)[0]),
        "{:?}",
        top5(&logits)
    );
    let coffee = &f.cases[1];
    let logits = net.classify(&net.observe(&crop(coffee)).unwrap());
    assert_eq!(top5(&logits)[0], 967);
}

#[test]
fn refuses_inputs_it_cannot_read() {
    let net = model();
    let tiny = retouch_vision::Planes::zeros(3, 16, 64);
    assert!(net.observe(&tiny).is_err());
    let gray = retouch_vision::Planes::zeros(1, 64, 64);
    assert!(net.observe(&gray).is_err());
}
