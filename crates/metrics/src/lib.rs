//! # retouch-metrics
//!
//! Metrics on `[0, 1]`-scaled, sRGB-encoded RGB images (interleaved, 3 channels).
//! CIEDE2000 comes from the `palette` crate (sRGB -> linear -> XYZ -> CIELAB, D65) and is
//! checked against Sharma, Wu & Dalal's published test data.

use palette::color_difference::Ciede2000;
use palette::{IntoColor, Lab, Srgb};
use rayon::prelude::*;
use thiserror::Error;

pub mod cwssim;
pub mod fidelity;
pub mod gmsd;
pub use fidelity::{fidelity, fidelity_ssim, Fidelity};

#[derive(Debug, Error)]
pub enum MetricError {
    #[error("images differ in size: {0} vs {1} values")]
    Size(usize, usize),
    #[error("images must be non-empty RGB (a multiple of 3 values), got {0} values")]
    Shape(usize),
    #[error("{values} values do not make a {width}x{height} image larger than the 11x11 window")]
    Dims {
        width: usize,
        height: usize,
        values: usize,
    },
    #[error("{metric} needs at least {min}x{min} pixels, got {width}x{height}")]
    TooSmall {
        metric: &'static str,
        width: usize,
        height: usize,
        min: usize,
    },
}

fn check(a: &[f32], b: &[f32]) -> Result<(), MetricError> {
    if a.len() != b.len() {
        return Err(MetricError::Size(a.len(), b.len()));
    }
    if a.is_empty() || !a.len().is_multiple_of(3) {
        return Err(MetricError::Shape(a.len()));
    }
    Ok(())
}

/// CIELAB (D65) of an sRGB-encoded colour in `[0, 1]`.
pub fn srgb_to_lab(rgb: [f32; 3]) -> Lab {
    Srgb::new(rgb[0], rgb[1], rgb[2]).into_linear().into_color()
}

/// CIEDE2000 between two CIELAB colours.
pub fn ciede2000_lab(a: Lab, b: Lab) -> f32 {
    a.difference(b)
}

/// Mean CIEDE2000 over corresponding pixels.
pub fn mean_ciede2000(a: &[f32], b: &[f32]) -> Result<f64, MetricError> {
    check(a, b)?;
    let sum: f64 = a
        .par_chunks_exact(3)
        .zip(b.par_chunks_exact(3))
        .map(|(p, q)| {
            let la = srgb_to_lab([p[0], p[1], p[2]]);
            let lb = srgb_to_lab([q[0], q[1], q[2]]);
            ciede2000_lab(la, lb) as f64
        })
        .sum();
    Ok(sum / (a.len() / 3) as f64)
}

/// Mean absolute difference over all values (the paper's L1).
pub fn l1(a: &[f32], b: &[f32]) -> Result<f64, MetricError> {
    check(a, b)?;
    Ok(a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() as f64)
        .sum::<f64>()
        / a.len() as f64)
}

/// Mean squared difference over all values (the paper's L2).
pub fn l2(a: &[f32], b: &[f32]) -> Result<f64, MetricError> {
    check(a, b)?;
    Ok(a.iter()
        .zip(b)
        .map(|(x, y)| ((x - y) as f64).powi(2))
        .sum::<f64>()
        / a.len() as f64)
}

/// PSNR in dB with peak 1.0 (infinite for identical images).
pub fn psnr(a: &[f32], b: &[f32]) -> Result<f64, MetricError> {
    check(a, b)?;
    let mse = a
        .iter()
        .zip(b)
        .map(|(x, y)| ((x - y) as f64).powi(2))
        .sum::<f64>()
        / a.len() as f64;
    Ok(if mse == 0.0 {
        f64::INFINITY
    } else {
        -10.0 * mse.log10()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairs from Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula:
    /// implementation notes, supplementary test data, and mathematical observations", Table 1.
    #[test]
    fn ciede2000_matches_sharma_test_data() {
        let pairs: [([f32; 3], [f32; 3], f32); 8] = [
            ([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485], 2.0425),
            ([50.0, 3.1571, -77.2803], [50.0, 0.0, -82.7485], 2.8615),
            ([50.0, 2.8361, -74.0200], [50.0, 0.0, -82.7485], 3.4412),
            ([50.0, 0.0, 0.0], [50.0, -1.0, 2.0], 2.3669),
            ([50.0, 2.5, 0.0], [73.0, 25.0, -18.0], 27.1492),
            ([50.0, 2.5, 0.0], [61.0, -5.0, 29.0], 22.8977),
            (
                [60.2574, -34.0099, 36.2677],
                [60.4626, -34.1751, 39.4387],
                1.2644,
            ),
            ([50.0, 2.5, 0.0], [50.0, 0.0, -2.5], 4.3065),
        ];
        for (a, b, want) in pairs {
            let got = ciede2000_lab(Lab::new(a[0], a[1], a[2]), Lab::new(b[0], b[1], b[2]));
            assert!((got - want).abs() < 1e-3, "{a:?} {b:?}: {got} vs {want}");
        }
    }

    #[test]
    fn identical_images_have_zero_difference() {
        let a: Vec<f32> = (0..300).map(|i| (i % 17) as f32 / 16.0).collect();
        assert_eq!(mean_ciede2000(&a, &a).unwrap(), 0.0);
        assert!(psnr(&a, &a).unwrap().is_infinite());
        let b: Vec<f32> = a.iter().map(|v| (v + 0.1).min(1.0)).collect();
        assert!(mean_ciede2000(&a, &b).unwrap() > 0.5);
        assert!(psnr(&a, &b).unwrap() < 30.0);
    }

    #[test]
    fn size_mismatch_is_an_error() {
        assert!(mean_ciede2000(&[0.0; 3], &[0.0; 6]).is_err());
        assert!(psnr(&[0.0; 4], &[0.0; 4]).is_err());
    }
}
