//! dlib's face recognition ResNet (`dlib_face_recognition_resnet_model_v1`, Davis King, CC0):
//! a 150x150 aligned face chip to a 128-d descriptor; two photos of one person are within
//! [`SAME_PERSON`] of each other (Euclidean), as dlib documents it.
//!
//! ```text
//! (rgb * 255 - mean) / 256 -> 7x7/2 conv 32, relu, 3x3/2 max pool
//!   -> residual blocks: 3 x 32, 4 x 64, 3 x 128, 3 x 256, 1 x 256 (the first of each
//!      level after the first halves the size: its 3x3 conv has stride 2 and its shortcut
//!      a 2x2 average pool)
//!   -> global average pool -> 128 (fully connected, no bias)
//! ```
//!
//! A block is `relu(bn(conv(relu(bn(conv(x))))) + shortcut)`. As in dlib, strided
//! convolutions and pools do not pad (3x3 convolutions at stride 1 pad 1), and a sum of two
//! tensors of different sizes zero-pads the smaller one (channels and, where a stride-2
//! convolution and a 2x2 pool disagree on an odd side, the last row and column). The batch
//! norms are folded into the convolutions by `scripts/faces/convert_dlib.py`.

use std::path::Path;

use serde::Deserialize;

use crate::conv::{Conv, Padding, Planes};
use crate::weights::{self, Weights};
use crate::VisionError;

/// The weights file, relative to the models directory.
pub const WEIGHTS: &str = "faces/dlib-face-recognition-resnet.safetensors";
/// The chip's side.
pub const CHIP: usize = 150;
/// Descriptors of one person are closer than this (dlib's threshold).
pub const SAME_PERSON: f32 = 0.6;
const LEVELS: [(usize, usize); 5] = [(32, 3), (64, 4), (128, 3), (256, 3), (256, 1)];

/// A face's 128-d descriptor.
#[derive(Clone, Debug, PartialEq)]
pub struct Descriptor(pub Vec<f32>);

impl Descriptor {
    /// Euclidean distance (dlib's measure).
    pub fn distance(&self, other: &Descriptor) -> f32 {
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f32>()
            .sqrt()
    }

    /// Cosine similarity (the paper's identity measure).
    pub fn cosine(&self, other: &Descriptor) -> f32 {
        let dot: f32 = self.0.iter().zip(&other.0).map(|(a, b)| a * b).sum();
        let norm = |v: &[f32]| v.iter().map(|a| a * a).sum::<f32>().sqrt();
        dot / (norm(&self.0) * norm(&other.0)).max(f32::MIN_POSITIVE)
    }
}

#[derive(Deserialize)]
struct ConvMeta {
    stride: usize,
    padding: usize,
    kernel: usize,
    #[serde(rename = "in")]
    inp: usize,
    out: usize,
}

#[derive(Clone, Debug)]
struct Block {
    first: Conv,
    second: Conv,
    /// The shortcut is a 2x2 stride-2 average pool (the block halves the size).
    down: bool,
}

/// The network, ready to run.
#[derive(Clone, Debug)]
pub struct FaceEmbedder {
    means: [f32; 3],
    stem: Conv,
    blocks: Vec<Block>,
    /// `[128, 256]`.
    fc: Vec<f32>,
}

impl FaceEmbedder {
    /// The shipped weights (see [`WEIGHTS`]), found like every model file.
    pub fn load_default() -> Result<Self, VisionError> {
        Self::load(&retouch_locate::model_path(WEIGHTS))
    }

    pub fn load(path: &Path) -> Result<Self, VisionError> {
        let bytes = weights::read(path)?;
        let w = Weights::parse(path, &bytes)?;
        let format = |message: String| w.invalid(message);
        let means: Vec<f32> = serde_json::from_str(w.metadata("means")?)
            .map_err(|e| format(format!("means: {e}")))?;
        let metas: Vec<ConvMeta> = serde_json::from_str(w.metadata("convolutions")?)
            .map_err(|e| format(format!("convolutions: {e}")))?;
        let blocks: usize = LEVELS.iter().map(|l| l.1).sum();
        if means.len() != 3 || metas.len() != 1 + 2 * blocks {
            return Err(format(format!(
                "{} means and {} convolutions, expected 3 and {}",
                means.len(),
                metas.len(),
                1 + 2 * blocks
            )));
        }
        let conv = |i: usize| -> Result<Conv, VisionError> {
            let m = &metas[i];
            let weight = w.get(
                &format!("conv{i}.weight"),
                &[m.out, m.inp, m.kernel, m.kernel],
            )?;
            let bias = w.get(&format!("conv{i}.bias"), &[m.out])?;
            Ok(
                Conv::new(weight, bias, m.out, m.inp, m.kernel, m.stride, 1, false)?
                    .with_padding(Padding::Explicit(m.padding)),
            )
        };
        let stem = conv(0)?;
        let mut list = Vec::with_capacity(blocks);
        let mut i = 1;
        let mut channels = stem.out_channels;
        for (level, &(width, count)) in LEVELS.iter().enumerate() {
            for b in 0..count {
                let down = level > 0 && b == 0;
                let (first, second) = (conv(i)?, conv(i + 1)?);
                i += 2;
                let stride = if down { 2 } else { 1 };
                if first.in_channels != channels
                    || first.out_channels != width
                    || second.out_channels != width
                    || first.stride != stride
                    || second.stride != 1
                {
                    return Err(format(format!("block {} is not dlib's", list.len())));
                }
                channels = width;
                list.push(Block {
                    first,
                    second,
                    down,
                });
            }
        }
        let fc = w.get("fc.weight", &[128, channels])?;
        Ok(FaceEmbedder {
            means: [means[0], means[1], means[2]],
            stem,
            blocks: list,
            fc,
        })
    }

    /// The descriptor of a [`CHIP`] x [`CHIP`] chip (interleaved RGB in 0..1; see
    /// [`crate::face::chip`]).
    pub fn embed(&self, chip: &[f32]) -> Result<Descriptor, VisionError> {
        self.run(chip, false)
    }

    /// [`Self::embed`] through the scalar reference convolutions only.
    pub fn embed_reference(&self, chip: &[f32]) -> Result<Descriptor, VisionError> {
        self.run(chip, true)
    }

    fn run(&self, chip: &[f32], reference: bool) -> Result<Descriptor, VisionError> {
        if chip.len() != CHIP * CHIP * 3 {
            return Err(VisionError::Shape(format!(
                "face descriptor: {} values, expected a {CHIP}x{CHIP} RGB chip",
                chip.len()
            )));
        }
        let x = Planes::from_interleaved(CHIP, CHIP, |i| {
            (chip[i] * 255.0 - self.means[i % 3]) / 256.0
        });
        let mut x = relu(self.stem.run(&x, reference)?);
        x = max_pool3(&x);
        for b in &self.blocks {
            let y = relu(b.first.run(&x, reference)?);
            let y = b.second.run(&y, reference)?;
            let shortcut = if b.down { avg_pool2(&x) } else { x };
            x = relu(padded_sum(&y, &shortcut));
        }
        let pooled = x.channel_means();
        let d = self
            .fc
            .chunks_exact(pooled.len())
            .map(|row| row.iter().zip(&pooled).map(|(w, v)| w * v).sum())
            .collect();
        Ok(Descriptor(d))
    }
}

fn relu(mut x: Planes) -> Planes {
    for v in &mut x.data {
        *v = v.max(0.0);
    }
    x
}

/// A `k`x`k` stride-2 pool without padding, each window reduced by `f`.
fn pool(x: &Planes, k: usize, f: impl Fn(&mut dyn Iterator<Item = f32>) -> f32) -> Planes {
    let ho = (x.height - k) / 2 + 1;
    let wo = (x.width - k) / 2 + 1;
    let mut out = Planes::zeros(x.channels, ho, wo);
    for c in 0..x.channels {
        let plane = &x.data[c * x.area()..(c + 1) * x.area()];
        for oy in 0..ho {
            for ox in 0..wo {
                let mut taps =
                    (0..k * k).map(|t| plane[(2 * oy + t / k) * x.width + 2 * ox + t % k]);
                out.data[(c * ho + oy) * wo + ox] = f(&mut taps);
            }
        }
    }
    out
}

fn max_pool3(x: &Planes) -> Planes {
    pool(x, 3, |t: &mut dyn Iterator<Item = f32>| {
        t.fold(f32::MIN, f32::max)
    })
}

fn avg_pool2(x: &Planes) -> Planes {
    pool(x, 2, |t: &mut dyn Iterator<Item = f32>| {
        t.sum::<f32>() / 4.0
    })
}

/// `a + b` on the larger of each dimension, the smaller tensor zero-padded after its end
/// (dlib's `add_prev`).
fn padded_sum(a: &Planes, b: &Planes) -> Planes {
    let (c, h, w) = (
        a.channels.max(b.channels),
        a.height.max(b.height),
        a.width.max(b.width),
    );
    let mut out = Planes::zeros(c, h, w);
    for t in [a, b] {
        for ch in 0..t.channels {
            for y in 0..t.height {
                for x in 0..t.width {
                    out.data[(ch * h + y) * w + x] += t.data[(ch * t.height + y) * t.width + x];
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_of_different_sizes_pad_the_smaller_after_its_end() {
        let a = Planes {
            channels: 1,
            height: 1,
            width: 2,
            data: vec![1.0, 2.0],
        };
        let b = Planes {
            channels: 2,
            height: 2,
            width: 2,
            data: vec![10.0; 8],
        };
        let s = padded_sum(&a, &b);
        assert_eq!((s.channels, s.height, s.width), (2, 2, 2));
        assert_eq!(s.data, vec![11.0, 12.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0]);
    }

    #[test]
    fn pools_do_not_pad() {
        let x = Planes {
            channels: 1,
            height: 3,
            width: 5,
            data: (0..15).map(|v| v as f32).collect(),
        };
        let m = max_pool3(&x);
        assert_eq!(
            (m.height, m.width, m.data.clone()),
            (1, 2, vec![12.0, 14.0])
        );
        let a = avg_pool2(&x);
        assert_eq!((a.height, a.width), (1, 2));
        assert_eq!(
            a.data,
            vec![(0.0 + 1.0 + 5.0 + 6.0) / 4.0, (2.0 + 3.0 + 7.0 + 8.0) / 4.0]
        );
    }

    #[test]
    fn descriptors_compare_by_distance_and_angle() {
        let a = Descriptor(vec![3.0, 0.0]);
        let b = Descriptor(vec![0.0, 4.0]);
        assert_eq!(a.distance(&b), 5.0);
        assert_eq!(a.cosine(&b), 0.0);
        assert!((a.cosine(&Descriptor(vec![1.0, 0.0])) - 1.0).abs() < 1e-6);
    }
}
