//! CW-SSIM and GMSD against published implementations on real photo pairs: `pyrtools` 1.1.1's
//! complex steerable pyramid pooled as the authors' MATLAB `cwssim_index`, and `piq` 0.8.0's
//! `gmsd` (fixtures and values from `scripts/reference-fidelity.py`).
//!
//! Both metrics sit close to their ideal value on these pairs, so the tolerance is tight
//! (1e-6, far below the spread between pairs) rather than the 1e-4.

use retouch_metrics::cwssim::cw_ssim;
use retouch_metrics::fidelity::gray;
use retouch_metrics::gmsd::gmsd;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn load(folder: &str, name: &str) -> (Vec<f32>, usize, usize) {
    let img = image::open(fixtures().join(folder).join(name))
        .unwrap()
        .to_rgb8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    (
        img.as_raw().iter().map(|v| *v as f32 / 255.0).collect(),
        w,
        h,
    )
}

#[test]
fn cw_ssim_and_gmsd_match_the_references() {
    let text = std::fs::read_to_string(fixtures().join("fidelity/reference.json")).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let pairs = reference["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 6);
    let close = |what: &str, name: &str, got: f64, want: &serde_json::Value| {
        let want = want.as_f64().unwrap();
        assert!(
            (got - want).abs() < 1e-6,
            "{name}: {what} {got} vs reference {want}"
        );
    };
    for p in pairs {
        let (folder, name) = (p["folder"].as_str().unwrap(), p["name"].as_str().unwrap());
        let (a, w, h) = load(folder, &format!("{name}_a.png"));
        let (b, _, _) = load(folder, &format!("{name}_b.png"));
        let (ga, gb) = (gray(&a), gray(&b));
        close(
            "CW-SSIM",
            name,
            cw_ssim(&ga, &gb, w, h).unwrap(),
            &p["cw_ssim_gray"],
        );
        close("GMSD", name, gmsd(&ga, &gb, w, h).unwrap(), &p["gmsd_gray"]);
        let f = retouch_metrics::fidelity(&a, &b, w, h).unwrap();
        close(
            "fidelity CW-SSIM",
            name,
            f.cw_ssim.unwrap(),
            &p["fidelity_cw_ssim"],
        );
        close("fidelity GMSD", name, f.gmsd, &p["fidelity_gmsd"]);
    }
}
