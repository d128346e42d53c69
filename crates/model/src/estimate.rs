//! The photo's estimator: what global correction a photo needs, read from its statistics
//! ([`retouch_finish::features`], with their pairwise products) and, when the file asks for it,
//! from what a pretrained backbone sees in it ([`Backbone`]: EfficientNet-Lite0's features,
//! the paper's pretrained low-resolution branch), by a ridge regression or a small network.
//! It sizes generic requests ("enhance") and named problems ("it's too dark") in
//! [`crate::adjust`].
//!
//! Trained by `retouch train-estimator` on the training photos spoiled by random corrections
//! (`retouch_data::degrade`): the target is the correction that repairs the spoiled photo.
//! The shipped weights (`models/estimator/estimator.json`) are compiled into the binary.

use std::sync::OnceLock;

use crate::{ModelError, Result};
use retouch_finish::correction::{Correction, PARAMS};
use retouch_finish::features::{features, FEATURES};
use retouch_vision::effnet::{
    input_from_unit_rgb, EfficientNetLite0, HEAD_CHANNELS, MIN_SIDE, STAGE_TOTAL,
};
use serde::{Deserialize, Serialize};

/// The shipped estimator's file, as committed.
const SHIPPED: &str = include_str!("../../../models/estimator/estimator.json");

/// Length of a photo's full reading: statistics, the backbone's stage means, its pooled head.
pub const FULL: usize = FEATURES + BACKBONE_STAGES + HEAD_CHANNELS;
/// The backbone's stage means, all stages together (784).
pub const BACKBONE_STAGES: usize = STAGE_TOTAL;

/// What of the pretrained backbone the estimator reads besides the statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backbone {
    /// Statistics only.
    #[default]
    None,
    /// The mean of each of EfficientNet-Lite0's seven stages (784 values: colour and texture
    /// early, parts and scenes late).
    Stages,
    /// Its pooled head features (1280: what the photo shows).
    Head,
    /// Both.
    StagesAndHead,
}

impl Backbone {
    pub const ALL: [Backbone; 4] = [
        Backbone::None,
        Backbone::Stages,
        Backbone::Head,
        Backbone::StagesAndHead,
    ];

    /// The columns of a full reading ([`FULL`]: statistics, stages, head) this choice keeps.
    pub fn select(self, full: &[f32]) -> Vec<f32> {
        let (stats, rest) = full.split_at(FEATURES);
        let (stages, head) = rest.split_at(BACKBONE_STAGES);
        let mut v = stats.to_vec();
        match self {
            Backbone::None => {}
            Backbone::Stages => v.extend_from_slice(stages),
            Backbone::Head => v.extend_from_slice(head),
            Backbone::StagesAndHead => v.extend_from_slice(rest),
        }
        v
    }

    /// Inputs the estimator reads (statistics included).
    pub fn inputs(self) -> usize {
        FEATURES
            + match self {
                Backbone::None => 0,
                Backbone::Stages => BACKBONE_STAGES,
                Backbone::Head => HEAD_CHANNELS,
                Backbone::StagesAndHead => BACKBONE_STAGES + HEAD_CHANNELS,
            }
    }
}

impl std::str::FromStr for Backbone {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "none" => Ok(Backbone::None),
            "stages" => Ok(Backbone::Stages),
            "head" => Ok(Backbone::Head),
            "stages+head" => Ok(Backbone::StagesAndHead),
            _ => Err(format!(
                "unknown backbone reading {s:?} (none, stages, head, stages+head)"
            )),
        }
    }
}

/// The backbone, loaded once per process on first use (9 MB from the models directory).
fn backbone_network() -> Result<&'static EfficientNetLite0> {
    static NET: OnceLock<std::result::Result<EfficientNetLite0, String>> = OnceLock::new();
    NET.get_or_init(|| EfficientNetLite0::load_default().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ModelError::Invalid(format!("the estimator's backbone: {e}")))
}

/// A photo's full reading ([`FULL`] values): the statistics of interleaved sRGB in `[0, 1]`
/// (`width x height`), then the backbone's stage means and pooled head, or zeros there when
/// `backbone` is false (for estimators that read statistics only).
pub fn read_photo(rgb: &[f32], width: usize, height: usize, backbone: bool) -> Result<Vec<f32>> {
    let mut v = features(rgb, width, height).to_vec();
    if !backbone {
        v.resize(FULL, 0.0);
        return Ok(v);
    }
    if width < MIN_SIDE || height < MIN_SIDE || rgb.len() != width * height * 3 {
        return Err(ModelError::Invalid(format!(
            "the estimator reads photos of at least {MIN_SIDE}x{MIN_SIDE} pixels, not {width}x{height}"
        )));
    }
    let seen = backbone_network()?
        .observe(&input_from_unit_rgb(rgb, width, height))
        .map_err(|e| ModelError::Invalid(format!("the estimator's backbone: {e}")))?;
    v.extend(seen.concat());
    Ok(v)
}

/// A fitted estimator.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Estimator {
    /// 1: the inputs; 2: also the statistics' pairwise products (backbone features enter
    /// linearly).
    pub degree: u8,
    /// What of the backbone it reads (none in files from before it existed).
    #[serde(default)]
    pub backbone: Backbone,
    /// Standardisation of the expanded features.
    pub mean: Vec<f32>,
    pub scale: Vec<f32>,
    /// Per parameter ([`Correction::to_vec`] order): bias, then one weight per expanded feature.
    /// Empty when the estimator is an [`Mlp`].
    pub weights: Vec<Vec<f32>>,
    /// A small network on the standardised features (degree 1), used instead of the ridge
    /// weights when present.
    #[serde(default)]
    pub mlp: Option<Mlp>,
    /// Heads fitted only on photos known to have one problem, in [`Problem::ALL`] order:
    /// what a named problem ("it's too dark") is sized by. Empty: the general head sizes it.
    #[serde(default)]
    pub given: Vec<Estimator>,
    /// Heads fitted only on photos whose problem needs one repair, visibly, in [`Repair::ALL`]
    /// order: what a named problem with a direction ("too blue" needs warmer) is sized by, in
    /// preference to its [`Self::given`] head. Empty (files from before them): not used.
    #[serde(default)]
    pub directed: Vec<Estimator>,
    /// How it was made (command, data, held-out error).
    pub provenance: String,
}

/// A problem a photo is known to have (the sentence named it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    WhiteBalance,
    Exposure,
    Contrast,
    Saturation,
}

impl Problem {
    pub const ALL: [Problem; 4] = [
        Problem::WhiteBalance,
        Problem::Exposure,
        Problem::Contrast,
        Problem::Saturation,
    ];

    /// Whether a training correction repairs this problem (by a noticeable amount).
    pub fn present_in(self, c: &Correction) -> bool {
        match self {
            Problem::WhiteBalance => c.log_r.abs() + c.log_b.abs() > 0.1,
            Problem::Exposure => c.ev.abs() > 0.3,
            Problem::Contrast => c.black.abs() > 0.03 || (c.white - 1.0).abs() > 0.03,
            Problem::Saturation => c.log_chroma.abs() > 0.1,
        }
    }

    /// The parameters ([`Correction::to_vec`] order) that repair it.
    pub fn params(self) -> &'static [usize] {
        match self {
            Problem::WhiteBalance => &[0, 1],
            Problem::Exposure => &[2],
            Problem::Contrast => &[3, 4],
            Problem::Saturation => &[5],
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// The repair a named problem asks for when the sentence gives its direction ("too dark":
/// brighter; "a blue cast": warmer; "the colours are dull": richer). Contrast has none: its
/// training corrections stretch or compress both ends at once, and a head fitted on one
/// direction sizes a problem at one end ("the blacks look washed out") by both (measured on
/// the enhance benchmark's thumbnails, `examples/detect_correct.rs`: lifted blacks 22 -> 7 %
/// removed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repair {
    Brighter,
    Darker,
    Warmer,
    Cooler,
    Magenta,
    Greener,
    Richer,
    Muted,
}

/// CIELAB b* and a* a correction's white-balance gains move a neutral grey by.
fn lab_shift(c: &Correction) -> (f32, f32) {
    let (da, db) = crate::adjust::lab_shift(c.log_r, c.log_b);
    (db, da)
}

impl Repair {
    pub const ALL: [Repair; 8] = [
        Repair::Brighter,
        Repair::Darker,
        Repair::Warmer,
        Repair::Cooler,
        Repair::Magenta,
        Repair::Greener,
        Repair::Richer,
        Repair::Muted,
    ];

    /// The repair a problem's direction asks for (`sign` > 0: brighter, warmer, more magenta,
    /// richer), `None` for contrast and for no direction.
    pub fn of(problem: Problem, sign: f32, tint: bool) -> Option<Self> {
        if sign == 0.0 {
            return None;
        }
        let up = sign > 0.0;
        Some(match (problem, tint, up) {
            (Problem::Exposure, _, true) => Repair::Brighter,
            (Problem::Exposure, _, false) => Repair::Darker,
            (Problem::WhiteBalance, false, true) => Repair::Warmer,
            (Problem::WhiteBalance, false, false) => Repair::Cooler,
            (Problem::WhiteBalance, true, true) => Repair::Magenta,
            (Problem::WhiteBalance, true, false) => Repair::Greener,
            (Problem::Saturation, _, true) => Repair::Richer,
            (Problem::Saturation, _, false) => Repair::Muted,
            (Problem::Contrast, _, _) => return None,
        })
    }

    /// Whether a training correction makes this repair by an amount a person would name: twice
    /// [`Problem::present_in`]'s thresholds (0.6 EV, 4 units of b* or a* at a grey, 0.2 in
    /// log chroma). Someone who says "too blue" saw a cast; the head fitted on these sizes it
    /// as one (removed on the enhance benchmark's thumbnails, blue / yellow cast 42 / 40 ->
    /// 53 / 53 %, dull / garish 39 / 44 -> 50 / 64 %, `examples/detect_correct.rs`).
    pub fn present_in(self, c: &Correction) -> bool {
        let (db, da) = lab_shift(c);
        match self {
            Repair::Brighter => c.ev > 0.6,
            Repair::Darker => c.ev < -0.6,
            Repair::Warmer => db > 4.0,
            Repair::Cooler => db < -4.0,
            Repair::Magenta => da > 4.0,
            Repair::Greener => da < -4.0,
            Repair::Richer => c.log_chroma > 0.2,
            Repair::Muted => c.log_chroma < -0.2,
        }
    }

    /// `into` with this repair's part of `from`: exposure, saturation, or the white-balance
    /// gains' part along its CIELAB axis (the other axis's part of `into` kept).
    pub fn take(self, from: &Correction, into: &mut [f32; PARAMS]) {
        let f = from.to_vec();
        match self {
            Repair::Brighter | Repair::Darker => into[2] = f[2],
            Repair::Richer | Repair::Muted => into[5] = f[5],
            Repair::Warmer | Repair::Cooler | Repair::Magenta | Repair::Greener => {
                let (a_from, b_from) = crate::adjust::lab_axes(f[0], f[1]);
                let (a_into, b_into) = crate::adjust::lab_axes(into[0], into[1]);
                let (a, b) = if matches!(self, Repair::Warmer | Repair::Cooler) {
                    (a_into, b_from)
                } else {
                    (a_from, b_into)
                };
                into[0] = a.0 + b.0;
                into[1] = a.1 + b.1;
            }
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

/// A multi-layer perceptron: ReLU between layers, linear output scaled back to the
/// parameters' units by `out_mean + out_scale * y`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Mlp {
    pub layers: Vec<Dense>,
    pub out_mean: Vec<f32>,
    pub out_scale: Vec<f32>,
}

/// `y = W x + b`, `W` row-major `outputs x inputs`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Dense {
    pub inputs: usize,
    pub outputs: usize,
    pub w: Vec<f32>,
    pub b: Vec<f32>,
}

/// Dense layers with ReLU between them (none after the last), in plain f32: the reference
/// the candle training graphs are tested against.
pub fn dense_forward(layers: &[Dense], x: &[f32]) -> Vec<f32> {
    let mut h = x.to_vec();
    for (li, l) in layers.iter().enumerate() {
        let mut y = l.b.clone();
        for (o, yo) in y.iter_mut().enumerate() {
            let row = &l.w[o * l.inputs..(o + 1) * l.inputs];
            *yo += row.iter().zip(&h).map(|(a, b)| a * b).sum::<f32>();
        }
        if li + 1 < layers.len() {
            y.iter_mut().for_each(|v| *v = v.max(0.0));
        }
        h = y;
    }
    h
}

impl Mlp {
    /// The network's output for standardised features `x` (the reference the candle training
    /// graph is tested against).
    pub fn forward(&self, x: &[f32]) -> Vec<f32> {
        let h = dense_forward(&self.layers, x);
        h.iter()
            .zip(self.out_mean.iter().zip(&self.out_scale))
            .map(|(y, (m, s))| m + s * y)
            .collect()
    }

    fn validate(&self, inputs: usize) -> bool {
        let mut n = inputs;
        for l in &self.layers {
            if l.inputs != n || l.w.len() != l.inputs * l.outputs || l.b.len() != l.outputs {
                return false;
            }
            n = l.outputs;
        }
        n == PARAMS && self.out_mean.len() == PARAMS && self.out_scale.len() == PARAMS
    }
}

/// The inputs (statistics first), and the statistics' pairwise products when `degree` is 2.
pub fn expand(f: &[f32], degree: u8) -> Vec<f32> {
    let mut v = f.to_vec();
    if degree >= 2 {
        let n = FEATURES.min(f.len());
        for i in 0..n {
            for j in i..n {
                v.push(f[i] * f[j]);
            }
        }
    }
    v
}

/// Per column of `rows` (all of one length): the mean and the standard deviation (population,
/// at least 1e-6), the standardisation the heads are fitted on.
pub fn standardisation(rows: &[Vec<f32>]) -> (Vec<f64>, Vec<f64>) {
    let d = rows.first().map_or(0, Vec::len);
    let n = rows.len() as f64;
    let mut mean = vec![0f64; d];
    for r in rows {
        for (m, v) in mean.iter_mut().zip(r) {
            *m += f64::from(*v) / n;
        }
    }
    let mut scale = vec![0f64; d];
    for r in rows {
        for ((s, v), m) in scale.iter_mut().zip(r).zip(&mean) {
            *s += (f64::from(*v) - m).powi(2) / n;
        }
    }
    scale.iter_mut().for_each(|s| *s = s.sqrt().max(1e-6));
    (mean, scale)
}

/// Solve `a x = b` for symmetric positive definite `a` (`n x n`, row-major) by Cholesky, for
/// each right-hand side in `bs` (one factorisation).
fn solve_spd(a: &mut [f64], bs: &mut [Vec<f64>], n: usize) -> Result<()> {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d <= 0.0 {
            return Err(ModelError::Invalid(
                "estimator: normal equations are not positive definite".into(),
            ));
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
    }
    for b in bs {
        for i in 0..n {
            let mut s = b[i];
            for k in 0..i {
                s -= a[i * n + k] * b[k];
            }
            b[i] = s / a[i * n + i];
        }
        for i in (0..n).rev() {
            let mut s = b[i];
            for k in i + 1..n {
                s -= a[k * n + i] * b[k];
            }
            b[i] = s / a[i * n + i];
        }
    }
    Ok(())
}

impl Estimator {
    /// The estimator compiled into the binary.
    pub fn shipped() -> Result<Self> {
        Self::from_json(SHIPPED).map_err(|e| ModelError::Invalid(format!("shipped estimator: {e}")))
    }

    /// An estimator file's contents, checked.
    pub fn from_json(text: &str) -> Result<Self> {
        let e: Self = serde_json::from_str(text)
            .map_err(|e| ModelError::Invalid(format!("estimator: {e}")))?;
        e.validate()?;
        Ok(e)
    }

    /// Fit on (full reading, correction) pairs ([`read_photo`]; only the columns `backbone`
    /// keeps are used) with ridge penalty `lambda` (on standardised inputs; the bias is not
    /// penalised).
    pub fn fit(
        samples: &[(Vec<f32>, Correction)],
        degree: u8,
        backbone: Backbone,
        lambda: f64,
        provenance: String,
    ) -> Result<Self> {
        Ok(
            Self::fit_shrunk(samples, degree, backbone, &[lambda], 1.0, provenance)?
                .pop()
                .expect("one penalty, one fit"),
        )
    }

    /// [`Self::fit`] for each penalty in `lambdas`, sharing the normal equations, with the
    /// backbone's columns penalised `1 / shrink^2` times as much as the statistics (their
    /// standardised values scaled by `shrink`, which the stored scale keeps; 1: alike): with a
    /// few hundred photos, 2,000 backbone features otherwise learn the photos instead of what
    /// is wrong with them.
    pub fn fit_shrunk(
        samples: &[(Vec<f32>, Correction)],
        degree: u8,
        backbone: Backbone,
        lambdas: &[f64],
        shrink: f64,
        provenance: String,
    ) -> Result<Vec<Self>> {
        use candle_core::{Device, Tensor};
        if samples.is_empty() {
            return Err(ModelError::Invalid("estimator: no samples".into()));
        }
        let rows: Vec<Vec<f32>> = samples
            .iter()
            .map(|(f, _)| expand(&backbone.select(f), degree))
            .collect();
        let d = rows[0].len();
        let n = rows.len();
        let (mean, mut scale) = standardisation(&rows);
        // The backbone's columns sit between the statistics and their products.
        for s in &mut scale[FEATURES..backbone.inputs()] {
            *s /= shrink;
        }
        // Normal equations on [1, standardised inputs], as one f64 matrix product.
        let k = d + 1;
        let mut x = vec![0f64; n * k];
        for (r, xr) in rows.iter().zip(x.chunks_mut(k)) {
            xr[0] = 1.0;
            for j in 0..d {
                xr[j + 1] = (f64::from(r[j]) - mean[j]) / scale[j];
            }
        }
        let mut y = vec![0f64; n * PARAMS];
        for ((_, c), yr) in samples.iter().zip(y.chunks_mut(PARAMS)) {
            for (t, v) in yr.iter_mut().zip(c.to_vec()) {
                *t = f64::from(v);
            }
        }
        let xt = Tensor::from_vec(x, (n, k), &Device::Cpu)?;
        let yt = Tensor::from_vec(y, (n, PARAMS), &Device::Cpu)?;
        let xtt = xt.t()?.contiguous()?;
        let ata: Vec<f64> = xtt.matmul(&xt)?.flatten_all()?.to_vec1()?;
        let atb = xtt.matmul(&yt)?.t()?.contiguous()?.to_vec2::<f64>()?;
        let mut fits = Vec::with_capacity(lambdas.len());
        for &lambda in lambdas {
            let mut a = ata.clone();
            for i in 1..k {
                a[i * k + i] += lambda * n as f64;
            }
            let mut bs = atb.clone();
            solve_spd(&mut a, &mut bs, k)?;
            fits.push(Self {
                degree,
                backbone,
                mean: mean.iter().map(|v| *v as f32).collect(),
                scale: scale.iter().map(|v| *v as f32).collect(),
                weights: bs
                    .into_iter()
                    .map(|b| b.into_iter().map(|v| v as f32).collect())
                    .collect(),
                mlp: None,
                given: Vec::new(),
                directed: Vec::new(),
                provenance: provenance.clone(),
            });
        }
        Ok(fits)
    }

    /// The correction estimated from a photo's full reading ([`read_photo`]).
    pub fn predict_reading(&self, full: &[f32]) -> Correction {
        let x = expand(&self.backbone.select(full), self.degree);
        let mut v = [0f32; PARAMS];
        if let Some(m) = &self.mlp {
            let z = self.standardise(&x);
            v.copy_from_slice(&m.forward(&z)[..PARAMS]);
            return Correction::from_vec(v).clamped();
        }
        for (p, w) in self.weights.iter().enumerate() {
            let mut s = w[0];
            for j in 0..x.len().min(w.len() - 1) {
                s += w[j + 1] * (x[j] - self.mean[j]) / self.scale[j];
            }
            v[p] = s;
        }
        Correction::from_vec(v).clamped()
    }

    /// Whether this estimator (or one of its named-problem heads) reads the backbone.
    pub fn needs_backbone(&self) -> bool {
        self.backbone != Backbone::None
            || self
                .given
                .iter()
                .chain(&self.directed)
                .any(Estimator::needs_backbone)
    }

    /// A photo's full reading as this estimator needs it (the backbone run only if it reads it).
    pub fn read(&self, rgb: &[f32], width: usize, height: usize) -> Result<Vec<f32>> {
        read_photo(rgb, width, height, self.needs_backbone())
    }

    /// The correction for a photo (interleaved sRGB in `[0, 1]`, `width x height`) known to
    /// have `problems`, some needing `repairs`: each repair's parameters from its directed head,
    /// each other problem's from its own head (when fitted), the rest from the general head.
    pub fn predict_given(
        &self,
        rgb: &[f32],
        width: usize,
        height: usize,
        problems: &[Problem],
        repairs: &[Repair],
    ) -> Result<Correction> {
        let full = self.read(rgb, width, height)?;
        Ok(self.predict_reading_given(&full, problems, repairs))
    }

    /// [`Self::predict_given`] from a ready full reading.
    pub fn predict_reading_given(
        &self,
        full: &[f32],
        problems: &[Problem],
        repairs: &[Repair],
    ) -> Correction {
        let mut v = self.predict_reading(full).to_vec();
        for p in problems {
            if let Some(h) = self.given.get(p.index()) {
                let g = h.predict_reading(full).to_vec();
                for &k in p.params() {
                    v[k] = g[k];
                }
            }
        }
        for r in repairs {
            if let Some(h) = self.directed.get(r.index()) {
                r.take(&h.predict_reading(full), &mut v);
            }
        }
        Correction::from_vec(v).clamped()
    }

    /// Expanded features standardised as in training.
    pub fn standardise(&self, x: &[f32]) -> Vec<f32> {
        x.iter()
            .zip(self.mean.iter().zip(&self.scale))
            .map(|(v, (m, s))| (v - m) / s)
            .collect()
    }

    /// The correction an interleaved sRGB photo in `[0, 1]` (`width x height`) needs.
    pub fn predict(&self, rgb: &[f32], width: usize, height: usize) -> Result<Correction> {
        self.predict_given(rgb, width, height, &[], &[])
    }

    /// Check the shapes agree (a file edited by hand, or from another version).
    pub fn validate(&self) -> Result<()> {
        let d = expand(&vec![0.0; self.backbone.inputs()], self.degree).len();
        let head_ok = match &self.mlp {
            Some(m) => m.validate(d),
            None => self.weights.len() == PARAMS && self.weights.iter().all(|w| w.len() == d + 1),
        };
        if self.mean.len() != d
            || self.scale.len() != d
            || !head_ok
            || !(self.given.is_empty() || self.given.len() == Problem::ALL.len())
            || !(self.directed.is_empty() || self.directed.len() == Repair::ALL.len())
        {
            return Err(ModelError::Invalid(format!(
                "estimator: expected {PARAMS} parameters over {d} features"
            )));
        }
        self.given
            .iter()
            .chain(&self.directed)
            .try_for_each(Estimator::validate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_small_system() {
        let mut a = vec![4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let x = [1.0, -2.0, 0.5];
        let b: Vec<f64> = (0..3)
            .map(|i| (0..3).map(|j| a[i * 3 + j] * x[j]).sum())
            .collect();
        let mut bs = vec![b.clone(), b.iter().map(|v| 2.0 * v).collect()];
        solve_spd(&mut a, &mut bs, 3).unwrap();
        for (p, q) in bs[0].iter().zip(x) {
            assert!((p - q).abs() < 1e-12);
        }
        for (p, q) in bs[1].iter().zip(x) {
            assert!((p - 2.0 * q).abs() < 1e-12);
        }
    }

    #[test]
    fn fit_recovers_a_linear_rule() {
        // ev = 2 * f0 - 1, everything else 0: a degree-1 fit with a tiny penalty finds it.
        let samples: Vec<(Vec<f32>, Correction)> = (0..200)
            .map(|i| {
                let mut f = vec![0f32; FULL];
                for (j, v) in f.iter_mut().take(FEATURES).enumerate() {
                    *v = ((i * (j + 3) * 7919) % 101) as f32 / 100.0;
                }
                let c = Correction {
                    ev: 2.0 * f[0] - 1.0,
                    ..Correction::default()
                };
                (f, c)
            })
            .collect();
        let e = Estimator::fit(&samples, 1, Backbone::None, 1e-9, "test".into()).unwrap();
        e.validate().unwrap();
        for (f, c) in samples.iter().take(20) {
            let p = e.predict_reading(f);
            assert!((p.ev - c.ev).abs() < 1e-3, "{} vs {}", p.ev, c.ev);
            assert!(p.log_r.abs() < 1e-3 && (p.white - 1.0).abs() < 1e-3);
        }
    }

    /// Samples whose target depends on statistic 0 and on backbone column 0 (the first stage
    /// mean); the other statistics vary, the other backbone columns are 0.
    fn mixed_samples(from: usize, n: usize) -> Vec<(Vec<f32>, Correction)> {
        (from..from + n)
            .map(|i| {
                let mut f: Vec<f32> = (0..FULL)
                    .map(|j| ((i * (j + 3) * 7919) % 101) as f32 / 100.0)
                    .collect();
                f[FEATURES..].fill(0.0);
                f[FEATURES] = ((i * 37) % 53) as f32 / 52.0;
                let c = Correction {
                    ev: f[0] - 0.5 + 0.8 * f[FEATURES],
                    ..Correction::default()
                };
                (f, c)
            })
            .collect()
    }

    #[test]
    fn backbone_columns_are_read_and_shrinking_silences_them() {
        let samples = mixed_samples(0, 300);
        let held = mixed_samples(300, 100);
        let err = |e: &Estimator| -> f32 {
            held.iter()
                .map(|(f, c)| (e.predict_reading(f).ev - c.ev).abs())
                .sum::<f32>()
                / held.len() as f32
        };
        let none = Estimator::fit(&samples, 1, Backbone::None, 1e-6, String::new()).unwrap();
        let stages = Estimator::fit(&samples, 1, Backbone::Stages, 1e-6, String::new()).unwrap();
        stages.validate().unwrap();
        assert!(stages.needs_backbone() && !none.needs_backbone());
        assert!(
            err(&stages) < 0.02 && err(&none) > 0.1,
            "{} {}",
            err(&stages),
            err(&none)
        );
        // Shrunk a millionfold, the backbone's columns cost so much that the fit is the
        // statistics-only one.
        let silenced =
            Estimator::fit_shrunk(&samples, 1, Backbone::Stages, &[1e-3], 1e-6, String::new())
                .unwrap()
                .pop()
                .unwrap();
        let reference = Estimator::fit(&samples, 1, Backbone::None, 1e-3, String::new()).unwrap();
        for (f, _) in samples.iter().take(20) {
            let (a, b) = (
                silenced.predict_reading(f).ev,
                reference.predict_reading(f).ev,
            );
            assert!((a - b).abs() < 1e-3, "{a} vs {b}");
        }
    }

    #[test]
    fn backbone_choices_select_their_columns() {
        let full: Vec<f32> = (0..FULL).map(|i| i as f32).collect();
        for b in Backbone::ALL {
            let v = b.select(&full);
            assert_eq!(v.len(), b.inputs());
            assert_eq!(v[..FEATURES], full[..FEATURES]);
        }
        assert_eq!(
            Backbone::Head.select(&full)[FEATURES],
            (FEATURES + BACKBONE_STAGES) as f32
        );
        assert_eq!(Backbone::Stages.select(&full)[FEATURES], FEATURES as f32);
        assert_eq!(
            BACKBONE_STAGES,
            retouch_vision::effnet::STAGE_CHANNELS.iter().sum::<usize>()
        );
        assert_eq!(BACKBONE_STAGES, 784);
        for (s, b) in ["none", "stages", "head", "stages+head"]
            .iter()
            .zip(Backbone::ALL)
        {
            assert_eq!(s.parse::<Backbone>().unwrap(), b);
        }
        assert!("all".parse::<Backbone>().is_err());
    }

    #[test]
    fn a_repair_takes_its_own_axis_only() {
        let from = Correction {
            log_r: 0.3,
            log_b: -0.2,
            ev: 1.0,
            log_chroma: 0.5,
            ..Correction::default()
        };
        let into0 = Correction {
            log_r: -0.1,
            log_b: 0.25,
            ev: -0.5,
            log_chroma: -0.3,
            ..Correction::default()
        }
        .to_vec();
        let shift = |v: &[f32; PARAMS]| lab_shift(&Correction::from_vec(*v));
        let (db_from, da_from) = lab_shift(&from);
        let (db_into, da_into) = shift(&into0);
        let mut v = into0;
        Repair::Warmer.take(&from, &mut v);
        let (db, da) = shift(&v);
        assert!((db - db_from).abs() < 1e-4 && (da - da_into).abs() < 1e-4);
        assert_eq!((v[2], v[5]), (into0[2], into0[5]));
        let mut v = into0;
        Repair::Greener.take(&from, &mut v);
        let (db, da) = shift(&v);
        assert!((db - db_into).abs() < 1e-4 && (da - da_from).abs() < 1e-4);
        let mut v = into0;
        Repair::Brighter.take(&from, &mut v);
        assert_eq!(v[2], 1.0);
        assert_eq!(v[..2], into0[..2]);
        let mut v = into0;
        Repair::Muted.take(&from, &mut v);
        assert_eq!(v[5], 0.5);
        assert_eq!(v[..5], into0[..5]);
        assert_eq!(Repair::of(Problem::Contrast, 1.0, false), None);
        assert_eq!(Repair::of(Problem::Exposure, 0.0, false), None);
        assert_eq!(
            Repair::of(Problem::WhiteBalance, -1.0, true),
            Some(Repair::Greener)
        );
        assert!(Repair::Warmer.present_in(&from) && !Repair::Cooler.present_in(&from));
    }

    #[test]
    fn the_shipped_estimator_loads() {
        let e = Estimator::shipped().unwrap();
        e.validate().unwrap();
        assert!(!e.provenance.is_empty());
    }
}
