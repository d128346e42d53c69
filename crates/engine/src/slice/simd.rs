//! SIMD slice-and-apply, structure of arrays: one kernel, generic over a small lane-width
//! trait, instantiated for AVX2+FMA (8 lanes) and AVX-512 (16 lanes) and chosen at run time.
//!
//! Per grid row and per grid *segment* (the pixels between two grid-column centres) the grid
//! is laid out as lane vectors over depth, so every per-pixel table lookup is one in-register
//! permute (`vpermps`):
//!
//! `A_l = (P_l[d] + fx Q_l[d]) + fz (dP_l[d] + fx dQ_l[d])`, for each of the 12 coefficients `l`,
//!
//! where `d = min(floor(gz'), depth - 2)` and `gz' = clamp(z * depth - 0.5, 0, depth - 1)`.
//! Clamping the *coordinate* gives exactly the same values as clamping the cell *indices*
//! (the reference's convention) because the clamped region is constant. The tables are linear in
//! the grid, so the table of an image row is the lerp in y of two grid-row tables. The guide's
//! 16-knot curves are also permute lookups. Needs `2 <= depth <= lanes + 1`; other depths use
//! the portable kernel.

#![cfg(target_arch = "x86_64")]

use super::fast::Shared;
use crate::guide::KNOTS;
use crate::image::Sample;
use std::arch::x86_64::*;

/// A lane width and the handful of operations the kernel needs.
pub(crate) trait Simd {
    type F: Copy;
    type I: Copy;
    const N: usize;
    unsafe fn splat(v: f32) -> Self::F;
    unsafe fn splat_i(v: i32) -> Self::I;
    unsafe fn load(p: *const f32) -> Self::F;
    unsafe fn store(p: *mut f32, v: Self::F);
    unsafe fn store_i(p: *mut i32, v: Self::I);
    unsafe fn sub(a: Self::F, b: Self::F) -> Self::F;
    unsafe fn mul(a: Self::F, b: Self::F) -> Self::F;
    /// `a * b + c`
    unsafe fn fmadd(a: Self::F, b: Self::F, c: Self::F) -> Self::F;
    /// `a * b - c`
    unsafe fn fmsub(a: Self::F, b: Self::F, c: Self::F) -> Self::F;
    unsafe fn min(a: Self::F, b: Self::F) -> Self::F;
    unsafe fn max(a: Self::F, b: Self::F) -> Self::F;
    unsafe fn cvtt(a: Self::F) -> Self::I;
    unsafe fn cvt(a: Self::I) -> Self::F;
    unsafe fn min_i(a: Self::I, b: Self::I) -> Self::I;
    /// `t[idx]` for a table of 8 floats at `t` (`idx < 8`).
    unsafe fn lookup8(t: *const f32, idx: Self::I) -> Self::F;
    /// `t[idx]` for a table of 16 floats at `t`.
    unsafe fn lookup16(t: *const f32, idx: Self::I) -> Self::F;
    /// `N` interleaved RGB u8 pixels to `[0, 1]` floats.
    unsafe fn load_rgb8(p: *const u8) -> (Self::F, Self::F, Self::F);
    /// Three vectors of integer codes (0..=255) to `N` interleaved RGB u8 pixels.
    unsafe fn store_rgb8(p: *mut u8, q: [Self::I; 3]);
    /// Whether any lane differs from 0.
    unsafe fn any_nonzero(a: Self::F) -> bool;
}

#[derive(Clone, Copy)]
pub(crate) struct Avx2;
#[derive(Clone, Copy)]
pub(crate) struct Avx512;

impl Simd for Avx2 {
    type F = __m256;
    type I = __m256i;
    const N: usize = 8;
    #[inline(always)]
    unsafe fn splat(v: f32) -> __m256 {
        _mm256_set1_ps(v)
    }
    #[inline(always)]
    unsafe fn splat_i(v: i32) -> __m256i {
        _mm256_set1_epi32(v)
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> __m256 {
        _mm256_loadu_ps(p)
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: __m256) {
        _mm256_storeu_ps(p, v)
    }
    #[inline(always)]
    unsafe fn store_i(p: *mut i32, v: __m256i) {
        _mm256_storeu_si256(p as *mut __m256i, v)
    }
    #[inline(always)]
    unsafe fn sub(a: __m256, b: __m256) -> __m256 {
        _mm256_sub_ps(a, b)
    }
    #[inline(always)]
    unsafe fn mul(a: __m256, b: __m256) -> __m256 {
        _mm256_mul_ps(a, b)
    }
    #[inline(always)]
    unsafe fn fmadd(a: __m256, b: __m256, c: __m256) -> __m256 {
        _mm256_fmadd_ps(a, b, c)
    }
    #[inline(always)]
    unsafe fn fmsub(a: __m256, b: __m256, c: __m256) -> __m256 {
        _mm256_fmsub_ps(a, b, c)
    }
    #[inline(always)]
    unsafe fn min(a: __m256, b: __m256) -> __m256 {
        _mm256_min_ps(a, b)
    }
    #[inline(always)]
    unsafe fn max(a: __m256, b: __m256) -> __m256 {
        _mm256_max_ps(a, b)
    }
    #[inline(always)]
    unsafe fn cvtt(a: __m256) -> __m256i {
        _mm256_cvttps_epi32(a)
    }
    #[inline(always)]
    unsafe fn cvt(a: __m256i) -> __m256 {
        _mm256_cvtepi32_ps(a)
    }
    #[inline(always)]
    unsafe fn min_i(a: __m256i, b: __m256i) -> __m256i {
        _mm256_min_epi32(a, b)
    }
    #[inline(always)]
    unsafe fn lookup8(t: *const f32, idx: __m256i) -> __m256 {
        _mm256_permutevar8x32_ps(_mm256_loadu_ps(t), idx)
    }
    #[inline(always)]
    unsafe fn lookup16(t: *const f32, idx: __m256i) -> __m256 {
        let a = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t), idx);
        let b = _mm256_permutevar8x32_ps(_mm256_loadu_ps(t.add(8)), idx);
        let upper = _mm256_castsi256_ps(_mm256_cmpgt_epi32(idx, _mm256_set1_epi32(7)));
        _mm256_blendv_ps(a, b, upper)
    }
    #[inline(always)]
    unsafe fn load_rgb8(p: *const u8) -> (__m256, __m256, __m256) {
        load_rgb8(p)
    }
    #[inline(always)]
    unsafe fn store_rgb8(p: *mut u8, q: [__m256i; 3]) {
        store_rgb8(p, q)
    }
    #[inline(always)]
    unsafe fn any_nonzero(a: __m256) -> bool {
        _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_NEQ_UQ>(a, _mm256_setzero_ps())) != 0
    }
}

impl Simd for Avx512 {
    type F = __m512;
    type I = __m512i;
    const N: usize = 16;
    #[inline(always)]
    unsafe fn splat(v: f32) -> __m512 {
        _mm512_set1_ps(v)
    }
    #[inline(always)]
    unsafe fn splat_i(v: i32) -> __m512i {
        _mm512_set1_epi32(v)
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> __m512 {
        _mm512_loadu_ps(p)
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: __m512) {
        _mm512_storeu_ps(p, v)
    }
    #[inline(always)]
    unsafe fn store_i(p: *mut i32, v: __m512i) {
        _mm512_storeu_si512(p as *mut __m512i, v)
    }
    #[inline(always)]
    unsafe fn sub(a: __m512, b: __m512) -> __m512 {
        _mm512_sub_ps(a, b)
    }
    #[inline(always)]
    unsafe fn mul(a: __m512, b: __m512) -> __m512 {
        _mm512_mul_ps(a, b)
    }
    #[inline(always)]
    unsafe fn fmadd(a: __m512, b: __m512, c: __m512) -> __m512 {
        _mm512_fmadd_ps(a, b, c)
    }
    #[inline(always)]
    unsafe fn fmsub(a: __m512, b: __m512, c: __m512) -> __m512 {
        _mm512_fmsub_ps(a, b, c)
    }
    #[inline(always)]
    unsafe fn min(a: __m512, b: __m512) -> __m512 {
        _mm512_min_ps(a, b)
    }
    #[inline(always)]
    unsafe fn max(a: __m512, b: __m512) -> __m512 {
        _mm512_max_ps(a, b)
    }
    #[inline(always)]
    unsafe fn cvtt(a: __m512) -> __m512i {
        _mm512_cvttps_epi32(a)
    }
    #[inline(always)]
    unsafe fn cvt(a: __m512i) -> __m512 {
        _mm512_cvtepi32_ps(a)
    }
    #[inline(always)]
    unsafe fn min_i(a: __m512i, b: __m512i) -> __m512i {
        _mm512_min_epi32(a, b)
    }
    #[inline(always)]
    unsafe fn lookup8(t: *const f32, idx: __m512i) -> __m512 {
        // The upper half is undefined but never selected: idx < 8.
        _mm512_permutexvar_ps(idx, _mm512_castps256_ps512(_mm256_loadu_ps(t)))
    }
    #[inline(always)]
    unsafe fn lookup16(t: *const f32, idx: __m512i) -> __m512 {
        _mm512_permutexvar_ps(idx, _mm512_loadu_ps(t))
    }
    #[inline(always)]
    unsafe fn load_rgb8(p: *const u8) -> (__m512, __m512, __m512) {
        // 48 bytes with a masked load (never touches memory past them), then one byte
        // permute (VBMI) per channel.
        let v = _mm512_maskz_loadu_epi8(RGB48, p as *const i8);
        (channel16(v, 0), channel16(v, 1), channel16(v, 2))
    }
    #[inline(always)]
    unsafe fn store_rgb8(p: *mut u8, q: [__m512i; 3]) {
        // Codes are already 0..=255: truncate each lane to a byte, pack R|G|B, interleave.
        let r = _mm512_cvtepi32_epi8(q[0]);
        let g = _mm512_cvtepi32_epi8(q[1]);
        let b = _mm512_cvtepi32_epi8(q[2]);
        let planar = _mm512_inserti32x4(_mm512_inserti32x4(_mm512_castsi128_si512(r), g, 1), b, 2);
        let idx = _mm512_loadu_si512(INTERLEAVE.as_ptr() as *const __m512i);
        _mm512_mask_storeu_epi8(p as *mut i8, RGB48, _mm512_permutexvar_epi8(idx, planar));
    }
    #[inline(always)]
    unsafe fn any_nonzero(a: __m512) -> bool {
        _mm512_cmp_ps_mask::<_CMP_NEQ_UQ>(a, _mm512_setzero_ps()) != 0
    }
}

/// Channel `c` of 16 interleaved RGB u8 pixels in `v` as `[0, 1]` floats.
#[inline(always)]
unsafe fn channel16(v: __m512i, c: usize) -> __m512 {
    let idx = _mm512_loadu_si512(DEINTERLEAVE[c].as_ptr() as *const __m512i);
    let bytes = _mm512_castsi512_si128(_mm512_permutexvar_epi8(idx, v));
    _mm512_mul_ps(
        _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(bytes)),
        _mm512_set1_ps(1.0 / 255.0),
    )
}

/// The low 48 bytes of a 64-byte register: 16 RGB pixels.
const RGB48: __mmask64 = (1 << 48) - 1;

/// Byte indices gathering channel c of 16 interleaved RGB pixels into bytes 0..16.
const DEINTERLEAVE: [[u8; 64]; 3] = {
    let mut t = [[0u8; 64]; 3];
    let mut c = 0;
    while c < 3 {
        let mut i = 0;
        while i < 16 {
            t[c][i] = (3 * i + c) as u8;
            i += 1;
        }
        c += 1;
    }
    t
};

/// Byte indices turning planar R[0..16] G[16..32] B[32..48] into interleaved RGB.
const INTERLEAVE: [u8; 64] = {
    let mut t = [0u8; 64];
    let mut k = 0;
    while k < 48 {
        t[k] = ((k % 3) * 16 + k / 3) as u8;
        k += 1;
    }
    t
};

/// Depths the kernel handles with `lanes`-wide registers.
pub(crate) fn supports_depth(lanes: usize, d: usize) -> bool {
    d >= 2 && d - 1 <= lanes
}

/// Entries per depth table: 8 when `depth - 1 <= 8`, else 16.
pub(crate) fn table_lanes(d: usize) -> usize {
    if d <= 9 {
        8
    } else {
        16
    }
}

/// Tables for each grid row: for each segment `s` in `0..=grid_w` and coefficient `l`
/// (row-major 3x4), four lane vectors over depth: P, Q, dP, dQ. Layout `[s][l][4][lanes]`.
pub(crate) struct GridTables {
    rows: Vec<Vec<f32>>,
    /// Entries per depth table ([`table_lanes`]).
    lanes: usize,
    len: usize,
}

impl GridTables {
    pub fn new(grid: &crate::grid::BilateralGrid) -> Self {
        let (gh, gw, gd) = grid.dims();
        let lanes = table_lanes(gd);
        let last = gw as isize - 1;
        let seg = 48 * lanes;
        let len = (gw + 1) * seg;
        let rows = (0..gh)
            .map(|gy| {
                let mut t = vec![0.0f32; len];
                for s in 0..=gw {
                    let xa = (s as isize - 1).clamp(0, last) as usize;
                    let xb = (s as isize).clamp(0, last) as usize;
                    for l in 0..12 {
                        let o = s * seg + l * 4 * lanes;
                        for d in 0..gd - 1 {
                            let a0 = grid.cell(gy, xa, d)[l];
                            let a1 = grid.cell(gy, xa, d + 1)[l];
                            let b0 = grid.cell(gy, xb, d)[l];
                            let b1 = grid.cell(gy, xb, d + 1)[l];
                            t[o + d] = a0;
                            t[o + lanes + d] = b0 - a0;
                            t[o + 2 * lanes + d] = a1 - a0;
                            t[o + 3 * lanes + d] = (b1 - a1) - (b0 - a0);
                        }
                    }
                }
                t
            })
            .collect();
        Self { rows, lanes, len }
    }

    /// The table for image row `y`: the lerp in y of two grid-row tables.
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

/// Gather eight bytes from two registers by shuffle masks, as `[0, 1]` floats.
#[inline(always)]
unsafe fn pick8(v0: __m128i, v1: __m128i, a: [i8; 16], b: [i8; 16]) -> __m256 {
    let ma = _mm_loadu_si128(a.as_ptr() as *const __m128i);
    let mb = _mm_loadu_si128(b.as_ptr() as *const __m128i);
    let bytes = _mm_or_si128(_mm_shuffle_epi8(v0, ma), _mm_shuffle_epi8(v1, mb));
    _mm256_mul_ps(
        _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes)),
        _mm256_set1_ps(1.0 / 255.0),
    )
}

/// Eight i32 codes (0..=255) to eight bytes in the low half of a register.
#[inline(always)]
unsafe fn narrow8(v: __m256i) -> __m128i {
    let w = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    _mm_packus_epi16(w, w)
}

#[inline(always)]
unsafe fn mask16(a: [i8; 16]) -> __m128i {
    _mm_loadu_si128(a.as_ptr() as *const __m128i)
}

/// Eight interleaved RGB u8 pixels (24 bytes) to three `[0, 1]` float vectors.
#[inline(always)]
unsafe fn load_rgb8(p: *const u8) -> (__m256, __m256, __m256) {
    let v0 = _mm_loadu_si128(p as *const __m128i);
    let v1 = _mm_loadl_epi64(p.add(16) as *const __m128i);
    const Z: i8 = -1;
    let r = pick8(
        v0,
        v1,
        [0, 3, 6, 9, 12, 15, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z],
        [Z, Z, Z, Z, Z, Z, 2, 5, Z, Z, Z, Z, Z, Z, Z, Z],
    );
    let g = pick8(
        v0,
        v1,
        [1, 4, 7, 10, 13, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z],
        [Z, Z, Z, Z, Z, 0, 3, 6, Z, Z, Z, Z, Z, Z, Z, Z],
    );
    let b = pick8(
        v0,
        v1,
        [2, 5, 8, 11, 14, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z],
        [Z, Z, Z, Z, Z, 1, 4, 7, Z, Z, Z, Z, Z, Z, Z, Z],
    );
    (r, g, b)
}

/// Three vectors of eight integer codes (0..=255, as i32 bit patterns) to 24 interleaved bytes.
#[inline(always)]
unsafe fn store_rgb8(p: *mut u8, q: [__m256i; 3]) {
    let (r, g, b) = (narrow8(q[0]), narrow8(q[1]), narrow8(q[2]));
    let rg = _mm_unpacklo_epi64(r, g); // R0..R7 G0..G7
    const Z: i8 = -1;
    let lo = _mm_or_si128(
        _mm_shuffle_epi8(
            rg,
            mask16([0, 8, Z, 1, 9, Z, 2, 10, Z, 3, 11, Z, 4, 12, Z, 5]),
        ),
        _mm_shuffle_epi8(b, mask16([Z, Z, 0, Z, Z, 1, Z, Z, 2, Z, Z, 3, Z, Z, 4, Z])),
    );
    let hi = _mm_or_si128(
        _mm_shuffle_epi8(
            rg,
            mask16([13, Z, 6, 14, Z, 7, 15, Z, Z, Z, Z, Z, Z, Z, Z, Z]),
        ),
        _mm_shuffle_epi8(b, mask16([Z, 5, Z, Z, 6, Z, Z, 7, Z, Z, Z, Z, Z, Z, Z, Z])),
    );
    _mm_storeu_si128(p as *mut __m128i, lo);
    _mm_storel_epi64(p.add(16) as *mut __m128i, hi);
}

/// `t[idx]` for a depth table of `TL` (8 or 16) entries.
#[inline(always)]
unsafe fn lookup<V: Simd, const TL: usize>(t: *const f32, idx: V::I) -> V::F {
    if TL == 8 {
        V::lookup8(t, idx)
    } else {
        V::lookup16(t, idx)
    }
}

/// One sliced coefficient from its (P, Q, dP, dQ) depth tables at `t`.
#[inline(always)]
unsafe fn coef<V: Simd, const TL: usize>(t: *const f32, di: V::I, fx: V::F, fz: V::F) -> V::F {
    let p = lookup::<V, TL>(t, di);
    let q = lookup::<V, TL>(t.add(TL), di);
    let dp = lookup::<V, TL>(t.add(2 * TL), di);
    let dq = lookup::<V, TL>(t.add(3 * TL), di);
    V::fmadd(fz, V::fmadd(fx, dq, dp), V::fmadd(fx, q, p))
}

/// One stage of a fused chain: its per-image tables and its per-grid-row tables.
pub(crate) type ChainStage<'s, 'a> = (&'s Shared<'a>, &'s GridTables);

/// Whether [`process_rows_avx2`] / [`process_rows_avx512`] can run `stages` as one fused chain:
/// every grid has the first one's width and depth (so they share the column segments and the
/// depth-table size) and a supported depth.
pub(crate) fn fusable(stages: &[ChainStage], lanes: usize) -> bool {
    let Some((s0, _)) = stages.first() else {
        return false;
    };
    let (_, gw, gd) = s0.grid.dims();
    stages.iter().all(|(s, _)| {
        let (_, w, d) = s.grid.dims();
        w == gw && d == gd && supports_depth(lanes, d)
    })
}

/// Process rows `y_start..` into `output` (whole rows), `V::N` pixels at a time; `input`
/// starts at row `y_start` too. Every stage of the chain runs on the pixels in registers (the
/// guide is evaluated on each stage's input), so a chain reads and writes the image once. A
/// stage whose strength-times-mask is 0 on a whole row, or on all `N` pixels, is skipped:
/// with `k = 0` it would return its input exactly anyway. `ONE`: `stages` has one stage (the
/// plain slice), compiled apart so that it pays nothing for the chain.
#[inline(always)]
unsafe fn kernel<V: Simd, const TL: usize, const ONE: bool, S: Sample, D: Sample>(
    stages: &[ChainStage],
    y_start: usize,
    input: &[S],
    output: &mut [D],
) {
    let sh = stages[0].0;
    debug_assert!(stages.iter().all(|(_, t)| t.lanes == TL));
    let n_lanes = V::N;
    let (w, ch) = (sh.width, sh.channels);
    let gd = sh.grid.depth();
    let rows = output.len() / (w * ch);
    let seg_len = 48 * TL;
    let n_st = if ONE { 1 } else { stages.len() };
    let mut tab_rows: Vec<Vec<f32>> = vec![Vec::new(); n_st];
    // Per stage, the row's `k = strength * mask` at every column (padded for vector loads),
    // when the stage has a mask.
    let mut k_rows: Vec<Vec<f32>> = vec![Vec::new(); n_st];
    let mut active: Vec<bool> = vec![false; n_st];
    let mut tabs: Vec<*const f32> = vec![std::ptr::null(); n_st];

    let g = &sh.guide;
    // No closures here: they would not inherit the caller's target features.
    let zero = V::splat(0.0);
    let mut ccm = [[zero; 4]; 3];
    let mut mixv = [zero; 4];
    for j in 0..4 {
        for c in 0..3 {
            ccm[c][j] = V::splat(g.ccm[c][j]);
        }
        mixv[j] = V::splat(g.mix[j]);
    }
    let one = V::splat(1.0);
    let half = V::splat(0.5);
    let kmax = V::splat((KNOTS - 1) as f32);
    let knot_last = V::splat_i(KNOTS as i32 - 2);
    let depth = V::splat(gd as f32);
    let dmax = V::splat((gd - 1) as f32);
    let dlast = V::splat_i(gd as i32 - 2);

    let mut r = [0.0f32; 16];
    let mut gg = [0.0f32; 16];
    let mut b = [0.0f32; 16];
    let mut o = [[0.0f32; 16]; 3];
    let mut codes = [[0i32; 16]; 3];

    for row in 0..rows {
        let y = y_start + row;
        let src = &input[row * w * ch..(row + 1) * w * ch];
        let dst = &mut output[row * w * ch..(row + 1) * w * ch];
        let mut any = false;
        for (si, (st, tables)) in stages.iter().enumerate() {
            active[si] = st.strength != 0.0;
            if let (true, Some(m)) = (active[si], st.mask) {
                // The row's mask: a lerp in y of two mask rows sampled at the image's columns.
                let (ya, yb, fy) = crate::image::Mask::axis(y, st.height, m.height);
                let cols = st.mask_x.as_deref().unwrap_or(&m.data);
                let (ra, rb) = (&cols[ya * w..(ya + 1) * w], &cols[yb * w..(yb + 1) * w]);
                let kr = &mut k_rows[si];
                kr.resize(w + 16, 0.0);
                let mut nonzero = false;
                for ((k, &a), &b) in kr.iter_mut().zip(ra).zip(rb) {
                    *k = st.strength * (a + fy * (b - a));
                    nonzero |= *k != 0.0;
                }
                active[si] = nonzero;
            }
            if active[si] {
                tables.row_into(st, y, &mut tab_rows[si]);
                any = true;
            }
        }
        if !any {
            super::fast::copy_row(src, dst);
            continue;
        }
        for &(seg, xs, xe) in &sh.runs {
            for si in 0..n_st {
                tabs[si] = tab_rows[si].as_ptr().add(seg as usize * seg_len);
            }
            let mut x = xs as usize;
            let xe = xe as usize;
            while x < xe {
                let n = (xe - x).min(n_lanes);
                let rgb8 = n == n_lanes && ch == 3 && is_u8::<S>();
                let (mut vr, mut vg, mut vb) = if rgb8 {
                    // SAFETY: N whole RGB u8 pixels = 3N bytes starting at pixel x.
                    V::load_rgb8(src.as_ptr().add(x * 3) as *const u8)
                } else {
                    for i in 0..n {
                        let p = &src[(x + i) * ch..];
                        r[i] = p[0].to_unit();
                        gg[i] = p[1].to_unit();
                        b[i] = p[2].to_unit();
                    }
                    (
                        V::load(r.as_ptr()),
                        V::load(gg.as_ptr()),
                        V::load(b.as_ptr()),
                    )
                };
                let fx = V::load(sh.fx.as_ptr().add(x));
                for (si, (st, _)) in stages.iter().enumerate().take(n_st) {
                    // A lone stage is active on every row that gets here.
                    if !ONE && !active[si] {
                        continue;
                    }
                    let vk = if st.mask.is_some() {
                        // Lanes past `n` read the padding (or the next pixels): their results
                        // are never stored.
                        let vk = V::load(k_rows[si].as_ptr().add(x));
                        if !V::any_nonzero(vk) {
                            continue;
                        }
                        vk
                    } else {
                        V::splat(st.strength)
                    };
                    // Guide.
                    let mut z = mixv[3];
                    for c in 0..3 {
                        let m = &ccm[c];
                        let u = V::fmadd(m[0], vr, V::fmadd(m[1], vg, V::fmadd(m[2], vb, m[3])));
                        let t = V::mul(V::min(V::max(u, zero), one), kmax);
                        let ti = V::min_i(V::cvtt(t), knot_last);
                        let fr = V::sub(t, V::cvt(ti));
                        let v0 = V::lookup16(g.curve_val[c].as_ptr(), ti);
                        let sl = V::lookup16(g.curve_step[c].as_ptr(), ti);
                        z = V::fmadd(mixv[c], V::fmadd(sl, fr, v0), z);
                    }
                    let z = V::min(V::max(z, zero), one);
                    // Depth coordinate, clamped to the cell-centre range.
                    let gz = V::min(V::max(V::fmsub(z, depth, half), zero), dmax);
                    let di = V::min_i(V::cvtt(gz), dlast);
                    let fz = V::sub(gz, V::cvt(di));
                    let tab = tabs[si];
                    let mut out = [zero; 3];
                    for (rr, (acc, p)) in out.iter_mut().zip([vr, vg, vb]).enumerate() {
                        let t = tab.add(rr * 16 * TL);
                        let a0 = coef::<V, TL>(t, di, fx, fz);
                        let a1 = coef::<V, TL>(t.add(4 * TL), di, fx, fz);
                        let a2 = coef::<V, TL>(t.add(8 * TL), di, fx, fz);
                        let a3 = coef::<V, TL>(t.add(12 * TL), di, fx, fz);
                        let ap = V::fmadd(a0, vr, V::fmadd(a1, vg, V::fmadd(a2, vb, a3)));
                        // k = 0 gives p exactly: fma(0, finite, p) == p.
                        *acc = V::fmadd(vk, V::sub(ap, p), p);
                    }
                    [vr, vg, vb] = out;
                }
                let out = [vr, vg, vb];
                if D::INTEGER {
                    let scale = V::splat(D::MAX);
                    let mut q = [V::splat_i(0); 3];
                    for c in 0..3 {
                        q[c] = V::cvtt(V::fmadd(V::min(V::max(out[c], zero), one), scale, half));
                    }
                    if rgb8 && is_u8::<D>() {
                        // SAFETY: as for the load.
                        V::store_rgb8(dst.as_mut_ptr().add(x * 3) as *mut u8, q);
                        x += n;
                        continue;
                    }
                    for c in 0..3 {
                        V::store_i(codes[c].as_mut_ptr(), q[c]);
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
                        V::store(o[c].as_mut_ptr(), out[c]);
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

#[target_feature(enable = "avx2,fma")]
pub(crate) unsafe fn process_rows_avx2<S: Sample, D: Sample>(
    stages: &[ChainStage],
    y_start: usize,
    input: &[S],
    output: &mut [D],
) {
    if stages.len() == 1 {
        kernel::<Avx2, 8, true, S, D>(stages, y_start, input, output)
    } else {
        kernel::<Avx2, 8, false, S, D>(stages, y_start, input, output)
    }
}

#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx512vbmi,avx2,fma")]
pub(crate) unsafe fn process_rows_avx512<S: Sample, D: Sample>(
    stages: &[ChainStage],
    y_start: usize,
    input: &[S],
    output: &mut [D],
) {
    match (stages[0].1.lanes == 8, stages.len() == 1) {
        (true, true) => kernel::<Avx512, 8, true, S, D>(stages, y_start, input, output),
        (true, false) => kernel::<Avx512, 8, false, S, D>(stages, y_start, input, output),
        (false, true) => kernel::<Avx512, 16, true, S, D>(stages, y_start, input, output),
        (false, false) => kernel::<Avx512, 16, false, S, D>(stages, y_start, input, output),
    }
}
