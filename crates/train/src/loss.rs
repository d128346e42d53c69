//! Data and bilateral losses (paper Eq. 7-8), on images `[B, H, W, 3]` and grids
//! `[B, GH, GW, GD, 12]`.
//!
//! The paper's perceptual term is LPIPS; no VGG/AlexNet weights can be obtained here, so the
//! "perceptual" term is what it is: a structural term, `1 - SSIM` on luma (Gaussian window,
//! sigma 1.5) plus an L1 between image gradients. Both compare local structure rather than
//! absolute colour, which is what LPIPS adds to L1 in practice.

use candle_core::{Device, Result, Tensor};

/// Mean absolute difference.
pub fn l1(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    (a - b)?.abs()?.mean_all()
}

/// Mean squared difference.
pub fn l2(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    (a - b)?.sqr()?.mean_all()
}

fn diff(x: &Tensor, dim: usize) -> Result<Tensor> {
    let n = x.dim(dim)?;
    x.narrow(dim, 1, n - 1)? - x.narrow(dim, 0, n - 1)?
}

/// L1 between horizontal and vertical finite differences of two `[B, H, W, C]` images
/// (differences of `a - b`, which are the same thing with half the tensor ops).
pub fn gradient_l1(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let d = (a - b)?;
    let dx = diff(&d, 2)?.abs()?.mean_all()?;
    let dy = diff(&d, 1)?.abs()?.mean_all()?;
    (dx + dy)? * 0.5
}

/// Luma `[B, 1, H, W]` of `[B, H, W, 3]` (scikit-image's `rgb2gray` weights).
pub fn luma(x: &Tensor) -> Result<Tensor> {
    let w = Tensor::new(&crate::structural::LUMA, x.device())?;
    x.broadcast_mul(&w)?
        .sum_keepdim(3)?
        .permute((0, 3, 1, 2))?
        .contiguous()
}

/// `[n, n - len(k) + 1]` banded matrix whose column `j` holds the kernel at rows `j..`: `x @ band`
/// is the 'valid' correlation of each row of `x` with `k`.
fn band(k: &[f32], n: usize, device: &Device) -> Result<Tensor> {
    let m = n + 1 - k.len();
    let mut v = vec![0f32; n * m];
    for j in 0..m {
        for (i, &kv) in k.iter().enumerate() {
            v[(j + i) * m + j] = kv;
        }
    }
    Tensor::from_vec(v, (n, m), device)
}

/// Mean SSIM of two `[B, 1, H, W]` images in `[0, 1]` (Gaussian window sigma 1.5, radius 5,
/// K1 0.01, K2 0.03, valid region only). Differentiable.
///
/// The five local means are one separable blur of the stacked `[a, b, a², b², ab]`, written as
/// two matmuls with banded kernel matrices: candle's `conv2d` backward on CPU is a direct loop
/// that took most of this term's time; matmul and its backward run on gemm.
pub fn ssim(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    use crate::structural::{gaussian, RADIUS};
    let (_, _, h, w) = a.dims4()?;
    if h <= 2 * RADIUS || w <= 2 * RADIUS {
        candle_core::bail!("ssim: {h}x{w} is smaller than the 11x11 window");
    }
    let k = gaussian();
    let (bx, by) = (band(&k, w, a.device())?, band(&k, h, a.device())?);
    let stack = Tensor::cat(&[a, b, &a.sqr()?, &b.sqr()?, &(a * b)?], 1)?;
    let blurred = stack
        .broadcast_matmul(&bx)?
        .transpose(2, 3)?
        .broadcast_matmul(&by)?
        .transpose(2, 3)?;
    let part = |i: usize| blurred.narrow(1, i, 1);
    let (ma, mb) = (part(0)?, part(1)?);
    let (c1, c2) = (0.01f64.powi(2), 0.03f64.powi(2));
    let (ma2, mb2, mab) = (ma.sqr()?, mb.sqr()?, (&ma * &mb)?);
    let va = (part(2)? - &ma2)?;
    let vb = (part(3)? - &mb2)?;
    let cov = (part(4)? - &mab)?;
    let num = ((mab * 2.0)? + c1)?.mul(&((cov * 2.0)? + c2)?)?;
    let den = ((ma2 + mb2)? + c1)?.mul(&((va + vb)? + c2)?)?;
    (num / den)?.mean_all()
}

/// The structural ("perceptual") term: `(1 - SSIM(luma at half resolution)) + gradient L1` (at
/// full resolution). SSIM is computed on 2x2-averaged luma to keep the training step cheap
/// (its 11x11 window then spans 22 pixels); the gradient term keeps full-resolution structure.
/// One op with a hand-written backward ([`crate::structural`]); equal, value and gradient, to
/// [`structural_reference`].
pub fn structural(out: &Tensor, target: &Tensor) -> Result<Tensor> {
    crate::structural::structural(out, target)
}

/// [`structural`] composed of candle ops (differentiated by candle): the reference the fused
/// op is tested against.
pub fn structural_reference(out: &Tensor, target: &Tensor) -> Result<Tensor> {
    let half = |x: &Tensor| -> Result<Tensor> {
        let l = luma(x)?;
        if l.dim(2)? >= 32 && l.dim(3)? >= 32 {
            l.avg_pool2d(2)
        } else {
            Ok(l)
        }
    };
    let s = ssim(&half(out)?, &half(target)?)?;
    s.affine(-1.0, 1.0)? + gradient_l1(out, target)?
}

/// Smoothness of the grid: the quadratic form of its 3-D graph Laplacian, i.e. the mean squared
/// difference between neighbouring cells along height, width and depth (all 12 coefficients).
pub fn grid_smoothness(grid: &Tensor) -> Result<Tensor> {
    let mut total: Option<Tensor> = None;
    for dim in 1..=3 {
        if grid.dim(dim)? < 2 {
            continue;
        }
        let t = diff(grid, dim)?.sqr()?.mean_all()?;
        total = Some(match total {
            Some(s) => (s + t)?,
            None => t,
        });
    }
    match total {
        Some(t) => Ok(t),
        None => Tensor::new(0f32, grid.device()),
    }
}

/// Soft out-of-gamut penalty: mean of `relu(x - 1)^2 + relu(-x)^2`.
pub fn out_of_gamut(x: &Tensor) -> Result<Tensor> {
    let over = (x - 1.0)?.relu()?.sqr()?;
    let under = x.neg()?.relu()?.sqr()?;
    (over + under)?.mean_all()
}
