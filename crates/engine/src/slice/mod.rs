//! Slice-and-apply (paper section 3.3): per pixel, trilinear interpolation of the grid at
//! `(x, y, g(pixel))`, then `out = A (r, g, b, 1)`.
//!
//! Strength `s` and mask `m` (paper section 4.4, "soft bilateral blending"): with `k = s * m(x, y)`
//! the applied transform is `A_k = I + k (A - I)`, computed as `out = p + k (A p - p)`. So `k = 0`
//! returns the pixel bit-exactly, `k = 1` is the full edit and `k > 1` extrapolates. What is
//! blended is the sliced *transform* (equivalently, because it is affine, the output colour);
//! the mask is sampled bilinearly at each pixel centre, so it may have any size.
//!
//! Two implementations: [`reference`] (scalar, f64, obviously correct) and [`fast`] (f32,
//! threads, per-row precomputed tables, compiled for several instruction sets and picked at
//! run time). Tests compare them pixel by pixel.

pub mod fast;
pub mod reference;
#[cfg(target_arch = "x86_64")]
mod simd;

use crate::error::{EngineError, Result};
use crate::grid::BilateralGrid;
use crate::guide::GuideMap;
use crate::image::{ImageMut, ImageRef, Mask, Sample};

/// What the user asked for, beside the grid: how strong, and where.
#[derive(Clone, Copy, Debug)]
pub struct ApplyParams<'a> {
    pub strength: f32,
    pub mask: Option<&'a Mask>,
}

impl Default for ApplyParams<'_> {
    fn default() -> Self {
        Self {
            strength: 1.0,
            mask: None,
        }
    }
}

/// One step of a chain ([`slice_apply_chain_with`]): a grid, and how strongly and where it
/// applies.
#[derive(Clone, Copy, Debug)]
pub struct Stage<'a> {
    pub grid: &'a BilateralGrid,
    pub params: ApplyParams<'a>,
}

/// Which implementation runs slice-and-apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Scalar f64 reference, single thread.
    Reference,
    /// The fast path compiled for the baseline instruction set.
    Portable,
    /// The fast path with hand-written AVX2 + FMA intrinsics (structure of arrays, 8 pixels at
    /// a time) for grid depths 2..=9; other depths run the portable code compiled for AVX2.
    Avx2,
    /// The same kernel with AVX-512 F/BW/DQ/VL/VBMI (16 pixels at a time; Ice Lake, Zen 4 and
    /// later) for grid depths 2..=17.
    Avx512,
}

impl Kernel {
    /// Whether this machine can run the kernel.
    pub fn is_supported(self) -> bool {
        match self {
            Kernel::Reference | Kernel::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                Kernel::Avx2.is_supported()
                    && is_x86_feature_detected!("avx512f")
                    && is_x86_feature_detected!("avx512vl")
                    && is_x86_feature_detected!("avx512bw")
                    && is_x86_feature_detected!("avx512dq")
                    && is_x86_feature_detected!("avx512vbmi")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// All kernels this machine can run.
    pub fn available() -> Vec<Kernel> {
        [
            Kernel::Reference,
            Kernel::Portable,
            Kernel::Avx2,
            Kernel::Avx512,
        ]
        .into_iter()
        .filter(|k| k.is_supported())
        .collect()
    }

    /// The fastest kernel this machine can run.
    pub fn best() -> Kernel {
        *Self::available()
            .iter()
            .rev()
            .find(|k| **k != Kernel::Reference)
            .unwrap_or(&Kernel::Portable)
    }

    pub fn name(self) -> &'static str {
        match self {
            Kernel::Reference => "reference",
            Kernel::Portable => "portable",
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512",
        }
    }
}

/// Check the image pair and the guide once, and every stage's strength and grid (in that
/// order, so one stage is checked as a plain slice always was).
fn validate<S, D>(
    stages: &[Stage],
    guide: &GuideMap,
    input: &ImageRef<S>,
    output: &ImageMut<D>,
) -> Result<()> {
    if (input.width, input.height) != (output.width, output.height) {
        return Err(EngineError::SizeMismatch(
            input.width,
            input.height,
            output.width,
            output.height,
        ));
    }
    if input.channels != output.channels {
        return Err(EngineError::Channels(output.channels));
    }
    if let Some(s) = stages.iter().find(|s| !s.params.strength.is_finite()) {
        return Err(EngineError::Strength(s.params.strength));
    }
    guide.validate()?;
    if stages
        .iter()
        .any(|s| s.grid.data().iter().any(|v| !v.is_finite()))
    {
        return Err(EngineError::GridNotFinite);
    }
    Ok(())
}

/// Slice-and-apply with the fastest kernel available.
pub fn slice_apply<S: Sample, D: Sample>(
    grid: &BilateralGrid,
    guide: &GuideMap,
    input: ImageRef<S>,
    output: ImageMut<D>,
    params: &ApplyParams,
) -> Result<()> {
    slice_apply_with(Kernel::best(), grid, guide, input, output, params)
}

/// Slice-and-apply with a chosen kernel (falls back to the portable one if unsupported): a
/// chain of one stage.
pub fn slice_apply_with<S: Sample, D: Sample>(
    kernel: Kernel,
    grid: &BilateralGrid,
    guide: &GuideMap,
    input: ImageRef<S>,
    output: ImageMut<D>,
    params: &ApplyParams,
) -> Result<()> {
    let stage = Stage {
        grid,
        params: *params,
    };
    slice_apply_chain_with(kernel, &[stage], guide, input, output)
}

/// Several grids applied one after another, in one pass over the image: pixel `p` becomes
/// `p_n`, with `p_i = p_{i-1} + k_i (A_i(x, y, g(p_{i-1})) p_{i-1} - p_{i-1})`. The guide is
/// evaluated on each stage's input, exactly as if the stages ran one by one through f32
/// images (which is what the fast kernel computes, without the full-size intermediates); this
/// is how a region edit ("darken the sky") follows a whole-photo one in one slice. With no
/// stage, the output is the input converted to the output's sample type.
pub fn slice_apply_chain_with<S: Sample, D: Sample>(
    kernel: Kernel,
    stages: &[Stage],
    guide: &GuideMap,
    input: ImageRef<S>,
    output: ImageMut<D>,
) -> Result<()> {
    validate(stages, guide, &input, &output)?;
    match kernel {
        Kernel::Reference => reference::slice_apply_chain_reference(stages, guide, input, output),
        k => fast::slice_apply_chain_fast(k, stages, guide, input, output),
    }
    Ok(())
}
