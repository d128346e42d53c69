//! Helpers shared by the command line's end-to-end tests.
#![allow(dead_code)] // each test file uses its own part of these

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A committed photo.
pub fn photo(name: &str) -> PathBuf {
    root().join("assets/photos").join(name)
}

/// Run the built `retouch` with these arguments.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_retouch"))
        .args(args)
        .output()
        .expect("run retouch")
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The run succeeded (else its stderr is shown).
pub fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// An image's RGB samples in [0, 1].
pub fn rgb(path: &Path) -> Vec<f32> {
    rgb8(path).iter().map(|v| *v as f32 / 255.0).collect()
}

pub fn rgb8(path: &Path) -> Vec<u8> {
    image::open(path).unwrap().to_rgb8().into_raw()
}

/// Mean CIELAB b* (yellow-blue) of RGB samples in [0, 1].
pub fn mean_b(rgb: &[f32]) -> f32 {
    rgb.chunks_exact(3)
        .map(|p| retouch_metrics::srgb_to_lab([p[0], p[1], p[2]]).b)
        .sum::<f32>()
        / (rgb.len() / 3) as f32
}

/// Mean CIELAB L* of RGB samples in [0, 1].
pub fn mean_l(rgb: &[f32]) -> f32 {
    rgb.chunks_exact(3)
        .map(|p| retouch_metrics::srgb_to_lab([p[0], p[1], p[2]]).l)
        .sum::<f32>()
        / (rgb.len() / 3) as f32
}
