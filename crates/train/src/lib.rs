//! Training the instruction-conditioned bilateral generator.
//!
//! Each step draws fresh verified triplets from `retouch-data`'s synthesis (deterministic per
//! index, so a resumed run sees exactly the samples it would have), encodes the instructions
//! (cached), runs the network on the thumbnails, slices each predicted grid onto its
//! training-resolution input with the engine's op, and minimises
//! `l1 + l2 + structural + smoothness + gamut + alignment` (weights in [`LossWeights`]).
//! The optimiser is AdamW with global-norm clipping and warmup + cosine decay; an EMA of the
//! weights is what gets validated and exported.

pub mod align;
pub mod config;
pub mod dense;
pub mod estimator;
pub mod loss;
pub mod optim;
pub mod reader;
pub mod structural;
pub mod validate;

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{VarBuilder, VarMap};
use rayon::prelude::*;
use retouch_data::synth::{load_photos, Synth, Triplet};
use retouch_engine::GuideMap;
use retouch_instruct::generate::Split;
use retouch_instruct::matcher::Match;
use retouch_model::net::thumbs_to_tensor;
use retouch_model::regions::{self, Pass};
use retouch_model::{lowres, slice_op, Generator, ModelFile, TextBatch};
use retouch_text::TextEncoder;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use config::{LossWeights, TrainConfig};

/// A batch being synthesised ahead of its step.
struct Prefetch {
    step: usize,
    handle: std::thread::JoinHandle<Vec<Triplet>>,
}

/// What a forward pass returns: sliced outputs `[1, H, W, 3]`, the input tensors they were
/// sliced from, the grids, and the matcher's reading of each instruction.
struct Forward {
    outs: Vec<Tensor>,
    inputs: Vec<Tensor>,
    grid: Tensor,
    matched: Vec<Match>,
}
pub use validate::ValReport;

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("config: {0}")]
    Config(String),
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
    #[error(transparent)]
    Model(#[from] retouch_model::ModelError),
    #[error(transparent)]
    Text(#[from] retouch_text::TextError),
    #[error(transparent)]
    Data(#[from] retouch_data::DataError),
    #[error(transparent)]
    Io(#[from] retouch_io::IoError),
    #[error("checkpoint {path}: {msg}")]
    Checkpoint { path: PathBuf, msg: String },
    #[error("{0}")]
    Other(String),
}

pub type Result<T> = std::result::Result<T, TrainError>;

/// One step's numbers.
#[derive(Clone, Debug, Serialize)]
pub struct StepReport {
    pub step: usize,
    pub lr: f64,
    pub loss: f64,
    pub terms: BTreeMap<String, f64>,
    pub grad_norm: f64,
    /// Wall time of this step (data, text, forward, backward, update).
    pub step_ms: f64,
    /// Waiting for this step's batch (synthesised during the previous step, except the first).
    pub data_ms: f64,
    pub text_ms: f64,
    /// Network, slice and losses.
    pub forward_ms: f64,
    pub backward_ms: f64,
}

/// A sentence encoding: (pooled, token states).
type Encoding = Arc<(Vec<f32>, Tensor)>;
/// Cached sentence encodings, shared with the prefetch thread.
type TextCache = Arc<Mutex<HashMap<String, Encoding>>>;

/// Encode `texts` through `cache`: cached sentences are looked up, the others encoded (in
/// parallel when `parallel`) and added. The encoder is deterministic, so which thread filled
/// an entry does not change the result.
fn encode_cached(
    text: &TextEncoder,
    cache: &TextCache,
    texts: &[String],
    parallel: bool,
) -> Result<Vec<Encoding>> {
    let lock = || {
        cache
            .lock()
            .map_err(|_| TrainError::Other("text cache lock poisoned".into()))
    };
    let missing: Vec<String> = {
        let mut c = lock()?;
        if c.len() > 40_000 {
            c.clear();
        }
        let mut m: Vec<String> = texts
            .iter()
            .filter(|t| !c.contains_key(*t))
            .cloned()
            .collect();
        m.sort();
        m.dedup();
        m
    };
    let one = |t: &String| -> Result<(String, Encoding)> {
        let e = text.encode(t)?;
        Ok((t.clone(), Arc::new((e.pooled, e.tokens))))
    };
    let fresh: Vec<(String, Encoding)> = if parallel {
        missing.par_iter().map(one).collect::<Result<_>>()?
    } else {
        missing.iter().map(one).collect::<Result<_>>()?
    };
    let mut c = lock()?;
    c.extend(fresh);
    texts
        .iter()
        .map(|t| {
            c.get(t)
                .cloned()
                .ok_or_else(|| TrainError::Other("text cache miss".into()))
        })
        .collect()
}

pub struct Trainer {
    pub cfg: TrainConfig,
    device: Device,
    vars: BTreeMap<String, Var>,
    net: Generator,
    opt: optim::AdamW,
    ema: optim::Ema,
    pub step: usize,
    synth: Arc<Synth>,
    /// The next step's batch, synthesised on a thread while this step computes.
    prefetch: Option<Prefetch>,
    val_synth: Synth,
    text: Arc<TextEncoder>,
    cache: TextCache,
}

impl Trainer {
    /// Build a fresh model (or resume from `checkpoint` if given).
    pub fn new(cfg: TrainConfig, checkpoint: Option<&Path>) -> Result<Self> {
        let mut cfg = cfg;
        cfg.validate().map_err(TrainError::Config)?;
        cfg.resolve_paths();
        let size = cfg.train_size;
        let train_photos = load_photos(&cfg.data_dir, "train", size)?;
        let val_photos = load_photos(&cfg.data_dir, "validation", size)?;
        Self::with_photos(cfg, train_photos, val_photos, checkpoint)
    }

    /// Same as [`Self::new`] with the photos given (already at the training size).
    pub fn with_photos(
        mut cfg: TrainConfig,
        train_photos: Vec<(String, retouch_finish::Image)>,
        val_photos: Vec<(String, retouch_finish::Image)>,
        checkpoint: Option<&Path>,
    ) -> Result<Self> {
        cfg.validate().map_err(TrainError::Config)?;
        cfg.resolve_paths();
        let device = Device::Cpu;
        let varmap = VarMap::new();
        let vb = VarBuilder::from_varmap(&varmap, DType::F32, &device);
        let net = Generator::new(&cfg.net, vb)?;
        let mut vars: BTreeMap<String, Var> = varmap
            .data()
            .lock()
            .map_err(|_| TrainError::Other("variable map lock poisoned".into()))?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // Candle's initialisers draw from an unseedable CPU RNG: re-initialise deterministically.
        init_weights(&vars, cfg.seed)?;
        let guide = Var::from_tensor(&Tensor::new(GuideMap::luma().flatten(), &device)?)?;
        vars.insert("guide".into(), guide);
        let opt = optim::AdamW::new(&vars, cfg.weight_decay)?;
        let ema = optim::Ema::new(&vars, cfg.ema_decay)?;
        if train_photos.is_empty() || val_photos.is_empty() {
            return Err(TrainError::Config(format!(
                "{}: need photos in both splits (run scripts/fetch-photos.sh)",
                cfg.data_dir.display()
            )));
        }
        let synth = Arc::new(Synth::new(train_photos, cfg.seed, Split::Train));
        let val_synth = Synth::new(
            val_photos,
            retouch_data::synth::validation_seed(cfg.seed),
            Split::Validation,
        );
        let text = TextEncoder::load(&cfg.text_encoder)?;
        let mut t = Self {
            cfg,
            device,
            vars,
            net,
            opt,
            ema,
            step: 0,
            synth,
            prefetch: None,
            val_synth,
            text: Arc::new(text),
            cache: Arc::new(Mutex::new(HashMap::new())),
        };
        if let Some(p) = checkpoint {
            t.load_checkpoint(p)?;
        }
        Ok(t)
    }

    /// Current parameter values by name (the learned guide is `guide`).
    pub fn parameters(&self) -> Result<BTreeMap<String, Vec<f32>>> {
        self.vars
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.as_tensor().flatten_all()?.to_vec1::<f32>()?)))
            .collect()
    }

    fn guide(&self) -> Result<&Var> {
        self.vars
            .get("guide")
            .ok_or_else(|| TrainError::Other("guide variable missing".into()))
    }

    /// Encode sentences, through the cache.
    fn encode(&mut self, texts: &[String]) -> Result<Vec<Encoding>> {
        encode_cached(&self.text, &self.cache, texts, true)
    }

    /// Training triplets of one step (deterministic in the step number).
    pub fn batch_at(&self, step: usize) -> Vec<Triplet> {
        let b = self.cfg.batch;
        (0..b)
            .into_par_iter()
            .map(|i| self.synth.sample((step * b + i) as u64))
            .collect()
    }

    /// This step's batch: the prefetched one if it is for this step, else synthesised now.
    /// Either way the batch is `batch_at(step)`; prefetching only moves when it is computed.
    fn take_batch(&mut self) -> Vec<Triplet> {
        match self.prefetch.take() {
            Some(p) if p.step == self.step => match p.handle.join() {
                Ok(batch) => batch,
                // The synthesis thread panicked: recompute here (a bug would panic again,
                // with its message, on this thread).
                Err(_) => self.batch_at(self.step),
            },
            _ => self.batch_at(self.step),
        }
    }

    /// Start synthesising `step`'s batch on a thread (one sample after another, leaving the
    /// cores to the network) and encoding its instructions into the cache.
    fn start_prefetch(&mut self, step: usize) {
        let synth = Arc::clone(&self.synth);
        let (text, cache) = (Arc::clone(&self.text), Arc::clone(&self.cache));
        let b = self.cfg.batch;
        let handle = std::thread::spawn(move || {
            let batch: Vec<Triplet> = (0..b)
                .map(|i| synth.sample((step * b + i) as u64))
                .collect();
            let texts: Vec<String> = batch.iter().map(|t| t.meta.instruction.clone()).collect();
            // An error here is met again, and reported, when the step encodes them itself.
            let _ = encode_cached(&text, &cache, &texts, false);
            batch
        });
        self.prefetch = Some(Prefetch { step, handle });
    }

    /// Forward the network on triplets: the sliced outputs `[1, H, W, 3]` each and the grids.
    fn forward(
        &mut self,
        net: Option<&Generator>,
        guide: &Tensor,
        triplets: &[Triplet],
    ) -> Result<Forward> {
        let l = self.cfg.net.low_res;
        let thumbs: Vec<Vec<f32>> = triplets
            .par_iter()
            .map(|t| lowres::thumbnail(&t.input.data, t.input.width, t.input.height, 3, l))
            .collect();
        let texts: Vec<String> = triplets
            .iter()
            .map(|t| t.meta.instruction.clone())
            .collect();
        let enc = self.encode(&texts)?;
        let items: Vec<(&[f32], &Tensor)> = enc.iter().map(|e| (e.0.as_slice(), &e.1)).collect();
        let mut tb = TextBatch::new(&items, &self.device)?;
        // Where each edit goes (`retouch_model::regions`): a local triplet's instruction names
        // one region, and its edit is blended in by that region's mask rendered on the input,
        // exactly as `Retoucher::predict_edits` + `apply_edits` do at inference. (Instructions
        // that mix regions and whole-photo edits, which the synthesis never makes, would run as
        // several passes there; here they get the whole reading and no mask.)
        let matched: Vec<_> = texts
            .iter()
            .map(|t| retouch_instruct::match_instruction(t))
            .collect();
        let masks: Vec<Option<Tensor>> = triplets
            .par_iter()
            .zip(&matched)
            .map(|(t, m)| region_mask(t, m, &self.device))
            .collect::<Result<_>>()?;
        if self.cfg.net.attr_dim > 0 {
            let attrs: Vec<Vec<f32>> = matched.iter().map(|m| m.attribute_vector()).collect();
            if attrs.iter().any(|a| a.len() != self.cfg.net.attr_dim) {
                return Err(TrainError::Config(format!(
                    "net.attr_dim must be {} (the matcher's attribute vector)",
                    retouch_instruct::matcher::ATTRIBUTE_VECTOR_LEN
                )));
            }
            tb = tb.with_attributes(&attrs)?;
        }
        let x = thumbs_to_tensor(&thumbs, l, &self.device)?;
        let grid = net.unwrap_or(&self.net).forward(&x, &tb)?;
        let mut outs = Vec::with_capacity(triplets.len());
        let mut inputs = Vec::with_capacity(triplets.len());
        for (i, t) in triplets.iter().enumerate() {
            let img = input_tensor(t, &self.device)?;
            let out = slice_op::slice_apply(&grid.narrow(0, i, 1)?, &img, guide, 1.0)?;
            outs.push(match &masks[i] {
                Some(m) => (&img + out.sub(&img)?.broadcast_mul(m)?)?,
                None => out,
            });
            inputs.push(img);
        }
        Ok(Forward {
            outs,
            inputs,
            grid,
            matched,
        })
    }

    /// One optimisation step.
    pub fn train_step(&mut self) -> Result<StepReport> {
        let t0 = Instant::now();
        let triplets = self.take_batch();
        self.start_prefetch(self.step + 1);
        let data_ms = t0.elapsed().as_secs_f64() * 1e3;
        let t1 = Instant::now();
        let texts: Vec<String> = triplets
            .iter()
            .map(|t| t.meta.instruction.clone())
            .collect();
        self.encode(&texts)?;
        let text_ms = t1.elapsed().as_secs_f64() * 1e3;
        let t2 = Instant::now();
        let guide = self.guide()?.as_tensor().clone();
        let Forward {
            outs,
            inputs,
            grid,
            matched,
        } = self.forward(None, &guide, &triplets)?;
        let w = self.cfg.loss.clone();
        let b = triplets.len() as f64;
        let mut terms: BTreeMap<String, Tensor> = BTreeMap::new();
        let mut add = |name: &str, t: Tensor| -> Result<()> {
            let e = match terms.remove(name) {
                Some(s) => (s + t)?,
                None => t,
            };
            terms.insert(name.to_string(), e);
            Ok(())
        };
        for (((t, out), input), m) in triplets.iter().zip(&outs).zip(&inputs).zip(&matched) {
            let target = target_tensor(t, &self.device)?;
            if w.l1 > 0.0 {
                add("l1", (loss::l1(out, &target)? * (w.l1 / b))?)?;
            }
            if w.l2 > 0.0 {
                add("l2", (loss::l2(out, &target)? * (w.l2 / b))?)?;
            }
            if w.structural > 0.0 {
                add(
                    "structural",
                    (loss::structural(out, &target)? * (w.structural / b))?,
                )?;
            }
            if w.gamut > 0.0 {
                add("gamut", (loss::out_of_gamut(out)? * (w.gamut / b))?)?;
            }
            if w.alignment > 0.0 {
                let n = t.input.width * t.input.height;
                let input = input.reshape((n, 3))?;
                if let Some(a) = align::alignment_loss(
                    &out.reshape((n, 3))?,
                    &input,
                    &m.targets,
                    t.mask.as_deref(),
                )? {
                    add("alignment", (a * (w.alignment / b))?)?;
                }
            }
        }
        if w.smoothness > 0.0 {
            add(
                "smoothness",
                (loss::grid_smoothness(&grid)? * w.smoothness)?,
            )?;
        }
        let mut total: Option<Tensor> = None;
        for t in terms.values() {
            total = Some(match total {
                Some(s) => (s + t)?,
                None => t.clone(),
            });
        }
        let total = total.ok_or_else(|| TrainError::Config("every loss weight is zero".into()))?;
        let loss_value = total.to_scalar::<f32>()? as f64;
        if !loss_value.is_finite() {
            return Err(TrainError::Other(format!(
                "loss is {loss_value} at step {}",
                self.step
            )));
        }
        let forward_ms = t2.elapsed().as_secs_f64() * 1e3;
        let t3 = Instant::now();
        let gs = total.backward()?;
        let backward_ms = t3.elapsed().as_secs_f64() * 1e3;
        let mut grads = BTreeMap::new();
        for (k, v) in &self.vars {
            if let Some(g) = gs.get(v.as_tensor()) {
                grads.insert(k.clone(), g.clone());
            }
        }
        let grad_norm = optim::clip_global_norm(&mut grads, self.cfg.clip)?;
        let c = &self.cfg;
        let lr = optim::lr_at(self.step, c.steps, c.warmup, c.lr, c.lr_floor);
        self.opt.step(&self.vars, &grads, lr)?;
        self.ema.update(&self.vars, self.step)?;
        self.step += 1;
        let terms = terms
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.to_scalar::<f32>()? as f64)))
            .collect::<Result<_>>()?;
        Ok(StepReport {
            step: self.step,
            lr,
            loss: loss_value,
            terms,
            grad_norm,
            step_ms: t0.elapsed().as_secs_f64() * 1e3,
            data_ms,
            text_ms,
            forward_ms,
            backward_ms,
        })
    }

    /// The EMA weights as a model file.
    pub fn export(&self, metadata: BTreeMap<String, String>) -> Result<ModelFile> {
        let mut named: HashMap<String, Tensor> = HashMap::new();
        for (k, v) in &self.ema.shadow {
            if k != "guide" {
                named.insert(k.clone(), v.clone());
            }
        }
        let guide_v: Vec<f32> = self
            .ema
            .shadow
            .get("guide")
            .ok_or_else(|| TrainError::Other("guide missing from EMA".into()))?
            .to_vec1()?;
        let guide = GuideMap::from_flat(&guide_v).map_err(|e| TrainError::Other(e.to_string()))?;
        Ok(ModelFile::from_tensors(
            self.cfg.net.clone(),
            guide,
            &named,
            metadata,
        )?)
    }

    /// Validation triplets (deterministic).
    pub fn validation_set(&self) -> Vec<Triplet> {
        (0..self.cfg.validation_samples)
            .into_par_iter()
            .map(|i| self.val_synth.sample(i as u64))
            .collect()
    }

    /// Validate the EMA weights on the validation set.
    pub fn validate(&mut self, set: &[Triplet]) -> Result<ValReport> {
        let file = self.export(BTreeMap::new())?;
        let net = file.generator(&self.device)?;
        let guide = Tensor::new(file.guide.flatten(), &self.device)?;
        let outputs = self.outputs_with(Some(&net), &guide, set)?;
        Ok(validate::report(self.step, set, &outputs))
    }

    /// The current (not EMA) weights' outputs for triplets, as the loss sees them (interleaved
    /// RGB, unclamped): region edits blended by their masks.
    pub fn outputs(&mut self, set: &[Triplet]) -> Result<Vec<Vec<f32>>> {
        let guide = self.guide()?.as_tensor().clone();
        self.outputs_with(None, &guide, set)
    }

    fn outputs_with(
        &mut self,
        net: Option<&Generator>,
        guide: &Tensor,
        set: &[Triplet],
    ) -> Result<Vec<Vec<f32>>> {
        let mut outputs = Vec::with_capacity(set.len());
        for chunk in set.chunks(8) {
            for o in self.forward(net, guide, chunk)?.outs {
                outputs.push(o.flatten_all()?.to_vec1::<f32>()?);
            }
        }
        Ok(outputs)
    }

    /// Save a resumable checkpoint (weights, optimiser moments, EMA, step) atomically.
    pub fn save_checkpoint(&self, path: &Path) -> Result<()> {
        let mut named: Vec<(String, Tensor)> = Vec::new();
        for (k, v) in &self.vars {
            named.push((format!("param/{k}"), v.as_tensor().clone()));
        }
        for (k, v) in &self.opt.m {
            named.push((format!("m/{k}"), v.clone()));
        }
        for (k, v) in &self.opt.v {
            named.push((format!("v/{k}"), v.clone()));
        }
        for (k, v) in &self.ema.shadow {
            named.push((format!("ema/{k}"), v.clone()));
        }
        let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = named
            .iter()
            .map(|(k, t)| {
                let v = t.flatten_all()?.to_vec1::<f32>()?;
                Ok((
                    k.clone(),
                    t.dims().to_vec(),
                    v.iter().flat_map(|x| x.to_le_bytes()).collect(),
                ))
            })
            .collect::<Result<_>>()?;
        let views = bytes
            .iter()
            .map(|(k, s, b)| {
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, s.clone(), b)
                    .map(|v| (k.clone(), v))
                    .map_err(|e| TrainError::Other(e.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut meta = HashMap::new();
        meta.insert("step".to_string(), self.step.to_string());
        meta.insert("adam_t".to_string(), self.opt.t.to_string());
        meta.insert(
            "config".to_string(),
            serde_json::to_string(&self.cfg).map_err(|e| TrainError::Other(e.to_string()))?,
        );
        let data = safetensors::serialize(views, &Some(meta))
            .map_err(|e| TrainError::Other(e.to_string()))?;
        retouch_io::write_atomic(path, &data, true)?;
        Ok(())
    }

    fn load_checkpoint(&mut self, path: &Path) -> Result<()> {
        let bad = |msg: String| TrainError::Checkpoint {
            path: path.to_path_buf(),
            msg,
        };
        let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let (_, header) =
            safetensors::SafeTensors::read_metadata(&bytes).map_err(|e| bad(e.to_string()))?;
        let meta = header.metadata().clone().unwrap_or_default();
        let cfg: TrainConfig = serde_json::from_str(meta.get("config").map_or("", |s| s.as_str()))
            .map_err(|e| bad(format!("config: {e}")))?;
        if cfg.net != self.cfg.net {
            return Err(bad("its network config differs from this run's".into()));
        }
        let get = |k: &str| -> Result<usize> {
            meta.get(k)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| bad(format!("{k} missing")))
        };
        let step = get("step")?;
        let adam_t = get("adam_t")?;
        let st = safetensors::SafeTensors::deserialize(&bytes).map_err(|e| bad(e.to_string()))?;
        let load = |name: &str, like: &Tensor| -> Result<Tensor> {
            let v = st.tensor(name).map_err(|e| bad(format!("{name}: {e}")))?;
            if v.shape() != like.dims() {
                return Err(bad(format!(
                    "{name}: shape {:?} != {:?}",
                    v.shape(),
                    like.dims()
                )));
            }
            let data = retouch_engine::file::f32_le(v.data());
            Ok(Tensor::from_vec(data, like.shape(), &self.device)?)
        };
        for (k, var) in &self.vars {
            var.set(&load(&format!("param/{k}"), var.as_tensor())?)?;
        }
        let keys: Vec<String> = self.vars.keys().cloned().collect();
        for k in keys {
            let like = self.vars[&k].as_tensor().clone();
            self.opt
                .m
                .insert(k.clone(), load(&format!("m/{k}"), &like)?);
            self.opt
                .v
                .insert(k.clone(), load(&format!("v/{k}"), &like)?);
            self.ema
                .shadow
                .insert(k.clone(), load(&format!("ema/{k}"), &like)?);
        }
        self.step = step;
        self.opt.t = adam_t;
        Ok(())
    }
}

/// Deterministic initialisation: He-normal weights (std sqrt(2 / fan_in)), zero biases; tensors
/// the network zero-initialised on purpose (FiLM, the grid head) stay zero.
fn init_weights(vars: &BTreeMap<String, Var>, seed: u64) -> Result<()> {
    use rand::{Rng, SeedableRng};
    for (i, (name, var)) in vars.iter().enumerate() {
        let dims = var.dims().to_vec();
        let zero_init = var.as_tensor().abs()?.sum_all()?.to_scalar::<f32>()? == 0.0;
        let n: usize = dims.iter().product();
        let values: Vec<f32> = if dims.len() < 2 || zero_init {
            vec![0.0; n]
        } else {
            let fan_in: usize = dims[1..].iter().product();
            let std = (2.0 / fan_in as f64).sqrt();
            let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ ((i as u64 + 1) << 32));
            (0..n)
                .map(|_| {
                    // Box-Muller.
                    let u1: f64 = r.gen_range(f64::EPSILON..1.0);
                    let u2: f64 = r.gen();
                    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos() * std) as f32
                })
                .collect()
        };
        var.set(&Tensor::from_vec(values, dims, var.device())?)?;
        let _ = name;
    }
    Ok(())
}

/// The mask `[1, H, W, 1]` a triplet's edit is blended in by: its instruction's region
/// (`retouch_model::regions`) when the reading is one region pass, rendered on the input.
fn region_mask(t: &Triplet, m: &Match, device: &Device) -> Result<Option<Tensor>> {
    let passes = regions::passes(m);
    let [Pass {
        region: Some(region),
        ..
    }] = passes.as_slice()
    else {
        return Ok(None);
    };
    let (w, h) = (t.input.width, t.input.height);
    let Some((_, mask)) = regions::render(*region, &t.input.data, w, h, 3)? else {
        return Ok(None);
    };
    Ok(Some(Tensor::from_vec(
        mask.resampled(w, h),
        (1, h, w, 1),
        device,
    )?))
}

fn input_tensor(t: &Triplet, device: &Device) -> Result<Tensor> {
    Ok(Tensor::from_vec(
        t.input.data.clone(),
        (1, t.input.height, t.input.width, 3),
        device,
    )?)
}

fn target_tensor(t: &Triplet, device: &Device) -> Result<Tensor> {
    Ok(Tensor::from_vec(
        t.target.data.clone(),
        (1, t.target.height, t.target.width, 3),
        device,
    )?)
}
