//! # retouch-text
//!
//! The sentence encoder: all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT) in candle (our own
//! forward pass, see [`bert`]) with the
//! `tokenizers` crate, exactly as sentence-transformers runs it: WordPiece, no padding for a
//! single sentence, truncation at 256 tokens, mean pooling over real tokens, L2
//! normalisation. Also returns the per-token states, for cross-attention in the model.
//!
//! The weights ship as f16 safetensors in `models/text-encoder/` (converted by
//! `scripts/convert-text-encoder.sh`); they are widened to f32 on load ([`weights`]).
//!
//! Beside it, [`e5`]: multilingual-e5-small (4-bit), the encoder of the learned reader.

pub mod bert;
pub mod e5;
pub mod weights;

use bert::{Bert, BertConfig};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use std::path::{Path, PathBuf};
use thiserror::Error;
use tokenizers::Tokenizer;

/// Longest input the encoder reads (sentence-transformers' `max_seq_length`).
pub const MAX_TOKENS: usize = 256;
/// Embedding width.
pub const DIM: usize = 384;

#[derive(Debug, Error)]
pub enum TextError {
    #[error("text encoder files in {dir}: {msg}")]
    Files { dir: PathBuf, msg: String },
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("model: {0}")]
    Model(#[from] candle_core::Error),
}

/// One encoded sentence.
#[derive(Debug)]
pub struct Encoded {
    /// Mean-pooled, L2-normalised sentence embedding (`DIM` values).
    pub pooled: Vec<f32>,
    /// Per-token states `[tokens, DIM]` (including `[CLS]` and `[SEP]`).
    pub tokens: Tensor,
    /// Whether the text was cut at `MAX_TOKENS`.
    pub truncated: bool,
}

pub struct TextEncoder {
    model: Bert,
    tokenizer: Tokenizer,
    device: Device,
}

/// Where the shipped encoder is ([`retouch_locate`]'s search order).
pub fn default_dir() -> PathBuf {
    retouch_locate::model_path("text-encoder")
}

impl TextEncoder {
    /// Load `config.json`, `tokenizer.json` and `model.safetensors` from `dir`.
    pub fn load(dir: &Path) -> Result<Self, TextError> {
        let files = |msg: String| TextError::Files {
            dir: dir.to_path_buf(),
            msg,
        };
        let config: BertConfig = serde_json::from_str(
            &std::fs::read_to_string(dir.join("config.json"))
                .map_err(|e| files(format!("config.json: {e}")))?,
        )
        .map_err(|e| files(format!("config.json: {e}")))?;
        let weights_file = dir.join("model.safetensors");
        if !weights_file.is_file() {
            return Err(files("model.safetensors is missing".into()));
        }
        const WORD: &str = "embeddings.word_embeddings.weight";
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| files(format!("tokenizer.json: {e}")))?;
        let tensors = weights::load(&weights_file, &[WORD])?;
        // The shipped tokenizer pads to 128; a single sentence needs no padding.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| TextError::Tokenizer(e.to_string()))?;
        let device = Device::Cpu;
        let word_dtype = match tensors.get(WORD).map(Tensor::dtype) {
            Some(DType::F16) => DType::F16,
            _ => DType::F32,
        };
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &device);
        let model = Bert::load(vb, &config, word_dtype)?;
        Ok(Self {
            model,
            tokenizer,
            device,
        })
    }

    /// Encode one sentence.
    pub fn encode(&self, text: &str) -> Result<Encoded, TextError> {
        let enc = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| TextError::Tokenizer(e.to_string()))?;
        let truncated = !enc.get_overflowing().is_empty();
        let ids: Vec<u32> = enc.get_ids().to_vec();
        let n = ids.len();
        let input = Tensor::from_vec(ids, n, &self.device)?;
        let states = self.model.forward(&input)?; // [n, DIM]
        let mean = states.mean(0)?;
        let norm = mean
            .sqr()?
            .sum_all()?
            .sqrt()?
            .to_scalar::<f32>()?
            .max(1e-12);
        let pooled = (mean / norm as f64)?.to_vec1::<f32>()?;
        Ok(Encoded {
            pooled,
            tokens: states,
            truncated,
        })
    }
}

/// Cosine similarity of two vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb).max(1e-12)
}
