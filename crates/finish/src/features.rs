//! Global statistics of a photo that say what may be wrong with it: the input of the photo's
//! estimator (`retouch_model::estimate`). Computed on the network's thumbnail, cheap enough to
//! run on every edit.
//!
//! | group | features |
//! |---|---|
//! | lightness | L* at the 1, 5, 10, 25, 50, 75, 90, 95, 99th percentiles; mean and spread of L*; log2 of the log-average linear luminance; share of pixels above L* 97 and below 3 |
//! | colour balance | mean a*, b* of all pixels, of the least chromatic 10 % and 30 %, of the bright (L* > 65) and dark (L* < 35) pixels; log ratios R/G and B/G of the mean linear values, overall and over the brightest 5 % |
//! | colourfulness | mean chroma, its 50th and 90th percentiles, log mean chroma |

use crate::color::srgb_to_linear;
use crate::lab::from_rgb;

/// How many features [`features`] returns.
pub const FEATURES: usize = 32;

fn quantile_sorted(v: &[f32], q: f32) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v[((v.len() - 1) as f32 * q).round() as usize]
}

fn mean_ab(v: &[[f32; 3]]) -> [f32; 2] {
    if v.is_empty() {
        return [0.0; 2];
    }
    let n = v.len() as f32;
    [
        v.iter().map(|x| x[1]).sum::<f32>() / n,
        v.iter().map(|x| x[2]).sum::<f32>() / n,
    ]
}

/// The statistics of interleaved sRGB-encoded RGB in `[0, 1]`, each scaled to about unit range.
pub fn features(rgb: &[f32]) -> [f32; FEATURES] {
    let mut f = [0f32; FEATURES];
    let lab: Vec<[f32; 3]> = rgb
        .chunks_exact(3)
        .map(|p| from_rgb([p[0], p[1], p[2]]))
        .collect();
    if lab.is_empty() {
        return f;
    }
    let n = lab.len() as f32;
    let mut l: Vec<f32> = lab.iter().map(|v| v[0]).collect();
    l.sort_by(f32::total_cmp);
    let mut i = 0;
    let mut push = |f: &mut [f32; FEATURES], v: f32| {
        f[i] = if v.is_finite() { v } else { 0.0 };
        i += 1;
    };
    for q in [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99] {
        push(&mut f, quantile_sorted(&l, q) / 100.0);
    }
    let mean_l = l.iter().sum::<f32>() / n;
    push(&mut f, mean_l / 100.0);
    push(
        &mut f,
        l.iter().map(|x| (x - mean_l).abs()).sum::<f32>() / n / 50.0,
    );
    let lin: Vec<[f32; 3]> = rgb
        .chunks_exact(3)
        .map(|p| {
            [
                srgb_to_linear(p[0]),
                srgb_to_linear(p[1]),
                srgb_to_linear(p[2]),
            ]
        })
        .collect();
    let luma = |p: &[f32; 3]| 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
    let log_avg = lin.iter().map(|p| (luma(p) + 1e-3).ln()).sum::<f32>() / n;
    push(&mut f, log_avg.exp().log2() / 4.0);
    push(&mut f, l.iter().filter(|x| **x > 97.0).count() as f32 / n);
    push(&mut f, l.iter().filter(|x| **x < 3.0).count() as f32 / n);

    let ab = mean_ab(&lab);
    push(&mut f, ab[0] / 30.0);
    push(&mut f, ab[1] / 30.0);
    let mut by_chroma: Vec<[f32; 3]> = lab
        .iter()
        .filter(|v| v[0] > 15.0 && v[0] < 98.0)
        .copied()
        .collect();
    by_chroma.sort_by(|x, y| x[1].hypot(x[2]).total_cmp(&y[1].hypot(y[2])));
    for share in [0.1, 0.3] {
        let k = ((by_chroma.len() as f32 * share) as usize).max(1);
        let ab = mean_ab(&by_chroma[..k.min(by_chroma.len())]);
        push(&mut f, ab[0] / 30.0);
        push(&mut f, ab[1] / 30.0);
    }
    let bright: Vec<[f32; 3]> = lab.iter().filter(|v| v[0] > 65.0).copied().collect();
    let dark: Vec<[f32; 3]> = lab.iter().filter(|v| v[0] < 35.0).copied().collect();
    for part in [&bright, &dark] {
        let ab = mean_ab(part);
        push(&mut f, ab[0] / 30.0);
        push(&mut f, ab[1] / 30.0);
    }
    let ratios = |px: &[[f32; 3]]| {
        let m = px
            .iter()
            .fold([1e-4f32; 3], |a, p| [a[0] + p[0], a[1] + p[1], a[2] + p[2]]);
        [(m[0] / m[1]).log2(), (m[2] / m[1]).log2()]
    };
    let r = ratios(&lin);
    push(&mut f, r[0]);
    push(&mut f, r[1]);
    let mut by_luma = lin.clone();
    by_luma.sort_by(|a, b| luma(b).total_cmp(&luma(a)));
    let top = ((by_luma.len() as f32 * 0.05) as usize).max(1);
    let r = ratios(&by_luma[..top]);
    push(&mut f, r[0]);
    push(&mut f, r[1]);

    let mut chroma: Vec<f32> = lab.iter().map(|v| v[1].hypot(v[2])).collect();
    let mc = chroma.iter().sum::<f32>() / n;
    chroma.sort_by(f32::total_cmp);
    push(&mut f, mc / 40.0);
    push(&mut f, quantile_sorted(&chroma, 0.5) / 40.0);
    push(&mut f, quantile_sorted(&chroma, 0.9) / 40.0);
    push(&mut f, (mc + 1.0).ln() / 4.0);
    debug_assert_eq!(i, FEATURES);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_finite_and_follow_the_photo() {
        let grey: Vec<f32> = (0..300)
            .map(|i| 0.2 + 0.6 * ((i / 3) as f32 / 99.0))
            .collect();
        let f = features(&grey);
        assert!(f.iter().all(|v| v.is_finite()));
        // Neutral: no cast, no chroma.
        assert!(f[14].abs() < 0.01 && f[15].abs() < 0.01 && f[28] < 0.01);
        let darker: Vec<f32> = grey.iter().map(|v| v * 0.5).collect();
        assert!(features(&darker)[4] < f[4] - 0.1, "median L* drops");
        let blue: Vec<f32> = grey
            .chunks_exact(3)
            .flat_map(|p| [p[0] * 0.8, p[1] * 0.9, p[2]])
            .collect();
        assert!(features(&blue)[15] < -0.1, "b* goes negative");
        assert_eq!(features(&[]), [0.0; FEATURES]);
    }
}
