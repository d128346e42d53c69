//! The structural loss term as one candle op with a hand-written backward pass.
//!
//! [`crate::loss::structural_reference`] builds the term from about forty candle ops per image
//! (luma, 2x2 pooling, five blurred maps, SSIM's formula, finite differences); on this CPU
//! each op's allocation and dispatch cost more than its arithmetic, and the term took ~56 ms
//! of a ~250 ms training step (forward + backward, batch of 4 at 256 px). This op computes the
//! same value and its exact gradient in a few plain loops over the pixels:
//!
//! `value = 1 - SSIM(half-resolution luma) + (mean |dx(out - target)| + mean |dy(...)|) / 2`
//!
//! with SSIM's Gaussian window (sigma 1.5, radius 5, valid region only, K1 0.01, K2 0.03) and
//! luma halved by 2x2 averaging when both sides are at least 32 px (odd last row or column
//! dropped, as candle's `avg_pool2d(2)` does). Tests compare it with the composite reference,
//! value and gradient, and the gradient with finite differences.
//!
//! The backward: SSIM per window is `S = A1 A2 / (B1 B2)` with `A1 = 2 ma mb + C1`,
//! `A2 = 2 (Eab - ma mb) + C2`, `B1 = ma² + mb² + C1`, `B2 = Eaa - ma² + Ebb - mb² + C2`, the
//! `m` and `E` being the window's (Gaussian-weighted) means. Differentiating `S` by `ma`, `Eaa`
//! and `Eab` gives per-window weights; the blur's adjoint spreads them back onto the pixels,
//! and `d/da = G'(w_ma) + 2 a G'(w_Eaa) + b G'(w_Eab)`. Pooling and luma are linear.

use candle_core::{CpuStorage, CustomOp2, Layout, Shape, Tensor};

/// Gaussian window radius (11x11 window).
pub const RADIUS: usize = 5;
const SIGMA: f64 = 1.5;
const C1: f32 = 0.01 * 0.01;
const C2: f32 = 0.03 * 0.03;
/// Luma weights (scikit-image's `rgb2gray`).
pub const LUMA: [f32; 3] = [0.2125, 0.7154, 0.0721];

/// The normalised Gaussian window, `2 * RADIUS + 1` taps.
pub fn gaussian() -> Vec<f32> {
    let k: Vec<f64> = (0..2 * RADIUS + 1)
        .map(|i| {
            let d = i as f64 - RADIUS as f64;
            (-d * d / (2.0 * SIGMA * SIGMA)).exp()
        })
        .collect();
    let s: f64 = k.iter().sum();
    k.iter().map(|v| (v / s) as f32).collect()
}

/// The size SSIM is computed at for an `h x w` image: halved when both sides are >= 32.
fn half_size(h: usize, w: usize) -> (usize, usize, bool) {
    if h >= 32 && w >= 32 {
        (h / 2, w / 2, true)
    } else {
        (h, w, false)
    }
}

/// Luma of one interleaved RGB image, 2x2-averaged when `halve`.
fn luma_half(x: &[f32], h: usize, w: usize) -> Vec<f32> {
    let (hh, hw, halve) = half_size(h, w);
    let l = |y: usize, xx: usize| {
        let p = &x[(y * w + xx) * 3..(y * w + xx) * 3 + 3];
        LUMA[0] * p[0] + LUMA[1] * p[1] + LUMA[2] * p[2]
    };
    let mut out = vec![0f32; hh * hw];
    for y in 0..hh {
        for xx in 0..hw {
            out[y * hw + xx] = if halve {
                (l(2 * y, 2 * xx)
                    + l(2 * y, 2 * xx + 1)
                    + l(2 * y + 1, 2 * xx)
                    + l(2 * y + 1, 2 * xx + 1))
                    / 4.0
            } else {
                l(y, xx)
            };
        }
    }
    out
}

/// Valid separable correlation of an `h x w` map with `k` (rows, then columns):
/// `(h - 2R) x (w - 2R)`.
fn blur(x: &[f32], h: usize, w: usize, k: &[f32]) -> Vec<f32> {
    let (vh, vw) = (h + 1 - k.len(), w + 1 - k.len());
    let mut rows = vec![0f32; h * vw];
    for y in 0..h {
        let src = &x[y * w..(y + 1) * w];
        for (xx, o) in rows[y * vw..(y + 1) * vw].iter_mut().enumerate() {
            *o = k.iter().zip(&src[xx..]).map(|(a, b)| a * b).sum();
        }
    }
    let mut out = vec![0f32; vh * vw];
    for y in 0..vh {
        for (i, &kv) in k.iter().enumerate() {
            let src = &rows[(y + i) * vw..(y + i + 1) * vw];
            for (o, s) in out[y * vw..(y + 1) * vw].iter_mut().zip(src) {
                *o += kv * s;
            }
        }
    }
    out
}

/// The adjoint of [`blur`]: `(h - 2R) x (w - 2R)` back onto `h x w`.
fn blur_adjoint(g: &[f32], h: usize, w: usize, k: &[f32]) -> Vec<f32> {
    let (vh, vw) = (h + 1 - k.len(), w + 1 - k.len());
    let mut rows = vec![0f32; h * vw];
    for y in 0..vh {
        for (i, &kv) in k.iter().enumerate() {
            let dst = &mut rows[(y + i) * vw..(y + i + 1) * vw];
            for (d, s) in dst.iter_mut().zip(&g[y * vw..(y + 1) * vw]) {
                *d += kv * s;
            }
        }
    }
    let mut out = vec![0f32; h * w];
    for y in 0..h {
        let dst = &mut out[y * w..(y + 1) * w];
        for (xx, &s) in rows[y * vw..(y + 1) * vw].iter().enumerate() {
            for (d, kv) in dst[xx..].iter_mut().zip(k) {
                *d += kv * s;
            }
        }
    }
    out
}

/// The five window means of `a` and `b`: `ma, mb, Eaa, Ebb, Eab`.
fn window_means(a: &[f32], b: &[f32], h: usize, w: usize, k: &[f32]) -> [Vec<f32>; 5] {
    let sq = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(p, q)| p * q).collect::<Vec<_>>();
    [
        blur(a, h, w, k),
        blur(b, h, w, k),
        blur(&sq(a, a), h, w, k),
        blur(&sq(b, b), h, w, k),
        blur(&sq(a, b), h, w, k),
    ]
}

struct Dims {
    b: usize,
    h: usize,
    w: usize,
}

fn dims(a: &Shape, b: &Shape) -> candle_core::Result<Dims> {
    let (n, h, w, c) = a.dims4()?;
    if a != b || c != 3 {
        candle_core::bail!("structural: images {a:?} and {b:?} must both be [B, H, W, 3]");
    }
    let (hh, hw, _) = half_size(h, w);
    if hh <= 2 * RADIUS || hw <= 2 * RADIUS {
        candle_core::bail!("structural: {h}x{w} is too small for SSIM's 11x11 window");
    }
    Ok(Dims { b: n, h, w })
}

/// The term's value for `[B, H, W, 3]` images given as slices.
fn value(out: &[f32], target: &[f32], d: &Dims) -> f64 {
    let k = gaussian();
    let (hh, hw, _) = half_size(d.h, d.w);
    let n = d.h * d.w * 3;
    let mut ssim = 0f64;
    let mut windows = 0usize;
    let (mut gx, mut gy) = (0f64, 0f64);
    for i in 0..d.b {
        let (o, t) = (&out[i * n..(i + 1) * n], &target[i * n..(i + 1) * n]);
        let (a, b) = (luma_half(o, d.h, d.w), luma_half(t, d.h, d.w));
        let [ma, mb, eaa, ebb, eab] = window_means(&a, &b, hh, hw, &k);
        for p in 0..ma.len() {
            let a1 = 2.0 * ma[p] * mb[p] + C1;
            let a2 = 2.0 * (eab[p] - ma[p] * mb[p]) + C2;
            let b1 = ma[p] * ma[p] + mb[p] * mb[p] + C1;
            let b2 = (eaa[p] - ma[p] * ma[p]) + (ebb[p] - mb[p] * mb[p]) + C2;
            ssim += (a1 * a2 / (b1 * b2)) as f64;
        }
        windows += ma.len();
        let diff = |y: usize, x: usize, c: usize| {
            let j = (y * d.w + x) * 3 + c;
            o[j] - t[j]
        };
        for y in 0..d.h {
            for x in 0..d.w {
                for c in 0..3 {
                    if x + 1 < d.w {
                        gx += (diff(y, x + 1, c) - diff(y, x, c)).abs() as f64;
                    }
                    if y + 1 < d.h {
                        gy += (diff(y + 1, x, c) - diff(y, x, c)).abs() as f64;
                    }
                }
            }
        }
    }
    let nx = (d.b * d.h * (d.w - 1) * 3) as f64;
    let ny = (d.b * (d.h - 1) * d.w * 3) as f64;
    1.0 - ssim / windows as f64 + 0.5 * (gx / nx + gy / ny)
}

/// `g0 * d value / d out`.
fn gradient(out: &[f32], target: &[f32], d: &Dims, g0: f32) -> Vec<f32> {
    let k = gaussian();
    let (hh, hw, halve) = half_size(d.h, d.w);
    let n = d.h * d.w * 3;
    let windows = d.b * (hh - 2 * RADIUS) * (hw - 2 * RADIUS);
    let d_s = -g0 / windows as f32;
    let nx = (d.b * d.h * (d.w - 1) * 3) as f32;
    let ny = (d.b * (d.h - 1) * d.w * 3) as f32;
    let (sx, sy) = (0.5 * g0 / nx, 0.5 * g0 / ny);
    let mut grad = vec![0f32; out.len()];
    for i in 0..d.b {
        let (o, t) = (&out[i * n..(i + 1) * n], &target[i * n..(i + 1) * n]);
        let g = &mut grad[i * n..(i + 1) * n];
        // SSIM.
        let (a, b) = (luma_half(o, d.h, d.w), luma_half(t, d.h, d.w));
        let [ma, mb, eaa, ebb, eab] = window_means(&a, &b, hh, hw, &k);
        let m = ma.len();
        let (mut w_ma, mut w_eaa, mut w_eab) = (vec![0f32; m], vec![0f32; m], vec![0f32; m]);
        for p in 0..m {
            let a1 = 2.0 * ma[p] * mb[p] + C1;
            let a2 = 2.0 * (eab[p] - ma[p] * mb[p]) + C2;
            let b1 = ma[p] * ma[p] + mb[p] * mb[p] + C1;
            let b2 = (eaa[p] - ma[p] * ma[p]) + (ebb[p] - mb[p] * mb[p]) + C2;
            let den = b1 * b2;
            let s = a1 * a2 / den;
            let ds_dma = 2.0 * mb[p] * (a2 - a1) / den - 2.0 * ma[p] * s * (1.0 / b1 - 1.0 / b2);
            w_ma[p] = d_s * ds_dma;
            w_eaa[p] = d_s * (-s / b2);
            w_eab[p] = d_s * (2.0 * a1 / den);
        }
        let (g_ma, g_eaa, g_eab) = (
            blur_adjoint(&w_ma, hh, hw, &k),
            blur_adjoint(&w_eaa, hh, hw, &k),
            blur_adjoint(&w_eab, hh, hw, &k),
        );
        let g_half: Vec<f32> = (0..hh * hw)
            .map(|q| g_ma[q] + 2.0 * a[q] * g_eaa[q] + b[q] * g_eab[q])
            .collect();
        for y in 0..d.h {
            for x in 0..d.w {
                let gl = if halve {
                    if y / 2 >= hh || x / 2 >= hw {
                        continue; // the odd last row or column pooling drops
                    }
                    g_half[(y / 2) * hw + x / 2] * 0.25
                } else {
                    g_half[y * hw + x]
                };
                let j = (y * d.w + x) * 3;
                for c in 0..3 {
                    g[j + c] += LUMA[c] * gl;
                }
            }
        }
        // Gradient L1 (|x|' taken as +1 at 0, as candle's abs does).
        let diff = |j: usize| o[j] - t[j];
        let sign = |v: f32| if v >= 0.0 { 1.0 } else { -1.0 };
        for y in 0..d.h {
            for x in 0..d.w {
                for c in 0..3 {
                    let j = (y * d.w + x) * 3 + c;
                    if x + 1 < d.w {
                        let s = sx * sign(diff(j + 3) - diff(j));
                        g[j + 3] += s;
                        g[j] -= s;
                    }
                    if y + 1 < d.h {
                        let jd = j + d.w * 3;
                        let s = sy * sign(diff(jd) - diff(j));
                        g[jd] += s;
                        g[j] -= s;
                    }
                }
            }
        }
    }
    grad
}

fn contiguous<'a>(s: &'a CpuStorage, l: &Layout) -> candle_core::Result<&'a [f32]> {
    let data = s.as_slice::<f32>()?;
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&data[a..b]),
        None => candle_core::bail!("structural: images must be contiguous"),
    }
}

/// The op (see the module docs). Only `out` gets a gradient.
struct Structural;

impl CustomOp2 for Structural {
    fn name(&self) -> &'static str {
        "retouch-structural"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let d = dims(l1.shape(), l2.shape())?;
        let v = value(contiguous(s1, l1)?, contiguous(s2, l2)?, &d);
        Ok((CpuStorage::F32(vec![v as f32]), Shape::from(())))
    }

    fn bwd(
        &self,
        out: &Tensor,
        target: &Tensor,
        _res: &Tensor,
        grad_res: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        let d = dims(out.shape(), target.shape())?;
        let o = out.flatten_all()?.to_vec1::<f32>()?;
        let t = target.flatten_all()?.to_vec1::<f32>()?;
        let g0 = grad_res.to_scalar::<f32>()?;
        let g = gradient(&o, &t, &d, g0);
        Ok((Some(Tensor::from_vec(g, out.shape(), out.device())?), None))
    }
}

/// The structural term of `out` against `target` (both `[B, H, W, 3]`, f32): a scalar,
/// differentiable with respect to `out`.
pub fn structural(out: &Tensor, target: &Tensor) -> candle_core::Result<Tensor> {
    out.contiguous()?
        .apply_op2(&target.contiguous()?.detach(), Structural)
}
