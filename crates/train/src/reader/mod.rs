//! Training the learned reader (`retouch_model::reader`): the corpus ([`corpus`]) embedded
//! once by multilingual-e5-small, then a dense head fitted with AdamW on cross-entropy for
//! directions and looks, binary cross-entropy for kept and fixed aspects and the generic
//! intent, and squared error on log amounts. Every 10th clean text (with its noisy copies)
//! is held out for choosing the checkpoint and for the report.

pub mod corpus;

use crate::optim::{lr_at, AdamW};
use crate::{Result, TrainError};
use candle_core::{Device, Tensor, Var};
use corpus::Sample;
#[cfg(test)]
use corpus::Source;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use retouch_model::reader::labels::{
    Labels, AMOUNTS, ASPECTS, ATTRS, DIR_LOGITS, KEEP_LOGITS, OUTPUTS, STYLE_LOGITS,
};
use retouch_model::reader::{Head, INPUT_SCALE};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct ReaderSettings {
    pub hidden: usize,
    pub layers: usize,
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    pub weight_decay: f64,
    /// Dropout on hidden layers while training.
    pub dropout: f32,
    /// Standard deviation of Gaussian noise added to the (scaled) embedding while training.
    pub input_noise: f32,
}

impl Default for ReaderSettings {
    fn default() -> Self {
        Self {
            hidden: 256,
            layers: 2,
            steps: 6000,
            batch: 256,
            lr: 1e-3,
            weight_decay: 1e-4,
            dropout: 0.1,
            input_noise: 0.3,
        }
    }
}

/// How well the head reads a set of texts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReaderScore {
    pub texts: usize,
    /// Every item read as the rules read the clean text.
    pub exact: f64,
    /// Of texts asking for something: every requested direction right.
    pub directions: f64,
    /// Of texts asking for nothing: read as nothing.
    pub nothing: f64,
    /// Of texts asking for something: read as nothing.
    pub missed: f64,
    pub exact_by_source: BTreeMap<String, f64>,
    /// Exact rate of clean texts and of noisy copies.
    pub exact_clean: f64,
    pub exact_noisy: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReaderReport {
    pub settings: ReaderSettings,
    pub corpus: BTreeMap<String, usize>,
    pub fit_texts: usize,
    pub held: ReaderScore,
    pub fit: ReaderScore,
    pub best_step: usize,
    pub train_seconds: f64,
}

/// Whether a clean text is held out (a stable hash of it, 1 in 10).
pub fn held_out(clean: &str) -> bool {
    let h = clean.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    });
    h % 10 == 0
}

pub fn score(head: &Head, samples: &[&Sample], embeddings: &[&Vec<f32>]) -> ReaderScore {
    score_at(head, samples, embeddings, head.threshold)
}

/// [`score`] at another threshold.
pub fn score_at(
    head: &Head,
    samples: &[&Sample],
    embeddings: &[&Vec<f32>],
    threshold: f32,
) -> ReaderScore {
    let mut s = ReaderScore {
        texts: samples.len(),
        ..Default::default()
    };
    let (mut exact, mut dirs, mut asks, mut nothing, mut none, mut missed) = (0, 0, 0, 0, 0, 0);
    let mut by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut clean, mut clean_n, mut noisy, mut noisy_n) = (0, 0, 0, 0);
    for (x, e) in samples.iter().zip(embeddings) {
        let p = Labels::from_outputs_at(&head.forward(e), threshold);
        let ok = p.same_items(&x.labels);
        exact += usize::from(ok);
        let src = by
            .entry(format!("{:?}", x.source).to_lowercase())
            .or_default();
        src.0 += usize::from(ok);
        src.1 += 1;
        if x.augmented {
            noisy += usize::from(ok);
            noisy_n += 1;
        } else {
            clean += usize::from(ok);
            clean_n += 1;
        }
        if x.labels.is_none() {
            none += 1;
            nothing += usize::from(p.is_none());
        } else {
            asks += 1;
            dirs += usize::from(p.dirs == x.labels.dirs && p.style == x.labels.style);
            missed += usize::from(p.is_none());
        }
    }
    let rate = |a: usize, b: usize| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    s.exact = rate(exact, samples.len());
    s.directions = rate(dirs, asks);
    s.nothing = rate(nothing, none);
    s.missed = rate(missed, asks);
    s.exact_clean = rate(clean, clean_n);
    s.exact_noisy = rate(noisy, noisy_n);
    s.exact_by_source = by.into_iter().map(|(k, (a, b))| (k, rate(a, b))).collect();
    s
}

/// The training targets as tensors: direction classes `[n, ATTRS]`, amounts and their
/// mask `[n, ATTRS]`, look class `[n]`, binary targets `[n, 2 * ASPECTS + 1]`.
fn targets(samples: &[&Sample], dev: &Device) -> Result<[Tensor; 5]> {
    let n = samples.len();
    let mut dirs = Vec::with_capacity(n * ATTRS);
    let mut amounts = Vec::with_capacity(n * ATTRS);
    let mut mask = Vec::with_capacity(n * ATTRS);
    let mut style = Vec::with_capacity(n);
    let mut bin = Vec::with_capacity(n * (2 * ASPECTS + 1));
    for s in samples {
        let l = &s.labels;
        for i in 0..ATTRS {
            dirs.push(u32::from(l.dirs[i]));
            amounts.push(l.amounts[i]);
            mask.push(if l.dirs[i] == 0 { 0f32 } else { 1.0 });
        }
        style.push(u32::from(l.style));
        bin.extend(l.keep.iter().map(|b| f32::from(u8::from(*b))));
        bin.extend(l.fix.iter().map(|b| f32::from(u8::from(*b))));
        bin.push(f32::from(u8::from(l.generic)));
    }
    Ok([
        Tensor::from_vec(dirs, (n, ATTRS), dev)?,
        Tensor::from_vec(amounts, (n, ATTRS), dev)?,
        Tensor::from_vec(mask, (n, ATTRS), dev)?,
        Tensor::from_vec(style, n, dev)?,
        Tensor::from_vec(bin, (n, 2 * ASPECTS + 1), dev)?,
    ])
}

/// The loss of logits `y` `[b, OUTPUTS]` against [`targets`].
pub fn loss(y: &Tensor, t: &[Tensor; 5]) -> candle_core::Result<Tensor> {
    let b = y.dim(0)?;
    let dir_logits = y
        .narrow(1, DIR_LOGITS, 3 * ATTRS)?
        .reshape((b * ATTRS, 3))?;
    let dirs = candle_nn::loss::cross_entropy(&dir_logits, &t[0].flatten_all()?)?;
    let amounts = y.narrow(1, AMOUNTS, ATTRS)?;
    let se = ((amounts - &t[1])?.sqr()? * &t[2])?.sum_all()?;
    let amount = (se / (t[2].sum_all()?.to_scalar::<f32>()? as f64).max(1.0))?;
    let style_logits = y.narrow(1, STYLE_LOGITS, KEEP_LOGITS - STYLE_LOGITS)?;
    let style = candle_nn::loss::cross_entropy(&style_logits, &t[3])?;
    let bin_logits = y.narrow(1, KEEP_LOGITS, OUTPUTS - KEEP_LOGITS)?;
    // Binary cross-entropy in the stable form max(x, 0) - x t + ln(1 + e^-|x|) (candle's
    // takes the log of a sigmoid, which is -inf, and the loss NaN, once a logit saturates).
    let bin = (bin_logits.relu()? - (&bin_logits * &t[4])?
        + (bin_logits.abs()?.neg()?.exp()? + 1.0)?.log()?)?
    .mean_all()?;
    // Ten direction groups against one look group: each group weighs like one decision.
    (dirs * ATTRS as f64)? + (amount * 0.3)? + style + (bin * (2 * ASPECTS + 1) as f64)?
}

/// Fit a head on embedded samples (`embeddings[i]` is `samples[i].text`'s, L2-normalised).
pub fn train(
    samples: &[Sample],
    embeddings: &[Vec<f32>],
    s: &ReaderSettings,
    seed: u64,
    provenance: &str,
    progress: &mut dyn FnMut(usize, f64),
) -> Result<(Head, ReaderReport)> {
    if samples.len() != embeddings.len() || samples.is_empty() {
        return Err(TrainError::Other(format!(
            "reader: {} samples, {} embeddings",
            samples.len(),
            embeddings.len()
        )));
    }
    let t0 = std::time::Instant::now();
    let dev = Device::Cpu;
    let dim = embeddings[0].len();
    let (mut fit, mut held): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    for (i, x) in samples.iter().enumerate() {
        if held_out(&x.clean) {
            held.push(i);
        } else {
            fit.push(i);
        }
    }
    let pick = |idx: &[usize]| -> (Vec<&Sample>, Vec<&Vec<f32>>) {
        (
            idx.iter().map(|&i| &samples[i]).collect(),
            idx.iter().map(|&i| &embeddings[i]).collect(),
        )
    };
    let (fit_s, fit_e) = pick(&fit);
    let (held_s, held_e) = pick(&held);
    let fx: Vec<f32> = fit_e
        .iter()
        .flat_map(|e| e.iter().map(|v| v * INPUT_SCALE))
        .collect();
    let fx = Tensor::from_vec(fx, (fit.len(), dim), &dev)?;
    let ft = targets(&fit_s, &dev)?;

    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let mut dims = vec![dim];
    dims.extend(std::iter::repeat_n(s.hidden, s.layers));
    dims.push(OUTPUTS);
    let vars = crate::dense::init(&dims, &mut r, &dev)?;
    let nl = dims.len() - 1;
    let forward =
        |vars: &BTreeMap<String, Var>, x: &Tensor, train: bool| -> candle_core::Result<Tensor> {
            crate::dense::forward(vars, nl, x, if train { s.dropout } else { 0.0 })
        };
    let export = |vars: &BTreeMap<String, Var>| -> candle_core::Result<Head> {
        Ok(Head {
            layers: crate::dense::export(vars, &dims)?,
            provenance: provenance.to_string(),
            threshold: retouch_model::reader::labels::THRESHOLD,
        })
    };
    let mut opt = AdamW::new(&vars, s.weight_decay)?;
    let mut best: Option<(f64, usize, Head)> = None;
    let check_every = (s.steps / 12).max(1);
    for step in 0..s.steps {
        let idx: Vec<u32> = (0..s.batch)
            .map(|_| r.gen_range(0..fit.len()) as u32)
            .collect();
        let idx = Tensor::from_vec(idx, s.batch, &dev)?;
        let mut x = fx.index_select(&idx, 0)?;
        if s.input_noise > 0.0 {
            x = (x.clone() + x.randn_like(0.0, f64::from(s.input_noise))?)?;
        }
        let t: [Tensor; 5] = [
            ft[0].index_select(&idx, 0)?,
            ft[1].index_select(&idx, 0)?,
            ft[2].index_select(&idx, 0)?,
            ft[3].index_select(&idx, 0)?,
            ft[4].index_select(&idx, 0)?,
        ];
        let l = loss(&forward(&vars, &x, true)?, &t)?;
        let grads = l.backward()?;
        let g: BTreeMap<String, Tensor> = vars
            .iter()
            .filter_map(|(k, v)| grads.get(v.as_tensor()).map(|g| (k.clone(), g.clone())))
            .collect();
        opt.step(&vars, &g, lr_at(step, s.steps, 200, s.lr, 0.05))?;
        if (step + 1) % check_every == 0 || step + 1 == s.steps {
            let head = export(&vars)?;
            let sc = score(
                &head,
                if held.is_empty() { &fit_s } else { &held_s },
                if held.is_empty() { &fit_e } else { &held_e },
            );
            progress(step + 1, sc.exact);
            if best.as_ref().is_none_or(|(b, _, _)| sc.exact > *b) {
                best = Some((sc.exact, step + 1, head));
            }
        }
    }
    let (_, best_step, head) = best.ok_or_else(|| TrainError::Other("reader: no steps".into()))?;
    let mut corpus: BTreeMap<String, usize> = BTreeMap::new();
    for x in samples {
        *corpus
            .entry(format!("{:?}", x.source).to_lowercase())
            .or_default() += 1;
    }
    let report = ReaderReport {
        settings: s.clone(),
        corpus,
        fit_texts: fit.len(),
        held: score(&head, &held_s, &held_e),
        fit: score(&head, &fit_s, &fit_e),
        best_step,
        train_seconds: t0.elapsed().as_secs_f64(),
    };
    Ok((head, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use retouch_model::reader::labels::FIX_LOGITS;

    #[test]
    fn the_loss_is_lowest_at_the_targets_and_the_head_learns_a_toy_corpus() {
        // Two "languages" of the same request as random embeddings: the head must read
        // both and say nothing for noise.
        let mut r = ChaCha8Rng::seed_from_u64(3);
        let warm = Labels::of(&retouch_instruct::Reading::new("warmer")).unwrap();
        let dark = Labels::of(&retouch_instruct::Reading::new("darker")).unwrap();
        let none = Labels::none();
        let proto: Vec<Vec<f32>> = (0..3)
            .map(|_| (0..32).map(|_| r.gen_range(-1.0..1.0f32)).collect())
            .collect();
        let mut samples = Vec::new();
        let mut emb = Vec::new();
        for i in 0..300 {
            let k = i % 3;
            let e: Vec<f32> = proto[k]
                .iter()
                .map(|v| v + r.gen_range(-0.2..0.2f32))
                .collect();
            let n = e.iter().map(|v| v * v).sum::<f32>().sqrt();
            emb.push(e.iter().map(|v| v / n).collect::<Vec<f32>>());
            samples.push(Sample {
                text: format!("t{i}"),
                clean: format!("c{i}"),
                labels: [warm.clone(), dark.clone(), none.clone()][k].clone(),
                source: Source::Generator,
                augmented: false,
                language: None,
            });
        }
        let s = ReaderSettings {
            hidden: 32,
            steps: 300,
            batch: 64,
            lr: 3e-3,
            input_noise: 0.0,
            dropout: 0.0,
            ..Default::default()
        };
        let (head, report) = train(&samples, &emb, &s, 1, "test", &mut |_, _| {}).unwrap();
        assert!(report.held.exact > 0.95, "{:?}", report.held);
        assert!(report.fit.exact > 0.95);
        let read = retouch_model::reader::labels::decode("x", &head.forward(&emb[0]));
        assert_eq!(read.requests.len(), 1);
        // A round trip through the file keeps the outputs.
        let bytes = head.to_bytes().unwrap();
        let back = Head::from_bytes(&bytes, std::path::Path::new("mem")).unwrap();
        assert_eq!(back.forward(&emb[5]), head.forward(&emb[5]));
    }

    #[test]
    fn loss_prefers_the_right_logits() {
        let dev = Device::Cpu;
        let warm =
            Labels::of(&retouch_instruct::Reading::new("warmer, keep the contrast")).unwrap();
        let x = Sample {
            text: "w".into(),
            clean: "w".into(),
            labels: warm.clone(),
            source: Source::Keep,
            augmented: false,
            language: None,
        };
        let t = targets(&[&x], &dev).unwrap();
        let mut good = vec![-5f32; OUTPUTS];
        for i in 0..ATTRS {
            good[DIR_LOGITS + 3 * i + warm.dirs[i] as usize] = 5.0;
            good[AMOUNTS + i] = warm.amounts[i];
        }
        good[STYLE_LOGITS] = 5.0;
        for k in 0..ASPECTS {
            good[KEEP_LOGITS + k] = if warm.keep[k] { 5.0 } else { -5.0 };
            good[FIX_LOGITS + k] = if warm.fix[k] { 5.0 } else { -5.0 };
        }
        let bad: Vec<f32> = good.iter().map(|v| -v).collect();
        let lg = loss(&Tensor::from_vec(good, (1, OUTPUTS), &dev).unwrap(), &t)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        let lb = loss(&Tensor::from_vec(bad, (1, OUTPUTS), &dev).unwrap(), &t)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(lg < 0.5 && lb > 10.0 * lg, "{lg} {lb}");
    }
}
