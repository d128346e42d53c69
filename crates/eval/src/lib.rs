//! # retouch-eval
//!
//! The benchmark (paper section 4.1, adapted): the shipped model and baselines on the
//! validation split (held-out photos x held-out phrasings; restore, stylize and local
//! triplets), scored on three axes:
//!
//! - **content fidelity** to the input: SSIM, CW-SSIM and GMSD on gray images with the output
//!   histogram-matched to the input (DISTS needs VGG16 weights that cannot be obtained);
//! - **editing quality** against the synthesised target: L1, L2, PSNR, mean CIEDE2000; and
//!   instruction following from the attribute bank's statistics: direction accuracy (did each
//!   requested statistic move the asked way) and leakage (unrequested attributes that moved);
//! - **efficiency**: runtime rows at 720p / 1080p / 1440p / 2160p.
//!
//! [`run`] does the work; [`report`] writes the Markdown table, [`charts`] the PNG charts.

pub mod charts;
pub mod enhance;
pub mod free_text;
pub mod identity;
pub mod methods;
pub mod probe;
pub mod report;
pub mod runtime;
pub mod score;

use methods::Method;
use rayon::prelude::*;
use retouch_data::synth::{Mode, Synth, Triplet};
use retouch_model::Retoucher;
use serde::Serialize;
use std::collections::BTreeMap;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum EvalError {
    #[error(transparent)]
    Model(#[from] retouch_model::ModelError),
    #[error(transparent)]
    Engine(#[from] retouch_engine::EngineError),
    #[error(transparent)]
    Metric(#[from] retouch_metrics::MetricError),
    #[error(transparent)]
    Data(#[from] retouch_data::DataError),
    #[error("chart: {0}")]
    Chart(String),
    #[error("{0}")]
    Other(String),
}

pub type Result<T> = std::result::Result<T, EvalError>;

/// What to evaluate on.
#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    /// `validation` (held-out photos, held-out phrasings mixed in) or `train`.
    pub split: String,
    /// Triplets drawn (indices `0..samples`).
    pub samples: usize,
    /// Long side of the photos, in pixels.
    pub size: u32,
    /// The synthesis seed of the split.
    pub seed: u64,
    /// Timed runs per runtime row (after one warm-up).
    pub runs: u32,
}

/// Progress events for a caller's progress bar.
pub enum Event<'a> {
    /// A new phase with this many steps.
    Phase(&'a str, u64),
    /// One step done.
    Tick,
}

/// Mean of the finite values (NaN when none).
fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = v
        .filter(|x| x.is_finite())
        .fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 {
        f64::NAN
    } else {
        s / n as f64
    }
}

/// Accuracy counts.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Count {
    pub ok: usize,
    pub n: usize,
    pub rate: f64,
}

impl Count {
    fn of(it: impl Iterator<Item = bool>) -> Self {
        let (ok, n) = it.fold((0, 0), |(o, n), b| (o + b as usize, n + 1));
        Self {
            ok,
            n,
            rate: if n == 0 {
                f64::NAN
            } else {
                ok as f64 / n as f64
            },
        }
    }
}

/// One method's aggregate scores over the split.
#[derive(Clone, Debug, Serialize)]
pub struct MethodSummary {
    pub method: Method,
    pub name: &'static str,
    pub description: &'static str,
    pub ssim: f64,
    pub cw_ssim: f64,
    pub gmsd: f64,
    pub l1: f64,
    pub l2: f64,
    pub psnr: f64,
    pub ciede2000: f64,
    /// Requested (target, attribute) pairs moved the asked way.
    pub direction: Count,
    /// The same over samples whose wording is held out from training.
    pub direction_heldout: Count,
    /// Unrequested attributes that moved beyond the reference edit (lower is better).
    pub leakage: Count,
    pub by_mode: BTreeMap<String, ModeSummary>,
    pub by_attribute: BTreeMap<String, Count>,
    /// Edit gain (the output's change / the reference edit's change) per attribute and look.
    pub gain: BTreeMap<String, Gain>,
}

/// Quartiles of the edit gain over a group's targets.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Gain {
    pub n: usize,
    pub q25: f64,
    pub median: f64,
    pub q75: f64,
}

impl Gain {
    fn of(mut v: Vec<f64>) -> Self {
        v.retain(|x| x.is_finite());
        v.sort_by(f64::total_cmp);
        let q = |p: f64| {
            if v.is_empty() {
                f64::NAN
            } else {
                v[((v.len() - 1) as f64 * p).round() as usize]
            }
        };
        Self {
            n: v.len(),
            q25: q(0.25),
            median: q(0.5),
            q75: q(0.75),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ModeSummary {
    pub samples: usize,
    pub direction: Count,
    pub psnr: f64,
    pub ssim: f64,
}

/// Everything `retouch eval` measured.
#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    pub settings: Settings,
    pub model: String,
    pub photos: usize,
    pub samples_by_mode: BTreeMap<String, usize>,
    pub heldout_wording_samples: usize,
    pub methods: Vec<MethodSummary>,
    pub runtime_model: Vec<runtime::EditRow>,
    /// The same stages for [`runtime::REGION_INSTRUCTION`] (whole photo + a region).
    pub runtime_model_region: Vec<runtime::EditRow>,
    pub runtime_rule_based: Vec<runtime::PipelineRow>,
    /// Free text outside the matcher's vocabulary ([`free_text`]), when photos were given.
    pub free_text: Option<free_text::FreeTextSummary>,
    /// The enhance benchmark ([`enhance`]), when photos were given.
    pub enhance: Option<enhance::EnhanceSummary>,
    /// Identity on portraits ([`identity`]), when portraits were given.
    pub identity: Option<identity::IdentitySummary>,
    /// The instruction probe ([`probe`]), when photos were given.
    pub probe: Option<probe::ProbeSummary>,
    pub threads: usize,
}

pub fn mode_name(m: Mode) -> String {
    match m {
        Mode::Restore => "restore",
        Mode::Stylize => "stylize",
        Mode::Local => "local",
    }
    .into()
}

fn summarise(method: Method, scores: &[score::SampleScore]) -> MethodSummary {
    let dir = |keep: &dyn Fn(&score::SampleScore) -> bool| {
        Count::of(
            scores
                .iter()
                .filter(|s| keep(s))
                .flat_map(|s| s.targets.iter().map(|t| t.1)),
        )
    };
    let leak = scores
        .iter()
        .filter_map(|s| s.leakage)
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let mut by_mode = BTreeMap::new();
    for m in [Mode::Restore, Mode::Stylize, Mode::Local] {
        let of: Vec<&score::SampleScore> = scores.iter().filter(|s| s.mode == m).collect();
        by_mode.insert(
            mode_name(m),
            ModeSummary {
                samples: of.len(),
                direction: dir(&|s| s.mode == m),
                psnr: mean(of.iter().map(|s| s.psnr)),
                ssim: mean(of.iter().map(|s| s.fidelity.ssim)),
            },
        );
    }
    let mut groups: BTreeMap<String, Vec<bool>> = BTreeMap::new();
    for s in scores {
        for (g, ok) in &s.targets {
            groups.entry(g.clone()).or_default().push(*ok);
        }
    }
    let mut gains: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for s in scores {
        for (g, v) in &s.gains {
            gains.entry(g.clone()).or_default().push(*v);
        }
    }
    MethodSummary {
        method,
        name: method.name(),
        description: method.description(),
        ssim: mean(scores.iter().map(|s| s.fidelity.ssim)),
        cw_ssim: mean(scores.iter().filter_map(|s| s.fidelity.cw_ssim)),
        gmsd: mean(scores.iter().map(|s| s.fidelity.gmsd)),
        l1: mean(scores.iter().map(|s| s.l1)),
        l2: mean(scores.iter().map(|s| s.l2)),
        psnr: mean(scores.iter().map(|s| s.psnr)),
        ciede2000: mean(scores.iter().map(|s| s.ciede2000)),
        direction: dir(&|_| true),
        direction_heldout: dir(&|s| s.heldout),
        leakage: Count {
            ok: leak.1,
            n: leak.0,
            rate: if leak.0 == 0 {
                f64::NAN
            } else {
                leak.1 as f64 / leak.0 as f64
            },
        },
        by_mode,
        by_attribute: groups
            .into_iter()
            .map(|(k, v)| (k, Count::of(v.into_iter())))
            .collect(),
        gain: gains.into_iter().map(|(k, v)| (k, Gain::of(v))).collect(),
    }
}

/// The triplets of the split, deterministic for (photos, seed, samples).
pub fn triplets(synth: &Synth, samples: usize) -> Vec<Triplet> {
    (0..samples as u64)
        .into_par_iter()
        .map(|i| synth.sample(i))
        .collect()
}

/// What [`run`] evaluates on; an empty part is skipped.
#[derive(Clone, Copy, Default)]
pub struct Inputs<'a> {
    /// Triplets every method is scored on.
    pub set: &'a [Triplet],
    /// Photos the free-text probe runs on.
    pub free_photos: &'a [retouch_finish::Image],
    /// Photos the enhance benchmark degrades.
    pub enhance_photos: &'a [retouch_finish::Image],
    /// Photos the instruction probe runs on.
    pub probe_photos: &'a [retouch_finish::Image],
    /// Portraits the identity rows measure.
    pub portraits: &'a [identity::Portrait],
}

/// Run every method on the triplets, score them, probe free text, run the enhance benchmark
/// and time the runtime rows.
pub fn run(
    settings: Settings,
    retoucher: &Retoucher,
    model_name: &str,
    photos: usize,
    inputs: Inputs,
    progress: &mut dyn FnMut(Event),
) -> Result<EvalReport> {
    let Inputs {
        set,
        free_photos,
        enhance_photos,
        probe_photos,
        portraits,
    } = inputs;
    let mut methods = Vec::new();
    for method in methods::ALL.iter().copied().filter(|_| !set.is_empty()) {
        progress(Event::Phase(method.name(), set.len() as u64));
        // The network runs one sample at a time (it is multi-threaded inside); scoring is
        // spread over the samples.
        let mut outputs = Vec::with_capacity(set.len());
        for t in set {
            outputs.push(methods::run(
                method,
                retoucher,
                &t.input,
                &t.meta.instruction,
            )?);
            progress(Event::Tick);
        }
        let scores = set
            .par_iter()
            .zip(outputs.par_iter())
            .map(|(t, o)| score::score(t, o))
            .collect::<Result<Vec<_>>>()?;
        methods.push(summarise(method, &scores));
    }
    let free_text = if free_photos.is_empty() {
        None
    } else {
        let n = free_text::cases().len() * free_photos.len();
        progress(Event::Phase("free text", n as u64));
        Some(free_text::run(retoucher, free_photos, &mut || {
            progress(Event::Tick)
        })?)
    };
    let enhance = if enhance_photos.is_empty() {
        None
    } else {
        let n = enhance::requests_per_photo() * enhance_photos.len();
        progress(Event::Phase("enhance benchmark", n as u64));
        Some(enhance::run(retoucher, enhance_photos, &mut || {
            progress(Event::Tick)
        })?)
    };
    let probe = if probe_photos.is_empty() {
        None
    } else {
        let n = probe::cases()?.len() * probe_photos.len();
        progress(Event::Phase("instruction probe", n as u64));
        Some(probe::run(retoucher, probe_photos, &mut || {
            progress(Event::Tick)
        })?)
    };
    let identity = if portraits.is_empty() {
        None
    } else {
        let n = identity::INSTRUCTIONS.len() * portraits.len();
        progress(Event::Phase("identity on portraits", n as u64));
        Some(identity::run(retoucher, portraits, &mut || {
            progress(Event::Tick)
        })?)
    };
    let (mut runtime_model, mut runtime_model_region, mut runtime_rule_based) =
        (Vec::new(), Vec::new(), Vec::new());
    if settings.runs > 0 {
        let best = retouch_engine::Kernel::best();
        progress(Event::Phase("runtime: model", 0));
        runtime_model = runtime::edit_stages(retoucher, best, settings.runs, runtime::INSTRUCTION)?;
        progress(Event::Phase("runtime: model, whole photo + region", 0));
        runtime_model_region =
            runtime::edit_stages(retoucher, best, settings.runs, runtime::REGION_INSTRUCTION)?;
        progress(Event::Phase("runtime: rule-based pipeline", 0));
        runtime_rule_based = runtime::rule_based_stages(settings.runs)?;
    }
    let mut samples_by_mode = BTreeMap::new();
    for t in set {
        *samples_by_mode.entry(mode_name(t.meta.mode)).or_insert(0) += 1;
    }
    Ok(EvalReport {
        settings,
        model: model_name.to_string(),
        photos,
        samples_by_mode,
        heldout_wording_samples: set.iter().filter(|t| t.meta.held_out_wording).count(),
        methods,
        runtime_model,
        runtime_model_region,
        runtime_rule_based,
        free_text,
        enhance,
        probe,
        identity,
        threads: retouch_engine::threads(),
    })
}
