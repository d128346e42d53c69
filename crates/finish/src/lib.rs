//! # retouch-finish
//!
//! A deterministic photo-finishing pipeline with documented formulas: the "controlled
//! photo-finishing process" of the paper's dataset (section 3.1), used to make retouching
//! triplets with known parameters. Global operations ([`ops`]), named looks ([`looks`]) and soft
//! region masks ([`mask`]). Images are RGB, interleaved, sRGB-encoded f32 in [0, 1].

pub mod auto;
pub mod blur;
pub mod color;
pub mod correction;
pub mod curve;
pub mod features;
pub mod keep;
pub mod lab;
pub mod looks;
pub mod mask;
pub mod ops;
pub mod params;
pub mod region;

pub use looks::Look;
pub use mask::{apply_masked, render as render_mask, MaskSpec};
pub use ops::apply;
pub use params::{HslAdjust, Params, SplitToning, HSL_BANDS};
pub use region::{Region, RegionMask};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum FinishError {
    #[error("parameter {name} = {value} is outside [{lo}, {hi}]")]
    Range {
        name: String,
        value: f32,
        lo: f32,
        hi: f32,
    },
    #[error("{0}")]
    Invalid(String),
}

/// An RGB image, interleaved, sRGB-encoded values in [0, 1].
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

impl Image {
    pub fn new(width: usize, height: usize, data: Vec<f32>) -> Result<Self, FinishError> {
        if width == 0 || height == 0 || data.len() != width * height * 3 {
            return Err(FinishError::Invalid(format!(
                "{} values do not make a {width}x{height} RGB image",
                data.len()
            )));
        }
        Ok(Self {
            width,
            height,
            data,
        })
    }

    /// From 8-bit RGB.
    pub fn from_rgb8(width: usize, height: usize, px: &[u8]) -> Result<Self, FinishError> {
        Self::new(
            width,
            height,
            px.iter().map(|&v| v as f32 / 255.0).collect(),
        )
    }

    /// To 8-bit RGB (rounded).
    pub fn to_rgb8(&self) -> Vec<u8> {
        self.data
            .iter()
            .map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect()
    }
}
