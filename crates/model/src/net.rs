//! The generator network (paper section 3.3, HDRNet-style): a low-resolution thumbnail and an
//! instruction in, a bilateral grid of 3x4 affine colour transforms out.
//!
//! ```text
//! thumbnail [B,3,L,L] --stride-2 convs--> features [B,F,GH,GW]
//!      pooled text --FiLM (scale, shift)--> features            (global conditioning)
//! features --2 convs--> local --cross-attention over token states--> local   (per-cell conditioning)
//! features --stride-2 convs, mean, [+ pooled text], MLP--> global [B,F]
//! relu(local + global) --1x1 conv--> delta [B, GD*12, GH, GW]
//! grid = identity + delta, as [B, GH, GW, GD, 12]
//! ```
//!
//! The head is zero-initialised, so an untrained model returns its input exactly. FiLM gives
//! sentence-level edits ("warmer but less saturated"); cross-attention lets each grid cell attend
//! to the words that concern it ("darken the sky" vs "brighten the faces").

use candle_core::{DType, Device, Tensor};
use candle_nn::{conv2d, linear, Conv2d, Conv2dConfig, Init, Linear, VarBuilder};
use serde::{Deserialize, Serialize};

/// Architecture hyper-parameters (stored in the model file).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetConfig {
    /// Thumbnail side the network sees.
    pub low_res: usize,
    /// Grid height, width, depth.
    pub grid: [usize; 3],
    /// Channels of the first convolution (doubled at each stride-2 step, capped at `features`).
    pub base_channels: usize,
    /// Channels at the grid's resolution.
    pub features: usize,
    /// Cross-attention heads (features must divide evenly).
    pub heads: usize,
    /// Text embedding size (all-MiniLM-L6-v2: 384).
    pub text_dim: usize,
    /// Length of the matcher's attribute vector appended to the sentence embedding for FiLM and
    /// the global path (0: the network sees only the text encoder, as in the paper).
    #[serde(default)]
    pub attr_dim: usize,
}

impl Default for NetConfig {
    fn default() -> Self {
        Self {
            low_res: 128,
            grid: [16, 16, 8],
            base_channels: 16,
            features: 64,
            heads: 4,
            text_dim: 384,
            attr_dim: 0,
        }
    }
}

impl NetConfig {
    pub fn validate(&self) -> Result<(), String> {
        let [gh, gw, gd] = self.grid;
        if gh == 0 || gw == 0 || gd < 2 {
            return Err(format!(
                "grid {:?}: need height, width >= 1 and depth >= 2",
                self.grid
            ));
        }
        if gh != gw
            || !self.low_res.is_multiple_of(gh)
            || !(self.low_res / gh).is_power_of_two()
            || self.low_res == gh
        {
            return Err(format!(
                "low_res {} must be the grid side {} times a power of two (>= 2)",
                self.low_res, gh
            ));
        }
        if self.heads == 0 || !self.features.is_multiple_of(self.heads) {
            return Err(format!(
                "features {} must divide into {} heads",
                self.features, self.heads
            ));
        }
        if self.base_channels == 0 || self.text_dim == 0 {
            return Err("base_channels and text_dim must be positive".into());
        }
        Ok(())
    }

    fn downs(&self) -> usize {
        (self.low_res / self.grid[0]).trailing_zeros() as usize
    }
}

/// A batch of encoded instructions, padded to the longest.
pub struct TextBatch {
    /// `[B, text_dim]`.
    pub pooled: Tensor,
    /// `[B, T, text_dim]`.
    pub tokens: Tensor,
    /// `[B, 1, 1, T]`: 0 for real tokens, a large negative number for padding.
    pub mask_bias: Tensor,
    /// `[B, attr_dim]`: the matcher's attribute vectors, for models that use them.
    pub attributes: Option<Tensor>,
}

impl TextBatch {
    /// From per-sentence (pooled, token states `[T_i, text_dim]`).
    pub fn new(items: &[(&[f32], &Tensor)], device: &Device) -> candle_core::Result<Self> {
        let b = items.len();
        if b == 0 {
            candle_core::bail!("empty text batch");
        }
        let dim = items[0].0.len();
        let t = items
            .iter()
            .map(|(_, s)| s.dim(0))
            .collect::<candle_core::Result<Vec<_>>>()?;
        let tmax = *t.iter().max().unwrap_or(&1);
        let mut pooled = Vec::with_capacity(b * dim);
        let mut toks = Vec::with_capacity(b);
        let mut bias = vec![0f32; b * tmax];
        for (i, (p, s)) in items.iter().enumerate() {
            pooled.extend_from_slice(p);
            let s = s.to_device(device)?.to_dtype(DType::F32)?;
            toks.push(if t[i] < tmax {
                s.pad_with_zeros(0, 0, tmax - t[i])?
            } else {
                s
            });
            for v in &mut bias[i * tmax + t[i]..(i + 1) * tmax] {
                *v = -1e4;
            }
        }
        Ok(Self {
            pooled: Tensor::from_vec(pooled, (b, dim), device)?,
            tokens: Tensor::stack(&toks, 0)?,
            mask_bias: Tensor::from_vec(bias, (b, 1, 1, tmax), device)?,
            attributes: None,
        })
    }

    /// Attach one attribute vector per sentence.
    pub fn with_attributes(mut self, attrs: &[Vec<f32>]) -> candle_core::Result<Self> {
        let b = self.pooled.dim(0)?;
        let n = attrs.first().map_or(0, Vec::len);
        if attrs.len() != b || attrs.iter().any(|a| a.len() != n) {
            candle_core::bail!("need {b} attribute vectors of equal length");
        }
        let flat: Vec<f32> = attrs.iter().flatten().copied().collect();
        self.attributes = Some(Tensor::from_vec(flat, (b, n), self.pooled.device())?);
        Ok(self)
    }
}

/// Linear layer computed as `(W x^T)^T` on 2-D input: candle's gemm packs the whole weight for
/// a small batch of rows otherwise (see retouch-text's BERT notes).
fn lin(l: &Linear, x: &Tensor) -> candle_core::Result<Tensor> {
    let dims = x.dims().to_vec();
    let k = *dims.last().unwrap_or(&1);
    let rows = x.elem_count() / k.max(1);
    let x2 = x.reshape((rows, k))?;
    let y = l.weight().matmul(&x2.t()?)?.t()?;
    let y = match l.bias() {
        Some(b) => y.broadcast_add(b)?,
        None => y,
    };
    let mut out = dims;
    let n = out.len();
    out[n - 1] = l.weight().dim(0)?;
    y.reshape(out)
}

/// 3x3 convolution (padding 1, stride 1 or 2) as a patch gather ([`crate::im2col`]) and one
/// matmul.
///
/// Same result as `Conv2d`, but candle's CPU backward for `conv2d` goes through a direct
/// `conv_transpose2d` loop that took most of a training step; the gather's backward is one
/// scatter pass and the matmul's runs on gemm (measured in `examples/step_parts.rs`).
/// `x`: `[B, C, H, W]`.
pub fn conv3x3(conv: &Conv2d, x: &Tensor, stride: usize) -> candle_core::Result<Tensor> {
    let (b, c, h, w) = x.dims4()?;
    let weight = conv.weight();
    let cout = weight.dim(0)?;
    let (ho, wo) = (h.div_ceil(stride), w.div_ceil(stride));
    let patches = crate::im2col::im2col3x3(x, stride)?;
    let wm = weight.reshape((cout, c * 9))?;
    let mut y = wm.broadcast_matmul(&patches)?;
    if let Some(bias) = conv.bias() {
        y = y.broadcast_add(&bias.reshape((1, cout, 1))?)?;
    }
    y.reshape((b, cout, ho, wo))
}

/// [`conv3x3`] with the patches gathered by nine shifted `narrow` views of candle's own ops:
/// the reference the gather op is tested against (and what `conv3x3` was before it).
/// `x`: `[B, C, H, W]` with H, W even when `stride` is 2.
pub fn conv3x3_reference(conv: &Conv2d, x: &Tensor, stride: usize) -> candle_core::Result<Tensor> {
    let (b, c, h, w) = x.dims4()?;
    let weight = conv.weight();
    let cout = weight.dim(0)?;
    let xp = x.pad_with_zeros(2, 1, 1)?.pad_with_zeros(3, 1, 1)?;
    let (ho, wo) = if stride == 2 {
        (h.div_ceil(2), w.div_ceil(2))
    } else {
        (h, w)
    };
    let mut views = Vec::with_capacity(9);
    for dy in 0..3 {
        let rows = if stride == 2 {
            // Rows dy, dy+2, ...: take 2*ho rows and keep the even ones.
            let r = xp.narrow(2, dy, (2 * ho).min(h + 2 - dy))?;
            let r = if r.dim(2)? < 2 * ho {
                r.pad_with_zeros(2, 0, 1)?
            } else {
                r
            };
            r.reshape((b, c, ho, 2, w + 2))?
                .narrow(3, 0, 1)?
                .squeeze(3)?
        } else {
            xp.narrow(2, dy, h)?
        };
        for dx in 0..3 {
            let v = if stride == 2 {
                let v = rows.narrow(3, dx, (2 * wo).min(w + 2 - dx))?;
                let v = if v.dim(3)? < 2 * wo {
                    v.pad_with_zeros(3, 0, 1)?
                } else {
                    v
                };
                v.reshape((b, c, ho, wo, 2))?.narrow(4, 0, 1)?.squeeze(4)?
            } else {
                rows.narrow(3, dx, w)?
            };
            views.push(v);
        }
    }
    let patches = Tensor::stack(&views, 2)?.reshape((b, c * 9, ho * wo))?;
    let wm = weight.reshape((cout, c * 9))?;
    let mut y = wm.broadcast_matmul(&patches)?;
    if let Some(bias) = conv.bias() {
        y = y.broadcast_add(&bias.reshape((1, cout, 1))?)?;
    }
    y.reshape((b, cout, ho, wo))
}

/// 1x1 convolution as a matmul (same reason as [`conv3x3`]).
pub fn conv1x1(conv: &Conv2d, x: &Tensor) -> candle_core::Result<Tensor> {
    let (b, c, h, w) = x.dims4()?;
    let cout = conv.weight().dim(0)?;
    let mut y = conv
        .weight()
        .reshape((cout, c))?
        .broadcast_matmul(&x.reshape((b, c, h * w))?)?;
    if let Some(bias) = conv.bias() {
        y = y.broadcast_add(&bias.reshape((1, cout, 1))?)?;
    }
    y.reshape((b, cout, h, w))
}

pub struct Generator {
    cfg: NetConfig,
    stem: Vec<Conv2d>,
    film: Linear,
    local1: Conv2d,
    local2: Conv2d,
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    global_convs: Vec<Conv2d>,
    global_fc1: Linear,
    global_fc2: Linear,
    head: Conv2d,
    identity: Tensor,
}

impl Generator {
    pub fn new(cfg: &NetConfig, vb: VarBuilder) -> candle_core::Result<Self> {
        cfg.validate().map_err(candle_core::Error::Msg)?;
        let f = cfg.features;
        let s2 = Conv2dConfig {
            padding: 1,
            stride: 2,
            ..Default::default()
        };
        let p1 = Conv2dConfig {
            padding: 1,
            ..Default::default()
        };
        let mut stem = Vec::new();
        let mut cin = 3;
        let n = cfg.downs();
        for i in 0..n {
            let cout = if i + 1 == n {
                f
            } else {
                (cfg.base_channels << i).min(f)
            };
            stem.push(conv2d(cin, cout, 3, s2, vb.pp(format!("stem.{i}")))?);
            cin = cout;
        }
        // FiLM starts at the identity (scale 1 + 0, shift 0).
        let cond = cfg.text_dim + cfg.attr_dim;
        let film = {
            let w = vb
                .pp("film")
                .get_with_hints((2 * f, cond), "weight", Init::Const(0.0))?;
            let b = vb
                .pp("film")
                .get_with_hints(2 * f, "bias", Init::Const(0.0))?;
            Linear::new(w, Some(b))
        };
        let local1 = conv2d(f, f, 3, p1, vb.pp("local.0"))?;
        let local2 = conv2d(f, f, 3, p1, vb.pp("local.1"))?;
        let q = linear(f, f, vb.pp("attn.q"))?;
        let k = linear(cfg.text_dim, f, vb.pp("attn.k"))?;
        let v = linear(cfg.text_dim, f, vb.pp("attn.v"))?;
        let o = linear(f, f, vb.pp("attn.o"))?;
        let global_convs = (0..2)
            .map(|i| conv2d(f, f, 3, s2, vb.pp(format!("global.{i}"))))
            .collect::<candle_core::Result<Vec<_>>>()?;
        let global_fc1 = linear(f + cond, 2 * f, vb.pp("global.fc1"))?;
        let global_fc2 = linear(2 * f, f, vb.pp("global.fc2"))?;
        let gd = cfg.grid[2];
        let head = {
            let hv = vb.pp("head");
            let w = hv.get_with_hints((gd * 12, f, 1, 1), "weight", Init::Const(0.0))?;
            let b = hv.get_with_hints(gd * 12, "bias", Init::Const(0.0))?;
            Conv2d::new(w, Some(b), Conv2dConfig::default())
        };
        let mut id = Vec::with_capacity(gd * 12);
        for _ in 0..gd {
            id.extend_from_slice(&[1f32, 0., 0., 0., 0., 1., 0., 0., 0., 0., 1., 0.]);
        }
        let identity = Tensor::from_vec(id, (1, gd * 12, 1, 1), vb.device())?;
        Ok(Self {
            cfg: cfg.clone(),
            stem,
            film,
            local1,
            local2,
            q,
            k,
            v,
            o,
            global_convs,
            global_fc1,
            global_fc2,
            head,
            identity,
        })
    }

    pub fn config(&self) -> &NetConfig {
        &self.cfg
    }

    /// `thumb`: `[B, 3, L, L]` in `[0, 1]`. Returns the grid `[B, GH, GW, GD, 12]`.
    pub fn forward(&self, thumb: &Tensor, text: &TextBatch) -> candle_core::Result<Tensor> {
        let f = self.cfg.features;
        let [gh, gw, gd] = self.cfg.grid;
        let b = thumb.dim(0)?;
        // Centre the input so the first convolution sees zero-mean values.
        let mut h = (thumb - 0.5)?;
        for c in &self.stem {
            h = conv3x3(c, &h, 2)?.relu()?;
        }
        // FiLM from the sentence embedding (and the attribute vector, if used).
        let cond = match (self.cfg.attr_dim, &text.attributes) {
            (0, _) => text.pooled.clone(),
            (n, Some(a)) if a.dim(1)? == n => Tensor::cat(&[&text.pooled, a], 1)?,
            (n, _) => candle_core::bail!("this model needs attribute vectors of length {n}"),
        };
        let film = lin(&self.film, &cond)?;
        let scale = (film.narrow(1, 0, f)? + 1.0)?.reshape((b, f, 1, 1))?;
        let shift = film.narrow(1, f, f)?.reshape((b, f, 1, 1))?;
        let h = h.broadcast_mul(&scale)?.broadcast_add(&shift)?;

        // Local path with cross-attention over the token states.
        let local = conv3x3(&self.local1, &h, 1)?.relu()?;
        let local = conv3x3(&self.local2, &local, 1)?;
        let heads = self.cfg.heads;
        let dh = f / heads;
        let n = gh * gw;
        let cells = local.flatten_from(2)?.transpose(1, 2)?.contiguous()?; // [B, N, F]
        let t = text.tokens.dim(1)?;
        let split = |x: Tensor, len: usize| -> candle_core::Result<Tensor> {
            x.reshape((b, len, heads, dh))?
                .transpose(1, 2)?
                .contiguous()
        };
        let q = split(lin(&self.q, &cells)?, n)?;
        let k = split(lin(&self.k, &text.tokens)?, t)?;
        let v = split(lin(&self.v, &text.tokens)?, t)?;
        let att = (q.matmul(&k.t()?)? * (1.0 / (dh as f64).sqrt()))?;
        let att = candle_nn::ops::softmax_last_dim(&att.broadcast_add(&text.mask_bias)?)?;
        let ctx = att.matmul(&v)?.transpose(1, 2)?.reshape((b, n, f))?;
        let ctx = lin(&self.o, &ctx)?
            .transpose(1, 2)?
            .reshape((b, f, gh, gw))?;
        let local = (local + ctx)?;

        // Global path.
        let mut g = h;
        for c in &self.global_convs {
            g = conv3x3(c, &g, 2)?.relu()?;
        }
        let g = g.mean((2, 3))?;
        let g = Tensor::cat(&[&g, &cond], 1)?;
        let g = lin(&self.global_fc1, &g)?.relu()?;
        let g = lin(&self.global_fc2, &g)?;

        let fused = local.broadcast_add(&g.reshape((b, f, 1, 1))?)?.relu()?;
        let delta = conv1x1(&self.head, &fused)?; // [B, GD*12, GH, GW]
        let grid = delta.broadcast_add(&self.identity)?;
        grid.reshape((b, gd, 12, gh, gw))?
            .permute((0, 3, 4, 1, 2))?
            .contiguous()
    }
}

/// Stack thumbnails (`L x L x 3` interleaved each) into `[B, 3, L, L]`.
pub fn thumbs_to_tensor(
    thumbs: &[Vec<f32>],
    l: usize,
    device: &Device,
) -> candle_core::Result<Tensor> {
    let b = thumbs.len();
    let flat: Vec<f32> = thumbs.iter().flatten().copied().collect();
    Tensor::from_vec(flat, (b, l, l, 3), device)?
        .permute((0, 3, 1, 2))?
        .contiguous()
}
