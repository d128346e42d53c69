//! Slice-and-apply for training: a float forward without clamping and its exact backward pass
//! (w.r.t. the grid, the guidance parameters and the input image). Framework-free; an ML
//! framework wraps these as a custom op. Generic over f32/f64 so tests can check gradients
//! against finite differences in double precision.
//!
//! Images here are RGB, interleaved, `[0, 1]`-scaled floats of size `w x h x 3`.

use crate::error::{EngineError, Result};
use crate::grid::{axis_weights, depth_weights, BilateralGrid, COEFFS};
use crate::guide::{GuideGrad, GuideMap};
use crate::slice::reference::{apply_affine, sample_affine};
use num_traits::Float;
use rayon::prelude::*;

/// Gradients of a scalar loss.
#[derive(Clone, Debug)]
pub struct Gradients<T> {
    /// Same layout as [`BilateralGrid::data`].
    pub grid: Vec<T>,
    pub guide: GuideGrad<T>,
    /// Same layout as the input image.
    pub image: Vec<T>,
}

fn check(grid: &BilateralGrid, guide: &GuideMap, len: usize, w: usize, h: usize) -> Result<()> {
    if w == 0 || h == 0 {
        return Err(EngineError::EmptyImage {
            width: w,
            height: h,
        });
    }
    if len != w * h * 3 {
        return Err(EngineError::BufferSize {
            width: w,
            height: h,
            channels: 3,
            expected: w * h * 3,
            got: len,
        });
    }
    guide.validate()?;
    if grid.data().iter().any(|v| !v.is_finite()) {
        return Err(EngineError::GridNotFinite);
    }
    Ok(())
}

/// Forward pass in float precision, no output clamping (out-of-gamut values are left for a
/// loss to penalise).
pub fn forward<T: Float + Send + Sync>(
    grid: &BilateralGrid,
    guide: &GuideMap,
    image: &[T],
    w: usize,
    h: usize,
    strength: T,
) -> Result<Vec<T>> {
    check(grid, guide, image.len(), w, h)?;
    let mut out = vec![T::zero(); image.len()];
    out.par_chunks_mut(w * 3).enumerate().for_each(|(y, row)| {
        for x in 0..w {
            let i = (y * w + x) * 3;
            let p = [image[i], image[i + 1], image[i + 2]];
            let z = guide.z(p);
            let a = sample_affine(grid, x, y, w, h, z);
            let o = apply_affine(&a, p, strength);
            row[x * 3..x * 3 + 3].copy_from_slice(&o);
        }
    });
    Ok(out)
}

/// Backward pass: given dL/d(output), the gradients w.r.t. grid, guide and input image.
pub fn backward<T: Float + Send + Sync>(
    grid: &BilateralGrid,
    guide: &GuideMap,
    image: &[T],
    w: usize,
    h: usize,
    strength: T,
    grad_out: &[T],
) -> Result<Gradients<T>> {
    check(grid, guide, image.len(), w, h)?;
    if grad_out.len() != image.len() {
        return Err(EngineError::BufferSize {
            width: w,
            height: h,
            channels: 3,
            expected: image.len(),
            got: grad_out.len(),
        });
    }
    let (gh, gw, gd) = grid.dims();
    let n_grid = grid.data().len();
    let k = strength;
    let depth = T::from(gd).unwrap();
    let cell = |v: f32| T::from(v).unwrap();

    // Bands of rows, each with its own accumulators, reduced at the end.
    let band = (h / (rayon::current_num_threads() * 4)).max(1);
    let mut grad_image = vec![T::zero(); image.len()];
    let partials: Vec<(Vec<T>, GuideGrad<T>)> = grad_image
        .par_chunks_mut(band * w * 3)
        .enumerate()
        .map(|(b, gimg)| {
            let mut ggrid = vec![T::zero(); n_grid];
            let mut gguide = GuideGrad::zeros();
            let rows = gimg.len() / (w * 3);
            for r in 0..rows {
                let y = b * band + r;
                let (y0, y1, fy) = axis_weights(y, h, gh);
                let fy = T::from(fy).unwrap();
                for x in 0..w {
                    let i = (y * w + x) * 3;
                    let p = [image[i], image[i + 1], image[i + 2]];
                    let g = [grad_out[i], grad_out[i + 1], grad_out[i + 2]];
                    let tr = guide.eval(p);
                    let (x0, x1, fx) = axis_weights(x, w, gw);
                    let fx = T::from(fx).unwrap();
                    let (z0, z1, fz, inside) = depth_weights(tr.z, gd);
                    let a = sample_affine(grid, x, y, w, h, tr.z);
                    let pt = [p[0], p[1], p[2], T::one()];
                    // dL/dA (row r, column j).
                    let mut da = [T::zero(); COEFFS];
                    for rr in 0..3 {
                        for j in 0..4 {
                            da[rr * 4 + j] = k * g[rr] * pt[j];
                        }
                    }
                    let mut dz = T::zero();
                    for (yy, wy) in [(y0, T::one() - fy), (y1, fy)] {
                        for (xx, wx) in [(x0, T::one() - fx), (x1, fx)] {
                            let wxy = wy * wx;
                            for (zz, wz) in [(z0, T::one() - fz), (z1, fz)] {
                                let o = grid.offset(yy, xx, zz);
                                let wgt = wxy * wz;
                                for c in 0..COEFFS {
                                    ggrid[o + c] = ggrid[o + c] + wgt * da[c];
                                }
                            }
                            if inside {
                                let c0 = grid.cell(yy, xx, z0);
                                let c1 = grid.cell(yy, xx, z1);
                                for c in 0..COEFFS {
                                    dz = dz + wxy * depth * (cell(c1[c]) - cell(c0[c])) * da[c];
                                }
                            }
                        }
                    }
                    // Direct path: out_j = p_j (1 - k) + k sum_r ... ; d/dp_j.
                    let mut dp = [T::zero(); 3];
                    for j in 0..3 {
                        let mut s = g[j] * (T::one() - k);
                        for rr in 0..3 {
                            s = s + g[rr] * k * a[rr * 4 + j];
                        }
                        dp[j] = s;
                    }
                    let dpg = guide.backward(p, &tr, dz, &mut gguide);
                    let o = r * w * 3 + x * 3;
                    for j in 0..3 {
                        gimg[o + j] = dp[j] + dpg[j];
                    }
                }
            }
            (ggrid, gguide)
        })
        .collect();
    let mut ggrid = vec![T::zero(); n_grid];
    let mut gguide = GuideGrad::zeros();
    for (pg, pgu) in partials {
        for (a, b) in ggrid.iter_mut().zip(pg) {
            *a = *a + b;
        }
        gguide.add_assign(&pgu);
    }
    Ok(Gradients {
        grid: ggrid,
        guide: gguide,
        image: grad_image,
    })
}
