//! AVX2 + FMA slice-and-apply, eight pixels at a time in structure-of-arrays form.
//!
//! Per row and per grid *segment* (the pixels between two grid-column centres) the grid is
//! pre-interpolated in y and laid out as 8-lane vectors over depth, so every per-pixel table
//! lookup is one in-register permute (`vpermps`):
//!
//! `A_l = (P_l[d] + fx Q_l[d]) + fz (dP_l[d] + fx dQ_l[d])`, for each of the 12 coefficients `l`,
//!
//! where `d = min(floor(gz'), depth - 2)` and `gz' = clamp(z * depth - 0.5, 0, depth - 1)`.
//! Clamping the *coordinate* gives exactly the same values as clamping the cell *indices*
//! (the reference's convention) because the clamped region is constant. The guide's 16-knot
//! curves are looked up with two permutes and a blend. Needs `2 <= depth <= 9`; other depths
//! use the portable kernel.

#![cfg(target_arch = "x86_64")]

use super::fast::Shared;
use crate::guide::KNOTS;
use crate::image::Sample;
use std::arch::x86_64::*;

/// Depths this kernel handles.
pub(crate) fn supports_depth(d: usize) -> bool {
    (2..=9).contains(&d)
}

/// Per-row tables: for each segment `s` in `0..=grid_w` and coefficient `l` (row-major 3x4),
/// four 8-lane vectors over depth: P, Q, dP, dQ.
pub(crate) struct RowTables {
    /// `[s][l][4][8]` flattened.
    data: Vec<[f32; 8]>,
    /// y-interpolated grid `[x][l][depth]`, flattened.
    rowgrid: Vec<f32>,
}

impl RowTables {
    pub fn new() -> Self {
        Self {
            data: Vec::new(),
            rowgrid: Vec::new(),
        }
    }

    #[inline(always)]
    fn build(&mut self, sh: &Shared, y: usize) {
        let grid = sh.grid;
        let (gh, gw, gd) = grid.dims();
        let (y0, y1, fy) = crate::grid::axis_weights(y, sh.height, gh);
        let fy = fy as f32;
        self.rowgrid.clear();
        for x in 0..gw {
            for l in 0..12 {
                for d in 0..gd {
                    let a = grid.cell(y0, x, d)[l];
                    let b = grid.cell(y1, x, d)[l];
                    self.rowgrid.push(a + fy * (b - a));
                }
            }
        }
        self.data.clear();
        let last = gw as isize - 1;
        for s in 0..=gw {
            let xa = (s as isize - 1).clamp(0, last) as usize;
            let xb = (s as isize).clamp(0, last) as usize;
            for l in 0..12 {
                let a = &self.rowgrid[(xa * 12 + l) * gd..(xa * 12 + l + 1) * gd];
                let b = &self.rowgrid[(xb * 12 + l) * gd..(xb * 12 + l + 1) * gd];
                let mut p = [0.0f32; 8];
                let mut q = [0.0f32; 8];
                let mut dp = [0.0f32; 8];
                let mut dq = [0.0f32; 8];
                for d in 0..gd - 1 {
                    p[d] = a[d];
                    q[d] = b[d] - a[d];
                    dp[d] = a[d + 1] - a[d];
                    dq[d] = (b[d + 1] - a[d + 1]) - q[d];
                }
                self.data.extend_from_slice(&[p, q, dp, dq]);
            }
        }
    }
}

#[inline(always)]
unsafe fn lut16(lo: __m256, hi: __m256, idx: __m256i, upper: __m256) -> __m256 {
    let a = _mm256_permutevar8x32_ps(lo, idx);
    let b = _mm256_permutevar8x32_ps(hi, idx);
    _mm256_blendv_ps(a, b, upper)
}

/// One sliced coefficient for eight pixels from its (P, Q, dP, dQ) depth vectors.
#[inline(always)]
unsafe fn coef(t: &[[f32; 8]], di: __m256i, fx: __m256, fz: __m256) -> __m256 {
    let p = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t[0].as_ptr()), di);
    let q = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t[1].as_ptr()), di);
    let dp = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t[2].as_ptr()), di);
    let dq = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t[3].as_ptr()), di);
    _mm256_fmadd_ps(fz, _mm256_fmadd_ps(fx, dq, dp), _mm256_fmadd_ps(fx, q, p))
}

/// Process rows `y_start..` into `output` (whole rows).
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn process_rows<S: Sample, D: Sample>(
    sh: &Shared,
    y_start: usize,
    input: &[S],
    output: &mut [D],
) {
    let (w, ch) = (sh.width, sh.channels);
    let gd = sh.grid.depth();
    let rows = output.len() / (w * ch);
    let mut tabs = RowTables::new();

    // Guide constants.
    let g = &sh.guide;
    let ccm: [[__m256; 4]; 3] =
        std::array::from_fn(|c| std::array::from_fn(|j| _mm256_set1_ps(g.ccm[c][j])));
    let mixv: [__m256; 4] = std::array::from_fn(|j| _mm256_set1_ps(g.mix[j]));
    let lo_hi = |t: &[f32; KNOTS]| {
        (
            _mm256_loadu_ps(t.as_ptr()),
            _mm256_loadu_ps(t.as_ptr().add(8)),
        )
    };
    let val: [(__m256, __m256); 3] = std::array::from_fn(|c| lo_hi(&g.curve_val[c]));
    let step: [(__m256, __m256); 3] = std::array::from_fn(|c| lo_hi(&g.curve_step[c]));
    let zero = _mm256_setzero_ps();
    let one = _mm256_set1_ps(1.0);
    let kmax = _mm256_set1_ps((KNOTS - 1) as f32);
    let seven = _mm256_set1_epi32(7);
    let knot_last = _mm256_set1_epi32(KNOTS as i32 - 2);
    let depth = _mm256_set1_ps(gd as f32);
    let dmax = _mm256_set1_ps((gd - 1) as f32);
    let dlast = _mm256_set1_epi32(gd as i32 - 2);
    let half = _mm256_set1_ps(0.5);
    let strength = _mm256_set1_ps(sh.strength);

    let mut r = [0.0f32; 8];
    let mut gg = [0.0f32; 8];
    let mut b = [0.0f32; 8];
    let mut kk = [0.0f32; 8];
    let mut o = [[0.0f32; 8]; 3];
    let mut codes = [[0i32; 8]; 3];

    for row in 0..rows {
        let y = y_start + row;
        let src = &input[y * w * ch..(y + 1) * w * ch];
        let dst = &mut output[row * w * ch..(row + 1) * w * ch];
        if sh.strength == 0.0 {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = D::from_unit(s.to_unit());
            }
            continue;
        }
        tabs.build(sh, y);
        let mask_row = sh.mask_row(y);
        for &(seg, xs, xe) in &sh.runs {
            let tab = &tabs.data[seg as usize * 48..seg as usize * 48 + 48];
            let mut x = xs as usize;
            let xe = xe as usize;
            while x < xe {
                let n = (xe - x).min(8);
                for i in 0..n {
                    let p = &src[(x + i) * ch..];
                    r[i] = p[0].to_unit();
                    gg[i] = p[1].to_unit();
                    b[i] = p[2].to_unit();
                }
                let vr = _mm256_loadu_ps(r.as_ptr());
                let vg = _mm256_loadu_ps(gg.as_ptr());
                let vb = _mm256_loadu_ps(b.as_ptr());
                let vk = match &mask_row {
                    Some(m) => {
                        for i in 0..n {
                            kk[i] = sh.strength * sh.mask_at(m, x + i);
                        }
                        _mm256_loadu_ps(kk.as_ptr())
                    }
                    None => strength,
                };
                // Guide.
                let mut z = mixv[3];
                for c in 0..3 {
                    let m = &ccm[c];
                    let u = _mm256_fmadd_ps(
                        m[0],
                        vr,
                        _mm256_fmadd_ps(m[1], vg, _mm256_fmadd_ps(m[2], vb, m[3])),
                    );
                    let t = _mm256_mul_ps(_mm256_min_ps(_mm256_max_ps(u, zero), one), kmax);
                    let ti = _mm256_min_epi32(_mm256_cvttps_epi32(t), knot_last);
                    let fr = _mm256_sub_ps(t, _mm256_cvtepi32_ps(ti));
                    let upper = _mm256_castsi256_ps(_mm256_cmpgt_epi32(ti, seven));
                    let v0 = lut16(val[c].0, val[c].1, ti, upper);
                    let sl = lut16(step[c].0, step[c].1, ti, upper);
                    z = _mm256_fmadd_ps(mixv[c], _mm256_fmadd_ps(sl, fr, v0), z);
                }
                let z = _mm256_min_ps(_mm256_max_ps(z, zero), one);
                // Depth coordinate, clamped to the cell-centre range.
                let gz = _mm256_min_ps(_mm256_max_ps(_mm256_fmsub_ps(z, depth, half), zero), dmax);
                let di = _mm256_min_epi32(_mm256_cvttps_epi32(gz), dlast);
                let fz = _mm256_sub_ps(gz, _mm256_cvtepi32_ps(di));
                let fx = _mm256_loadu_ps(sh.fx.as_ptr().add(x));
                let mut out = [zero; 3];
                for (rr, (acc, p)) in out.iter_mut().zip([vr, vg, vb]).enumerate() {
                    let t = &tab[rr * 16..rr * 16 + 16];
                    let a0 = coef(&t[0..4], di, fx, fz);
                    let a1 = coef(&t[4..8], di, fx, fz);
                    let a2 = coef(&t[8..12], di, fx, fz);
                    let a3 = coef(&t[12..16], di, fx, fz);
                    let ap = _mm256_fmadd_ps(
                        a0,
                        vr,
                        _mm256_fmadd_ps(a1, vg, _mm256_fmadd_ps(a2, vb, a3)),
                    );
                    // k = 0 gives p exactly: fma(0, finite, p) == p.
                    *acc = _mm256_fmadd_ps(vk, _mm256_sub_ps(ap, p), p);
                }
                if D::INTEGER {
                    let scale = _mm256_set1_ps(D::MAX);
                    for c in 0..3 {
                        let v = _mm256_min_ps(_mm256_max_ps(out[c], zero), one);
                        let q = _mm256_cvttps_epi32(_mm256_fmadd_ps(v, scale, half));
                        _mm256_storeu_si256(codes[c].as_mut_ptr() as *mut __m256i, q);
                    }
                    for i in 0..n {
                        let d = &mut dst[(x + i) * ch..];
                        d[0] = D::from_code(codes[0][i]);
                        d[1] = D::from_code(codes[1][i]);
                        d[2] = D::from_code(codes[2][i]);
                        if ch == 4 {
                            d[3] = D::from_unit(src[(x + i) * ch + 3].to_unit());
                        }
                    }
                } else {
                    for c in 0..3 {
                        _mm256_storeu_ps(o[c].as_mut_ptr(), out[c]);
                    }
                    for i in 0..n {
                        let d = &mut dst[(x + i) * ch..];
                        d[0] = D::from_unit(o[0][i]);
                        d[1] = D::from_unit(o[1][i]);
                        d[2] = D::from_unit(o[2][i]);
                        if ch == 4 {
                            d[3] = D::from_unit(src[(x + i) * ch + 3].to_unit());
                        }
                    }
                }
                x += n;
            }
        }
    }
}
