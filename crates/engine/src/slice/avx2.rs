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

/// Tables for one grid row (or one image row after interpolation in y): for each segment
/// `s` in `0..=grid_w` and coefficient `l` (row-major 3x4), four 8-lane vectors over depth:
/// P, Q, dP, dQ. Layout `[s][l][4][8]`, flattened to f32.
pub(crate) struct GridTables {
    /// One table per grid row.
    rows: Vec<Vec<f32>>,
    len: usize,
}

/// Floats per segment: 12 coefficients x 4 vectors x 8 lanes.
const SEG: usize = 12 * 4 * 8;

impl GridTables {
    pub fn new(grid: &crate::grid::BilateralGrid) -> Self {
        let (gh, gw, gd) = grid.dims();
        let last = gw as isize - 1;
        let len = (gw + 1) * SEG;
        let rows = (0..gh)
            .map(|gy| {
                let mut t = vec![0.0f32; len];
                for s in 0..=gw {
                    let xa = (s as isize - 1).clamp(0, last) as usize;
                    let xb = (s as isize).clamp(0, last) as usize;
                    for l in 0..12 {
                        let o = s * SEG + l * 32;
                        for d in 0..gd - 1 {
                            let a0 = grid.cell(gy, xa, d)[l];
                            let a1 = grid.cell(gy, xa, d + 1)[l];
                            let b0 = grid.cell(gy, xb, d)[l];
                            let b1 = grid.cell(gy, xb, d + 1)[l];
                            t[o + d] = a0;
                            t[o + 8 + d] = b0 - a0;
                            t[o + 16 + d] = a1 - a0;
                            t[o + 24 + d] = (b1 - a1) - (b0 - a0);
                        }
                    }
                }
                t
            })
            .collect();
        Self { rows, len }
    }

    /// The table for image row `y` (tables are linear in the grid, so interpolating tables in
    /// y equals building them from the y-interpolated grid).
    #[inline(always)]
    fn row_into(&self, sh: &Shared, y: usize, out: &mut Vec<f32>) {
        let (y0, y1, fy) = crate::grid::axis_weights(y, sh.height, sh.grid.height());
        let fy = fy as f32;
        let (a, b) = (&self.rows[y0], &self.rows[y1]);
        out.resize(self.len, 0.0);
        for ((o, &va), &vb) in out.iter_mut().zip(a.iter()).zip(b.iter()) {
            *o = va + fy * (vb - va);
        }
    }
}

#[inline(always)]
fn is_u8<T: 'static>() -> bool {
    std::any::TypeId::of::<T>() == std::any::TypeId::of::<u8>()
}

/// Eight interleaved RGB u8 pixels (24 bytes) to three `[0, 1]` float vectors.
#[inline(always)]
unsafe fn load_rgb8(p: *const u8) -> (__m256, __m256, __m256) {
    let v0 = _mm_loadu_si128(p as *const __m128i);
    let v1 = _mm_loadl_epi64(p.add(16) as *const __m128i);
    let pick = |a: [i8; 16], b: [i8; 16]| {
        let ma = _mm_loadu_si128(a.as_ptr() as *const __m128i);
        let mb = _mm_loadu_si128(b.as_ptr() as *const __m128i);
        let bytes = _mm_or_si128(_mm_shuffle_epi8(v0, ma), _mm_shuffle_epi8(v1, mb));
        _mm256_mul_ps(
            _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes)),
            _mm256_set1_ps(1.0 / 255.0),
        )
    };
    const Z: i8 = -1;
    let r = pick(
        [0, 3, 6, 9, 12, 15, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z],
        [Z, Z, Z, Z, Z, Z, 2, 5, Z, Z, Z, Z, Z, Z, Z, Z],
    );
    let g = pick(
        [1, 4, 7, 10, 13, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z],
        [Z, Z, Z, Z, Z, 0, 3, 6, Z, Z, Z, Z, Z, Z, Z, Z],
    );
    let b = pick(
        [2, 5, 8, 11, 14, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z],
        [Z, Z, Z, Z, Z, 1, 4, 7, Z, Z, Z, Z, Z, Z, Z, Z],
    );
    (r, g, b)
}

/// Three vectors of eight integer codes (0..=255, as i32 bit patterns) to 24 interleaved bytes.
#[inline(always)]
unsafe fn store_rgb8(p: *mut u8, q: [__m256; 3]) {
    let narrow = |v: __m256| {
        let v = _mm256_castps_si256(v);
        let w = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        _mm_packus_epi16(w, w)
    };
    let (r, g, b) = (narrow(q[0]), narrow(q[1]), narrow(q[2]));
    let rg = _mm_unpacklo_epi64(r, g); // R0..R7 G0..G7
    const Z: i8 = -1;
    let m = |a: [i8; 16]| _mm_loadu_si128(a.as_ptr() as *const __m128i);
    let lo = _mm_or_si128(
        _mm_shuffle_epi8(rg, m([0, 8, Z, 1, 9, Z, 2, 10, Z, 3, 11, Z, 4, 12, Z, 5])),
        _mm_shuffle_epi8(b, m([Z, Z, 0, Z, Z, 1, Z, Z, 2, Z, Z, 3, Z, Z, 4, Z])),
    );
    let hi = _mm_or_si128(
        _mm_shuffle_epi8(rg, m([13, Z, 6, 14, Z, 7, 15, Z, Z, Z, Z, Z, Z, Z, Z, Z])),
        _mm_shuffle_epi8(b, m([Z, 5, Z, Z, 6, Z, Z, 7, Z, Z, Z, Z, Z, Z, Z, Z])),
    );
    _mm_storeu_si128(p as *mut __m128i, lo);
    _mm_storel_epi64(p.add(16) as *mut __m128i, hi);
}

#[inline(always)]
unsafe fn lut16(lo: __m256, hi: __m256, idx: __m256i, upper: __m256) -> __m256 {
    let a = _mm256_permutevar8x32_ps(lo, idx);
    let b = _mm256_permutevar8x32_ps(hi, idx);
    _mm256_blendv_ps(a, b, upper)
}

/// One sliced coefficient for eight pixels from its (P, Q, dP, dQ) depth vectors at `t`.
#[inline(always)]
unsafe fn coef(t: *const f32, di: __m256i, fx: __m256, fz: __m256) -> __m256 {
    let p = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t), di);
    let q = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t.add(8)), di);
    let dp = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t.add(16)), di);
    let dq = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t.add(24)), di);
    _mm256_fmadd_ps(fz, _mm256_fmadd_ps(fx, dq, dp), _mm256_fmadd_ps(fx, q, p))
}

/// Process rows `y_start..` into `output` (whole rows).
#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn process_rows<S: Sample, D: Sample>(
    sh: &Shared,
    tables: &GridTables,
    y_start: usize,
    input: &[S],
    output: &mut [D],
) {
    let (w, ch) = (sh.width, sh.channels);
    let gd = sh.grid.depth();
    let rows = output.len() / (w * ch);
    let mut tab_row: Vec<f32> = Vec::new();

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
        tables.row_into(sh, y, &mut tab_row);
        let mask_row = sh.mask_row(y);
        for &(seg, xs, xe) in &sh.runs {
            let tab = tab_row.as_ptr().add(seg as usize * SEG);
            let mut x = xs as usize;
            let xe = xe as usize;
            while x < xe {
                let n = (xe - x).min(8);
                let rgb8 = n == 8 && ch == 3 && is_u8::<S>();
                let (vr, vg, vb) = if rgb8 {
                    // SAFETY: 8 whole RGB u8 pixels = 24 bytes starting at pixel x.
                    load_rgb8(src.as_ptr().add(x * 3) as *const u8)
                } else {
                    for i in 0..n {
                        let p = &src[(x + i) * ch..];
                        r[i] = p[0].to_unit();
                        gg[i] = p[1].to_unit();
                        b[i] = p[2].to_unit();
                    }
                    (
                        _mm256_loadu_ps(r.as_ptr()),
                        _mm256_loadu_ps(gg.as_ptr()),
                        _mm256_loadu_ps(b.as_ptr()),
                    )
                };
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
                    let t = tab.add(rr * 128);
                    let a0 = coef(t, di, fx, fz);
                    let a1 = coef(t.add(32), di, fx, fz);
                    let a2 = coef(t.add(64), di, fx, fz);
                    let a3 = coef(t.add(96), di, fx, fz);
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
                    let mut q = [zero; 3];
                    for c in 0..3 {
                        let v = _mm256_min_ps(_mm256_max_ps(out[c], zero), one);
                        q[c] = _mm256_castsi256_ps(_mm256_cvttps_epi32(_mm256_fmadd_ps(
                            v, scale, half,
                        )));
                    }
                    if rgb8 && is_u8::<D>() {
                        // SAFETY: as for the load.
                        store_rgb8(dst.as_mut_ptr().add(x * 3) as *mut u8, q);
                        x += n;
                        continue;
                    }
                    for c in 0..3 {
                        _mm256_storeu_ps(codes[c].as_mut_ptr() as *mut f32, q[c]);
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
