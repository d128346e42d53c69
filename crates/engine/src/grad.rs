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

/// The checks of a backward pass: [`check`] plus an output gradient the image's size.
fn check_backward(
    grid: &BilateralGrid,
    guide: &GuideMap,
    len: usize,
    grad_len: usize,
    w: usize,
    h: usize,
) -> Result<()> {
    check(grid, guide, len, w, h)?;
    if grad_len != len {
        return Err(EngineError::BufferSize {
            width: w,
            height: h,
            channels: 3,
            expected: len,
            got: grad_len,
        });
    }
    Ok(())
}

/// A pixel's input gradient: the direct path `out_j = p_j (1 - k) + k sum_r A_rj p_j ...`
/// (`g`: the output gradient, `a`: the sliced matrix) plus the guide's part `dpg`.
#[inline(always)]
fn image_grad<T: Float>(g: [T; 3], k: T, a: &[T; COEFFS], dpg: [T; 3]) -> [T; 3] {
    let mut dp = [T::zero(); 3];
    for (j, d) in dp.iter_mut().enumerate() {
        let mut s = g[j] * (T::one() - k);
        for rr in 0..3 {
            s = s + g[rr] * k * a[rr * 4 + j];
        }
        *d = s + dpg[j];
    }
    dp
}

/// Sum the per-band grid and guide gradients of a backward pass.
fn reduce<T: Float>(
    partials: Vec<(Vec<T>, GuideGrad<T>)>,
    n_grid: usize,
    image: Vec<T>,
) -> Gradients<T> {
    let mut grid = vec![T::zero(); n_grid];
    let mut guide = GuideGrad::zeros();
    for (pg, pgu) in partials {
        for (a, b) in grid.iter_mut().zip(pg) {
            *a = *a + b;
        }
        guide.add_assign(&pgu);
    }
    Gradients { grid, guide, image }
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
    check_backward(grid, guide, image.len(), grad_out.len(), w, h)?;
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
                    let dpg = guide.backward(p, &tr, dz, &mut gguide);
                    let o = r * w * 3 + x * 3;
                    gimg[o..o + 3].copy_from_slice(&image_grad(g, k, &a, dpg));
                }
            }
            (ggrid, gguide)
        })
        .collect();
    Ok(reduce(partials, n_grid, grad_image))
}

/// [`backward`] for `f32`, fused: each pixel walks its eight grid cells once, accumulating the
/// sliced matrix, the depth derivative and the grid gradient in the same pass (the generic
/// version samples the matrix, then walks the cells again), with the column weights computed
/// once per band. The training op calls this; tests compare it with [`backward`] (which the
/// finite-difference tests check) on random grids, guides and images.
pub fn backward_fused(
    grid: &BilateralGrid,
    guide: &GuideMap,
    image: &[f32],
    w: usize,
    h: usize,
    strength: f32,
    grad_out: &[f32],
) -> Result<Gradients<f32>> {
    check_backward(grid, guide, image.len(), grad_out.len(), w, h)?;
    let (gh, gw, gd) = grid.dims();
    let data = grid.data();
    let n_grid = data.len();
    let k = strength;
    let depth = gd as f32;
    let band = (h / (rayon::current_num_threads() * 4)).max(1);
    let columns: Vec<(usize, usize, f32)> = (0..w)
        .map(|x| {
            let (x0, x1, fx) = axis_weights(x, w, gw);
            (x0, x1, fx as f32)
        })
        .collect();
    let mut grad_image = vec![0f32; image.len()];
    let partials: Vec<(Vec<f32>, GuideGrad<f32>)> = grad_image
        .par_chunks_mut(band * w * 3)
        .enumerate()
        .map(|(b, gimg)| {
            let mut ggrid = vec![0f32; n_grid];
            let mut gguide = GuideGrad::zeros();
            let rows = gimg.len() / (w * 3);
            for r in 0..rows {
                let y = b * band + r;
                let (y0, y1, fy) = axis_weights(y, h, gh);
                let fy = fy as f32;
                for (x, &(x0, x1, fx)) in columns.iter().enumerate() {
                    let i = (y * w + x) * 3;
                    let p = [image[i], image[i + 1], image[i + 2]];
                    let g = [grad_out[i], grad_out[i + 1], grad_out[i + 2]];
                    let tr = guide.eval(p);
                    let (z0, z1, fz, inside) = depth_weights(tr.z, gd);
                    let pt = [p[0], p[1], p[2], 1.0];
                    let mut da = [0f32; COEFFS];
                    for rr in 0..3 {
                        for j in 0..4 {
                            da[rr * 4 + j] = k * g[rr] * pt[j];
                        }
                    }
                    let mut a = [0f32; COEFFS];
                    let mut dz = 0f32;
                    for (yy, wy) in [(y0, 1.0 - fy), (y1, fy)] {
                        for (xx, wx) in [(x0, 1.0 - fx), (x1, fx)] {
                            let wxy = wy * wx;
                            let (w0, w1) = (wxy * (1.0 - fz), wxy * fz);
                            let (o0, o1) = (grid.offset(yy, xx, z0), grid.offset(yy, xx, z1));
                            let c0 = &data[o0..o0 + COEFFS];
                            let c1 = &data[o1..o1 + COEFFS];
                            let mut dot = 0f32;
                            for c in 0..COEFFS {
                                a[c] += w0 * c0[c] + w1 * c1[c];
                                dot += (c1[c] - c0[c]) * da[c];
                            }
                            if inside {
                                dz += wxy * depth * dot;
                            }
                            for (gv, d) in ggrid[o0..o0 + COEFFS].iter_mut().zip(&da) {
                                *gv += w0 * d;
                            }
                            for (gv, d) in ggrid[o1..o1 + COEFFS].iter_mut().zip(&da) {
                                *gv += w1 * d;
                            }
                        }
                    }
                    let dpg = guide.backward(p, &tr, dz, &mut gguide);
                    let o = r * w * 3 + x * 3;
                    gimg[o..o + 3].copy_from_slice(&image_grad(g, k, &a, dpg));
                }
            }
            (ggrid, gguide)
        })
        .collect();
    Ok(reduce(partials, n_grid, grad_image))
}
