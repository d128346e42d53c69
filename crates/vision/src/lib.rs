//! Pretrained image networks, frozen, read in plain Rust: what a photo shows, as numbers the
//! models can use.
//!
//! - [`effnet`]: EfficientNet-Lite0 with its ImageNet weights (the paper's pretrained
//!   low-resolution branch; ours feeds the correction estimator). Weights in
//!   `models/effnet-lite0/`, converted by `scripts/fetch-effnet.sh`; parity with the original
//!   PyTorch implementation in `tests/effnet_parity.rs`.
//! - [`selfie`]: MediaPipe's selfie segmentation (person vs background, a soft mask), for
//!   the regions "the person" and "the background". Weights in `models/selfie/`, converted by
//!   `scripts/fetch-selfie.sh`; parity with MediaPipe's own graph in `tests/selfie_parity.rs`.
//! - [`face`]: faces and who they are: MediaPipe's BlazeFace detector, an aligned chip of
//!   each face, and dlib's face recognition ResNet (a 128-d descriptor), for the benchmark's
//!   identity measure. Weights in `models/faces/`, converted by `scripts/fetch-faces.sh`;
//!   parity with MediaPipe's graph and with dlib itself in `tests/face_parity.rs`.
//! - `graph`: the TensorFlow Lite graphs (selfie, face detector) as the converter writes
//!   them, run op by op.
//! - [`conv`]: the convolutions those networks are made of, batch norm folded in, each fast
//!   path beside the plain scalar reference it is tested against.
//!
//! This crate knows nothing of instructions, grids or the CLI.

pub mod conv;
pub mod effnet;
pub mod face;
mod graph;
pub mod selfie;
mod weights;

pub use conv::{Padding, Planes};
pub use effnet::{EfficientNetLite0, Observation};
pub use selfie::SelfieSegmenter;

/// What can go wrong reading a network or running it.
#[derive(Debug, thiserror::Error)]
pub enum VisionError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a safetensors file ({message})")]
    Format { path: String, message: String },
    #[error("{path}: tensor {name}: {problem}")]
    Tensor {
        path: String,
        name: String,
        problem: String,
    },
    #[error("input is {channels}x{height}x{width}; the network needs 3 channels and at least {min}x{min} pixels")]
    Input {
        channels: usize,
        height: usize,
        width: usize,
        min: usize,
    },
    #[error("input is {channels}x{height}x{width}; the network needs 3 channels and sides that are multiples of {multiple}, at least {min}")]
    Sides {
        channels: usize,
        height: usize,
        width: usize,
        multiple: usize,
        min: usize,
    },
    #[error("operand shapes do not fit: {0}")]
    Shape(String),
    #[error("matrix product failed: {0}")]
    Matmul(#[from] candle_core::Error),
}
