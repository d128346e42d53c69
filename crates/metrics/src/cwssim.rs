//! Complex-Wavelet SSIM (Sampat, Wang, Gupta, Bovik & Markey 2009), higher is better.
//!
//! Following the authors' MATLAB `cwssim_index(img1, img2, level, or, guardb, K)` with the
//! usual defaults (4 levels, 8 orientations, no guard band, `K = 0`):
//!
//! 1. decompose both images with the complex steerable pyramid built in the Fourier domain
//!    (Simoncelli's `buildSCFpyr`; we follow its Python port `pyrtools.SteerablePyramidFreq`,
//!    order = orientations - 1, raised-cosine radial masks one octave wide, circular borders);
//! 2. for each oriented band of the coarsest level: `c = b1 * conj(b2)`,
//!    `v = |b1|^2 + |b2|^2`, both averaged by a 7x7 box ('valid'); the local index is
//!    `(2 |c| + K) / (v + K)`;
//! 3. each band's map is pooled with a Gaussian (MATLAB `fspecial('gaussian', size, rows / 4)`),
//!    and the score is the mean over orientations.
//!
//! Only the coarsest level's bands enter the score, so only they are inverse-transformed; the
//! finer levels exist here only as the low-pass chain that leads to them.

use crate::MetricError;
use rustfft::num_complex::Complex;
use rustfft::FftPlanner;
use std::f64::consts::PI;

type C = Complex<f64>;

/// Pyramid levels (the coarsest level's bands are compared).
pub const LEVELS: usize = 4;
/// Orientations per level.
pub const ORIENTATIONS: usize = 8;
/// Side of the local averaging window.
const WIN: usize = 7;

/// The smallest side CW-SSIM accepts: pyrtools allows `floor(log2(min side)) - 2` levels.
pub const MIN_SIDE: usize = 1 << (LEVELS + 2);

/// In-place 2-D FFT of a row-major `h x w` array (unnormalised; numpy's `ifft2` divides by
/// `h * w`, which the caller does).
fn fft2(data: &mut [C], w: usize, h: usize, inverse: bool) {
    let mut planner = FftPlanner::<f64>::new();
    let (row, col) = if inverse {
        (planner.plan_fft_inverse(w), planner.plan_fft_inverse(h))
    } else {
        (planner.plan_fft_forward(w), planner.plan_fft_forward(h))
    };
    row.process(data);
    let mut t = vec![C::new(0.0, 0.0); w * h];
    for y in 0..h {
        for x in 0..w {
            t[x * h + y] = data[y * w + x];
        }
    }
    col.process(&mut t);
    for y in 0..h {
        for x in 0..w {
            data[y * w + x] = t[x * h + y];
        }
    }
}

/// numpy's `fftshift` (`inverse = false`) or `ifftshift` (`inverse = true`) in 2-D.
fn shift(data: &[C], w: usize, h: usize, inverse: bool) -> Vec<C> {
    let (sx, sy) = (w / 2, h / 2);
    let mut out = vec![C::new(0.0, 0.0); w * h];
    for y in 0..h {
        for x in 0..w {
            let (ty, tx) = if inverse {
                ((y + h - sy) % h, (x + w - sx) % w)
            } else {
                ((y + sy) % h, (x + sx) % w)
            };
            out[ty * w + tx] = data[y * w + x];
        }
    }
    out
}

/// pyrtools' `pointOp`: linear interpolation in an equi-spaced table, extrapolating linearly
/// from the end segments.
fn point_op(v: f64, lut: &[f64], origin: f64, increment: f64) -> f64 {
    let pos = (v - origin) / increment;
    let index = (pos as i64).clamp(0, lut.len() as i64 - 2) as usize;
    lut[index] + (lut[index + 1] - lut[index]) * (pos - index as f64)
}

/// pyrtools' `rcosFn(width = 1, position = -0.5, values = (0, 1))`: (X, Y) of a raised cosine.
fn rcos() -> (Vec<f64>, Vec<f64>) {
    let sz = 256i64;
    let xs: Vec<f64> = (-sz - 1..2)
        .map(|i| PI * i as f64 / (2 * sz) as f64)
        .collect();
    let mut ys: Vec<f64> = xs.iter().map(|x| x.cos().powi(2)).collect();
    ys[0] = ys[1];
    let s = sz as usize;
    ys[s + 2] = ys[s + 1];
    let xs = xs
        .iter()
        .map(|x| -0.5 + (2.0 / PI) * (x + PI / 4.0))
        .collect();
    (xs, ys)
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|i| i as f64).product()
}

/// Centre crop that pyrtools applies between levels (`lostart .. lostart + lodims`).
fn crop_window(w: usize, h: usize) -> (usize, usize, usize, usize) {
    let ctr = |d: usize| ((d as f64 + 0.5) / 2.0).ceil() as usize;
    let lod = |d: usize| ((d as f64 - 0.5) / 2.0).ceil() as usize;
    let (lw, lh) = (lod(w), lod(h));
    let (sx, sy) = (ctr(w) - ctr(lw), ctr(h) - ctr(lh));
    (sx, sy, lw, lh)
}

fn crop<T: Copy>(v: &[T], w: usize, sx: usize, sy: usize, lw: usize, lh: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(lw * lh);
    for y in sy..sy + lh {
        out.extend_from_slice(&v[y * w + sx..y * w + sx + lw]);
    }
    out
}

/// The complex oriented bands of the pyramid's coarsest level (`LEVELS`), each `w x h`.
fn coarsest_bands(img: &[f64], w: usize, h: usize) -> (Vec<Vec<C>>, usize, usize) {
    // Frequency ramps (pyrtools: linspace(-1, 1, n + 1)[:-1]).
    let ramp = |n: usize, i: usize| -1.0 + 2.0 * i as f64 / n as f64;
    // Polar frequency coordinates, cropped along with the low-pass spectrum between levels.
    let mut angle = Vec::with_capacity(w * h);
    let mut log_rad = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let (xr, yr) = (ramp(w, x), ramp(h, y));
            angle.push(yr.atan2(xr));
            log_rad.push((xr * xr + yr * yr).sqrt());
        }
    }
    let ctr = |d: usize| ((d as f64 + 0.5) / 2.0).ceil() as usize;
    let (cx, cy) = (ctr(w) - 1, ctr(h) - 1);
    log_rad[cy * w + cx] = log_rad[cy * w + cx - 1];
    log_rad.iter_mut().for_each(|r| *r = r.log2());

    let (mut xr, yr) = rcos();
    let yr: Vec<f64> = yr.iter().map(|v| v.sqrt()).collect();
    let yir: Vec<f64> = yr.iter().map(|v| (1.0 - v * v).sqrt().abs()).collect();

    let mut dft: Vec<C> = img.iter().map(|&v| C::new(v, 0.0)).collect();
    fft2(&mut dft, w, h, false);
    let mut lodft = shift(&dft, w, h, false);
    for (d, r) in lodft.iter_mut().zip(&log_rad) {
        *d *= point_op(*r, &yir, xr[0], xr[1] - xr[0]);
    }

    // Angular masks (complex pyramid: one half-plane, doubled).
    let order = ORIENTATIONS - 1;
    let lutsize = 1024i64;
    let xcosn: Vec<f64> = (-(2 * lutsize + 1)..(lutsize + 2))
        .map(|i| PI * i as f64 / lutsize as f64)
        .collect();
    let konst = 2f64.powi(2 * order as i32) * factorial(order).powi(2)
        / (ORIENTATIONS as f64 * factorial(2 * order));
    let ycosn: Vec<f64> = xcosn
        .iter()
        .map(|&x| {
            let alfa = (PI + x).rem_euclid(2.0 * PI) - PI;
            let keep = if alfa.abs() < PI / 2.0 { 1.0 } else { 0.0 };
            2.0 * konst.sqrt() * x.cos().powi(order as i32) * keep
        })
        .collect();
    // (-i)^order
    let phase = (0..order).fold(C::new(1.0, 0.0), |p, _| p * C::new(0.0, -1.0));

    let (mut cw, mut ch) = (w, h);
    for level in 0..LEVELS {
        xr.iter_mut().for_each(|x| *x -= 1.0);
        if level == LEVELS - 1 {
            // The band-pass (radial) part is the same for every orientation.
            let hidft: Vec<C> = lodft
                .iter()
                .zip(&log_rad)
                .map(|(d, r)| phase * *d * point_op(*r, &yr, xr[0], xr[1] - xr[0]))
                .collect();
            let bands = (0..ORIENTATIONS)
                .map(|b| {
                    let origin = xcosn[0] + PI * b as f64 / ORIENTATIONS as f64;
                    let mut band: Vec<C> = hidft
                        .iter()
                        .zip(&angle)
                        .map(|(d, a)| *d * point_op(*a, &ycosn, origin, xcosn[1] - xcosn[0]))
                        .collect();
                    band = shift(&band, cw, ch, true);
                    fft2(&mut band, cw, ch, true);
                    let n = (cw * ch) as f64;
                    band.iter_mut().for_each(|c| *c /= n);
                    band
                })
                .collect();
            return (bands, cw, ch);
        }
        let (sx, sy, lw, lh) = crop_window(cw, ch);
        log_rad = crop(&log_rad, cw, sx, sy, lw, lh);
        angle = crop(&angle, cw, sx, sy, lw, lh);
        lodft = crop(&lodft, cw, sx, sy, lw, lh);
        (cw, ch) = (lw, lh);
        for (d, r) in lodft.iter_mut().zip(&log_rad) {
            *d *= point_op(*r, &yir, xr[0], xr[1] - xr[0]);
        }
    }
    unreachable!("LEVELS > 0")
}

/// 'valid' 7x7 box mean of a row-major `w x h` array.
fn box_valid<T>(v: &[T], w: usize, h: usize) -> Vec<T>
where
    T: Copy + std::ops::Add<Output = T> + std::ops::Div<f64, Output = T> + Default,
{
    let (ow, oh) = (w + 1 - WIN, h + 1 - WIN);
    let mut out = Vec::with_capacity(ow * oh);
    for y in 0..oh {
        for x in 0..ow {
            let mut s = T::default();
            for dy in 0..WIN {
                for dx in 0..WIN {
                    s = s + v[(y + dy) * w + x + dx];
                }
            }
            out.push(s / (WIN * WIN) as f64);
        }
    }
    out
}

/// MATLAB's `fspecial('gaussian', [h w], sigma)`, normalised to sum 1.
fn gaussian(w: usize, h: usize, sigma: f64) -> Vec<f64> {
    let mut g = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (
                x as f64 - (w - 1) as f64 / 2.0,
                y as f64 - (h - 1) as f64 / 2.0,
            );
            g.push((-(dx * dx + dy * dy) / (2.0 * sigma * sigma)).exp());
        }
    }
    let max = g.iter().cloned().fold(0.0, f64::max);
    g.iter_mut().for_each(|v| {
        if *v < f64::EPSILON * max {
            *v = 0.0
        }
    });
    let s: f64 = g.iter().sum();
    g.iter_mut().for_each(|v| *v /= s);
    g
}

/// CW-SSIM between two grayscale images (`w x h`); 1 for identical images. Both sides must be
/// at least [`MIN_SIDE`] pixels.
pub fn cw_ssim(a: &[f64], b: &[f64], w: usize, h: usize) -> Result<f64, MetricError> {
    if a.len() != b.len() {
        return Err(MetricError::Size(a.len(), b.len()));
    }
    if a.len() != w * h {
        return Err(MetricError::Dims {
            width: w,
            height: h,
            values: a.len(),
        });
    }
    if w.min(h) < MIN_SIDE {
        return Err(MetricError::TooSmall {
            metric: "CW-SSIM",
            width: w,
            height: h,
            min: MIN_SIDE,
        });
    }
    let ((ba, bw, bh), (bb, _, _)) =
        rayon::join(|| coarsest_bands(a, w, h), || coarsest_bands(b, w, h));
    let weights = gaussian(bw + 1 - WIN, bh + 1 - WIN, bh as f64 / 4.0);
    let mut total = 0.0;
    for (b1, b2) in ba.iter().zip(&bb) {
        let corr: Vec<C> = b1.iter().zip(b2).map(|(p, q)| p * q.conj()).collect();
        let varr: Vec<f64> = b1
            .iter()
            .zip(b2)
            .map(|(p, q)| p.norm_sqr() + q.norm_sqr())
            .collect();
        let corr = box_valid(&corr, bw, bh);
        let varr = box_valid(&varr, bw, bh);
        total += corr
            .iter()
            .zip(&varr)
            .zip(&weights)
            .map(|((c, v), g)| {
                // K = 0; two all-zero neighbourhoods are identical.
                let s = if *v > 0.0 { 2.0 * c.norm() / v } else { 1.0 };
                s * g
            })
            .sum::<f64>();
    }
    Ok(total / ORIENTATIONS as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fft_round_trip_and_shift_inverse() {
        let (w, h) = (6, 5);
        let x: Vec<C> = (0..w * h).map(|i| C::new(i as f64, -(i as f64))).collect();
        let mut y = x.clone();
        fft2(&mut y, w, h, false);
        // DC term is the sum.
        let sum: C = x.iter().sum();
        assert!((y[0] - sum).norm() < 1e-9);
        fft2(&mut y, w, h, true);
        for (a, b) in y.iter().zip(&x) {
            assert!((a / (w * h) as f64 - b).norm() < 1e-9);
        }
        let s = shift(&x, w, h, false);
        assert_eq!(shift(&s, w, h, true), x);
        // fftshift moves index 0 to the centre (h/2, w/2).
        assert_eq!(s[(h / 2) * w + w / 2], x[0]);
    }

    #[test]
    fn identical_is_one_and_noise_is_less() {
        let (w, h) = (80, 64);
        let a: Vec<f64> = (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f64, (i / w) as f64);
                0.5 + 0.3 * (x / 5.0).sin() * (y / 7.0).cos()
            })
            .collect();
        assert!((cw_ssim(&a, &a, w, h).unwrap() - 1.0).abs() < 1e-12);
        // Structure at the coarsest level's scale, turned 90 degrees: far from 1.
        let b: Vec<f64> = (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f64, (i / w) as f64);
                0.5 + 0.3 * (y / 5.0).sin() * (x / 7.0).cos()
            })
            .collect();
        let s = cw_ssim(&a, &b, w, h).unwrap();
        assert!(s < 0.9, "{s}");
        // A brightness offset lives in the low-pass residual: the bands and the index barely move.
        let offset: Vec<f64> = a.iter().map(|v| v + 0.1).collect();
        let s = cw_ssim(&a, &offset, w, h).unwrap();
        assert!((s - 1.0).abs() < 1e-3, "{s}");
        assert!(matches!(
            cw_ssim(&a[..40 * 40], &a[..40 * 40], 40, 40),
            Err(MetricError::TooSmall { .. })
        ));
    }
}
