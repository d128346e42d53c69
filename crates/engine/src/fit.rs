//! Grid fitting by regularised least squares (Bilateral Guided Upsampling, Chen et al. 2016).
//!
//! Given a low-resolution input `I` and an edited version `O` of it, find the grid `Γ` that
//! minimises
//!
//! `α Σ_pixels |slice(Γ, I)(p) - O(p)|² + λ_s Σ_{x,y neighbours} |Γ_a - Γ_b|²
//!   + λ_z Σ_{depth neighbours} |Γ_a - Γ_b|² + λ_id Σ_cells |Γ_a - I_{3x4}|²`
//!
//! with `α = cells / pixels` so the λ's do not depend on the image size. Slicing is linear in
//! `Γ`, so this is a sparse linear least-squares problem; its normal equations separate into
//! three independent systems (one per output channel) that share one matrix. Each cell couples
//! only with its 26 neighbours, so the matrix is stored as 27 4x4 blocks per cell and solved by
//! block-Jacobi preconditioned conjugate gradients.
//!
//! Uses: measure how well a grid of a given size represents an edit (the fit residual), and
//! carry any low-resolution edit to full resolution.

use crate::error::{EngineError, Result};
use crate::grad;
use crate::grid::{axis_weights, depth_weights, BilateralGrid, COEFFS, IDENTITY};
use crate::guide::GuideMap;

/// Grid size and regularisation.
#[derive(Clone, Debug)]
pub struct FitParams {
    pub grid_h: usize,
    pub grid_w: usize,
    pub grid_d: usize,
    /// Smoothness between spatial neighbours.
    pub lambda_spatial: f64,
    /// Smoothness between depth neighbours.
    pub lambda_depth: f64,
    /// Pull toward the identity transform (decides cells no pixel touches).
    pub lambda_identity: f64,
    pub max_iters: usize,
    /// Relative residual at which conjugate gradients stops.
    pub tol: f64,
}

impl Default for FitParams {
    fn default() -> Self {
        Self {
            grid_h: 16,
            grid_w: 16,
            grid_d: 8,
            lambda_spatial: 1e-3,
            lambda_depth: 1e-4,
            lambda_identity: 1e-5,
            max_iters: 2000,
            tol: 1e-9,
        }
    }
}

/// How the fit went.
#[derive(Clone, Debug, PartialEq)]
pub struct FitReport {
    pub iterations: usize,
    pub converged: bool,
    /// RMS error of the fitted grid re-applied to the low-resolution input, in `[0, 1]` units.
    pub rms: f64,
    /// The same as PSNR in dB (peak 1.0).
    pub psnr: f64,
}

const NB: usize = 27;
const CENTER: usize = 13;

#[inline]
fn nb_index(dy: isize, dx: isize, dz: isize) -> usize {
    (((dy + 1) * 3 + (dx + 1)) * 3 + (dz + 1)) as usize
}

struct System {
    gh: usize,
    gw: usize,
    gd: usize,
    /// `blocks[cell * 27 + nb]`, row-major 4x4.
    blocks: Vec<[f64; 16]>,
    /// `rhs[cell][c * 4 + j]`.
    rhs: Vec<[f64; 12]>,
}

impl System {
    fn cells(&self) -> usize {
        self.gh * self.gw * self.gd
    }
    fn coords(&self, cell: usize) -> (usize, usize, usize) {
        let z = cell % self.gd;
        let x = (cell / self.gd) % self.gw;
        let y = cell / (self.gd * self.gw);
        (y, x, z)
    }
    fn index(&self, y: usize, x: usize, z: usize) -> usize {
        (y * self.gw + x) * self.gd + z
    }
    fn couple(&mut self, a: usize, b: usize, lambda: f64) {
        let (ay, ax, az) = self.coords(a);
        let (by, bx, bz) = self.coords(b);
        let ab = nb_index(
            by as isize - ay as isize,
            bx as isize - ax as isize,
            bz as isize - az as isize,
        );
        let ba = nb_index(
            ay as isize - by as isize,
            ax as isize - bx as isize,
            az as isize - bz as isize,
        );
        for i in 0..4 {
            self.blocks[a * NB + CENTER][i * 5] += lambda;
            self.blocks[b * NB + CENTER][i * 5] += lambda;
            self.blocks[a * NB + ab][i * 5] -= lambda;
            self.blocks[b * NB + ba][i * 5] -= lambda;
        }
    }

    /// y = H x for all three channels.
    fn matvec(&self, x: &[[f64; 12]], y: &mut [[f64; 12]]) {
        for a in 0..self.cells() {
            let (ay, ax, az) = self.coords(a);
            let mut acc = [0.0; 12];
            for dy in -1isize..=1 {
                let by = ay as isize + dy;
                if by < 0 || by >= self.gh as isize {
                    continue;
                }
                for dx in -1isize..=1 {
                    let bx = ax as isize + dx;
                    if bx < 0 || bx >= self.gw as isize {
                        continue;
                    }
                    for dz in -1isize..=1 {
                        let bz = az as isize + dz;
                        if bz < 0 || bz >= self.gd as isize {
                            continue;
                        }
                        let blk = &self.blocks[a * NB + nb_index(dy, dx, dz)];
                        let xb = &x[self.index(by as usize, bx as usize, bz as usize)];
                        for c in 0..3 {
                            for i in 0..4 {
                                let mut s = 0.0;
                                for j in 0..4 {
                                    s += blk[i * 4 + j] * xb[c * 4 + j];
                                }
                                acc[c * 4 + i] += s;
                            }
                        }
                    }
                }
            }
            y[a] = acc;
        }
    }
}

/// Inverse of a symmetric positive-definite 4x4 matrix (Gauss-Jordan with partial pivoting).
fn inv4(m: &[f64; 16]) -> [f64; 16] {
    let mut a = *m;
    let mut inv = [0.0; 16];
    for i in 0..4 {
        inv[i * 5] = 1.0;
    }
    for col in 0..4 {
        let piv = (col..4)
            .max_by(|&p, &q| a[p * 4 + col].abs().total_cmp(&a[q * 4 + col].abs()))
            .unwrap_or(col);
        if piv != col {
            for j in 0..4 {
                a.swap(col * 4 + j, piv * 4 + j);
                inv.swap(col * 4 + j, piv * 4 + j);
            }
        }
        let d = a[col * 4 + col];
        let d = if d.abs() < 1e-300 { 1e-300 } else { d };
        for j in 0..4 {
            a[col * 4 + j] /= d;
            inv[col * 4 + j] /= d;
        }
        for r in 0..4 {
            if r != col {
                let f = a[r * 4 + col];
                for j in 0..4 {
                    a[r * 4 + j] -= f * a[col * 4 + j];
                    inv[r * 4 + j] -= f * inv[col * 4 + j];
                }
            }
        }
    }
    inv
}

/// Fit a grid mapping `input` to `output` (both RGB, interleaved, `[0, 1]`, `w x h`).
pub fn fit_grid(
    input: &[f32],
    output: &[f32],
    w: usize,
    h: usize,
    guide: &GuideMap,
    params: &FitParams,
) -> Result<(BilateralGrid, FitReport)> {
    let n = w
        .checked_mul(h)
        .filter(|&n| n > 0)
        .ok_or(EngineError::EmptyImage {
            width: w,
            height: h,
        })?;
    if input.len() != n * 3 || output.len() != n * 3 {
        return Err(EngineError::Fit(format!(
            "input has {} values and output {}, {w}x{h}x3 = {} expected",
            input.len(),
            output.len(),
            n * 3
        )));
    }
    if input.iter().chain(output).any(|v| !v.is_finite()) {
        return Err(EngineError::Fit("images contain non-finite values".into()));
    }
    let lambdas = [
        params.lambda_spatial,
        params.lambda_depth,
        params.lambda_identity,
    ];
    if lambdas.iter().any(|l| !l.is_finite() || *l < 0.0) || params.lambda_identity <= 0.0 {
        return Err(EngineError::Fit(
            "regularisation weights must be finite, non-negative, and lambda_identity > 0".into(),
        ));
    }
    // Validates the grid size.
    let mut grid = BilateralGrid::identity(params.grid_h, params.grid_w, params.grid_d)?;
    guide.validate()?;
    let (gh, gw, gd) = (params.grid_h, params.grid_w, params.grid_d);
    let ncell = gh * gw * gd;
    let mut sys = System {
        gh,
        gw,
        gd,
        blocks: vec![[0.0; 16]; ncell * NB],
        rhs: vec![[0.0; 12]; ncell],
    };
    let alpha = ncell as f64 / n as f64;

    // Data term.
    for y in 0..h {
        let (y0, y1, fy) = axis_weights(y, h, gh);
        for x in 0..w {
            let (x0, x1, fx) = axis_weights(x, w, gw);
            let i = (y * w + x) * 3;
            let p = [input[i] as f64, input[i + 1] as f64, input[i + 2] as f64];
            let o = [output[i] as f64, output[i + 1] as f64, output[i + 2] as f64];
            let z = guide.z(p);
            let (z0, z1, fz, _) = depth_weights(z, gd);
            let pt = [p[0], p[1], p[2], 1.0];
            let mut outer = [0.0; 16];
            for a in 0..4 {
                for b in 0..4 {
                    outer[a * 4 + b] = alpha * pt[a] * pt[b];
                }
            }
            let mut corners = [(0usize, 0usize, 0usize, 0.0f64); 8];
            let mut k = 0;
            for (yy, wy) in [(y0, 1.0 - fy), (y1, fy)] {
                for (xx, wx) in [(x0, 1.0 - fx), (x1, fx)] {
                    for (zz, wz) in [(z0, 1.0 - fz), (z1, fz)] {
                        corners[k] = (yy, xx, zz, wy * wx * wz);
                        k += 1;
                    }
                }
            }
            for &(ay, ax, az, wa) in &corners {
                if wa == 0.0 {
                    continue;
                }
                let a = sys.index(ay, ax, az);
                for c in 0..3 {
                    for j in 0..4 {
                        sys.rhs[a][c * 4 + j] += alpha * wa * pt[j] * o[c];
                    }
                }
                for &(by, bx, bz, wb) in &corners {
                    if wb == 0.0 {
                        continue;
                    }
                    let nb = nb_index(
                        by as isize - ay as isize,
                        bx as isize - ax as isize,
                        bz as isize - az as isize,
                    );
                    let blk = &mut sys.blocks[a * NB + nb];
                    let ww = wa * wb;
                    for e in 0..16 {
                        blk[e] += ww * outer[e];
                    }
                }
            }
        }
    }
    // Regularisers.
    for y in 0..gh {
        for x in 0..gw {
            for z in 0..gd {
                let a = sys.index(y, x, z);
                if x + 1 < gw {
                    let b = sys.index(y, x + 1, z);
                    sys.couple(a, b, params.lambda_spatial);
                }
                if y + 1 < gh {
                    let b = sys.index(y + 1, x, z);
                    sys.couple(a, b, params.lambda_spatial);
                }
                if z + 1 < gd {
                    let b = sys.index(y, x, z + 1);
                    sys.couple(a, b, params.lambda_depth);
                }
                for i in 0..4 {
                    sys.blocks[a * NB + CENTER][i * 5] += params.lambda_identity;
                }
                for e in 0..COEFFS {
                    sys.rhs[a][e] += params.lambda_identity * IDENTITY[e] as f64;
                }
            }
        }
    }

    // Block-Jacobi preconditioned conjugate gradients, three right-hand sides in lockstep.
    let precond: Vec<[f64; 16]> = (0..ncell)
        .map(|a| inv4(&sys.blocks[a * NB + CENTER]))
        .collect();
    let apply_m = |r: &[[f64; 12]], out: &mut [[f64; 12]]| {
        for a in 0..ncell {
            let m = &precond[a];
            for c in 0..3 {
                for i in 0..4 {
                    let mut s = 0.0;
                    for j in 0..4 {
                        s += m[i * 4 + j] * r[a][c * 4 + j];
                    }
                    out[a][c * 4 + i] = s;
                }
            }
        }
    };
    let dot = |u: &[[f64; 12]], v: &[[f64; 12]], c: usize| -> f64 {
        u.iter()
            .zip(v)
            .map(|(a, b)| (0..4).map(|j| a[c * 4 + j] * b[c * 4 + j]).sum::<f64>())
            .sum()
    };
    let mut xs: Vec<[f64; 12]> = (0..ncell)
        .map(|_| {
            let mut v = [0.0; 12];
            for (e, id) in v.iter_mut().zip(IDENTITY) {
                *e = id as f64;
            }
            v
        })
        .collect();
    let mut ax = vec![[0.0; 12]; ncell];
    sys.matvec(&xs, &mut ax);
    let mut r: Vec<[f64; 12]> = sys
        .rhs
        .iter()
        .zip(&ax)
        .map(|(b, a)| {
            let mut v = [0.0; 12];
            for e in 0..12 {
                v[e] = b[e] - a[e];
            }
            v
        })
        .collect();
    let bnorm: Vec<f64> = (0..3)
        .map(|c| dot(&sys.rhs, &sys.rhs, c).sqrt().max(1e-300))
        .collect();
    let mut zv = vec![[0.0; 12]; ncell];
    apply_m(&r, &mut zv);
    let mut pv = zv.clone();
    let mut rz: Vec<f64> = (0..3).map(|c| dot(&r, &zv, c)).collect();
    let mut done = [false; 3];
    let mut iters = 0;
    let mut q = vec![[0.0; 12]; ncell];
    while iters < params.max_iters {
        for c in 0..3 {
            if !done[c] && dot(&r, &r, c).sqrt() / bnorm[c] < params.tol {
                done[c] = true;
            }
        }
        if done.iter().all(|d| *d) {
            break;
        }
        iters += 1;
        sys.matvec(&pv, &mut q);
        let mut step = [0.0; 3];
        for c in 0..3 {
            if !done[c] {
                let pq = dot(&pv, &q, c);
                step[c] = if pq > 0.0 { rz[c] / pq } else { 0.0 };
            }
        }
        for a in 0..ncell {
            for c in 0..3 {
                for j in 0..4 {
                    let e = c * 4 + j;
                    xs[a][e] += step[c] * pv[a][e];
                    r[a][e] -= step[c] * q[a][e];
                }
            }
        }
        apply_m(&r, &mut zv);
        for c in 0..3 {
            if done[c] {
                continue;
            }
            let rz_new = dot(&r, &zv, c);
            let beta = if rz[c] > 0.0 { rz_new / rz[c] } else { 0.0 };
            rz[c] = rz_new;
            for a in 0..ncell {
                for j in 0..4 {
                    let e = c * 4 + j;
                    pv[a][e] = zv[a][e] + beta * pv[a][e];
                }
            }
        }
    }
    let converged = done.iter().all(|d| *d);
    for (a, v) in xs.iter().enumerate() {
        for e in 0..COEFFS {
            grid.data_mut()[a * COEFFS + e] = v[e] as f32;
        }
    }
    if grid.data().iter().any(|v| !v.is_finite()) {
        return Err(EngineError::Fit("solver diverged".into()));
    }
    let input64: Vec<f64> = input.iter().map(|&v| v as f64).collect();
    let recon = grad::forward(&grid, guide, &input64, w, h, 1.0)?;
    let mse = recon
        .iter()
        .zip(output)
        .map(|(a, &b)| (a - b as f64).powi(2))
        .sum::<f64>()
        / (n * 3) as f64;
    let rms = mse.sqrt();
    Ok((
        grid,
        FitReport {
            iterations: iters,
            converged,
            rms,
            psnr: -10.0 * mse.max(1e-20).log10(),
        },
    ))
}
