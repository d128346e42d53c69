//! Parity of the Rust face networks with their original implementations, on committed
//! photos and chips (fixtures made by `scripts/fetch-faces.sh --fixtures`):
//! - the BlazeFace detector against MediaPipe's own graph
//!   (`mediapipe.solutions.face_detection`, pip mediapipe==0.10.14) on crops whose long side
//!   is 1, 2 and 4 times its 128 px input (one letterboxed), and on a crop without a face;
//! - dlib's face recognition ResNet against dlib itself (pip dlib-bin==20.0.1.post1) on
//!   150 px chips: the astronaut aligned by dlib, mirrored, retouched, and a cat.

use std::path::PathBuf;

use retouch_vision::face::{embed, Descriptor, FaceDetector, FaceEmbedder};
use serde::Deserialize;

#[derive(Deserialize)]
struct Detection {
    score: f32,
    #[serde(rename = "box")]
    bbox: [f32; 4],
    keypoints: Vec<[f32; 2]>,
}

#[derive(Deserialize)]
struct DetectCase {
    photo: String,
    left: usize,
    top: usize,
    width: usize,
    height: usize,
    detections: Vec<Detection>,
}

#[derive(Deserialize)]
struct EmbedCase {
    chip: String,
    descriptor: Vec<f32>,
}

#[derive(Deserialize)]
struct Fixture {
    detections: Vec<DetectCase>,
    embeddings: Vec<EmbedCase>,
    template: Vec<[f32; 2]>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture() -> Fixture {
    let text = std::fs::read_to_string(fixtures().join("face_reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn unit_rgb(img: &image::RgbImage) -> Vec<f32> {
    img.as_raw().iter().map(|&v| v as f32 / 255.0).collect()
}

fn crop(photo: &str, left: usize, top: usize, width: usize, height: usize) -> Vec<f32> {
    let img = image::open(root().join("assets/photos").join(photo))
        .unwrap()
        .to_rgb8();
    let (l, t, w, h) = (left as u32, top as u32, width as u32, height as u32);
    unit_rgb(&image::imageops::crop_imm(&img, l, t, w, h).to_image())
}

#[test]
fn detections_match_mediapipe() {
    let net = FaceDetector::load(
        &root()
            .join("models")
            .join(retouch_vision::face::detect::WEIGHTS),
    )
    .expect("models/faces is committed");
    let fx = fixture();
    assert_eq!(fx.detections.len(), 6);
    let mut worst = 0.0f32;
    for c in &fx.detections {
        let rgb = crop(&c.photo, c.left, c.top, c.width, c.height);
        let found = net.detect(&rgb, c.width, c.height).unwrap();
        assert_eq!(
            found.len(),
            c.detections.len(),
            "{} @{},{} {}x{}: {found:?}",
            c.photo,
            c.left,
            c.top,
            c.width,
            c.height
        );
        for (f, r) in found.iter().zip(&c.detections) {
            let mut diffs = vec![(f.score - r.score).abs()];
            diffs.extend(f.bbox.iter().zip(&r.bbox).map(|(a, b)| (a - b).abs()));
            for (k, rk) in f.keypoints.iter().zip(&r.keypoints) {
                diffs.push((k[0] - rk[0]).abs());
                diffs.push((k[1] - rk[1]).abs());
            }
            let w = diffs.iter().cloned().fold(0.0, f32::max);
            eprintln!(
                "{} {}x{}: score {:.4} vs {:.4}, worst {w:.2e}",
                c.photo, c.width, c.height, f.score, r.score
            );
            worst = worst.max(w);
        }
    }
    // Scores and coordinates (0..1 of the crop) as MediaPipe's (measured worst: 6e-7; the
    // weights are the same f16 values in both).
    assert!(worst < 1e-5, "worst difference {worst}");
}

#[test]
fn the_fast_detector_matches_its_scalar_reference() {
    let net = FaceDetector::load(
        &root()
            .join("models")
            .join(retouch_vision::face::detect::WEIGHTS),
    )
    .unwrap();
    let rgb = crop("astronaut.png", 128, 0, 256, 256);
    let (a, b) = (
        net.detect(&rgb, 256, 256).unwrap(),
        net.detect_reference(&rgb, 256, 256).unwrap(),
    );
    assert_eq!(a.len(), 1);
    assert_eq!(a.len(), b.len());
    for (x, y) in a[0].bbox.iter().zip(&b[0].bbox) {
        assert!((x - y).abs() < 1e-4, "{a:?} vs {b:?}");
    }
}

#[test]
fn descriptors_match_dlib() {
    let net = FaceEmbedder::load(&root().join("models").join(embed::WEIGHTS))
        .expect("models/faces is committed");
    let fx = fixture();
    assert_eq!(fx.embeddings.len(), 4);
    let mut ours = Vec::new();
    for c in &fx.embeddings {
        let img = image::open(fixtures().join(&c.chip)).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (embed::CHIP as u32, embed::CHIP as u32));
        let d = net.embed(&unit_rgb(&img)).unwrap();
        let r = Descriptor(c.descriptor.clone());
        let worst =
            d.0.iter()
                .zip(&r.0)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
        eprintln!("{}: cosine {:.7}, worst {worst:.2e}", c.chip, d.cosine(&r));
        // dlib's weights are f32; ours are stored as f16.
        assert!(
            d.cosine(&r) > 0.99995,
            "{}: cosine {}",
            c.chip,
            d.cosine(&r)
        );
        assert!(worst < 2e-3, "{}: worst {worst}", c.chip);
        ours.push(d);
    }
    // What the descriptors are for: the retouched and mirrored astronaut are the same person,
    // the cat is not.
    assert!(ours[0].distance(&ours[1]) < embed::SAME_PERSON);
    assert!(ours[0].distance(&ours[2]) < embed::SAME_PERSON);
    assert!(ours[0].distance(&ours[3]) > embed::SAME_PERSON);
}

#[test]
fn the_fast_embedder_matches_its_scalar_reference() {
    let net = FaceEmbedder::load(&root().join("models").join(embed::WEIGHTS)).unwrap();
    let img = image::open(fixtures().join("chip-astronaut.png"))
        .unwrap()
        .to_rgb8();
    let chip = unit_rgb(&img);
    let (a, b) = (
        net.embed(&chip).unwrap(),
        net.embed_reference(&chip).unwrap(),
    );
    let worst =
        a.0.iter()
            .zip(&b.0)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
    assert!(worst < 1e-4, "worst {worst}");
}

#[test]
fn the_template_is_the_one_measured_and_the_chip_is_found_again() {
    let fx = fixture();
    for (t, r) in retouch_vision::face::TEMPLATE.iter().zip(&fx.template) {
        assert!(
            (t[0] - r[0]).abs() < 1e-3 && (t[1] - r[1]).abs() < 1e-3,
            "{t:?} vs {r:?}"
        );
    }
    // The whole portrait, detected and aligned by the Rust side, is the same person as dlib's
    // own chip of it.
    let det = FaceDetector::load(
        &root()
            .join("models")
            .join(retouch_vision::face::detect::WEIGHTS),
    )
    .unwrap();
    let net = FaceEmbedder::load(&root().join("models").join(embed::WEIGHTS)).unwrap();
    let rgb = crop("astronaut.png", 0, 0, 512, 512);
    let faces = det.find(&rgb, 512, 512).unwrap();
    assert_eq!(faces.len(), 1, "{faces:?}");
    let chip = retouch_vision::face::chip(&rgb, 512, 512, &faces[0]);
    let ours = net.embed(&chip).unwrap();
    let dlib = Descriptor(fx.embeddings[0].descriptor.clone());
    eprintln!("our chip vs dlib's: distance {:.3}", ours.distance(&dlib));
    assert!(
        ours.distance(&dlib) < 0.3,
        "distance {}",
        ours.distance(&dlib)
    );
}
