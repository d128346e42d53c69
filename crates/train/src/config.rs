//! Training configuration (JSON; unknown keys are errors). Relative paths are resolved against
//! the directory the command runs in (the repository root for the committed configs).

use retouch_model::NetConfig;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Loss weights (see `loss` and `align`). A zero weight skips the term's computation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LossWeights {
    /// L1 to the target (paper Eq. 7/8).
    pub l1: f64,
    /// L2 to the target.
    pub l2: f64,
    /// Structural term: (1 - SSIM on luma) + gradient L1 (stands in for LPIPS).
    pub structural: f64,
    /// Grid smoothness (3-D Laplacian quadratic form).
    pub smoothness: f64,
    /// Soft out-of-gamut penalty.
    pub gamut: f64,
    /// Prompt alignment (attribute-statistic InfoNCE).
    pub alignment: f64,
}

impl Default for LossWeights {
    fn default() -> Self {
        Self {
            l1: 1.0,
            l2: 0.0,
            structural: 0.1,
            smoothness: 0.01,
            gamut: 1.0,
            alignment: 0.02,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    pub net: NetConfig,
    /// Dataset directory made by `retouch data prepare` (manifest.jsonl + photos).
    pub data_dir: PathBuf,
    /// Directory of the text encoder (config.json, tokenizer.json, model.safetensors).
    pub text_encoder: PathBuf,
    /// Long side of the training photos (the slice loss runs at this size).
    pub train_size: u32,
    pub batch: usize,
    pub steps: usize,
    pub lr: f64,
    /// Final learning rate as a fraction of `lr`.
    pub lr_floor: f64,
    pub warmup: usize,
    pub weight_decay: f64,
    /// Global gradient-norm clip.
    pub clip: f64,
    pub ema_decay: f64,
    pub seed: u64,
    pub loss: LossWeights,
    /// Log a line every this many steps.
    pub log_every: usize,
    /// Validate (EMA weights) every this many steps (and at the end).
    pub validate_every: usize,
    /// Save a resumable checkpoint every this many steps (and at the end).
    pub checkpoint_every: usize,
    /// Validation triplets (held-out photos; held-out and training phrasings, flagged).
    pub validation_samples: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            net: NetConfig::default(),
            data_dir: PathBuf::from("~/.cache/instantretouch/photos"),
            text_encoder: PathBuf::from("models/text-encoder"),
            train_size: 256,
            batch: 4,
            steps: 20_000,
            lr: 1e-3,
            lr_floor: 0.05,
            warmup: 500,
            weight_decay: 1e-4,
            clip: 1.0,
            ema_decay: 0.999,
            seed: 2026,
            loss: LossWeights::default(),
            log_every: 25,
            validate_every: 2_000,
            checkpoint_every: 500,
            validation_samples: 128,
        }
    }
}

/// `~/...` to the home directory; other paths unchanged.
pub fn expand_home(p: &std::path::Path) -> PathBuf {
    match (p.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => p.to_path_buf(),
    }
}

impl TrainConfig {
    /// Expand `~/` in the paths.
    pub fn resolve_paths(&mut self) {
        self.data_dir = expand_home(&self.data_dir);
        self.text_encoder = expand_home(&self.text_encoder);
    }

    pub fn validate(&self) -> Result<(), String> {
        self.net.validate()?;
        if self.batch == 0 || self.steps == 0 {
            return Err("batch and steps must be positive".into());
        }
        if !(self.lr > 0.0 && self.lr.is_finite() && (0.0..=1.0).contains(&self.lr_floor)) {
            return Err("lr must be positive and lr_floor in [0, 1]".into());
        }
        if !(0.0..1.0).contains(&self.ema_decay) {
            return Err("ema_decay must be in [0, 1)".into());
        }
        if self.train_size < 32 {
            return Err("train_size must be at least 32".into());
        }
        if self.log_every == 0 || self.validate_every == 0 || self.checkpoint_every == 0 {
            return Err("log_every, validate_every and checkpoint_every must be positive".into());
        }
        Ok(())
    }
}
