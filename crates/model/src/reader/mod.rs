//! The learned reader (issue "Understand what people actually write", part 2): a small
//! network on multilingual-e5-small's sentence embedding that reads what the rules could
//! not: other languages, misspellings past the spelling corrector, wordings outside the
//! lexicon. It predicts the same items as the rule reading ([`labels`]) and says "nothing"
//! when a text asks for nothing this tool does, instead of forcing it onto the nearest of a
//! few phrases. Trained by `retouch train-reader` on a corpus the project generates
//! (`retouch_train::reader`); the weights ship in `models/reader/reader.safetensors`.
//!
//! [`LearnedReader::complete`] is how a reading uses it: the clauses the rules found
//! nothing in ([`Reading::unread_clauses`]) are read and absorbed ([`Reading::absorb`]).

pub mod labels;

use crate::estimate::Dense;
use crate::{ModelError, Result};
use retouch_instruct::reading::{Learned, Reading};
use retouch_text::e5::{E5Encoder, Prefix};
use safetensors::tensor::{Dtype, TensorView};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The embedding is L2-normalised (entries about 1/sqrt(384)); scaled by this it has unit
/// spread per entry, which the first layer's initialisation assumes.
pub const INPUT_SCALE: f32 = 19.6;

/// Where the shipped head is ([`retouch_locate`]'s search order).
pub fn default_head_path() -> PathBuf {
    retouch_locate::model_path("reader/reader.safetensors")
}

/// The head: dense layers with ReLU between them, outputs laid out as [`labels`] says.
#[derive(Clone, Debug)]
pub struct Head {
    pub layers: Vec<Dense>,
    /// How it was made (command, corpus, measurements), stored in the file.
    pub provenance: String,
    /// Probability above which an item is read ([`labels::decode_at`]).
    pub threshold: f32,
}

impl Head {
    /// Outputs for one embedding (the reference the training graph is tested against).
    pub fn forward(&self, embedding: &[f32]) -> Vec<f32> {
        let x: Vec<f32> = embedding.iter().map(|v| v * INPUT_SCALE).collect();
        crate::estimate::dense_forward(&self.layers, &x)
    }

    fn layout() -> String {
        format!(
            "outputs={} styles={}",
            labels::OUTPUTS,
            retouch_instruct::attr::Look::ALL
                .map(|l| l.name())
                .join(",")
        )
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut data: Vec<(String, Vec<u8>, Vec<usize>)> = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            let bytes = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
            data.push((format!("l{i}.w"), bytes(&l.w), vec![l.outputs, l.inputs]));
            data.push((format!("l{i}.b"), bytes(&l.b), vec![l.outputs]));
        }
        let views: Vec<(String, TensorView)> = data
            .iter()
            .map(|(n, b, s)| {
                TensorView::new(Dtype::F32, s.clone(), b)
                    .map(|v| (n.clone(), v))
                    .map_err(|e| ModelError::Invalid(format!("reader head: {e}")))
            })
            .collect::<Result<_>>()?;
        let meta = HashMap::from([
            ("layout".to_string(), Self::layout()),
            ("provenance".to_string(), self.provenance.clone()),
            ("threshold".to_string(), self.threshold.to_string()),
        ]);
        safetensors::serialize(views, &Some(meta))
            .map_err(|e| ModelError::Invalid(format!("reader head: {e}")))
    }

    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self> {
        let bad = |msg: String| ModelError::File {
            path: path.to_path_buf(),
            msg,
        };
        let (_, meta) = safetensors::SafeTensors::read_metadata(bytes)
            .map_err(|e| bad(format!("not a safetensors file: {e}")))?;
        let meta = meta.metadata().clone().unwrap_or_default();
        if meta.get("layout") != Some(&Self::layout()) {
            return Err(bad(format!(
                "made for another output layout ({:?}, this build has {:?}): retrain with `retouch train-reader`",
                meta.get("layout"),
                Self::layout()
            )));
        }
        let st = safetensors::SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
        let mut layers: Vec<Dense> = Vec::new();
        let mut inputs = 0;
        for i in 0.. {
            let Ok(w) = st.tensor(&format!("l{i}.w")) else {
                break;
            };
            let b = st
                .tensor(&format!("l{i}.b"))
                .map_err(|e| bad(format!("l{i}.b: {e}")))?;
            let (ws, bs) = (w.shape().to_vec(), b.shape().to_vec());
            if i == 0 && ws.len() == 2 {
                inputs = ws[1];
            }
            if w.dtype() != Dtype::F32 || ws.len() != 2 || ws[1] != inputs || bs != [ws[0]] {
                return Err(bad(format!("layer {i}: shapes {ws:?} / {bs:?}")));
            }
            layers.push(Dense {
                inputs,
                outputs: ws[0],
                w: retouch_engine::file::f32_le(w.data()),
                b: retouch_engine::file::f32_le(b.data()),
            });
            inputs = ws[0];
        }
        if layers.is_empty() || inputs != labels::OUTPUTS {
            return Err(bad(format!(
                "{} layers ending in {inputs} outputs ({} expected)",
                layers.len(),
                labels::OUTPUTS
            )));
        }
        let threshold = match meta.get("threshold") {
            None => labels::THRESHOLD,
            Some(t) => t
                .parse::<f32>()
                .ok()
                .filter(|t| (0.0..1.0).contains(t))
                .ok_or_else(|| bad(format!("threshold {t:?} is not in [0, 1)")))?,
        };
        Ok(Self {
            layers,
            provenance: meta.get("provenance").cloned().unwrap_or_default(),
            threshold,
        })
    }

    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| ModelError::File {
            path: path.to_path_buf(),
            msg: e.to_string(),
        })?;
        Self::from_bytes(&bytes, path)
    }
}

/// The multilingual encoder and the head.
pub struct LearnedReader {
    pub encoder: E5Encoder,
    pub head: Head,
}

impl LearnedReader {
    pub fn load(e5: &Path, head_path: &Path) -> Result<Self> {
        let head = Head::load(head_path)?;
        if head.layers[0].inputs != retouch_text::DIM {
            return Err(ModelError::File {
                path: head_path.to_path_buf(),
                msg: format!(
                    "the head reads {} values, the encoder gives {}",
                    head.layers[0].inputs,
                    retouch_text::DIM
                ),
            });
        }
        Ok(Self {
            encoder: E5Encoder::load(e5).map_err(|e| ModelError::Invalid(e.to_string()))?,
            head,
        })
    }

    /// The shipped encoder and head, from the checkout.
    pub fn shipped() -> Result<Self> {
        Self::load(
            &retouch_text::e5::default_dir().join(retouch_text::e5::FILE),
            &default_head_path(),
        )
    }

    /// Read texts (sentences or clauses), in one encoder pass.
    pub fn read(&self, texts: &[&str]) -> Result<Vec<Learned>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let e = self
            .encoder
            .embed_batch(texts, Prefix::Query)
            .map_err(|e| ModelError::Invalid(e.to_string()))?;
        Ok(texts
            .iter()
            .zip(&e)
            .map(|(t, e)| labels::decode_at(t, &self.head.forward(&e.pooled), self.head.threshold))
            .collect())
    }

    /// Read the clauses the rules found nothing in and add what was read to `reading`.
    pub fn complete(&self, reading: &mut Reading) -> Result<()> {
        let clauses = reading.unread_clauses();
        let texts: Vec<&str> = clauses.iter().map(String::as_str).collect();
        for l in self.read(&texts)? {
            reading.absorb(l);
        }
        Ok(())
    }
}
