//! Global statistics of a photo that say what may be wrong with it: the input of the photo's
//! estimator (`retouch_model::estimate`). Computed on the network's thumbnail, cheap enough to
//! run on every edit.
//!
//! | group | features |
//! |---|---|
//! | lightness | L* at the 1, 5, 10, 25, 50, 75, 90, 95, 99th percentiles; mean and spread of L*; log2 of the log-average linear luminance; share of pixels above L* 97 and below 3 |
//! | colour balance | mean a*, b* of all pixels, of the least chromatic 10 % and 30 %, of the bright (L* > 65) and dark (L* < 35) pixels; log ratios R/G and B/G of the mean linear values, overall and over the brightest 5 % |
//! | colourfulness | mean chroma, its 50th and 90th percentiles, log mean chroma |
//! | edges and norms | log ratios R/G and B/G of the linear gradients' mean magnitude and 6-norm (grey-edge), of the linear values' 6-norm (shades of grey) |

use crate::color::srgb_to_linear;
use crate::lab::from_rgb;

/// How many features [`features`] returns.
pub const FEATURES: usize = 44;

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

/// Log ratios R/G and B/G of per-channel Minkowski `p`-norms of `v` (linear values).
fn norm_ratios(v: &[[f32; 3]], p: i32) -> [f32; 2] {
    let mut s = [1e-12f64; 3];
    for x in v {
        for c in 0..3 {
            s[c] += f64::from(x[c]).powi(p);
        }
    }
    let n = |c: usize| s[c].powf(1.0 / f64::from(p));
    [(n(0) / n(1)).log2() as f32, (n(2) / n(1)).log2() as f32]
}

/// Whether each pixel of interleaved encoded RGB has a channel at the top of its range: its
/// edges there say nothing of the light's colour.
fn clipped(rgb: &[f32]) -> Vec<bool> {
    rgb.chunks_exact(3)
        .map(|p| p.iter().any(|v| *v > 0.98))
        .collect()
}

/// Per-channel gradient magnitudes (|dx| + |dy|, forward differences) of linear light, over
/// pixels whose neighbourhood is not clipped: what the grey-edge hypothesis averages (the
/// mean edge of a scene is achromatic, so a cast shows in their ratios).
fn gradients(lin: &[[f32; 3]], clipped: &[bool], width: usize, height: usize) -> Vec<[f32; 3]> {
    let mut g = Vec::with_capacity(lin.len());
    for y in 0..height.saturating_sub(1) {
        for x in 0..width.saturating_sub(1) {
            let i = y * width + x;
            let (r, d) = (i + 1, i + width);
            if clipped[i] || clipped[r] || clipped[d] {
                continue;
            }
            let mut v = [0f32; 3];
            for (c, v) in v.iter_mut().enumerate() {
                *v = (lin[r][c] - lin[i][c]).abs() + (lin[d][c] - lin[i][c]).abs();
            }
            g.push(v);
        }
    }
    g
}

/// 2x2 means of linear values, each clipped where any of its four is.
fn halve(
    lin: &[[f32; 3]],
    clipped: &[bool],
    width: usize,
    hw: usize,
    hh: usize,
) -> (Vec<[f32; 3]>, Vec<bool>) {
    let mut out = Vec::with_capacity(hw * hh);
    let mut clip = Vec::with_capacity(hw * hh);
    for y in 0..hh {
        for x in 0..hw {
            let idx = [
                2 * y * width + 2 * x,
                2 * y * width + 2 * x + 1,
                (2 * y + 1) * width + 2 * x,
                (2 * y + 1) * width + 2 * x + 1,
            ];
            let mut v = [0f32; 3];
            for (c, v) in v.iter_mut().enumerate() {
                *v = idx.iter().map(|i| lin[*i][c]).sum::<f32>() / 4.0;
            }
            out.push(v);
            clip.push(idx.iter().any(|i| clipped[*i]));
        }
    }
    (out, clip)
}

/// Per-channel magnitude of the 4-neighbour Laplacian of linear light (second-order grey-edge)
/// over unclipped interior pixels.
fn laplacian(lin: &[[f32; 3]], clipped: &[bool], width: usize, height: usize) -> Vec<[f32; 3]> {
    if width < 3 || height < 3 {
        return Vec::new();
    }
    let mut g = Vec::new();
    for y in 1..height - 1 {
        for x in 1..width - 1 {
            let i = y * width + x;
            let n = [i - 1, i + 1, i - width, i + width];
            if clipped[i] || n.iter().any(|j| clipped[*j]) {
                continue;
            }
            let mut v = [0f32; 3];
            for (c, v) in v.iter_mut().enumerate() {
                *v = (4.0 * lin[i][c] - n.iter().map(|j| lin[*j][c]).sum::<f32>()).abs();
            }
            g.push(v);
        }
    }
    g
}

/// The statistics of interleaved sRGB-encoded RGB in `[0, 1]` (`width x height`; the edge
/// statistics are 0 when the size does not match), each scaled to about unit range.
pub fn features(rgb: &[f32], width: usize, height: usize) -> [f32; FEATURES] {
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

    // Edges at full size, at half size (2x2 means: coarser edges, less noise and texture) and
    // of second order; none when the size does not match the pixels.
    let (edges, coarse, second) = if width * height == lin.len() {
        let clip = clipped(rgb);
        let (hw, hh) = (width / 2, height / 2);
        let (half, half_clip) = halve(&lin, &clip, width, hw, hh);
        (
            gradients(&lin, &clip, width, height),
            gradients(&half, &half_clip, hw, hh),
            laplacian(&lin, &clip, width, height),
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    for r in [
        norm_ratios(&edges, 1),
        norm_ratios(&edges, 6),
        norm_ratios(&lin, 6),
        norm_ratios(&coarse, 1),
        norm_ratios(&coarse, 6),
        norm_ratios(&second, 1),
    ] {
        push(&mut f, r[0]);
        push(&mut f, r[1]);
    }
    debug_assert_eq!(i, FEATURES);
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::color::linear_to_srgb;

    #[test]
    fn features_are_finite_and_follow_the_photo() {
        let grey: Vec<f32> = (0..300)
            .map(|i| 0.2 + 0.6 * ((i / 3) as f32 / 99.0))
            .collect();
        let f = features(&grey, 10, 10);
        assert!(f.iter().all(|v| v.is_finite()));
        // Neutral: no cast, no chroma.
        assert!(f[14].abs() < 0.01 && f[15].abs() < 0.01 && f[28] < 0.01);
        let darker: Vec<f32> = grey.iter().map(|v| v * 0.5).collect();
        assert!(features(&darker, 10, 10)[4] < f[4] - 0.1, "median L* drops");
        let blue: Vec<f32> = grey
            .chunks_exact(3)
            .flat_map(|p| [p[0] * 0.8, p[1] * 0.9, p[2]])
            .collect();
        let fb = features(&blue, 10, 10);
        assert!(fb[15] < -0.1, "b* goes negative");
        // A linear-light gain shows in the grey-edge ratios as its log2 exactly.
        let gain = [0.8f32, 1.0, 1.25];
        let lin_blue: Vec<f32> = grey
            .chunks_exact(3)
            .flat_map(|p| (0..3).map(move |c| linear_to_srgb(srgb_to_linear(p[c]) * gain[c])))
            .collect();
        let (e0, e1) = (features(&grey, 10, 10), features(&lin_blue, 10, 10));
        for (k, want) in [(32, gain[0].log2()), (33, gain[2].log2())] {
            assert!(
                ((e1[k] - e0[k]) - want).abs() < 0.02,
                "{k}: {} {want}",
                e1[k] - e0[k]
            );
        }
        assert_eq!(features(&[], 0, 0), [0.0; FEATURES]);
    }
}
