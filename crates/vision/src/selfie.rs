//! MediaPipe selfie segmentation (the general 256x256 model): how likely each pixel is to be
//! a person, frozen, with Google's weights.
//!
//! ```text
//! rgb [3,256,256] in 0..1 --3x3 s2 conv, hard-swish--> 16 @ 128
//!   MobileNetV3-style encoder (squeeze-and-excitation, hard-swish) down to 128 @ 16,
//!   decoder: 3 x (bilinear 2x up, 1x1 conv, skip add, channel attention) back to 16 @ 128
//!   --2x2 stride-2 transposed conv--> 1 @ 256 --sigmoid--> person probability
//! ```
//!
//! The network is not written out layer by layer: `scripts/tflite/convert.py` turns the
//! original `.tflite` into a safetensors file whose metadata holds the graph (136 operations of
//! ten kinds, checked there against what `crate::graph` runs) and whose tensors are the
//! original f16 weights under their original names; [`SelfieSegmenter::load`] builds the graph
//! and [`SelfieSegmenter::segment`] runs it. Parity with MediaPipe's own graph in
//! `tests/selfie_parity.rs`.

use std::path::Path;

use crate::conv::Planes;
use crate::graph::Graph;
use crate::weights::{self, Weights};
use crate::VisionError;

/// The weights file, relative to the models directory.
pub const WEIGHTS: &str = "selfie/selfie-segmentation.safetensors";
/// The side the network was trained at (MediaPipe stretches any photo to it).
pub const SIDE: usize = 256;
/// Input sides must be multiples of this (four stride-2 steps, undone by the decoder).
pub const SIDE_MULTIPLE: usize = 16;

/// The network, ready to run.
#[derive(Clone, Debug)]
pub struct SelfieSegmenter {
    graph: Graph,
}

impl SelfieSegmenter {
    /// The shipped weights (see [`WEIGHTS`]), found like every model file.
    pub fn load_default() -> Result<Self, VisionError> {
        Self::load(&retouch_locate::model_path(WEIGHTS))
    }

    pub fn load(path: &Path) -> Result<Self, VisionError> {
        let bytes = weights::read(path)?;
        let w = Weights::parse(path, &bytes)?;
        let output = w.metadata("output")?;
        Ok(SelfieSegmenter {
            graph: Graph::load(&w, &[output])?,
        })
    }

    /// Person probability per pixel, `[1, H, W]`, for `input` (`[3, H, W]` RGB in 0..1; see
    /// [`input_from_rgb8`]). The network was trained at [`SIDE`] x [`SIDE`]; any sides that
    /// are multiples of [`SIDE_MULTIPLE`] run.
    pub fn segment(&self, input: &Planes) -> Result<Planes, VisionError> {
        self.run(input, false)
    }

    /// [`Self::segment`] through the scalar reference convolutions only.
    pub fn segment_reference(&self, input: &Planes) -> Result<Planes, VisionError> {
        self.run(input, true)
    }

    fn run(&self, input: &Planes, reference: bool) -> Result<Planes, VisionError> {
        if input.channels != 3
            || input.height < 2 * SIDE_MULTIPLE
            || input.width < 2 * SIDE_MULTIPLE
            || !input.height.is_multiple_of(SIDE_MULTIPLE)
            || !input.width.is_multiple_of(SIDE_MULTIPLE)
        {
            return Err(VisionError::Sides {
                channels: input.channels,
                height: input.height,
                width: input.width,
                multiple: SIDE_MULTIPLE,
                min: 2 * SIDE_MULTIPLE,
            });
        }
        let mut out = self.graph.run(input, reference)?;
        Ok(out.remove(0))
    }
}

/// `[3, H, W]` network input from interleaved 8-bit RGB: `v / 255` (MediaPipe's 0..1 range).
pub fn input_from_rgb8(rgb: &[u8], width: usize, height: usize) -> Planes {
    Planes::from_interleaved(width, height, |i| rgb[i] as f32 / 255.0)
}

/// `[3, H, W]` network input from interleaved RGB already in 0..1.
pub fn input_from_unit_rgb(rgb: &[f32], width: usize, height: usize) -> Planes {
    Planes::from_interleaved(width, height, |i| rgb[i])
}
