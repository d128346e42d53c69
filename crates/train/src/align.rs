//! Prompt alignment (paper Eq. 5-6), adapted: the paper scores an edit with CLIP; no CLIP
//! weights exist here, so each attribute is scored by its *measurable* statistic from the
//! attribute bank (`retouch_instruct::attr::directions`), computed differentiably on the output.
//!
//! For every attribute the matcher finds in the instruction (target `t`, confidence `c`), let
//! `u = (1/K) sum_k w_k * sign(t) * (s_k(output) - s_k(input)) / tau` be the signed change of its
//! K defining statistics (CIELAB units over a temperature `tau`). The InfoNCE over the two
//! candidate edits — the asked direction (positive) and its opposite (negative), with logits
//! `u` and `-u` — is `-log(e^u / (e^u + e^-u)) = softplus(-2u)`. The loss is
//! `sum_t c_t softplus(-2 u_t) / sum_t c_t`: it pushes the output's statistics the asked way
//! and fades once they have clearly moved, leaving the amount to the data loss.
//!
//! Percentile statistics are made differentiable by fixing the pixel sets on the *input*
//! (e.g. shadows: the input's darkest quarter; blacks: its darkest 5 %; vibrance: its less
//! colourful half) and averaging the output over them.

use candle_core::{Result, Tensor};
use retouch_instruct::attr::{directions, Stat, Target};

/// Temperature in CIELAB units.
pub const TAU: f64 = 2.0;

/// About this many pixels are used for the statistics.
pub const PIXELS: usize = 8192;

/// CIELAB of `[N, 3]` sRGB values (clamped to `[0, 1]`): `(L, a, b)`, each `[N]`.
pub fn srgb_to_lab(rgb: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    let x = rgb.clamp(0f32, 1f32)?;
    let hi = ((&x + 0.055)? / 1.055)?.powf(2.4)?;
    let lo = (&x / 12.92)?;
    let lin = x.gt(0.04045f32)?.where_cond(&hi, &lo)?;
    // sRGB (D65) -> XYZ, each row divided by the white point.
    let m = Tensor::new(
        &[
            [0.4124f32 / 0.95047, 0.3576 / 0.95047, 0.1805 / 0.95047],
            [0.2126, 0.7152, 0.0722],
            [0.0193 / 1.08883, 0.1192 / 1.08883, 0.9505 / 1.08883],
        ],
        rgb.device(),
    )?;
    let xyz = lin.matmul(&m.t()?)?;
    let eps = 216.0f32 / 24389.0;
    // Both branches are evaluated; keep the cube root's argument away from 0 so its gradient
    // stays finite where the other branch is chosen.
    let cube = xyz.maximum(eps)?.powf(1.0 / 3.0)?;
    let lin_part = ((&xyz * (24389.0 / 27.0 / 116.0))? + 16.0 / 116.0)?;
    let f = xyz.gt(eps)?.where_cond(&cube, &lin_part)?;
    let fx = f.narrow(1, 0, 1)?.squeeze(1)?;
    let fy = f.narrow(1, 1, 1)?.squeeze(1)?;
    let fz = f.narrow(1, 2, 1)?.squeeze(1)?;
    let l = ((&fy * 116.0)? - 16.0)?;
    let a = ((&fx - &fy)? * 500.0)?;
    let b = ((fy - fz)? * 200.0)?;
    Ok((l, a, b))
}

fn quantile(v: &[f32], w: &[f32], q: f32) -> f32 {
    let mut p: Vec<(f32, f32)> = v.iter().copied().zip(w.iter().copied()).collect();
    p.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f32 = w.iter().sum();
    let mut acc = 0.0;
    for (x, wi) in &p {
        acc += wi;
        if acc >= q * total {
            return *x;
        }
    }
    p.last().map_or(0.0, |x| x.0)
}

/// Differentiable statistics of one output image against its input.
pub struct StatContext {
    out_lab: (Tensor, Tensor, Tensor),
    out_chroma: Tensor,
    in_lab: (Vec<f32>, Vec<f32>, Vec<f32>),
    weights: Vec<f32>,
    device: candle_core::Device,
}

impl StatContext {
    /// `out`, `input`: `[N, 3]`; `weights`: optional soft region (one per pixel). Statistics
    /// are means, so they are computed on every `stride`-th pixel.
    pub fn new(
        out: &Tensor,
        input: &Tensor,
        weights: Option<&[f32]>,
        stride: usize,
    ) -> Result<Self> {
        let n_all = out.dim(0)?;
        let stride = stride.max(1);
        let idx: Vec<u32> = (0..n_all).step_by(stride).map(|i| i as u32).collect();
        let (out, input, weights) = if stride > 1 {
            let it = Tensor::from_vec(idx.clone(), idx.len(), out.device())?;
            (
                out.index_select(&it, 0)?,
                input.index_select(&it, 0)?,
                weights.map(|w| idx.iter().map(|&i| w[i as usize]).collect::<Vec<f32>>()),
            )
        } else {
            (out.clone(), input.clone(), weights.map(<[f32]>::to_vec))
        };
        let (l, a, b) = srgb_to_lab(&out)?;
        let chroma = ((a.sqr()? + b.sqr()?)? + 1e-4)?.sqrt()?;
        let (il, ia, ib) = srgb_to_lab(&input.detach())?;
        let n = il.dim(0)?;
        let weights = weights.unwrap_or_else(|| vec![1f32; n]);
        Ok(Self {
            out_lab: (l, a, b),
            out_chroma: chroma,
            in_lab: (il.to_vec1()?, ia.to_vec1()?, ib.to_vec1()?),
            weights,
            device: out.device().clone(),
        })
    }

    fn wmean(&self, x: &Tensor, w: &[f32]) -> Result<Tensor> {
        let s: f32 = w.iter().sum::<f32>().max(1e-6);
        let wt = Tensor::from_vec(
            w.iter().map(|v| v / s).collect::<Vec<_>>(),
            w.len(),
            &self.device,
        )?;
        (x * wt)?.sum_all()
    }

    fn wmean_in(x: &[f32], w: &[f32]) -> f32 {
        let s: f32 = w.iter().sum::<f32>().max(1e-6);
        x.iter().zip(w).map(|(a, b)| a * b).sum::<f32>() / s
    }

    /// `s(output) - s(input)` for a statistic, or `None` for one without a differentiable
    /// form here.
    pub fn delta(&self, stat: Stat) -> Result<Option<Tensor>> {
        let w = &self.weights;
        let (l, a, b) = &self.out_lab;
        let (il, ia, ib) = &self.in_lab;
        let in_chroma: Vec<f32> = ia
            .iter()
            .zip(ib)
            .map(|(x, y)| (x * x + y * y + 1e-4).sqrt())
            .collect();
        let band = |v: &[f32], keep: &dyn Fn(f32) -> bool| -> Vec<f32> {
            v.iter()
                .zip(w)
                .map(|(x, wi)| if keep(*x) { *wi } else { 0.0 })
                .collect()
        };
        let mean_delta = |out: &Tensor, input: &[f32], wt: &[f32]| -> Result<Tensor> {
            self.wmean(out, wt)? - Self::wmean_in(input, wt) as f64
        };
        let d = match stat {
            Stat::LMean => mean_delta(l, il, w)?,
            Stat::AMean => mean_delta(a, ia, w)?,
            Stat::BMean => mean_delta(b, ib, w)?,
            Stat::ChromaMean => mean_delta(&self.out_chroma, &in_chroma, w)?,
            Stat::LStd => {
                let m = self.wmean(l, w)?;
                let var = self.wmean(&l.broadcast_sub(&m)?.sqr()?, w)?;
                let im = Self::wmean_in(il, w);
                let ivar: f32 =
                    Self::wmean_in(&il.iter().map(|x| (x - im).powi(2)).collect::<Vec<_>>(), w);
                ((var + 1e-4)?.sqrt()? - ivar.sqrt() as f64)?
            }
            Stat::LShadowMean => {
                let q = quantile(il, w, 0.25);
                mean_delta(l, il, &band(il, &|x| x <= q))?
            }
            Stat::LHighlightMean => {
                let q = quantile(il, w, 0.75);
                mean_delta(l, il, &band(il, &|x| x >= q))?
            }
            Stat::LP02 => {
                let q = quantile(il, w, 0.05);
                mean_delta(l, il, &band(il, &|x| x <= q))?
            }
            Stat::ChromaLowMean => {
                let q = quantile(&in_chroma, w, 0.5);
                mean_delta(&self.out_chroma, &in_chroma, &band(&in_chroma, &|x| x <= q))?
            }
            Stat::SepiaDistance => {
                let dist = (((a - 6.0)?.sqr()? + (b - 16.0)?.sqr()?)? + 1e-4)?.sqrt()?;
                let idist: Vec<f32> = ia
                    .iter()
                    .zip(ib)
                    .map(|(x, y)| ((x - 6.0).powi(2) + (y - 16.0).powi(2) + 1e-4).sqrt())
                    .collect();
                mean_delta(&dist, &idist, w)?
            }
            Stat::LP10 | Stat::LP90 => return Ok(None),
        };
        Ok(Some(d))
    }
}

/// Numerically stable `log(1 + e^x)`.
pub fn softplus(x: &Tensor) -> Result<Tensor> {
    let pos = x.relu()?;
    let neg_abs = x.abs()?.neg()?;
    pos + (neg_abs.exp()? + 1.0)?.log()?
}

/// The alignment loss of one sample (see the module docs): `targets` with the matcher's
/// confidences; region targets are scored inside `region` when given and skipped otherwise.
/// Returns `None` when no target can be scored.
pub fn alignment_loss(
    out: &Tensor,
    input: &Tensor,
    targets: &[(Target, f32)],
    region: Option<&[f32]>,
) -> Result<Option<Tensor>> {
    let stride = out.dim(0)?.div_ceil(PIXELS);
    let global = StatContext::new(out, input, None, stride)?;
    let local = match region {
        Some(r) => Some(StatContext::new(out, input, Some(r), stride)?),
        None => None,
    };
    let mut total: Option<Tensor> = None;
    let mut wsum = 0f32;
    for (t, conf) in targets {
        let ctx = match (&t.region, &local) {
            (None, _) => &global,
            (Some(_), Some(l)) => l,
            (Some(_), None) => continue,
        };
        let dirs = directions(&t.attr);
        let mut u: Option<Tensor> = None;
        let mut k = 0usize;
        for (name, w) in dirs {
            if let Some(d) = ctx.delta(name)? {
                let term = (d * (w * t.dir.sign()) as f64)?;
                u = Some(match u {
                    Some(s) => (s + term)?,
                    None => term,
                });
                k += 1;
            }
        }
        let Some(u) = u else { continue };
        let u = (u / (k as f64 * TAU))?;
        let l = (softplus(&(u * -2.0)?)? * *conf as f64)?;
        total = Some(match total {
            Some(s) => (s + l)?,
            None => l,
        });
        wsum += conf;
    }
    match total {
        Some(t) if wsum > 0.0 => Ok(Some((t / wsum as f64)?)),
        _ => Ok(None),
    }
}
