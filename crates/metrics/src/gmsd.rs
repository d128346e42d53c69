//! Gradient Magnitude Similarity Deviation (Xue, Zhang, Mou & Bovik 2013), lower is better.
//!
//! As the authors' MATLAB code and `piq.gmsd` (the reference our fixtures come from) compute it
//! on one grayscale channel in `[0, 1]`:
//!
//! 1. 2x2 average, subsampled by 2 (zero beyond an odd edge): `ceil(h/2) x ceil(w/2)`;
//! 2. Prewitt gradients (`[-1 0 1]/3` stacked three times, and its transpose), zero padding,
//!    magnitude `m = sqrt(gx^2 + gy^2)`;
//! 3. similarity map `(2 m1 m2 + T) / (m1^2 + m2^2 + T)` with `T = 170 / 255^2`;
//! 4. GMSD = population standard deviation of that map.

use crate::MetricError;

/// The paper's stability constant (170 on a 0-255 scale).
pub const T: f64 = 170.0 / (255.0 * 255.0);

fn downsample(x: &[f64], w: usize, h: usize) -> (Vec<f64>, usize, usize) {
    let (dw, dh) = (w.div_ceil(2), h.div_ceil(2));
    let at = |xx: usize, yy: usize| {
        if xx < w && yy < h {
            x[yy * w + xx]
        } else {
            0.0
        }
    };
    let mut out = Vec::with_capacity(dw * dh);
    for y in 0..dh {
        for xx in 0..dw {
            let (x0, y0) = (2 * xx, 2 * y);
            out.push(0.25 * (at(x0, y0) + at(x0 + 1, y0) + at(x0, y0 + 1) + at(x0 + 1, y0 + 1)));
        }
    }
    (out, dw, dh)
}

fn gradient_magnitude(x: &[f64], w: usize, h: usize) -> Vec<f64> {
    let at = |xx: isize, yy: isize| {
        if xx >= 0 && yy >= 0 && (xx as usize) < w && (yy as usize) < h {
            x[yy as usize * w + xx as usize]
        } else {
            0.0
        }
    };
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h as isize {
        for xx in 0..w as isize {
            let mut gx = 0.0;
            let mut gy = 0.0;
            for d in -1..=1 {
                gx += at(xx + 1, y + d) - at(xx - 1, y + d);
                gy += at(xx + d, y + 1) - at(xx + d, y - 1);
            }
            out.push(((gx / 3.0).powi(2) + (gy / 3.0).powi(2)).sqrt());
        }
    }
    out
}

/// GMSD between two grayscale images (`w x h`, values in `[0, 1]`); 0 for identical images.
pub fn gmsd(a: &[f64], b: &[f64], w: usize, h: usize) -> Result<f64, MetricError> {
    if a.len() != b.len() {
        return Err(MetricError::Size(a.len(), b.len()));
    }
    if a.len() != w * h || w < 2 || h < 2 {
        return Err(MetricError::Dims {
            width: w,
            height: h,
            values: a.len(),
        });
    }
    let (da, dw, dh) = downsample(a, w, h);
    let (db, _, _) = downsample(b, w, h);
    let ma = gradient_magnitude(&da, dw, dh);
    let mb = gradient_magnitude(&db, dw, dh);
    let gms: Vec<f64> = ma
        .iter()
        .zip(&mb)
        .map(|(p, q)| (2.0 * p * q + T) / (p * p + q * q + T))
        .collect();
    let n = gms.len() as f64;
    let mean = gms.iter().sum::<f64>() / n;
    Ok((gms.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / n).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_is_zero_and_blur_is_not() {
        let (w, h) = (33, 21);
        let a: Vec<f64> = (0..w * h)
            .map(|i| ((i * 7919 % 97) as f64) / 96.0)
            .collect();
        assert_eq!(gmsd(&a, &a, w, h).unwrap(), 0.0);
        // A global brightness offset leaves gradients (and GMSD) unchanged away from the
        // zero-padded border; a 3-tap blur changes them.
        let blurred: Vec<f64> = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                let l = a[y * w + x.saturating_sub(1)];
                let r = a[y * w + (x + 1).min(w - 1)];
                (l + a[i] + r) / 3.0
            })
            .collect();
        assert!(gmsd(&a, &blurred, w, h).unwrap() > 0.05);
    }

    #[test]
    fn odd_sizes_pool_to_the_ceiling() {
        let (d, w, h) = downsample(&[1.0; 15], 5, 3);
        assert_eq!((w, h), (3, 2));
        // The last column/row average in zeros beyond the edge.
        assert_eq!(d[0], 1.0);
        assert_eq!(d[2], 0.5);
        assert_eq!(d[5], 0.25);
    }
}
