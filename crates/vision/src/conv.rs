//! Convolutions of a frozen network, batch norm folded into the weights, TensorFlow "same"
//! padding by default (the padding EfficientNet-Lite and MediaPipe's networks were trained
//! with: for an even input and stride 2 the extra row and column go after the image, not
//! before), or an explicit symmetric padding ([`Padding::Explicit`], as dlib pads).
//!
//! [`Conv::forward_reference`] is the plain scalar definition, for any kernel, stride and
//! grouping. [`Conv::forward`] takes a fast path by shape: a pointwise (1x1) convolution is one
//! matrix product; a depthwise one runs per channel over contiguous rows, threaded over
//! channels; anything else gathers patches (im2col) and multiplies. Tests compare each path
//! with the reference value by value.

use candle_core::{Device, Tensor};
use rayon::prelude::*;

use crate::VisionError;

/// A `[C, H, W]` stack of planes, row-major within each plane.
#[derive(Clone, Debug, PartialEq)]
pub struct Planes {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub data: Vec<f32>,
}

impl Planes {
    pub fn zeros(channels: usize, height: usize, width: usize) -> Self {
        Planes {
            channels,
            height,
            width,
            data: vec![0.0; channels * height * width],
        }
    }

    /// An empty stack of the same shape (for `..` struct updates).
    pub fn clone_shape(&self) -> Self {
        Planes {
            channels: self.channels,
            height: self.height,
            width: self.width,
            data: Vec::new(),
        }
    }

    /// `[3, H, W]` from interleaved RGB, each value `value(index into the interleaved data)`.
    pub fn from_interleaved(width: usize, height: usize, value: impl Fn(usize) -> f32) -> Self {
        let area = width * height;
        let mut p = Planes::zeros(3, height, width);
        for c in 0..3 {
            for i in 0..area {
                p.data[c * area + i] = value(i * 3 + c);
            }
        }
        p
    }

    /// Pixels per plane.
    pub fn area(&self) -> usize {
        self.height * self.width
    }

    /// The mean of each plane (global average pooling).
    pub fn channel_means(&self) -> Vec<f32> {
        let n = self.area().max(1) as f64;
        self.data
            .chunks(self.area().max(1))
            .map(|p| (p.iter().map(|&v| v as f64).sum::<f64>() / n) as f32)
            .collect()
    }
}

/// Output length and padding before the first sample along one axis, TensorFlow "same":
/// `out = ceil(n / s)`, total padding `max((out - 1) * s + k - n, 0)`, the smaller half first.
pub fn same_padding(n: usize, kernel: usize, stride: usize) -> (usize, usize) {
    let out = n.div_ceil(stride);
    let total = ((out - 1) * stride + kernel).saturating_sub(n);
    (out, total / 2)
}

/// How a convolution pads its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// TensorFlow "same" ([`same_padding`]).
    Same,
    /// This many zeros before and after each axis: `out = (n + 2 p - k) / s + 1`.
    Explicit(usize),
}

/// A batch norm's inference-time parameters.
#[derive(Clone, Debug)]
pub struct BatchNorm {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    pub mean: Vec<f32>,
    pub var: Vec<f32>,
    pub eps: f32,
}

/// A convolution with a bias (a batch norm folded in, or its own) and optionally ReLU6.
#[derive(Clone, Debug)]
pub struct Conv {
    pub out_channels: usize,
    pub in_channels: usize,
    pub kernel: usize,
    pub stride: usize,
    /// 1 (dense) or `in_channels` (depthwise, with `out_channels == in_channels`).
    pub groups: usize,
    /// `[out, in / groups, k, k]`, batch norm scale folded in.
    pub weight: Vec<f32>,
    /// Batch norm shift after folding.
    pub bias: Vec<f32>,
    pub relu6: bool,
    pub padding: Padding,
    /// The weights as an `[out, in * k * k]` matrix for the matrix-product paths.
    matrix: Option<Tensor>,
}

impl Conv {
    /// Fold `bn` into a bias-free convolution's `weight` (`[out, in / groups, k, k]`).
    #[allow(clippy::too_many_arguments)]
    pub fn fold(
        mut weight: Vec<f32>,
        out_channels: usize,
        in_channels: usize,
        kernel: usize,
        stride: usize,
        groups: usize,
        bn: &BatchNorm,
        relu6: bool,
    ) -> Result<Self, VisionError> {
        let per_out = in_channels / groups * kernel * kernel;
        let mut bias = vec![0.0; out_channels];
        for o in 0..out_channels {
            let scale = bn.gamma[o] / (bn.var[o] + bn.eps).sqrt();
            for v in &mut weight[o * per_out..(o + 1) * per_out] {
                *v *= scale;
            }
            bias[o] = bn.beta[o] - bn.mean[o] * scale;
        }
        Self::new(
            weight,
            bias,
            out_channels,
            in_channels,
            kernel,
            stride,
            groups,
            relu6,
        )
    }

    /// A convolution with its own bias (no batch norm): `weight` is `[out, in / groups, k, k]`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        weight: Vec<f32>,
        bias: Vec<f32>,
        out_channels: usize,
        in_channels: usize,
        kernel: usize,
        stride: usize,
        groups: usize,
        relu6: bool,
    ) -> Result<Self, VisionError> {
        assert!(
            groups == 1 || (groups == in_channels && out_channels == in_channels),
            "only dense and depthwise convolutions are supported"
        );
        let per_out = in_channels / groups * kernel * kernel;
        assert_eq!(weight.len(), out_channels * per_out, "weight length");
        assert_eq!(bias.len(), out_channels, "bias length");
        let matrix = if groups == 1 {
            Some(Tensor::from_slice(
                &weight,
                (out_channels, per_out),
                &Device::Cpu,
            )?)
        } else {
            None
        };
        Ok(Conv {
            out_channels,
            in_channels,
            kernel,
            stride,
            groups,
            weight,
            bias,
            relu6,
            padding: Padding::Same,
            matrix,
        })
    }

    /// The same convolution padded as `padding` says.
    pub fn with_padding(mut self, padding: Padding) -> Self {
        self.padding = padding;
        self
    }

    fn activate(&self, v: f32) -> f32 {
        if self.relu6 {
            v.clamp(0.0, 6.0)
        } else {
            v
        }
    }

    fn output_shape(&self, x: &Planes) -> (usize, usize, usize, usize) {
        let axis = |n: usize| match self.padding {
            Padding::Same => same_padding(n, self.kernel, self.stride),
            Padding::Explicit(p) if n + 2 * p < self.kernel => (0, p),
            Padding::Explicit(p) => ((n + 2 * p - self.kernel) / self.stride + 1, p),
        };
        let (ho, pt) = axis(x.height);
        let (wo, pl) = axis(x.width);
        (ho, wo, pt, pl)
    }

    /// The plain definition: every output value as its sum over the kernel's taps.
    pub fn forward_reference(&self, x: &Planes) -> Planes {
        assert_eq!(x.channels, self.in_channels);
        let (ho, wo, pt, pl) = self.output_shape(x);
        let (k, s) = (self.kernel, self.stride);
        let in_per_group = self.in_channels / self.groups;
        let out_per_group = self.out_channels / self.groups;
        let mut out = Planes::zeros(self.out_channels, ho, wo);
        for o in 0..self.out_channels {
            let g = o / out_per_group;
            for oy in 0..ho {
                for ox in 0..wo {
                    let mut acc = self.bias[o];
                    for ci in 0..in_per_group {
                        let c = g * in_per_group + ci;
                        for ky in 0..k {
                            for kx in 0..k {
                                let iy = (oy * s + ky) as isize - pt as isize;
                                let ix = (ox * s + kx) as isize - pl as isize;
                                if iy < 0
                                    || ix < 0
                                    || iy >= x.height as isize
                                    || ix >= x.width as isize
                                {
                                    continue;
                                }
                                let xv =
                                    x.data[(c * x.height + iy as usize) * x.width + ix as usize];
                                let wv = self.weight[((o * in_per_group + ci) * k + ky) * k + kx];
                                acc += xv * wv;
                            }
                        }
                    }
                    out.data[(o * ho + oy) * wo + ox] = self.activate(acc);
                }
            }
        }
        out
    }

    /// [`Self::forward_reference`] when `reference` is true, else [`Self::forward`].
    pub fn run(&self, x: &Planes, reference: bool) -> Result<Planes, VisionError> {
        if reference {
            Ok(self.forward_reference(x))
        } else {
            self.forward(x)
        }
    }

    /// The same values by the fastest path for this convolution's shape.
    pub fn forward(&self, x: &Planes) -> Result<Planes, VisionError> {
        assert_eq!(x.channels, self.in_channels);
        let unpadded = matches!(self.padding, Padding::Same | Padding::Explicit(0));
        if self.groups == 1 && self.kernel == 1 && self.stride == 1 && unpadded {
            self.matmul(x.data.clone(), x.height, x.width)
        } else if self.groups == 1 {
            let (ho, wo, _, _) = self.output_shape(x);
            let cols = self.im2col(x);
            self.matmul(cols, ho, wo)
        } else {
            Ok(self.depthwise(x))
        }
    }

    /// `weight [out, K] x cols [K, ho * wo]`, then bias and activation in one pass.
    fn matmul(&self, cols: Vec<f32>, ho: usize, wo: usize) -> Result<Planes, VisionError> {
        let matrix = self
            .matrix
            .as_ref()
            .expect("dense convolutions keep their matrix");
        let k = cols.len() / (ho * wo);
        let x = Tensor::from_vec(cols, (k, ho * wo), &Device::Cpu)?;
        let y = matrix.matmul(&x)?;
        let mut data = y.flatten_all()?.to_vec1::<f32>()?;
        let area = ho * wo;
        data.par_chunks_mut(area)
            .zip(self.bias.par_iter())
            .for_each(|(plane, &b)| {
                for v in plane {
                    *v = self.activate(*v + b);
                }
            });
        Ok(Planes {
            channels: self.out_channels,
            height: ho,
            width: wo,
            data,
        })
    }

    /// Patches as rows `c * k * k + ky * k + kx`, columns the output positions.
    fn im2col(&self, x: &Planes) -> Vec<f32> {
        let (ho, wo, pt, pl) = self.output_shape(x);
        let (k, s) = (self.kernel, self.stride);
        let mut cols = vec![0.0; self.in_channels * k * k * ho * wo];
        cols.par_chunks_mut(ho * wo)
            .enumerate()
            .for_each(|(row, col)| {
                let (c, ky, kx) = (row / (k * k), row / k % k, row % k);
                let plane = &x.data[c * x.area()..(c + 1) * x.area()];
                for oy in 0..ho {
                    let iy = (oy * s + ky) as isize - pt as isize;
                    if iy < 0 || iy >= x.height as isize {
                        continue;
                    }
                    let src = &plane[iy as usize * x.width..(iy as usize + 1) * x.width];
                    let (lo, hi) = valid_outputs(kx, pl, s, x.width, wo);
                    for ox in lo..hi {
                        col[oy * wo + ox] = src[ox * s + kx - pl];
                    }
                }
            });
        cols
    }

    /// One channel at a time: for each output row and kernel tap, a run over the valid
    /// outputs (contiguous input for stride 1).
    fn depthwise(&self, x: &Planes) -> Planes {
        let (ho, wo, pt, pl) = self.output_shape(x);
        let (k, s) = (self.kernel, self.stride);
        let mut out = Planes::zeros(self.out_channels, ho, wo);
        out.data
            .par_chunks_mut(ho * wo)
            .enumerate()
            .for_each(|(c, dst)| {
                let plane = &x.data[c * x.area()..(c + 1) * x.area()];
                let w = &self.weight[c * k * k..(c + 1) * k * k];
                dst.fill(self.bias[c]);
                for oy in 0..ho {
                    let row = &mut dst[oy * wo..(oy + 1) * wo];
                    for ky in 0..k {
                        let iy = (oy * s + ky) as isize - pt as isize;
                        if iy < 0 || iy >= x.height as isize {
                            continue;
                        }
                        let src = &plane[iy as usize * x.width..(iy as usize + 1) * x.width];
                        for kx in 0..k {
                            let wv = w[ky * k + kx];
                            let (lo, hi) = valid_outputs(kx, pl, s, x.width, wo);
                            if lo >= hi {
                                continue;
                            }
                            let start = lo * s + kx - pl;
                            if s == 1 {
                                let n = hi - lo;
                                for (d, &v) in row[lo..hi].iter_mut().zip(&src[start..start + n]) {
                                    *d += wv * v;
                                }
                            } else {
                                for (i, d) in row[lo..hi].iter_mut().enumerate() {
                                    *d += wv * src[start + i * s];
                                }
                            }
                        }
                    }
                    if self.relu6 {
                        for v in row.iter_mut() {
                            *v = v.clamp(0.0, 6.0);
                        }
                    }
                }
            });
        out
    }
}

/// The outputs `ox` in `lo..hi` whose tap `kx` reads inside the row: `0 <= ox * s + kx - pad < w`.
fn valid_outputs(kx: usize, pad: usize, s: usize, w: usize, wo: usize) -> (usize, usize) {
    let lo = pad.saturating_sub(kx).div_ceil(s);
    // ox * s <= w - 1 + pad - kx
    let hi = if w + pad > kx {
        ((w - 1 + pad - kx) / s + 1).min(wo)
    } else {
        0
    };
    (lo, hi.max(lo))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random(n: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
        (0..n).map(|_| rng.gen_range(-1.0..1.0)).collect()
    }

    fn conv(out: usize, inp: usize, k: usize, s: usize, groups: usize, relu6: bool) -> Conv {
        let mut rng = ChaCha8Rng::seed_from_u64((out * 31 + inp * 7 + k * 3 + s) as u64);
        let w = random(out * inp / groups * k * k, &mut rng);
        let bn = BatchNorm {
            gamma: (0..out).map(|_| rng.gen_range(0.5..1.5)).collect(),
            beta: random(out, &mut rng),
            mean: random(out, &mut rng),
            var: (0..out).map(|_| rng.gen_range(0.1..2.0)).collect(),
            eps: 1e-3,
        };
        Conv::fold(w, out, inp, k, s, groups, &bn, relu6).unwrap()
    }

    fn input(c: usize, h: usize, w: usize) -> Planes {
        let mut rng = ChaCha8Rng::seed_from_u64((c * 1000 + h * 10 + w) as u64);
        Planes {
            channels: c,
            height: h,
            width: w,
            data: random(c * h * w, &mut rng)
                .iter()
                .map(|v| v * 3.0)
                .collect(),
        }
    }

    fn assert_close(a: &Planes, b: &Planes) {
        assert_eq!(
            (a.channels, a.height, a.width),
            (b.channels, b.height, b.width)
        );
        for (i, (x, y)) in a.data.iter().zip(&b.data).enumerate() {
            assert!(
                (x - y).abs() <= 1e-4 * (1.0 + y.abs()),
                "value {i}: {x} vs {y}"
            );
        }
    }

    #[test]
    fn same_padding_puts_the_odd_pixel_after() {
        assert_eq!(same_padding(224, 3, 2), (112, 0));
        assert_eq!(same_padding(224, 3, 1), (224, 1));
        assert_eq!(same_padding(56, 5, 2), (28, 1));
        assert_eq!(same_padding(7, 5, 1), (7, 2));
        assert_eq!(same_padding(7, 3, 2), (4, 1));
    }

    #[test]
    fn every_fast_path_matches_the_reference() {
        // (out, in, kernel, stride, groups): pointwise, stem-like dense, depthwise 3 and 5 at
        // both strides, on even and odd sizes (the padding differs).
        let shapes = [
            (8, 5, 1, 1, 1),
            (6, 3, 3, 2, 1),
            (4, 3, 3, 1, 1),
            (7, 7, 3, 1, 7),
            (7, 7, 3, 2, 7),
            (5, 5, 5, 1, 5),
            (5, 5, 5, 2, 5),
        ];
        for &(o, i, k, s, g) in &shapes {
            for &(h, w) in &[(9, 12), (8, 7), (2, 3), (1, 1)] {
                for relu6 in [false, true] {
                    let c = conv(o, i, k, s, g, relu6);
                    let x = input(i, h, w);
                    assert_close(&c.forward(&x).unwrap(), &c.forward_reference(&x));
                }
                // dlib's paddings: none at stride 2, half the kernel at stride 1.
                for pad in [0, k / 2, 2] {
                    if h + 2 * pad < k || w + 2 * pad < k {
                        continue;
                    }
                    let c = conv(o, i, k, s, g, false).with_padding(Padding::Explicit(pad));
                    let x = input(i, h, w);
                    let (fast, slow) = (c.forward(&x).unwrap(), c.forward_reference(&x));
                    assert_eq!(fast.height, (h + 2 * pad - k) / s + 1);
                    assert_eq!(fast.width, (w + 2 * pad - k) / s + 1);
                    assert_close(&fast, &slow);
                }
            }
        }
    }

    #[test]
    fn explicit_padding_is_the_plain_zero_padded_sum() {
        // A 3x3 stride-2 convolution without padding on a 5x5 input: output (1, 1) reads
        // input rows and columns 2..5 exactly.
        let c = conv(1, 1, 3, 2, 1, false).with_padding(Padding::Explicit(0));
        let x = input(1, 5, 5);
        let y = c.forward_reference(&x);
        assert_eq!((y.height, y.width), (2, 2));
        let mut want = c.bias[0];
        for ky in 0..3 {
            for kx in 0..3 {
                want += x.data[(2 + ky) * 5 + 2 + kx] * c.weight[ky * 3 + kx];
            }
        }
        assert!((y.data[3] - want).abs() < 1e-6, "{} vs {want}", y.data[3]);
        // Padding 1 at stride 1 is TensorFlow's "same" for an odd kernel.
        let same = conv(2, 3, 3, 1, 1, false);
        let explicit = same.clone().with_padding(Padding::Explicit(1));
        let x = input(3, 6, 7);
        assert_close(&same.forward(&x).unwrap(), &explicit.forward(&x).unwrap());
    }

    #[test]
    fn folding_matches_batch_norm_after_the_convolution() {
        let bn = BatchNorm {
            gamma: vec![2.0],
            beta: vec![0.5],
            mean: vec![1.0],
            var: vec![3.0],
            eps: 1e-3,
        };
        let c = Conv::fold(vec![0.25], 1, 1, 1, 1, 1, &bn, false).unwrap();
        let x = Planes {
            channels: 1,
            height: 1,
            width: 2,
            data: vec![4.0, -8.0],
        };
        let y = c.forward_reference(&x);
        for (xv, yv) in x.data.iter().zip(&y.data) {
            let want = (xv * 0.25 - 1.0) / (3.0f32 + 1e-3).sqrt() * 2.0 + 0.5;
            assert!((yv - want).abs() < 1e-6, "{yv} vs {want}");
        }
    }
}
