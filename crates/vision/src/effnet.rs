//! EfficientNet-Lite0 (Tan & Le 2019, the "Lite" variant for mobile: ReLU6, no
//! squeeze-and-excitation, stem and head not scaled), frozen, with its ImageNet weights.
//!
//! ```text
//! rgb [3,H,W] in (v - 127) / 128 --3x3 s2 conv--> 32 @ H/2
//!   7 stages of inverted-residual blocks (1x1 expand, kxk depthwise, 1x1 project, skip):
//!   16 @ H/2, 24 @ H/4, 40 @ H/8, 80 @ H/16, 112 @ H/16, 192 @ H/32, 320 @ H/32
//!   --1x1 conv--> 1280 @ H/32 --mean--> pooled [1280] --linear--> ImageNet logits [1000]
//! ```
//!
//! What the product reads is an [`Observation`]: the mean of each stage's output (colour and
//! texture early, objects and scenes late) and the pooled head features. The file is the one
//! `scripts/fetch-effnet.sh` converts: the original tensor names, batch norms unfolded, f16.

use std::path::Path;

use crate::conv::{BatchNorm, Conv, Planes};
use crate::weights::{self, Weights};
use crate::VisionError;

/// Batch norm epsilon of the TensorFlow original.
const BN_EPS: f32 = 1e-3;

/// One stage: (blocks, kernel, first stride, expansion, input channels, output channels).
const STAGES: [(usize, usize, usize, usize, usize, usize); 7] = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
];

/// Channels of each stage's output (from the stage table), their sum, and the head's channels.
pub const STAGE_CHANNELS: [usize; 7] = {
    let mut c = [0; 7];
    let mut i = 0;
    while i < 7 {
        c[i] = STAGES[i].5;
        i += 1;
    }
    c
};
pub const STAGE_TOTAL: usize = {
    let mut sum = 0;
    let mut i = 0;
    while i < 7 {
        sum += STAGE_CHANNELS[i];
        i += 1;
    }
    sum
};
pub const HEAD_CHANNELS: usize = 1280;
/// ImageNet-1k classes of the classifier.
pub const CLASSES: usize = 1000;
/// The smallest input side: five stride-2 steps leave one cell.
pub const MIN_SIDE: usize = 32;

/// The weights file, relative to the models directory.
pub const WEIGHTS: &str = "effnet-lite0/efficientnet-lite0.safetensors";

/// An inverted-residual block.
#[derive(Clone, Debug)]
struct Block {
    expand: Option<Conv>,
    depthwise: Conv,
    project: Conv,
    residual: bool,
}

impl Block {
    fn forward(&self, x: &Planes, reference: bool) -> Result<Planes, VisionError> {
        let expanded = match &self.expand {
            Some(c) => Some(c.run(x, reference)?),
            None => None,
        };
        let y = self
            .depthwise
            .run(expanded.as_ref().unwrap_or(x), reference)?;
        let mut y = self.project.run(&y, reference)?;
        if self.residual {
            for (a, b) in y.data.iter_mut().zip(&x.data) {
                *a += b;
            }
        }
        Ok(y)
    }
}

/// What the backbone sees in a photo.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// The mean of each stage's output, [`STAGE_CHANNELS`] long each.
    pub stage_means: Vec<Vec<f32>>,
    /// The head's output averaged over the image ([`HEAD_CHANNELS`]).
    pub pooled: Vec<f32>,
}

impl Observation {
    /// Stage means then pooled head, one vector (784 + 1280 values).
    pub fn concat(&self) -> Vec<f32> {
        let mut v: Vec<f32> = self.stage_means.concat();
        v.extend_from_slice(&self.pooled);
        v
    }
}

/// The network, batch norms folded into its convolutions.
#[derive(Clone, Debug)]
pub struct EfficientNetLite0 {
    stem: Conv,
    blocks: Vec<Block>,
    /// Index of the last block of each stage.
    stage_ends: Vec<usize>,
    head: Conv,
    /// `[CLASSES, HEAD_CHANNELS]` and `[CLASSES]`.
    fc: (Vec<f32>, Vec<f32>),
}

impl Weights<'_> {
    fn bn(&self, prefix: &str, n: usize) -> Result<BatchNorm, VisionError> {
        Ok(BatchNorm {
            gamma: self.get(&format!("{prefix}.weight"), &[n])?,
            beta: self.get(&format!("{prefix}.bias"), &[n])?,
            mean: self.get(&format!("{prefix}.running_mean"), &[n])?,
            var: self.get(&format!("{prefix}.running_var"), &[n])?,
            eps: BN_EPS,
        })
    }

    /// `{conv}.weight` followed by batch norm `{bn}`.
    #[allow(clippy::too_many_arguments)]
    fn conv(
        &self,
        conv: &str,
        bn: &str,
        out: usize,
        inp: usize,
        k: usize,
        stride: usize,
        groups: usize,
    ) -> Result<Conv, VisionError> {
        let w = self.get(&format!("{conv}.weight"), &[out, inp / groups, k, k])?;
        Conv::fold(w, out, inp, k, stride, groups, &self.bn(bn, out)?, true)
    }
}

impl EfficientNetLite0 {
    /// The shipped weights (see [`WEIGHTS`]), found like every model file.
    pub fn load_default() -> Result<Self, VisionError> {
        Self::load(&retouch_locate::model_path(WEIGHTS))
    }

    pub fn load(path: &Path) -> Result<Self, VisionError> {
        let bytes = weights::read(path)?;
        let w = Weights::parse(path, &bytes)?;
        let stem = w.conv("_conv_stem", "_bn0", STAGES[0].4, 3, 3, 2, 1)?;
        let mut blocks = Vec::new();
        let mut stage_ends = Vec::new();
        for &(repeats, k, stride, expand, first_in, out) in &STAGES {
            for r in 0..repeats {
                let i = blocks.len();
                let inp = if r == 0 { first_in } else { out };
                let s = if r == 0 { stride } else { 1 };
                let mid = inp * expand;
                let p = format!("_blocks.{i}");
                let expand_conv = if expand != 1 {
                    Some(w.conv(
                        &format!("{p}._expand_conv"),
                        &format!("{p}._bn0"),
                        mid,
                        inp,
                        1,
                        1,
                        1,
                    )?)
                } else {
                    None
                };
                let depthwise = w.conv(
                    &format!("{p}._depthwise_conv"),
                    &format!("{p}._bn1"),
                    mid,
                    mid,
                    k,
                    s,
                    mid,
                )?;
                let pw = w.get(&format!("{p}._project_conv.weight"), &[out, mid, 1, 1])?;
                let project = Conv::fold(
                    pw,
                    out,
                    mid,
                    1,
                    1,
                    1,
                    &w.bn(&format!("{p}._bn2"), out)?,
                    false,
                )?;
                blocks.push(Block {
                    expand: expand_conv,
                    depthwise,
                    project,
                    residual: s == 1 && inp == out,
                });
            }
            stage_ends.push(blocks.len() - 1);
        }
        let head = w.conv("_conv_head", "_bn1", HEAD_CHANNELS, STAGES[6].5, 1, 1, 1)?;
        let fc = (
            w.get("_fc.weight", &[CLASSES, HEAD_CHANNELS])?,
            w.get("_fc.bias", &[CLASSES])?,
        );
        Ok(EfficientNetLite0 {
            stem,
            blocks,
            stage_ends,
            head,
            fc,
        })
    }

    /// What the network sees in `input` (`[3, H, W]`, already normalised: see
    /// [`input_from_rgb8`] and [`input_from_unit_rgb`]).
    pub fn observe(&self, input: &Planes) -> Result<Observation, VisionError> {
        self.run(input, false)
    }

    /// [`Self::observe`] through the scalar reference convolutions only.
    pub fn observe_reference(&self, input: &Planes) -> Result<Observation, VisionError> {
        self.run(input, true)
    }

    fn run(&self, input: &Planes, reference: bool) -> Result<Observation, VisionError> {
        if input.channels != 3 || input.height < MIN_SIDE || input.width < MIN_SIDE {
            return Err(VisionError::Input {
                channels: input.channels,
                height: input.height,
                width: input.width,
                min: MIN_SIDE,
            });
        }
        let mut x = self.stem.run(input, reference)?;
        let mut stage_means = Vec::with_capacity(self.stage_ends.len());
        for (i, block) in self.blocks.iter().enumerate() {
            x = block.forward(&x, reference)?;
            if self.stage_ends.contains(&i) {
                stage_means.push(x.channel_means());
            }
        }
        let pooled = self.head.run(&x, reference)?.channel_means();
        Ok(Observation {
            stage_means,
            pooled,
        })
    }

    /// ImageNet-1k logits of an observation (the original classifier; for checks).
    pub fn classify(&self, seen: &Observation) -> Vec<f32> {
        let (w, b) = &self.fc;
        (0..CLASSES)
            .map(|c| {
                let row = &w[c * HEAD_CHANNELS..(c + 1) * HEAD_CHANNELS];
                b[c] + row
                    .iter()
                    .zip(&seen.pooled)
                    .map(|(a, x)| a * x)
                    .sum::<f32>()
            })
            .collect()
    }
}

/// `[3, H, W]` network input from interleaved 8-bit RGB: `(v - 127) / 128`, the original's
/// normalisation.
pub fn input_from_rgb8(rgb: &[u8], width: usize, height: usize) -> Planes {
    Planes::from_interleaved(width, height, |i| (rgb[i] as f32 - 127.0) / 128.0)
}

/// `[3, H, W]` network input from interleaved RGB in 0..1 (display-referred, like an 8-bit
/// file): the same scale as [`input_from_rgb8`].
pub fn input_from_unit_rgb(rgb: &[f32], width: usize, height: usize) -> Planes {
    Planes::from_interleaved(width, height, |i| (rgb[i] * 255.0 - 127.0) / 128.0)
}
