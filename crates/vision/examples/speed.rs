//! Time the networks' forward passes (release build), EfficientNet-Lite0 at a few input sizes,
//! the selfie segmentation at its own, and the face networks (the detector on one view and on
//! all its views of a 1024 px photo, the descriptor of one chip): `cargo run --release -p
//! retouch-vision --example speed [RUNS]`.

use std::time::Instant;

use retouch_vision::face::{embed, FaceDetector, FaceEmbedder};
use retouch_vision::{effnet, selfie, EfficientNetLite0, Planes, SelfieSegmenter, VisionError};

/// Median and minimum milliseconds of `runs` calls (after one warm-up).
fn time(runs: usize, f: impl Fn() -> Result<(), VisionError>) -> Result<(f64, f64), VisionError> {
    f()?;
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f().map(|_| t.elapsed().as_secs_f64() * 1e3)
        })
        .collect::<Result<_, _>>()?;
    times.sort_by(f64::total_cmp);
    Ok((times[runs / 2], times[0]))
}

fn input(side: usize, make: fn(&[f32], usize, usize) -> Planes) -> Planes {
    let rgb: Vec<f32> = (0..side * side * 3)
        .map(|i| (i % 251) as f32 / 250.0)
        .collect();
    make(&rgb, side, side)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20)
        .max(1);
    let threads = rayon::current_num_threads();
    let net = EfficientNetLite0::load_default()?;
    for side in [96usize, 128, 160, 224] {
        let x = input(side, effnet::input_from_unit_rgb);
        let (median, min) = time(runs, || net.observe(&x).map(|_| ()))?;
        println!("effnet-lite0 {side}x{side}: median {median:.1} ms, min {min:.1} ms ({runs} runs, {threads} threads)");
    }
    let seg = SelfieSegmenter::load_default()?;
    let x = input(selfie::SIDE, selfie::input_from_unit_rgb);
    let (median, min) = time(runs, || seg.segment(&x).map(|_| ()))?;
    println!(
        "selfie segmentation {0}x{0}: median {median:.1} ms, min {min:.1} ms ({runs} runs, {threads} threads)",
        selfie::SIDE
    );
    let detector = FaceDetector::load_default()?;
    let side = 1024;
    let rgb: Vec<f32> = (0..side * side * 3)
        .map(|i| (i % 251) as f32 / 250.0)
        .collect();
    let (median, min) = time(runs, || detector.detect(&rgb, side, side).map(|_| ()))?;
    println!("face detector, one view of {side}x{side}: median {median:.1} ms, min {min:.1} ms ({runs} runs, {threads} threads)");
    let (median, min) = time(runs, || detector.find(&rgb, side, side).map(|_| ()))?;
    println!("face detector, all views of {side}x{side}: median {median:.1} ms, min {min:.1} ms ({runs} runs, {threads} threads)");
    let embedder = FaceEmbedder::load_default()?;
    let chip = vec![0.5; embed::CHIP * embed::CHIP * 3];
    let (median, min) = time(runs, || embedder.embed(&chip).map(|_| ()))?;
    println!("face descriptor, one chip: median {median:.1} ms, min {min:.1} ms ({runs} runs, {threads} threads)");
    Ok(())
}
