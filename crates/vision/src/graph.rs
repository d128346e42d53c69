//! A TensorFlow Lite network as `scripts/tflite/convert.py` writes it: the original weights
//! under their original names, and the graph as a list of operations in the safetensors
//! metadata (key `graph`). [`Graph::load`] checks that every value is computed before it is
//! read and builds the steps; [`Graph::run`] runs them, dropping each value after its last
//! reader. The operations are those MediaPipe's selfie segmentation and BlazeFace face
//! detector are made of; the converter refuses anything else.

use std::collections::HashMap;

use serde::Deserialize;

use crate::conv::{Conv, Planes};
use crate::weights::Weights;
use crate::VisionError;

/// One operation as `scripts/tflite/convert.py` writes it.
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
    PadChannels {
        x: String,
        extra: usize,
        out: String,
    },
    MaxPool2 {
        x: String,
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
    /// `extra` zero channels after the input's.
    PadChannels(usize, usize),
    /// 2x2 stride-2 max pooling (even sides).
    MaxPool2(usize),
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
pub(crate) struct Graph {
    nodes: Vec<Node>,
    slots: usize,
    input: usize,
    outputs: Vec<usize>,
}

impl Graph {
    /// The graph in `w`'s metadata, returning the values named `outputs` from [`Self::run`].
    pub(crate) fn load(w: &Weights, outputs: &[&str]) -> Result<Self, VisionError> {
        let format = |message: String| w.invalid(message);
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
                    let conv = conv(w, k, b, *stride, padding, depthwise)?;
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
                Op::PadChannels { x, extra, out } => {
                    (Step::PadChannels(slot(&mut names, x, false)?, *extra), out)
                }
                Op::MaxPool2 { x, out } => (Step::MaxPool2(slot(&mut names, x, false)?), out),
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
        let outputs = outputs
            .iter()
            .map(|n| {
                names
                    .get(*n)
                    .copied()
                    .ok_or_else(|| format(format!("the output {n} is never computed")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Each slot is dropped after its last reader.
        let mut last = HashMap::new();
        for (i, n) in nodes.iter().enumerate() {
            for s in n.step.reads() {
                last.insert(s, i);
            }
        }
        for (s, i) in last {
            if !outputs.contains(&s) {
                nodes[i].frees.push(s);
            }
        }
        Ok(Graph {
            slots: names.len(),
            nodes,
            input,
            outputs,
        })
    }

    /// The output values, in the order given to [`Self::load`], for `input`; every
    /// convolution through its scalar reference when `reference` is true.
    pub(crate) fn run(&self, input: &Planes, reference: bool) -> Result<Vec<Planes>, VisionError> {
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
                Step::PadChannels(x, extra) => pad_channels(get(*x), *extra),
                Step::MaxPool2(x) => max_pool2(get(*x))?,
            };
            values[node.out] = Some(y);
            for &s in &node.frees {
                values[s] = None;
            }
        }
        Ok(self
            .outputs
            .iter()
            .map(|&s| {
                values[s]
                    .clone()
                    .expect("the output slots were checked at load and are never freed")
            })
            .collect())
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
            | Step::TransposeConv2 { x, .. }
            | Step::PadChannels(x, _)
            | Step::MaxPool2(x) => vec![*x],
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

/// `x` followed by `extra` zero channels (TensorFlow's PAD on the channel axis only).
fn pad_channels(x: &Planes, extra: usize) -> Planes {
    let mut data = x.data.clone();
    data.resize(data.len() + extra * x.area(), 0.0);
    Planes {
        channels: x.channels + extra,
        data,
        ..x.clone_shape()
    }
}

/// 2x2 stride-2 max pooling; the sides must be even (the converter checks the original's).
fn max_pool2(x: &Planes) -> Result<Planes, VisionError> {
    if !x.height.is_multiple_of(2) || !x.width.is_multiple_of(2) {
        return Err(VisionError::Shape(format!(
            "2x2 max pool of odd sides {}x{}",
            x.height, x.width
        )));
    }
    let (ho, wo) = (x.height / 2, x.width / 2);
    let mut out = Planes::zeros(x.channels, ho, wo);
    for c in 0..x.channels {
        let plane = &x.data[c * x.area()..(c + 1) * x.area()];
        for y in 0..ho {
            for xx in 0..wo {
                let at = |dy: usize, dx: usize| plane[(2 * y + dy) * x.width + 2 * xx + dx];
                out.data[(c * ho + y) * wo + xx] =
                    at(0, 0).max(at(0, 1)).max(at(1, 0)).max(at(1, 1));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_padding_appends_zero_planes() {
        let x = Planes {
            channels: 2,
            height: 1,
            width: 2,
            data: vec![1.0, 2.0, 3.0, 4.0],
        };
        let y = pad_channels(&x, 2);
        assert_eq!(y.channels, 4);
        assert_eq!(y.data, vec![1.0, 2.0, 3.0, 4.0, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn max_pool_takes_each_blocks_largest() {
        let x = Planes {
            channels: 1,
            height: 2,
            width: 4,
            data: vec![1.0, 5.0, -1.0, -2.0, 3.0, 2.0, -3.0, -4.0],
        };
        let y = max_pool2(&x).unwrap();
        assert_eq!((y.height, y.width), (1, 2));
        assert_eq!(y.data, vec![5.0, -1.0]);
        assert!(max_pool2(&Planes::zeros(1, 3, 4)).is_err());
    }
}
