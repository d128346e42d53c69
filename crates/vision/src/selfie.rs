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
//! The network is not written out layer by layer: `scripts/selfie/convert.py` turns the
//! original `.tflite` into a safetensors file whose metadata holds the graph (136 operations of
//! ten kinds, checked there against what this module runs) and whose tensors are the original
//! f16 weights under their original names; [`SelfieSegmenter::load`] builds the graph and
//! [`SelfieSegmenter::segment`] runs it. Parity with MediaPipe's own graph in
//! `tests/selfie_parity.rs`.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::conv::{Conv, Planes};
use crate::weights::{self, Weights};
use crate::VisionError;

/// The weights file, relative to the models directory.
pub const WEIGHTS: &str = "selfie/selfie-segmentation.safetensors";
/// The side the network was trained at (MediaPipe stretches any photo to it).
pub const SIDE: usize = 256;
/// Input sides must be multiples of this (four stride-2 steps, undone by the decoder).
pub const SIDE_MULTIPLE: usize = 16;

/// One operation as `convert.py` writes it.
#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Op {
    Conv {
        x: String,
        w: String,
        b: String,
        stride: usize,
        padding: String,
        out: String,
    },
    Depthwise {
        x: String,
        w: String,
        b: String,
        stride: usize,
        padding: String,
        out: String,
    },
    HardSwish {
        x: String,
        out: String,
    },
    Relu {
        x: String,
        out: String,
    },
    Sigmoid {
        x: String,
        out: String,
    },
    Mean {
        x: String,
        out: String,
    },
    Mul {
        a: String,
        b: String,
        out: String,
    },
    Add {
        a: String,
        b: String,
        out: String,
    },
    Upsample2 {
        x: String,
        out: String,
        align_corners: bool,
        half_pixel_centers: bool,
    },
    TransposeConv2 {
        x: String,
        w: String,
        b: String,
        padding: String,
        out: String,
    },
}

/// What a node computes; operands are value slots.
#[derive(Clone, Debug)]
enum Step {
    Conv(usize, Conv),
    HardSwish(usize),
    Relu(usize),
    Sigmoid(usize),
    /// Global average pool to `[C, 1, 1]`.
    Mean(usize),
    /// `a * b`, `b` one value per channel (`[C, 1, 1]`).
    Mul(usize, usize),
    Add(usize, usize),
    /// Bilinear 2x upsampling with half-pixel centres (TensorFlow's `ResizeBilinear`,
    /// `half_pixel_centers=True`, `align_corners=False`).
    Upsample2(usize),
    /// 2x2 stride-2 transposed convolution to one channel: `weight[(dy * 2 + dx) * C + c]`.
    TransposeConv2 {
        x: usize,
        weight: Vec<f32>,
        bias: f32,
    },
}

#[derive(Clone, Debug)]
struct Node {
    step: Step,
    out: usize,
    /// Slots whose last reader is this node (dropped after it).
    frees: Vec<usize>,
}

/// The network, ready to run.
#[derive(Clone, Debug)]
pub struct SelfieSegmenter {
    nodes: Vec<Node>,
    slots: usize,
    input: usize,
    output: usize,
}

impl SelfieSegmenter {
    /// The shipped weights (see [`WEIGHTS`]), found like every model file.
    pub fn load_default() -> Result<Self, VisionError> {
        Self::load(&retouch_locate::model_path(WEIGHTS))
    }

    pub fn load(path: &Path) -> Result<Self, VisionError> {
        let bytes = weights::read(path)?;
        let w = Weights::parse(path, &bytes)?;
        let format = |message: String| VisionError::Format {
            path: w.path.clone(),
            message,
        };
        let ops: Vec<Op> = serde_json::from_str(w.metadata("graph")?)
            .map_err(|e| format(format!("graph: {e}")))?;
        let mut names: HashMap<String, usize> = HashMap::new();
        let input = 0;
        names.insert(w.metadata("input")?.to_string(), input);
        let slot = |names: &mut HashMap<String, usize>, n: &str, define: bool| {
            if let Some(&i) = names.get(n) {
                return if define {
                    Err(format(format!("{n} is computed twice")))
                } else {
                    Ok(i)
                };
            }
            if !define {
                return Err(format(format!("{n} is read before it is computed")));
            }
            let i = names.len();
            names.insert(n.to_string(), i);
            Ok(i)
        };
        let mut nodes = Vec::with_capacity(ops.len());
        for op in &ops {
            let (step, out) = match op {
                Op::Conv {
                    x,
                    w: k,
                    b,
                    stride,
                    padding,
                    out,
                }
                | Op::Depthwise {
                    x,
                    w: k,
                    b,
                    stride,
                    padding,
                    out,
                } => {
                    let depthwise = matches!(op, Op::Depthwise { .. });
                    let conv = conv(&w, k, b, *stride, padding, depthwise)?;
                    (Step::Conv(slot(&mut names, x, false)?, conv), out)
                }
                Op::HardSwish { x, out } => (Step::HardSwish(slot(&mut names, x, false)?), out),
                Op::Relu { x, out } => (Step::Relu(slot(&mut names, x, false)?), out),
                Op::Sigmoid { x, out } => (Step::Sigmoid(slot(&mut names, x, false)?), out),
                Op::Mean { x, out } => (Step::Mean(slot(&mut names, x, false)?), out),
                Op::Mul { a, b, out } => (
                    Step::Mul(slot(&mut names, a, false)?, slot(&mut names, b, false)?),
                    out,
                ),
                Op::Add { a, b, out } => (
                    Step::Add(slot(&mut names, a, false)?, slot(&mut names, b, false)?),
                    out,
                ),
                Op::Upsample2 {
                    x,
                    out,
                    align_corners,
                    half_pixel_centers,
                } => {
                    if *align_corners || !*half_pixel_centers {
                        return Err(format(format!(
                            "{out}: only half-pixel-centre bilinear upsampling is implemented"
                        )));
                    }
                    (Step::Upsample2(slot(&mut names, x, false)?), out)
                }
                Op::TransposeConv2 {
                    x,
                    w: k,
                    b,
                    padding,
                    out,
                } => {
                    let shape = w.shape(k)?;
                    if shape.len() != 4 || shape[..3] != [1, 2, 2] || padding != "same" {
                        return Err(format(format!(
                            "{out}: transposed convolution {shape:?} ({padding}) is not 1x2x2xC"
                        )));
                    }
                    let weight = w.get(k, &shape)?;
                    let bias = w.get(b, &[1])?[0];
                    (
                        Step::TransposeConv2 {
                            x: slot(&mut names, x, false)?,
                            weight,
                            bias,
                        },
                        out,
                    )
                }
            };
            let out = slot(&mut names, out, true)?;
            nodes.push(Node {
                step,
                out,
                frees: Vec::new(),
            });
        }
        let output = *names
            .get(w.metadata("output")?)
            .ok_or_else(|| format("the output is never computed".into()))?;
        // Each slot is dropped after its last reader.
        let mut last = HashMap::new();
        for (i, n) in nodes.iter().enumerate() {
            for s in n.step.reads() {
                last.insert(s, i);
            }
        }
        for (s, i) in last {
            if s != output {
                nodes[i].frees.push(s);
            }
        }
        Ok(SelfieSegmenter {
            slots: names.len(),
            nodes,
            input,
            output,
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
        let mut values: Vec<Option<Planes>> = vec![None; self.slots];
        values[self.input] = Some(input.clone());
        for node in &self.nodes {
            let get = |s: usize| {
                values[s]
                    .as_ref()
                    .expect("the graph was checked to compute every value before reading it")
            };
            let y = match &node.step {
                Step::Conv(x, conv) => conv.run(get(*x), reference)?,
                Step::HardSwish(x) => map(get(*x), |v| v * (v + 3.0).clamp(0.0, 6.0) / 6.0),
                Step::Relu(x) => map(get(*x), |v| v.max(0.0)),
                Step::Sigmoid(x) => map(get(*x), |v| 1.0 / (1.0 + (-v).exp())),
                Step::Mean(x) => {
                    let m = get(*x).channel_means();
                    Planes {
                        channels: m.len(),
                        height: 1,
                        width: 1,
                        data: m,
                    }
                }
                Step::Mul(a, b) => scale_channels(get(*a), get(*b))?,
                Step::Add(a, b) => add(get(*a), get(*b))?,
                Step::Upsample2(x) => upsample2(get(*x)),
                Step::TransposeConv2 { x, weight, bias } => {
                    transpose_conv2(get(*x), weight, *bias)?
                }
            };
            values[node.out] = Some(y);
            for &s in &node.frees {
                values[s] = None;
            }
        }
        Ok(values[self.output]
            .take()
            .expect("the output slot was checked at load"))
    }
}

impl Step {
    fn reads(&self) -> Vec<usize> {
        match self {
            Step::Conv(x, _)
            | Step::HardSwish(x)
            | Step::Relu(x)
            | Step::Sigmoid(x)
            | Step::Mean(x)
            | Step::Upsample2(x)
            | Step::TransposeConv2 { x, .. } => vec![*x],
            Step::Mul(a, b) | Step::Add(a, b) => vec![*a, *b],
        }
    }
}

/// A convolution from TensorFlow Lite's layouts: dense kernels `[O, kh, kw, I]`, depthwise
/// `[1, kh, kw, C]`, to [`Conv`]'s `[O, I / groups, k, k]`.
fn conv(
    w: &Weights,
    kernel: &str,
    bias: &str,
    stride: usize,
    padding: &str,
    depthwise: bool,
) -> Result<Conv, VisionError> {
    let shape = w.shape(kernel)?;
    let bad = |problem: String| VisionError::Tensor {
        path: w.path.clone(),
        name: kernel.to_string(),
        problem,
    };
    if shape.len() != 4 || shape[1] != shape[2] {
        return Err(bad(format!("shape {shape:?} is not a square 4-d kernel")));
    }
    let k = shape[1];
    // "valid" and "same" agree for a 1x1 kernel; the converter allows nothing else.
    if padding != "same" && !(padding == "valid" && k == 1) {
        return Err(bad(format!("padding {padding} with a {k}x{k} kernel")));
    }
    let raw = w.get(kernel, &shape)?;
    let (out, inp, groups) = if depthwise {
        if shape[0] != 1 {
            return Err(bad(format!("depthwise kernel {shape:?} is not 1xkxkxC")));
        }
        (shape[3], shape[3], shape[3])
    } else {
        (shape[0], shape[3], 1)
    };
    let per_group = inp / groups;
    let mut weight = vec![0.0; out * per_group * k * k];
    for o in 0..out {
        for ci in 0..per_group {
            for ky in 0..k {
                for kx in 0..k {
                    let src = if depthwise {
                        (ky * k + kx) * out + o
                    } else {
                        ((o * k + ky) * k + kx) * inp + ci
                    };
                    weight[((o * per_group + ci) * k + ky) * k + kx] = raw[src];
                }
            }
        }
    }
    let b = w.get(bias, &[out])?;
    Conv::new(weight, b, out, inp, k, stride, groups, false)
}

fn map(x: &Planes, f: impl Fn(f32) -> f32) -> Planes {
    Planes {
        data: x.data.iter().map(|&v| f(v)).collect(),
        ..x.clone_shape()
    }
}

fn mismatch(what: &str, a: &Planes, b: &Planes) -> VisionError {
    VisionError::Shape(format!(
        "{what}: {}x{}x{} and {}x{}x{}",
        a.channels, a.height, a.width, b.channels, b.height, b.width
    ))
}

fn scale_channels(a: &Planes, s: &Planes) -> Result<Planes, VisionError> {
    if s.channels != a.channels || s.area() != 1 {
        return Err(mismatch("channel scale", a, s));
    }
    let area = a.area();
    Ok(Planes {
        data: a
            .data
            .iter()
            .enumerate()
            .map(|(i, &v)| v * s.data[i / area])
            .collect(),
        ..a.clone_shape()
    })
}

fn add(a: &Planes, b: &Planes) -> Result<Planes, VisionError> {
    if (a.channels, a.height, a.width) != (b.channels, b.height, b.width) {
        return Err(mismatch("add", a, b));
    }
    Ok(Planes {
        data: a.data.iter().zip(&b.data).map(|(x, y)| x + y).collect(),
        ..a.clone_shape()
    })
}

/// Source index pair and weight of the upper one for output `o` of a 2x half-pixel resize
/// along an axis of length `n`: `src = (o + 0.5) / 2 - 0.5`, clamped to the edge.
fn taps(o: usize, n: usize) -> (usize, usize, f32) {
    let src = (o as f32 + 0.5) * 0.5 - 0.5;
    let lo = src.floor();
    let frac = src - lo;
    let i0 = (lo.max(0.0) as usize).min(n - 1);
    let i1 = ((lo + 1.0).max(0.0) as usize).min(n - 1);
    (i0, i1, frac)
}

fn upsample2(x: &Planes) -> Planes {
    let (h, w) = (x.height, x.width);
    let (ho, wo) = (2 * h, 2 * w);
    let cols: Vec<(usize, usize, f32)> = (0..wo).map(|o| taps(o, w)).collect();
    let mut out = Planes::zeros(x.channels, ho, wo);
    for c in 0..x.channels {
        let plane = &x.data[c * h * w..(c + 1) * h * w];
        for oy in 0..ho {
            let (y0, y1, fy) = taps(oy, h);
            let dst = &mut out.data[(c * ho + oy) * wo..(c * ho + oy + 1) * wo];
            for (d, &(x0, x1, fx)) in dst.iter_mut().zip(&cols) {
                let top = plane[y0 * w + x0] + (plane[y0 * w + x1] - plane[y0 * w + x0]) * fx;
                let bot = plane[y1 * w + x0] + (plane[y1 * w + x1] - plane[y1 * w + x0]) * fx;
                *d = top + (bot - top) * fy;
            }
        }
    }
    out
}

/// Each input pixel spreads to its own 2x2 output block (stride 2, kernel 2: the taps never
/// overlap and "same" padding pads nothing).
fn transpose_conv2(x: &Planes, weight: &[f32], bias: f32) -> Result<Planes, VisionError> {
    let c = x.channels;
    if weight.len() != 4 * c {
        return Err(VisionError::Shape(format!(
            "transposed convolution: {} weights for {c} channels",
            weight.len()
        )));
    }
    let (h, w) = (x.height, x.width);
    let (ho, wo) = (2 * h, 2 * w);
    let mut out = Planes::zeros(1, ho, wo);
    out.data.fill(bias);
    for ch in 0..c {
        let plane = &x.data[ch * h * w..(ch + 1) * h * w];
        for y in 0..h {
            for xx in 0..w {
                let v = plane[y * w + xx];
                for dy in 0..2 {
                    for dx in 0..2 {
                        out.data[(2 * y + dy) * wo + 2 * xx + dx] +=
                            v * weight[(dy * 2 + dx) * c + ch];
                    }
                }
            }
        }
    }
    Ok(out)
}

/// `[3, H, W]` network input from interleaved 8-bit RGB: `v / 255` (MediaPipe's 0..1 range).
pub fn input_from_rgb8(rgb: &[u8], width: usize, height: usize) -> Planes {
    Planes::from_interleaved(width, height, |i| rgb[i] as f32 / 255.0)
}

/// `[3, H, W]` network input from interleaved RGB already in 0..1.
pub fn input_from_unit_rgb(rgb: &[f32], width: usize, height: usize) -> Planes {
    Planes::from_interleaved(width, height, |i| rgb[i])
}
