//! The fast slice-and-apply: f32, rayon over bands of rows, and per-row tables that turn the
//! trilinear interpolation into four fused vector operations per pixel.
//!
//! For a row, the grid is first interpolated in y (`R[x][d]`, `w x d` cells). Between two grid
//! columns (a *segment*) and two depth levels the sliced transform is bilinear in `(fx, fz)`:
//!
//! `A = P + fx Q + fz (dP + fx dQ)`
//!
//! with `P, Q, dP, dQ` precomputed per (segment, depth interval) for the row. Segments and
//! depth intervals are indexed so that edge clamping is already folded into the table
//! (`w + 1` segments, `d + 1` intervals), so the pixel loop has no branches. Coefficients are
//! stored column-major in 16 lanes (`[a00 a10 a20 0 | a01 a11 a21 0 | ...]`) so that applying
//! the transform is three multiply-adds on 4-lane vectors.
//!
//! The same source is compiled for the baseline target, AVX2+FMA and AVX-512; memory stays
//! `O(image + threads * table)`.

use super::{ApplyParams, Kernel};
use crate::grid::{axis_weights, BilateralGrid};
use crate::guide::{FastGuide, GuideMap};
use crate::image::{ImageMut, ImageRef, Mask, Sample};
use rayon::prelude::*;

const LANES: usize = 16;
type V16 = [f32; LANES];

/// One table entry: P, Q, dP, dQ.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Entry([V16; 4]);

/// Everything shared by all rows.
pub(crate) struct Shared<'a> {
    pub grid: &'a BilateralGrid,
    pub guide: FastGuide,
    /// Per image column: segment index (`x0 + 1`) and weight fx.
    pub cols: Vec<(u32, f32)>,
    /// Per image column: weight fx, padded with 16 zeros for vector loads.
    pub fx: Vec<f32>,
    /// Runs of columns sharing a segment: (segment, first column, end column).
    pub runs: Vec<(u32, u32, u32)>,
    /// Per image column, if a mask is used: two mask columns and weight.
    pub mask_cols: Vec<(u32, u32, f32)>,
    pub mask: Option<&'a Mask>,
    /// For the SIMD kernels, when the mask is narrower or wider than the image: every mask row
    /// sampled at the image's columns (`mask.height x width`), so that a row's mask is one lerp
    /// in y of two of these rows.
    pub mask_x: Option<Vec<f32>>,
    pub strength: f32,
    pub width: usize,
    pub height: usize,
    pub channels: usize,
}

/// Two mask rows and the weight of the second, for one image row.
pub(crate) type MaskRow<'a> = (&'a [f32], &'a [f32], f32);

impl<'a> Shared<'a> {
    /// Mask value at column `x` of a row.
    #[inline(always)]
    pub fn mask_at(&self, row: &MaskRow, x: usize) -> f32 {
        let (ma, mb, fy) = *row;
        let (c0, c1, fx) = self.mask_cols[x];
        let (c0, c1) = (c0 as usize, c1 as usize);
        let top = ma[c0] + fx * (ma[c1] - ma[c0]);
        let bot = mb[c0] + fx * (mb[c1] - mb[c0]);
        top + fy * (bot - top)
    }
}

/// Column-major 16-lane layout of a row-major 3x4 transform.
#[inline(always)]
fn to_lanes(a: &[f32]) -> V16 {
    let mut v = [0.0; LANES];
    for r in 0..3 {
        for c in 0..4 {
            v[c * 4 + r] = a[r * 4 + c];
        }
    }
    v
}

/// Fill `table` for image row `y`; `rowgrid` is scratch of `w * d` lanes.
#[inline(always)]
fn build_row_table(sh: &Shared, y: usize, rowgrid: &mut Vec<V16>, table: &mut Vec<Entry>) {
    let grid = sh.grid;
    let (gh, gw, gd) = grid.dims();
    let (y0, y1, fy) = axis_weights(y, sh.height, gh);
    let fy = fy as f32;
    rowgrid.clear();
    for x in 0..gw {
        for z in 0..gd {
            let a = to_lanes(grid.cell(y0, x, z));
            let b = to_lanes(grid.cell(y1, x, z));
            let mut v = [0.0; LANES];
            for l in 0..LANES {
                v[l] = a[l] + fy * (b[l] - a[l]);
            }
            rowgrid.push(v);
        }
    }
    table.clear();
    let last_x = gw as isize - 1;
    let last_z = gd as isize - 1;
    for s in 0..=gw {
        let xa = (s as isize - 1).clamp(0, last_x) as usize;
        let xb = (s as isize).clamp(0, last_x) as usize;
        for dd in 0..=gd {
            let da = (dd as isize - 1).clamp(0, last_z) as usize;
            let db = (dd as isize).clamp(0, last_z) as usize;
            let aa = &rowgrid[xa * gd + da];
            let ba = &rowgrid[xb * gd + da];
            let ab = &rowgrid[xa * gd + db];
            let bb = &rowgrid[xb * gd + db];
            let mut e = Entry([[0.0; LANES]; 4]);
            for l in 0..LANES {
                let q = ba[l] - aa[l];
                e.0[0][l] = aa[l];
                e.0[1][l] = q;
                e.0[2][l] = ab[l] - aa[l];
                e.0[3][l] = (bb[l] - ab[l]) - q;
            }
            table.push(e);
        }
    }
}

/// Rows `y_start..` of the image: `input` and `output` both start at row `y_start` and hold
/// whole rows (`output` decides how many).
#[inline(always)]
fn process_rows<S: Sample, D: Sample>(sh: &Shared, y_start: usize, input: &[S], output: &mut [D]) {
    let (w, ch) = (sh.width, sh.channels);
    let gd = sh.grid.depth();
    let dstride = gd + 1;
    let depth = gd as f32;
    let mut rowgrid = Vec::with_capacity(sh.grid.width() * gd);
    let mut table = Vec::with_capacity((sh.grid.width() + 1) * dstride);
    let rows = output.len() / (w * ch);
    for r in 0..rows {
        let y = y_start + r;
        let src = &input[r * w * ch..(r + 1) * w * ch];
        let dst = &mut output[r * w * ch..(r + 1) * w * ch];
        let mask_row = sh.mask.map(|m| {
            let (a, b, f) = Mask::axis(y, sh.height, m.height);
            (
                &m.data[a * m.width..(a + 1) * m.width],
                &m.data[b * m.width..(b + 1) * m.width],
                f,
            )
        });
        if sh.strength == 0.0 {
            copy_row(src, dst);
            continue;
        }
        build_row_table(sh, y, &mut rowgrid, &mut table);
        for x in 0..w {
            let px = &src[x * ch..x * ch + ch];
            let p = [px[0].to_unit(), px[1].to_unit(), px[2].to_unit()];
            let k = match &mask_row {
                Some(m) => sh.strength * sh.mask_at(m, x),
                None => sh.strength,
            };
            let o = &mut dst[x * ch..x * ch + ch];
            if ch == 4 {
                o[3] = D::from_unit(px[3].to_unit());
            }
            if k == 0.0 {
                for c in 0..3 {
                    o[c] = D::from_unit(p[c]);
                }
                continue;
            }
            let z = sh.guide.z(p);
            let gz = z * depth - 0.5;
            let d0 = gz.floor();
            let fz = gz - d0;
            let dd = ((d0 as i32) + 1).clamp(0, gd as i32) as usize;
            let (seg, fx) = sh.cols[x];
            let e = &table[seg as usize * dstride + dd].0;
            let mut a = [0.0f32; LANES];
            for l in 0..LANES {
                a[l] = e[0][l] + fx * e[1][l] + fz * (e[2][l] + fx * e[3][l]);
            }
            for c in 0..3 {
                let ap = a[c] * p[0] + a[4 + c] * p[1] + a[8 + c] * p[2] + a[12 + c];
                o[c] = D::from_unit(p[c] + k * (ap - p[c]));
            }
        }
    }
}

#[inline(always)]
/// A row at strength 0: the input converted to the output type (bit-exact for equal types).
pub(crate) fn copy_row<S: Sample, D: Sample>(src: &[S], dst: &mut [D]) {
    for (o, i) in dst.iter_mut().zip(src) {
        *o = D::from_unit(i.to_unit());
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn process_rows_avx2<S: Sample, D: Sample>(sh: &Shared, y: usize, i: &[S], o: &mut [D]) {
    process_rows(sh, y, i, o)
}

/// One grid prepared for the fast kernels: the per-image tables and, for the hand-written SIMD
/// kernels, the per-grid-row tables.
pub(crate) struct Prepared<'a> {
    kernel: Kernel,
    sh: Shared<'a>,
    #[cfg(target_arch = "x86_64")]
    tables: Option<super::simd::GridTables>,
}

impl<'a> Prepared<'a> {
    pub(crate) fn new(
        kernel: Kernel,
        grid: &'a BilateralGrid,
        guide: &GuideMap,
        (w, h, ch): (usize, usize, usize),
        params: &ApplyParams<'a>,
    ) -> Self {
        let kernel = if kernel.is_supported() && kernel != Kernel::Reference {
            kernel
        } else {
            Kernel::Portable
        };
        let gw = grid.width();
        let cols: Vec<(u32, f32)> = (0..w)
            .map(|x| {
                let g = (x as f64 + 0.5) * gw as f64 / w as f64 - 0.5;
                let f0 = g.floor();
                let seg = ((f0 as i64) + 1).clamp(0, gw as i64) as u32;
                (seg, (g - f0) as f32)
            })
            .collect();
        let mut fx: Vec<f32> = cols.iter().map(|c| c.1).collect();
        fx.extend_from_slice(&[0.0; 16]);
        let mut runs: Vec<(u32, u32, u32)> = Vec::new();
        for (x, &(seg, _)) in cols.iter().enumerate() {
            match runs.last_mut() {
                Some(r) if r.0 == seg => r.2 = x as u32 + 1,
                _ => runs.push((seg, x as u32, x as u32 + 1)),
            }
        }
        let mask_cols = match params.mask {
            Some(m) => (0..w)
                .map(|x| {
                    let (a, b, f) = Mask::axis(x, w, m.width);
                    (a as u32, b as u32, f)
                })
                .collect(),
            None => Vec::new(),
        };
        #[cfg(target_arch = "x86_64")]
        let tables = match kernel {
            Kernel::Avx2 | Kernel::Avx512 => {
                let lanes = if kernel == Kernel::Avx512 { 16 } else { 8 };
                super::simd::supports_depth(lanes, grid.depth())
                    .then(|| super::simd::GridTables::new(grid))
            }
            _ => None,
        };
        #[cfg(not(target_arch = "x86_64"))]
        let tables: Option<()> = None;
        let mask_x = match params.mask {
            Some(m) if tables.is_some() && m.width != w => {
                let mut rows = vec![0f32; m.height * w];
                rows.par_chunks_mut(w)
                    .zip(m.data.par_chunks(m.width))
                    .for_each(|(o, mr)| {
                        for (v, &(c0, c1, f)) in o.iter_mut().zip(&mask_cols) {
                            let (a, b) = (mr[c0 as usize], mr[c1 as usize]);
                            *v = a + f * (b - a);
                        }
                    });
                Some(rows)
            }
            _ => None,
        };
        let sh = Shared {
            grid,
            guide: FastGuide::new(guide),
            cols,
            fx,
            runs,
            mask_cols,
            mask: params.mask,
            mask_x,
            strength: params.strength,
            width: w,
            height: h,
            channels: ch,
        };
        Self {
            kernel,
            sh,
            #[cfg(target_arch = "x86_64")]
            tables,
        }
    }

    /// Slice-and-apply rows `y..` (see [`process_rows`] for the slices' layout).
    #[inline]
    pub(crate) fn rows<S: Sample, D: Sample>(&self, y: usize, input: &[S], out: &mut [D]) {
        let sh = &self.sh;
        match self.kernel {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Prepared::new` checked the CPU features (`is_supported`).
            Kernel::Avx2 if self.tables.is_some() => unsafe {
                let t = self.tables.as_ref().expect("checked");
                super::simd::process_rows_avx2(&[(sh, t)], y, input, out)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            Kernel::Avx512 if self.tables.is_some() => unsafe {
                let t = self.tables.as_ref().expect("checked");
                super::simd::process_rows_avx512(&[(sh, t)], y, input, out)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above (AVX-512 implies AVX2 + FMA here).
            Kernel::Avx512 | Kernel::Avx2 => unsafe { process_rows_avx2(sh, y, input, out) },
            _ => process_rows(sh, y, input, out),
        }
    }
}

/// Rows per parallel band: enough bands for load balance, large enough to amortise per-band
/// set-up.
fn band_rows(h: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    (h / (threads * 16)).clamp(1, 64)
}

/// A chain of grids in one pass over the image (one stage: the plain slice). The SIMD kernels
/// run every stage on pixels in registers; otherwise each row goes through the stages in a
/// pair of f32 row buffers. Either way the result equals applying the stages one after
/// another through full-size f32 intermediates, without allocating or streaming them.
pub(crate) fn slice_apply_chain_fast<S: Sample, D: Sample>(
    kernel: Kernel,
    stages: &[super::Stage],
    guide: &GuideMap,
    input: ImageRef<S>,
    output: ImageMut<D>,
) {
    let (w, h, ch) = (input.width, input.height, input.channels);
    let preps: Vec<Prepared> = stages
        .iter()
        .map(|s| Prepared::new(kernel, s.grid, guide, (w, h, ch), &s.params))
        .collect();
    let Some((last, first)) = preps.split_last() else {
        output
            .data
            .par_chunks_mut(w * ch)
            .zip(input.data.par_chunks(w * ch))
            .for_each(|(o, i)| copy_row(i, o));
        return;
    };
    let band = band_rows(h);
    let row_len = w * ch;
    #[cfg(target_arch = "x86_64")]
    {
        // The hand-written SIMD kernels run the whole chain on pixels in registers.
        let fused: Option<Vec<super::simd::ChainStage>> = preps
            .iter()
            .map(|p| p.tables.as_ref().map(|t| (&p.sh, t)))
            .collect();
        let lanes = match last.kernel {
            Kernel::Avx512 => 16,
            _ => 8,
        };
        if let Some(st) = fused.filter(|st| super::simd::fusable(st, lanes)) {
            let avx512 = last.kernel == Kernel::Avx512;
            output
                .data
                .par_chunks_mut(band * row_len)
                .enumerate()
                .for_each(|(b, out)| {
                    let (y, i) = (b * band, &input.data[b * band * row_len..]);
                    // SAFETY: every stage has SIMD tables, which `Prepared::new` builds only
                    // for a supported kernel (CPU features checked).
                    unsafe {
                        if avx512 {
                            super::simd::process_rows_avx512(&st, y, i, out)
                        } else {
                            super::simd::process_rows_avx2(&st, y, i, out)
                        }
                    }
                });
            return;
        }
    }
    if first.is_empty() {
        // One stage: bands of rows straight from input to output.
        output
            .data
            .par_chunks_mut(band * row_len)
            .enumerate()
            .for_each(|(b, out)| {
                let y = b * band;
                last.rows(y, &input.data[y * row_len..], out)
            });
        return;
    }
    // Otherwise each row goes through the stages in f32 row buffers.
    output
        .data
        .par_chunks_mut(band * row_len)
        .enumerate()
        .for_each(|(b, out)| {
            let mut cur = vec![0f32; row_len];
            let mut next = vec![0f32; row_len];
            for (r, dst) in out.chunks_mut(row_len).enumerate() {
                let y = b * band + r;
                first[0].rows(y, &input.data[y * row_len..(y + 1) * row_len], &mut cur);
                for p in &first[1..] {
                    p.rows(y, &cur, &mut next);
                    std::mem::swap(&mut cur, &mut next);
                }
                last.rows(y, &cur, dst);
            }
        });
}
