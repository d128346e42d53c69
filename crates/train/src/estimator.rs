//! Training the photo's estimator ([`retouch_model::estimate`]): each photo is spoiled by
//! random corrections' inverses ([`retouch_data::degrade`]), the spoiled thumbnail's reading
//! (statistics and, when asked, the pretrained backbone's features) is the input and the
//! correction the target. The head and its penalty are chosen on photos held out of the fit
//! (a share of the training photos); the report gives the error of every parameter on them and
//! on any further photos given (the validation split).

use crate::Result;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use retouch_data::degrade::random_correction;
use retouch_finish::correction::{Correction, PARAMS};
use retouch_finish::Image;
use retouch_model::estimate::{read_photo, Backbone, Estimator, Problem, Repair};
use retouch_model::lowres::resize_area;
use serde::Serialize;

/// Samples drawn from each photo.
pub const DRAWS: usize = 48;

/// Every this many training photos, one is held out to choose the head.
pub const HOLD_EVERY: usize = 7;

/// Penalties tried.
pub const LAMBDAS: [f64; 7] = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.3, 1.0];

/// With the backbone's features: the penalties, and how much less weight its columns get
/// than the statistics ([`Estimator::fit_shrunk`]). Unshrunk, or in a network head, they learn
/// the 255 photos instead of what is wrong with them: held-out mean RMSE 0.25 to 0.33 against
/// 0.20 for the statistics alone (`examples/backbone_ablation.rs`).
pub const BACKBONE_LAMBDAS: [f64; 3] = [0.1, 0.3, 1.0];
pub const BACKBONE_SHRINKS: [f64; 4] = [0.1, 0.15, 0.2, 0.3];

/// A photo's full reading ([`read_photo`]) and the correction that repairs it.
pub type Sample = (Vec<f32>, Correction);

/// (full reading, correction) pairs from `photos`: each spoiled photo is read as it is, or
/// first resized to a `side x side` thumbnail (the network's, as at inference) when `side` is
/// given, with the backbone when `backbone` is true (zeros in its columns otherwise).
/// Deterministic for the seed.
pub fn samples(
    photos: &[Image],
    draws: usize,
    seed: u64,
    side: Option<usize>,
    backbone: bool,
) -> Result<Vec<Sample>> {
    let per_photo: Vec<Vec<Sample>> = photos
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut r = ChaCha8Rng::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9E37_79B9));
            (0..draws)
                .map(|_| {
                    let c = random_correction(&mut r);
                    let spoiled = c.degrade(&p.data);
                    let read = match side {
                        Some(n) => {
                            let thumb = resize_area(&spoiled, p.width, p.height, 3, n, n);
                            read_photo(&thumb, n, n, backbone)?
                        }
                        None => read_photo(&spoiled, p.width, p.height, backbone)?,
                    };
                    Ok((read, c))
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<_>>()?;
    Ok(per_photo.into_iter().flatten().collect())
}

/// Root-mean-square error per parameter ([`Correction::to_vec`] order) of `predict` against
/// the (clamped) corrections of `set`.
fn rmse_by(set: &[Sample], predict: impl Fn(&[f32]) -> Correction) -> [f64; PARAMS] {
    let mut s = [0f64; PARAMS];
    for (f, c) in set {
        let p = predict(f).to_vec();
        let t = c.clamped().to_vec();
        for k in 0..PARAMS {
            s[k] += f64::from(p[k] - t[k]).powi(2);
        }
    }
    s.map(|v| (v / set.len().max(1) as f64).sqrt())
}

/// Root-mean-square error per parameter of an estimator's general head.
pub fn rmse(e: &Estimator, set: &[Sample]) -> [f64; PARAMS] {
    rmse_by(set, |f| e.predict_reading(f))
}

/// What training measured.
#[derive(Clone, Debug, Serialize)]
pub struct EstimatorReport {
    pub fit_samples: usize,
    pub held_out_samples: usize,
    /// Every candidate head and its mean RMSE over the parameters on the held-out photos.
    pub search: Vec<(String, f64)>,
    pub chosen: String,
    pub held_out_rmse: [f64; PARAMS],
    /// RMSE on the extra photos (validation split), when given.
    pub validation_rmse: Option<[f64; PARAMS]>,
    /// RMSE of predicting nothing (the identity), on the held-out photos.
    pub identity_rmse: [f64; PARAMS],
    /// Per named problem, on held-out samples that have it: (general head, own head) RMSE of
    /// each of its parameters.
    pub given_rmse: Vec<(String, Vec<(f64, f64)>)>,
    /// Per repair, on held-out samples that need it visibly: their count, and the RMSE of its
    /// parameters as the named-problem head and as its directed head size them.
    pub directed_rmse: Vec<(String, usize, f64, f64)>,
}

/// `photos` split into those fitted and every `every`-th, held out (none when `every` is 0).
pub fn hold_out(photos: &[Image], every: usize) -> (Vec<Image>, Vec<Image>) {
    let (held, fit): (Vec<_>, Vec<_>) = photos
        .iter()
        .enumerate()
        .partition(|(i, _)| every != 0 && i.is_multiple_of(every));
    let strip = |v: Vec<(usize, &Image)>| v.into_iter().map(|(_, p)| p.clone()).collect();
    (strip(fit), strip(held))
}

/// A ridge head's settings: the statistics' degree, the backbone read, how much less its
/// columns weigh ([`Estimator::fit_shrunk`]; 1 for none), and the penalties tried.
struct RidgeSetting {
    degree: u8,
    backbone: Backbone,
    shrink: f64,
    lambdas: &'static [f64],
}

impl RidgeSetting {
    /// The settings tried for a backbone choice: degrees 1 and 2 over [`LAMBDAS`] for the
    /// statistics alone; degree 2, each of [`BACKBONE_SHRINKS`], over [`BACKBONE_LAMBDAS`]
    /// with a backbone.
    fn for_backbone(backbone: Backbone) -> Vec<Self> {
        if backbone == Backbone::None {
            [1u8, 2]
                .map(|degree| Self {
                    degree,
                    backbone,
                    shrink: 1.0,
                    lambdas: &LAMBDAS,
                })
                .into()
        } else {
            BACKBONE_SHRINKS
                .map(|shrink| Self {
                    degree: 2,
                    backbone,
                    shrink,
                    lambdas: &BACKBONE_LAMBDAS,
                })
                .into()
        }
    }

    fn label(&self, lambda: f64) -> String {
        let (b, d) = (self.backbone, self.degree);
        if b == Backbone::None {
            format!("ridge, backbone {b:?}, degree {d}, lambda {lambda}")
        } else {
            format!(
                "ridge, backbone {b:?} shrunk {}, degree {d}, lambda {lambda}",
                self.shrink
            )
        }
    }
}

/// Fit ridge heads and the network head on `photos` less every `hold_every`-th (held out to
/// choose among them and to stop the network early), reading each `backbone` choice given
/// (photos as given, or resized to `side` squares); report the chosen one on `validation`.
#[allow(clippy::too_many_arguments)]
pub fn train(
    photos: &[Image],
    validation: &[Image],
    seed: u64,
    hold_every: usize,
    side: Option<usize>,
    backbones: &[Backbone],
    mlp: Option<MlpSettings>,
    provenance: &str,
) -> Result<(Estimator, EstimatorReport)> {
    let (fit_p, held_p) = hold_out(photos, hold_every);
    let with_backbone = backbones.iter().any(|b| *b != Backbone::None);
    let fit_s = samples(&fit_p, DRAWS, seed, side, with_backbone)?;
    let held_s = samples(&held_p, DRAWS, seed ^ 1, side, with_backbone)?;
    let mean = |v: [f64; PARAMS]| v.iter().sum::<f64>() / PARAMS as f64;
    let mut search = Vec::new();
    let mut best: Option<(f64, String, Estimator)> = None;
    let mut consider = |label: String, e: Estimator| -> f64 {
        let err = mean(rmse(&e, &held_s));
        search.push((label.clone(), err));
        if best.as_ref().is_none_or(|(b, _, _)| err < *b) {
            best = Some((err, label, e));
        }
        err
    };
    // The best ridge setting (and its penalty) also fits the named-problem heads below.
    let mut ridge: Option<(f64, RidgeSetting, f64)> = None;
    for &backbone in backbones {
        for setting in RidgeSetting::for_backbone(backbone) {
            let fits = Estimator::fit_shrunk(
                &fit_s,
                setting.degree,
                backbone,
                setting.lambdas,
                setting.shrink,
                String::new(),
            )?;
            let mut best_here: Option<(f64, f64)> = None;
            for (&lambda, e) in setting.lambdas.iter().zip(fits) {
                let err = consider(setting.label(lambda), e);
                if best_here.is_none_or(|(b, _)| err < b) {
                    best_here = Some((err, lambda));
                }
            }
            if let Some((err, lambda)) = best_here {
                if ridge.as_ref().is_none_or(|(b, _, _)| err < *b) {
                    ridge = Some((err, setting, lambda));
                }
            }
        }
        // A network head on the backbone's 2,000 inputs learns the photos (`BACKBONE_LAMBDAS`).
        if let (Some(m), Backbone::None) = (mlp, backbone) {
            let e = fit_mlp(&fit_s, &held_s, backbone, m, seed)?;
            let _ = consider(
                format!(
                    "mlp, backbone {backbone:?}, {} x {} ReLU, {} steps of {}, AdamW lr {} wd {}",
                    m.layers, m.hidden, m.steps, m.batch, m.lr, m.weight_decay
                ),
                e,
            );
        }
    }
    let (_, ridge, ridge_lambda) = ridge
        .ok_or_else(|| crate::TrainError::Other("estimator: no backbone choice to fit".into()))?;
    let (_, chosen, mut e) = best.expect("at least one fit");
    // A head of the best ridge setting fitted on the samples whose correction passes `keep`,
    // and the held-out samples that pass it.
    let fit_where = |keep: &dyn Fn(&Correction) -> bool| -> Result<(Estimator, Vec<Sample>)> {
        let pick = |set: &[Sample]| -> Vec<Sample> {
            set.iter().filter(|(_, c)| keep(c)).cloned().collect()
        };
        let h = Estimator::fit_shrunk(
            &pick(&fit_s),
            ridge.degree,
            ridge.backbone,
            &[ridge_lambda],
            ridge.shrink,
            String::new(),
        )?
        .pop()
        .expect("one penalty, one fit");
        Ok((h, pick(&held_s)))
    };
    // The named-problem heads: on the samples that have the problem.
    let mut given_rmse = Vec::new();
    for p in Problem::ALL {
        let (h, held_has) = fit_where(&|c| p.present_in(c))?;
        let (general, own) = (rmse(&e, &held_has), rmse(&h, &held_has));
        given_rmse.push((
            format!("{p:?}"),
            p.params().iter().map(|k| (general[*k], own[*k])).collect(),
        ));
        e.given.push(h);
    }
    // The directed heads: on the samples that need that repair visibly.
    let mut directed_rmse = Vec::new();
    for r in Repair::ALL {
        let (h, held_needs) = fit_where(&|c| r.present_in(c))?;
        // Error of the repair's own parameters: as the named-problem head sizes them (the
        // head of its problem), and as this head does.
        let err = |predict: &dyn Fn(&[f32]) -> Correction| -> f64 {
            let mut s = 0f64;
            for (f, c) in &held_needs {
                let (mut p, mut t) = ([0f32; PARAMS], [0f32; PARAMS]);
                r.take(&predict(f), &mut p);
                r.take(&c.clamped(), &mut t);
                s += p
                    .iter()
                    .zip(&t)
                    .map(|(a, b)| f64::from(a - b).powi(2))
                    .sum::<f64>();
            }
            (s / held_needs.len().max(1) as f64).sqrt()
        };
        let problem = match r {
            Repair::Brighter | Repair::Darker => Problem::Exposure,
            Repair::Richer | Repair::Muted => Problem::Saturation,
            _ => Problem::WhiteBalance,
        };
        directed_rmse.push((
            format!("{r:?}"),
            held_needs.len(),
            err(&|f| e.predict_reading_given(f, &[problem], &[])),
            err(&|f| h.predict_reading(f)),
        ));
        e.directed.push(h);
    }
    let held_out_rmse = rmse(&e, &held_s);
    let validation_rmse = if validation.is_empty() {
        None
    } else {
        Some(rmse(
            &e,
            &samples(validation, DRAWS, seed ^ 2, side, e.needs_backbone())?,
        ))
    };
    let identity_rmse = rmse_by(&held_s, |_| Correction::default());
    let report = EstimatorReport {
        fit_samples: fit_s.len(),
        held_out_samples: held_s.len(),
        search,
        chosen: chosen.clone(),
        held_out_rmse,
        validation_rmse,
        identity_rmse,
        given_rmse,
        directed_rmse,
    };
    e.provenance = format!(
        "{provenance}; {} photos ({} fitted, {} held out) x {DRAWS} draws; {chosen}; held-out RMSE [log_r, log_b, ev, black, white - 1, log_chroma] = {:?}",
        photos.len(),
        fit_p.len(),
        held_p.len(),
        report.held_out_rmse.map(|v| (v * 1000.0).round() / 1000.0)
    );
    Ok((e, report))
}

/// Settings of the network head.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct MlpSettings {
    pub hidden: usize,
    pub layers: usize,
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    pub weight_decay: f64,
}

impl Default for MlpSettings {
    fn default() -> Self {
        Self {
            hidden: 96,
            layers: 2,
            steps: 6000,
            batch: 256,
            lr: 2e-3,
            weight_decay: 1e-4,
        }
    }
}

/// Fit the network head on `fit` (standardised features and targets), keeping the weights
/// with the lowest held-out error (checked every 250 steps). Deterministic for the seed.
pub fn fit_mlp(
    fit: &[Sample],
    held: &[Sample],
    backbone: Backbone,
    s: MlpSettings,
    seed: u64,
) -> Result<Estimator> {
    use crate::optim::{lr_at, AdamW};
    use candle_core::{Device, Tensor, Var};
    use rand::Rng;
    use retouch_model::estimate::{standardisation, Mlp};
    use std::collections::BTreeMap;

    if fit.is_empty() {
        return Err(crate::TrainError::Other("estimator: no samples".into()));
    }
    let dev = Device::Cpu;
    // Standardisation of features and targets.
    let inputs = backbone.inputs();
    let (fm, fs) = standardisation(
        &fit.iter()
            .map(|(f, _)| backbone.select(f))
            .collect::<Vec<_>>(),
    );
    let (tm, ts) = standardisation(
        &fit.iter()
            .map(|(_, c)| c.clamped().to_vec().to_vec())
            .collect::<Vec<_>>(),
    );
    let base = Estimator {
        degree: 1,
        backbone,
        mean: fm.iter().map(|v| *v as f32).collect(),
        scale: fs.iter().map(|v| *v as f32).collect(),
        weights: Vec::new(),
        mlp: None,
        given: Vec::new(),
        directed: Vec::new(),
        provenance: String::new(),
    };
    let table = |set: &[Sample]| -> (Vec<f32>, Vec<f32>) {
        let mut x = Vec::with_capacity(set.len() * inputs);
        let mut y = Vec::with_capacity(set.len() * PARAMS);
        for (f, c) in set {
            x.extend(base.standardise(&backbone.select(f)));
            let t = c.clamped().to_vec();
            for k in 0..PARAMS {
                y.push(((f64::from(t[k]) - tm[k]) / ts[k]) as f32);
            }
        }
        (x, y)
    };
    let (fx, fy) = table(fit);
    let fx = Tensor::from_vec(fx, (fit.len(), inputs), &dev)?;
    let fy = Tensor::from_vec(fy, (fit.len(), PARAMS), &dev)?;

    // He-initialised layers from a seeded generator.
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let mut dims = vec![inputs];
    dims.extend(std::iter::repeat_n(s.hidden, s.layers));
    dims.push(PARAMS);
    let vars = crate::dense::init(&dims, &mut r, &dev)?;
    let forward = |vars: &BTreeMap<String, Var>, x: &Tensor| -> candle_core::Result<Tensor> {
        crate::dense::forward(vars, dims.len() - 1, x, 0.0)
    };
    let export = |vars: &BTreeMap<String, Var>| -> candle_core::Result<Estimator> {
        let layers = crate::dense::export(vars, &dims)?;
        let mut e = base.clone();
        e.mlp = Some(Mlp {
            layers,
            out_mean: tm.iter().map(|v| *v as f32).collect(),
            out_scale: ts.iter().map(|v| *v as f32).collect(),
        });
        Ok(e)
    };
    let mut opt = AdamW::new(&vars, s.weight_decay)?;
    let mean = |v: [f64; PARAMS]| v.iter().sum::<f64>() / PARAMS as f64;
    let mut best: Option<(f64, Estimator)> = None;
    for step in 0..s.steps {
        let idx: Vec<u32> = (0..s.batch)
            .map(|_| r.gen_range(0..fit.len()) as u32)
            .collect();
        let idx = Tensor::from_vec(idx, s.batch, &dev)?;
        let x = fx.index_select(&idx, 0)?;
        let y = fy.index_select(&idx, 0)?;
        let loss = (forward(&vars, &x)? - y)?.sqr()?.mean_all()?;
        let grads = loss.backward()?;
        let g: BTreeMap<String, Tensor> = vars
            .iter()
            .filter_map(|(k, v)| grads.get(v.as_tensor()).map(|g| (k.clone(), g.clone())))
            .collect();
        opt.step(&vars, &g, lr_at(step, s.steps, 200, s.lr, 0.05))?;
        if (step + 1) % 250 == 0 || step + 1 == s.steps {
            let e = export(&vars)?;
            let err = mean(rmse(&e, if held.is_empty() { fit } else { held }));
            if best.as_ref().is_none_or(|(b, _)| err < *b) {
                best = Some((err, e));
            }
        }
    }
    Ok(best.expect("at least one check").1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The network head learns a nonlinear rule a linear head cannot, and its exported weights
    /// (run by the plain forward of `retouch_model::estimate::Mlp`) give what it learned.
    #[test]
    fn the_network_head_learns_and_exports() {
        use retouch_finish::features::FEATURES;
        use retouch_model::estimate::FULL;
        let make = |n: usize, salt: usize| -> Vec<Sample> {
            (0..n)
                .map(|i| {
                    let mut f = vec![0f32; FULL];
                    for (j, v) in f.iter_mut().take(FEATURES).enumerate() {
                        *v = (((i + salt) * (j + 5) * 7919) % 211) as f32 / 105.0 - 1.0;
                    }
                    let c = Correction {
                        ev: f[0].abs() * 1.5 - 0.5,
                        log_chroma: 0.3 * f[1],
                        ..Correction::default()
                    };
                    (f, c)
                })
                .collect()
        };
        let (fit, held) = (make(2000, 0), make(300, 99_991));
        let s = MlpSettings {
            hidden: 32,
            steps: 1500,
            ..MlpSettings::default()
        };
        let e = fit_mlp(&fit, &held, Backbone::None, s, 5).unwrap();
        e.validate().unwrap();
        let ridge = Estimator::fit(&fit, 1, Backbone::None, 1e-6, String::new()).unwrap();
        let (net_err, lin_err) = (rmse(&e, &held), rmse(&ridge, &held));
        assert!(
            net_err[2] < 0.5 * lin_err[2],
            "ev: {net_err:?} vs {lin_err:?}"
        );
        assert!(net_err[5] < 0.05, "{net_err:?}");
    }
}
