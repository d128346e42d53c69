//! # retouch-engine
//!
//! The part of InstantRetouch that touches every pixel: the bilateral grid of 3x4 affine colour
//! transforms, the learned guidance map, slice-and-apply (a scalar reference and a fast
//! threaded/SIMD kernel), its exact backward pass, and grid fitting (bilateral guided
//! upsampling). No ML framework, no file formats beyond the grid's own safetensors file.

pub mod benchdata;
pub mod error;
pub mod file;
pub mod fit;
pub mod grad;
pub mod grid;
pub mod guide;
pub mod image;
pub mod lut;
pub mod slice;

pub use error::{EngineError, Result};
pub use file::{GridFile, Grids};
pub use grid::BilateralGrid;
pub use guide::GuideMap;
pub use image::{ImageMut, ImageRef, Mask, Sample};
pub use slice::{
    slice_apply, slice_apply_chain_with, slice_apply_with, ApplyParams, Kernel, Stage,
};

/// Worker threads the fast kernels use (rayon's global pool; `RAYON_NUM_THREADS` overrides).
pub fn threads() -> usize {
    rayon::current_num_threads()
}
