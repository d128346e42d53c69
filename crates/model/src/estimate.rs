//! The photo's estimator: what global correction a photo needs, read from its statistics
//! ([`retouch_finish::features`]) by a ridge regression on the features and their pairwise
//! products. It sizes generic requests ("enhance") and named problems ("it's too dark") in
//! [`crate::adjust`].
//!
//! Trained by `retouch train-estimator` on the training photos spoiled by random corrections
//! (`retouch_data::degrade`): the target is the correction that repairs the spoiled photo.
//! The shipped weights (`models/estimator/estimator.json`) are compiled into the binary.

use crate::{ModelError, Result};
use retouch_finish::correction::{Correction, PARAMS};
use retouch_finish::features::{features, FEATURES};
use serde::{Deserialize, Serialize};

/// The shipped estimator's file, as committed.
const SHIPPED: &str = include_str!("../../../models/estimator/estimator.json");

/// A fitted estimator.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Estimator {
    /// 1: the features; 2: the features and their pairwise products.
    pub degree: u8,
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

/// The features, and their pairwise products when `degree` is 2.
pub fn expand(f: &[f32; FEATURES], degree: u8) -> Vec<f32> {
    let mut v = f.to_vec();
    if degree >= 2 {
        for i in 0..FEATURES {
            for j in i..FEATURES {
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

/// Solve `a x = b` for symmetric positive definite `a` (`n x n`, row-major) by Cholesky.
fn solve_spd(a: &mut [f64], b: &mut [f64], n: usize) -> Result<()> {
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
    Ok(())
}

impl Estimator {
    /// The estimator compiled into the binary.
    pub fn shipped() -> Result<Self> {
        let e: Self = serde_json::from_str(SHIPPED)
            .map_err(|e| ModelError::Invalid(format!("shipped estimator: {e}")))?;
        e.validate()?;
        Ok(e)
    }

    /// Fit on (features, correction) pairs with ridge penalty `lambda` (on standardised
    /// features; the bias is not penalised).
    pub fn fit(
        samples: &[([f32; FEATURES], Correction)],
        degree: u8,
        lambda: f64,
        provenance: String,
    ) -> Result<Self> {
        if samples.is_empty() {
            return Err(ModelError::Invalid("estimator: no samples".into()));
        }
        let rows: Vec<Vec<f32>> = samples.iter().map(|(f, _)| expand(f, degree)).collect();
        let d = rows[0].len();
        let n = rows.len() as f64;
        let (mean, scale) = standardisation(&rows);
        // Normal equations on [1, standardised features].
        let k = d + 1;
        let mut ata = vec![0f64; k * k];
        let mut atb = vec![vec![0f64; k]; PARAMS];
        let mut x = vec![0f64; k];
        for (r, (_, c)) in rows.iter().zip(samples) {
            x[0] = 1.0;
            for j in 0..d {
                x[j + 1] = (f64::from(r[j]) - mean[j]) / scale[j];
            }
            for i in 0..k {
                let xi = x[i];
                for j in i..k {
                    ata[i * k + j] += xi * x[j];
                }
            }
            let t = c.to_vec();
            for (p, b) in atb.iter_mut().enumerate() {
                for i in 0..k {
                    b[i] += x[i] * f64::from(t[p]);
                }
            }
        }
        for i in 0..k {
            for j in 0..i {
                ata[i * k + j] = ata[j * k + i];
            }
            if i > 0 {
                ata[i * k + i] += lambda * n;
            }
        }
        let mut weights = Vec::with_capacity(PARAMS);
        for mut b in atb {
            let mut a = ata.clone();
            solve_spd(&mut a, &mut b, k)?;
            weights.push(b.into_iter().map(|v| v as f32).collect());
        }
        Ok(Self {
            degree,
            mean: mean.into_iter().map(|v| v as f32).collect(),
            scale: scale.into_iter().map(|v| v as f32).collect(),
            weights,
            mlp: None,
            given: Vec::new(),
            provenance,
        })
    }

    /// The correction estimated from a photo's features.
    pub fn predict_features(&self, f: &[f32; FEATURES]) -> Correction {
        let x = expand(f, self.degree);
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

    /// The correction for a photo known to have `problems`: each problem's parameters from its
    /// own head (when fitted), the rest from the general head.
    pub fn predict_given(&self, rgb: &[f32], problems: &[Problem]) -> Correction {
        let f = features(rgb);
        let mut v = self.predict_features(&f).to_vec();
        for p in problems {
            if let Some(h) = self.given.get(p.index()) {
                let g = h.predict_features(&f).to_vec();
                for &k in p.params() {
                    v[k] = g[k];
                }
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

    /// The correction an interleaved sRGB photo in `[0, 1]` needs.
    pub fn predict(&self, rgb: &[f32]) -> Correction {
        self.predict_features(&features(rgb))
    }

    /// Check the shapes agree (a file edited by hand, or from another version).
    pub fn validate(&self) -> Result<()> {
        let d = expand(&[0.0; FEATURES], self.degree).len();
        let head_ok = match &self.mlp {
            Some(m) => m.validate(d),
            None => self.weights.len() == PARAMS && self.weights.iter().all(|w| w.len() == d + 1),
        };
        if self.mean.len() != d
            || self.scale.len() != d
            || !head_ok
            || !(self.given.is_empty() || self.given.len() == Problem::ALL.len())
        {
            return Err(ModelError::Invalid(format!(
                "estimator: expected {PARAMS} parameters over {d} features"
            )));
        }
        self.given.iter().try_for_each(Estimator::validate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_small_system() {
        let mut a = vec![4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let x = [1.0, -2.0, 0.5];
        let mut b: Vec<f64> = (0..3)
            .map(|i| (0..3).map(|j| a[i * 3 + j] * x[j]).sum())
            .collect();
        solve_spd(&mut a, &mut b, 3).unwrap();
        for (p, q) in b.iter().zip(x) {
            assert!((p - q).abs() < 1e-12);
        }
    }

    #[test]
    fn fit_recovers_a_linear_rule() {
        // ev = 2 * f0 - 1, everything else 0: a degree-1 fit with a tiny penalty finds it.
        let samples: Vec<([f32; FEATURES], Correction)> = (0..200)
            .map(|i| {
                let mut f = [0f32; FEATURES];
                for (j, v) in f.iter_mut().enumerate() {
                    *v = ((i * (j + 3) * 7919) % 101) as f32 / 100.0;
                }
                let c = Correction {
                    ev: 2.0 * f[0] - 1.0,
                    ..Correction::default()
                };
                (f, c)
            })
            .collect();
        let e = Estimator::fit(&samples, 1, 1e-9, "test".into()).unwrap();
        e.validate().unwrap();
        for (f, c) in samples.iter().take(20) {
            let p = e.predict_features(f);
            assert!((p.ev - c.ev).abs() < 1e-3, "{} vs {}", p.ev, c.ev);
            assert!(p.log_r.abs() < 1e-3 && (p.white - 1.0).abs() < 1e-3);
        }
    }

    #[test]
    fn the_shipped_estimator_loads() {
        let e = Estimator::shipped().unwrap();
        e.validate().unwrap();
        assert!(!e.provenance.is_empty());
    }
}
