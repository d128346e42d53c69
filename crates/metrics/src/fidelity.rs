//! Content fidelity as the paper measures it (section 4.1): both images to grayscale, the
//! output's histogram matched to the input's, then SSIM (Wang et al. 2004) between them.
//!
//! Conventions follow scikit-image so results can be compared with it: `rgb2gray` weights
//! (0.2125, 0.7154, 0.0721); `match_histograms` (exact cumulative-distribution matching over the
//! distinct values); `structural_similarity(..., gaussian_weights=True, sigma=1.5,
//! use_sample_covariance=False, data_range=1)`: an 11x11 Gaussian window (truncate 3.5),
//! `reflect` borders, K1 = 0.01, K2 = 0.03, mean over the map cropped by 5 pixels.

use crate::MetricError;

/// Grayscale of interleaved RGB in `[0, 1]` (scikit-image's `rgb2gray`).
pub fn gray(rgb: &[f32]) -> Vec<f64> {
    rgb.chunks_exact(3)
        .map(|p| 0.2125 * p[0] as f64 + 0.7154 * p[1] as f64 + 0.0721 * p[2] as f64)
        .collect()
}

/// Map `source`'s values so its histogram matches `template`'s (scikit-image's
/// `_match_cumulative_cdf`).
pub fn match_histogram(source: &[f64], template: &[f64]) -> Vec<f64> {
    fn unique_counts(v: &[f64]) -> (Vec<f64>, Vec<usize>) {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        let mut vals: Vec<f64> = Vec::new();
        let mut counts: Vec<usize> = Vec::new();
        for x in s {
            match vals.last() {
                Some(&l) if l == x => *counts.last_mut().unwrap_or(&mut 0) += 1,
                _ => {
                    vals.push(x);
                    counts.push(1);
                }
            }
        }
        (vals, counts)
    }
    let cdf = |counts: &[usize], n: usize| -> Vec<f64> {
        let mut acc = 0usize;
        counts
            .iter()
            .map(|c| {
                acc += c;
                acc as f64 / n as f64
            })
            .collect()
    };
    let (sv, sc) = unique_counts(source);
    let (tv, tc) = unique_counts(template);
    let sq = cdf(&sc, source.len());
    let tq = cdf(&tc, template.len());
    // np.interp(sq, tq, tv): tq is increasing; clamp outside.
    let mapped: Vec<f64> = sq
        .iter()
        .map(|&q| {
            if q <= tq[0] {
                return tv[0];
            }
            let i = tq.partition_point(|&t| t < q);
            if i >= tq.len() {
                return tv[tv.len() - 1];
            }
            let (q0, q1) = (tq[i - 1], tq[i]);
            if q1 == q0 {
                tv[i]
            } else {
                tv[i - 1] + (tv[i] - tv[i - 1]) * (q - q0) / (q1 - q0)
            }
        })
        .collect();
    source
        .iter()
        .map(|x| {
            let i = sv.partition_point(|v| v < x);
            mapped[i.min(mapped.len() - 1)]
        })
        .collect()
}

const RADIUS: usize = 5;

fn kernel() -> [f64; 2 * RADIUS + 1] {
    let mut k = [0.0; 2 * RADIUS + 1];
    for (i, v) in k.iter_mut().enumerate() {
        let d = i as f64 - RADIUS as f64;
        *v = (-0.5 * d * d / (1.5 * 1.5)).exp();
    }
    let s: f64 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= s);
    k
}

/// scipy's `reflect` (half-sample symmetric) index.
fn reflect(i: isize, n: usize) -> usize {
    let n = n as isize;
    let mut i = i;
    loop {
        if i < 0 {
            i = -i - 1;
        } else if i >= n {
            i = 2 * n - i - 1;
        } else {
            return i as usize;
        }
    }
}

fn blur(x: &[f64], w: usize, h: usize) -> Vec<f64> {
    let k = kernel();
    let mut tmp = vec![0.0; w * h];
    for y in 0..h {
        for xx in 0..w {
            let mut s = 0.0;
            for (j, kv) in k.iter().enumerate() {
                s += kv * x[y * w + reflect(xx as isize + j as isize - RADIUS as isize, w)];
            }
            tmp[y * w + xx] = s;
        }
    }
    let mut out = vec![0.0; w * h];
    for y in 0..h {
        for xx in 0..w {
            let mut s = 0.0;
            for (j, kv) in k.iter().enumerate() {
                s += kv * tmp[reflect(y as isize + j as isize - RADIUS as isize, h) * w + xx];
            }
            out[y * w + xx] = s;
        }
    }
    out
}

/// Mean SSIM of two grayscale images (`w x h`, data range 1).
pub fn ssim(a: &[f64], b: &[f64], w: usize, h: usize) -> Result<f64, MetricError> {
    if a.len() != b.len() {
        return Err(MetricError::Size(a.len(), b.len()));
    }
    if a.len() != w * h || w <= 2 * RADIUS || h <= 2 * RADIUS {
        return Err(MetricError::Dims {
            width: w,
            height: h,
            values: a.len(),
        });
    }
    let (c1, c2) = (0.01f64.powi(2), 0.03f64.powi(2));
    let ua = blur(a, w, h);
    let ub = blur(b, w, h);
    let sq = |v: &[f64]| v.iter().map(|x| x * x).collect::<Vec<_>>();
    let uaa = blur(&sq(a), w, h);
    let ubb = blur(&sq(b), w, h);
    let uab = blur(
        &a.iter().zip(b).map(|(x, y)| x * y).collect::<Vec<_>>(),
        w,
        h,
    );
    let mut sum = 0.0;
    let mut n = 0usize;
    for y in RADIUS..h - RADIUS {
        for x in RADIUS..w - RADIUS {
            let i = y * w + x;
            let (va, vb) = (uaa[i] - ua[i] * ua[i], ubb[i] - ub[i] * ub[i]);
            let cov = uab[i] - ua[i] * ub[i];
            let s = ((2.0 * ua[i] * ub[i] + c1) * (2.0 * cov + c2))
                / ((ua[i] * ua[i] + ub[i] * ub[i] + c1) * (va + vb + c2));
            sum += s;
            n += 1;
        }
    }
    Ok(sum / n as f64)
}

/// The paper's fidelity SSIM: gray, output histogram-matched to the input, then SSIM.
pub fn fidelity_ssim(
    input: &[f32],
    output: &[f32],
    w: usize,
    h: usize,
) -> Result<f64, MetricError> {
    crate::check(input, output)?;
    let gi = gray(input);
    let go = match_histogram(&gray(output), &gi);
    ssim(&gi, &go, w, h)
}

/// Every content-fidelity metric of the paper we can compute (DISTS needs VGG16 weights that
/// cannot be obtained here), each between the input's gray and the output's gray
/// histogram-matched to it.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Fidelity {
    /// Higher is better (1 = identical structure).
    pub ssim: f64,
    /// Higher is better (1 = identical); `None` below [`crate::cwssim::MIN_SIDE`] pixels.
    pub cw_ssim: Option<f64>,
    /// Lower is better (0 = identical gradients).
    pub gmsd: f64,
}

/// [`Fidelity`] of `output` to `input` (interleaved RGB in `[0, 1]`, `w x h`).
pub fn fidelity(
    input: &[f32],
    output: &[f32],
    w: usize,
    h: usize,
) -> Result<Fidelity, MetricError> {
    crate::check(input, output)?;
    let gi = gray(input);
    let go = match_histogram(&gray(output), &gi);
    let cw_ssim = if w.min(h) >= crate::cwssim::MIN_SIDE {
        Some(crate::cwssim::cw_ssim(&gi, &go, w, h)?)
    } else {
        None
    };
    Ok(Fidelity {
        ssim: ssim(&gi, &go, w, h)?,
        cw_ssim,
        gmsd: crate::gmsd::gmsd(&gi, &go, w, h)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_images_score_one_and_noise_scores_less() {
        let (w, h) = (40, 30);
        let a: Vec<f64> = (0..w * h)
            .map(|i| ((i * 37 % 101) as f64) / 100.0)
            .collect();
        assert!((ssim(&a, &a, w, h).unwrap() - 1.0).abs() < 1e-12);
        let b: Vec<f64> = a
            .iter()
            .enumerate()
            .map(|(i, v)| (v + if i % 2 == 0 { 0.1 } else { -0.1 }).clamp(0.0, 1.0))
            .collect();
        let s = ssim(&a, &b, w, h).unwrap();
        assert!(s < 0.99 && s > 0.0, "{s}");
    }

    #[test]
    fn histogram_matching_undoes_a_monotone_tone_change() {
        let src: Vec<f64> = (0..500)
            .map(|i| ((i * 7919) % 500) as f64 / 499.0)
            .collect();
        let toned: Vec<f64> = src.iter().map(|v| v.powf(0.5)).collect();
        let back = match_histogram(&toned, &src);
        for (a, b) in back.iter().zip(&src) {
            assert!((a - b).abs() < 1e-9);
        }
    }

    #[test]
    fn reflect_is_half_sample_symmetric() {
        assert_eq!(reflect(-1, 5), 0);
        assert_eq!(reflect(-2, 5), 1);
        assert_eq!(reflect(5, 5), 4);
        assert_eq!(reflect(6, 5), 3);
    }
}
