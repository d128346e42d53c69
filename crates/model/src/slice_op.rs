//! The engine's slice-and-apply as a candle op with an exact backward pass.
//!
//! Written as `index_select`/`gather` composites, slicing was over half of a candle training
//! step; this op calls the engine's hand-written forward and backward
//! ([`retouch_engine::grad`]) instead. Inputs:
//!
//! - grid `[B, GH, GW, GD, 12]` (the engine's row-major 3x4 layout),
//! - image `[B, H, W, 3]`, RGB in `[0, 1]`, interleaved,
//! - guide `[GuideMap::NUM_PARAMS]` (the engine's flattened guidance parameters, shared by the batch).
//!
//! Output `[B, H, W, 3]`, not clamped (a loss penalises out-of-gamut values).

use candle_core::{CpuStorage, CustomOp3, Layout, Shape, Tensor};
use retouch_engine::grid::COEFFS;
use retouch_engine::{grad, BilateralGrid, GuideMap};

/// `out = p + strength * (A(p) p - p)` for every pixel, A sliced from the grid by the guide.
#[derive(Clone, Copy, Debug)]
pub struct SliceApply {
    pub strength: f32,
}

fn contiguous<'a>(s: &'a CpuStorage, l: &Layout, what: &str) -> candle_core::Result<&'a [f32]> {
    let data = s.as_slice::<f32>()?;
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&data[a..b]),
        None => candle_core::bail!("retouch-slice: {what} must be contiguous"),
    }
}

struct Dims {
    b: usize,
    gh: usize,
    gw: usize,
    gd: usize,
    h: usize,
    w: usize,
}

fn dims(grid: &Shape, image: &Shape, guide: &Shape) -> candle_core::Result<Dims> {
    let (b, gh, gw, gd, c) = grid.dims5()?;
    let (bi, h, w, ch) = image.dims4()?;
    if c != COEFFS || ch != 3 || bi != b {
        candle_core::bail!(
            "retouch-slice: grid {grid:?} and image {image:?} must be [B,GH,GW,GD,12] and [B,H,W,3]"
        );
    }
    if guide.elem_count() != GuideMap::NUM_PARAMS {
        candle_core::bail!(
            "retouch-slice: guide has {} values, expected {}",
            guide.elem_count(),
            GuideMap::NUM_PARAMS
        );
    }
    Ok(Dims {
        b,
        gh,
        gw,
        gd,
        h,
        w,
    })
}

fn engine_err(e: retouch_engine::EngineError) -> candle_core::Error {
    candle_core::Error::Msg(format!("retouch-slice: {e}"))
}

impl CustomOp3 for SliceApply {
    fn name(&self) -> &'static str {
        "retouch-slice-apply"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let d = dims(l1.shape(), l2.shape(), l3.shape())?;
        let grid = contiguous(s1, l1, "grid")?;
        let image = contiguous(s2, l2, "image")?;
        let guide = GuideMap::from_flat(contiguous(s3, l3, "guide")?).map_err(engine_err)?;
        let (gn, n) = (d.gh * d.gw * d.gd * COEFFS, d.h * d.w * 3);
        let mut out = Vec::with_capacity(d.b * n);
        for i in 0..d.b {
            let g = BilateralGrid::from_data(d.gh, d.gw, d.gd, grid[i * gn..(i + 1) * gn].to_vec())
                .map_err(engine_err)?;
            let o = grad::forward(
                &g,
                &guide,
                &image[i * n..(i + 1) * n],
                d.w,
                d.h,
                self.strength,
            )
            .map_err(engine_err)?;
            out.extend_from_slice(&o);
        }
        Ok((CpuStorage::F32(out), Shape::from((d.b, d.h, d.w, 3))))
    }

    fn bwd(
        &self,
        grid: &Tensor,
        image: &Tensor,
        guide: &Tensor,
        _res: &Tensor,
        grad_res: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let d = dims(grid.shape(), image.shape(), guide.shape())?;
        let gv = grid.flatten_all()?.to_vec1::<f32>()?;
        let iv = image.flatten_all()?.to_vec1::<f32>()?;
        let ov = grad_res.flatten_all()?.to_vec1::<f32>()?;
        let guide_map =
            GuideMap::from_flat(&guide.flatten_all()?.to_vec1::<f32>()?).map_err(engine_err)?;
        let (gn, n) = (d.gh * d.gw * d.gd * COEFFS, d.h * d.w * 3);
        let mut d_grid = Vec::with_capacity(gv.len());
        let mut d_image = Vec::with_capacity(iv.len());
        let mut d_guide = vec![0f32; GuideMap::NUM_PARAMS];
        for i in 0..d.b {
            let g = BilateralGrid::from_data(d.gh, d.gw, d.gd, gv[i * gn..(i + 1) * gn].to_vec())
                .map_err(engine_err)?;
            let r = grad::backward_fused(
                &g,
                &guide_map,
                &iv[i * n..(i + 1) * n],
                d.w,
                d.h,
                self.strength,
                &ov[i * n..(i + 1) * n],
            )
            .map_err(engine_err)?;
            d_grid.extend_from_slice(&r.grid);
            d_image.extend_from_slice(&r.image);
            for (a, b) in d_guide.iter_mut().zip(r.guide.flatten()) {
                *a += b;
            }
        }
        let dev = grid.device();
        Ok((
            Some(Tensor::from_vec(d_grid, grid.shape(), dev)?),
            Some(Tensor::from_vec(d_image, image.shape(), dev)?),
            Some(Tensor::from_vec(d_guide, guide.shape(), dev)?),
        ))
    }
}

/// Slice-and-apply `image` with `grid` and `guide` (see the module docs for shapes).
pub fn slice_apply(
    grid: &Tensor,
    image: &Tensor,
    guide: &Tensor,
    strength: f32,
) -> candle_core::Result<Tensor> {
    grid.apply_op3(image, guide, SliceApply { strength })
}
