//! The patch gather of a 3x3 convolution (padding 1, stride 1 or 2) as one candle op with a
//! hand-written backward (the scatter-add "col2im").
//!
//! [`crate::net::conv3x3`] multiplies the weights by these patches. Written as nine shifted
//! `narrow` views stacked together (kept as [`crate::net::conv3x3_reference`]), the gather cost
//! dozens of small tensor ops per convolution and its backward allocated a zero-padded copy of
//! the input per view; this op does each direction in one pass over memory, threaded over
//! (batch, channel) planes. Tests compare it with the composite, forward and backward, and
//! check the backward by finite differences.
//!
//! Layout: input `[B, C, H, W]`; output `[B, C * 9, Ho * Wo]` with row `c * 9 + dy * 3 + dx`
//! holding `x[c, oy * s + dy - 1, ox * s + dx - 1]` (zero outside the image), `Ho = ceil(H / s)`.

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};
use rayon::prelude::*;

/// Output size along one axis for padding 1, kernel 3.
fn out_len(n: usize, stride: usize) -> usize {
    n.div_ceil(stride)
}

/// The input coordinate a tap reads, if inside the image.
#[inline]
fn src(o: usize, k: usize, stride: usize, n: usize) -> Option<usize> {
    (o * stride + k).checked_sub(1).filter(|&i| i < n)
}

/// Gather one `[H, W]` plane into its nine `[Ho * Wo]` rows (`col`, length `9 * Ho * Wo`).
fn gather_plane(x: &[f32], h: usize, w: usize, stride: usize, col: &mut [f32]) {
    let (ho, wo) = (out_len(h, stride), out_len(w, stride));
    for (k, row) in col.chunks_exact_mut(ho * wo).enumerate() {
        let (dy, dx) = (k / 3, k % 3);
        for (oy, out) in row.chunks_exact_mut(wo).enumerate() {
            match src(oy, dy, stride, h) {
                None => out.fill(0.0),
                Some(iy) => {
                    let line = &x[iy * w..(iy + 1) * w];
                    for (ox, v) in out.iter_mut().enumerate() {
                        *v = src(ox, dx, stride, w).map_or(0.0, |ix| line[ix]);
                    }
                }
            }
        }
    }
}

/// Scatter-add one plane's nine rows back onto its `[H, W]` input gradient (`gx`, zeroed).
fn scatter_plane(col: &[f32], h: usize, w: usize, stride: usize, gx: &mut [f32]) {
    let (ho, wo) = (out_len(h, stride), out_len(w, stride));
    for (k, row) in col.chunks_exact(ho * wo).enumerate() {
        let (dy, dx) = (k / 3, k % 3);
        for (oy, g) in row.chunks_exact(wo).enumerate() {
            if let Some(iy) = src(oy, dy, stride, h) {
                let line = &mut gx[iy * w..(iy + 1) * w];
                for (ox, v) in g.iter().enumerate() {
                    if let Some(ix) = src(ox, dx, stride, w) {
                        line[ix] += v;
                    }
                }
            }
        }
    }
}

fn contiguous<'a>(s: &'a CpuStorage, l: &Layout) -> candle_core::Result<&'a [f32]> {
    let data = s.as_slice::<f32>()?;
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&data[a..b]),
        None => candle_core::bail!("im2col3x3: input must be contiguous"),
    }
}

/// `[B, C, H, W]` -> `[B, C * 9, Ho * Wo]` patches of a padded 3x3 convolution.
#[derive(Clone, Copy, Debug)]
pub struct Im2Col3x3 {
    pub stride: usize,
}

impl CustomOp1 for Im2Col3x3 {
    fn name(&self) -> &'static str {
        "im2col3x3"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let (b, c, h, w) = l.shape().dims4()?;
        let x = contiguous(s, l)?;
        let (ho, wo) = (out_len(h, self.stride), out_len(w, self.stride));
        let mut col = vec![0f32; b * c * 9 * ho * wo];
        col.par_chunks_mut(9 * ho * wo)
            .zip(x.par_chunks(h * w))
            .for_each(|(col, x)| gather_plane(x, h, w, self.stride, col));
        Ok((CpuStorage::F32(col), Shape::from((b, c * 9, ho * wo))))
    }

    fn bwd(
        &self,
        arg: &Tensor,
        _res: &Tensor,
        grad_res: &Tensor,
    ) -> candle_core::Result<Option<Tensor>> {
        let (b, c, h, w) = arg.dims4()?;
        let g = grad_res.contiguous()?.flatten_all()?.to_vec1::<f32>()?;
        let (ho, wo) = (out_len(h, self.stride), out_len(w, self.stride));
        if g.len() != b * c * 9 * ho * wo {
            candle_core::bail!("im2col3x3: gradient has {} values", g.len());
        }
        let mut gx = vec![0f32; b * c * h * w];
        gx.par_chunks_mut(h * w)
            .zip(g.par_chunks(9 * ho * wo))
            .for_each(|(gx, g)| scatter_plane(g, h, w, self.stride, gx));
        Ok(Some(Tensor::from_vec(gx, arg.shape(), arg.device())?))
    }
}

/// Patches of `x` (`[B, C, H, W]`) for a 3x3 convolution with padding 1 and `stride` 1 or 2.
pub fn im2col3x3(x: &Tensor, stride: usize) -> candle_core::Result<Tensor> {
    if stride != 1 && stride != 2 {
        candle_core::bail!("im2col3x3: stride {stride} (1 or 2)");
    }
    x.dims4()?;
    x.contiguous()?.apply_op1(Im2Col3x3 { stride })
}
