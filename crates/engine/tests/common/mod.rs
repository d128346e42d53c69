#![allow(dead_code)]
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use retouch_engine::guide::KNOTS;
use retouch_engine::{BilateralGrid, GuideMap, Kernel, Sample};
use std::path::PathBuf;

pub fn photo_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/photos")
        .join(name)
}

/// A real photo as interleaved RGB u8.
pub fn photo_rgb8(name: &str) -> (Vec<u8>, usize, usize) {
    let img = image::open(photo_path(name))
        .expect("fixture photo")
        .to_rgb8();
    let (w, h) = img.dimensions();
    (img.into_raw(), w as usize, h as usize)
}

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Identity plus noise: varied but mostly in gamut.
pub fn random_grid(r: &mut ChaCha8Rng, h: usize, w: usize, d: usize, amp: f32) -> BilateralGrid {
    let mut g = BilateralGrid::identity(h, w, d).unwrap();
    for v in g.data_mut() {
        *v += r.gen_range(-amp..amp);
    }
    g
}

pub fn random_guide(r: &mut ChaCha8Rng) -> GuideMap {
    let mut g = GuideMap::luma();
    for row in g.ccm.iter_mut() {
        for v in row.iter_mut() {
            *v += r.gen_range(-0.15..0.15);
        }
    }
    for c in g.curves.iter_mut() {
        for (k, v) in c.iter_mut().enumerate() {
            let t = k as f32 / (KNOTS - 1) as f32;
            *v = t.powf(r.gen_range(0.6..1.6)) + r.gen_range(-0.03..0.03);
        }
    }
    for v in g.mix.iter_mut().take(3) {
        *v += r.gen_range(-0.1..0.1);
    }
    g.mix[3] = r.gen_range(-0.05..0.05);
    g
}

pub fn to_unit(v: &[u8]) -> Vec<f32> {
    v.iter().map(|&x| x as f32 / 255.0).collect()
}

/// Largest difference between two images, in code values of the sample type (1.0 = one step
/// at 8 bits for u8).
pub fn max_diff<T: Sample>(a: &[T], b: &[T]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| ((x.to_unit_f64() - y.to_unit_f64()).abs() * T::MAX as f64) as f32)
        .fold(0.0, f32::max)
}

/// Every kernel but the reference that this CPU runs (always at least the portable one).
pub fn fast_kernels() -> Vec<Kernel> {
    let k: Vec<_> = Kernel::available()
        .into_iter()
        .filter(|k| *k != Kernel::Reference)
        .collect();
    assert!(k.contains(&Kernel::Portable));
    k
}
