//! SSIM and fidelity SSIM against scikit-image 0.25.2 on real photo pairs
//! (fixtures and values from `scripts/reference-ssim.py`).

use retouch_metrics::fidelity::{gray, ssim};
use retouch_metrics::fidelity_ssim;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ssim")
}

fn load(name: &str) -> (Vec<f32>, usize, usize) {
    let img = image::open(fixtures().join(name)).unwrap().to_rgb8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    (
        img.as_raw().iter().map(|v| *v as f32 / 255.0).collect(),
        w,
        h,
    )
}

#[test]
fn matches_scikit_image_to_1e_4() {
    let text = std::fs::read_to_string(fixtures().join("reference.json")).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let pairs = reference["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 4);
    for p in pairs {
        let name = p["name"].as_str().unwrap();
        let (a, w, h) = load(&format!("{name}_a.png"));
        let (b, _, _) = load(&format!("{name}_b.png"));
        let s = ssim(&gray(&a), &gray(&b), w, h).unwrap();
        let want = p["ssim_gray"].as_f64().unwrap();
        assert!(
            (s - want).abs() < 1e-4,
            "{name}: ssim {s} vs scikit-image {want}"
        );
        let f = fidelity_ssim(&a, &b, w, h).unwrap();
        let want = p["fidelity_ssim"].as_f64().unwrap();
        assert!(
            (f - want).abs() < 1e-4,
            "{name}: fidelity {f} vs scikit-image {want}"
        );
    }
}
