//! The instruction-conditioned bilateral generator (paper section 3.3).
//!
//! - [`net`]: the network (thumbnail + instruction -> grid of affine transforms);
//! - [`slice_op`]: the engine's slice-and-apply as a differentiable candle op;
//! - [`lowres`]: the thumbnail the network sees, identical in training and inference;
//! - [`file`]: model files (safetensors: weights, learned guide, config, provenance);
//! - [`Retoucher`]: inference — load once, then instruction + photo -> grid + guide, which the
//!   engine applies at full resolution.
//!
//! Training (losses, optimiser, data) lives in `retouch-train`; this crate knows nothing of it
//! nor of the command line.

pub mod file;
pub mod lowres;
pub mod net;
pub mod slice_op;

use candle_core::{Device, Tensor};
use retouch_engine::{BilateralGrid, GuideMap, Sample};
use retouch_text::{Encoded, TextEncoder};
use std::path::{Path, PathBuf};

pub use file::ModelFile;
pub use net::{Generator, NetConfig, TextBatch};

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model file {path}: {msg}")]
    File { path: PathBuf, msg: String },
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
    #[error(transparent)]
    Text(#[from] retouch_text::TextError),
    #[error(transparent)]
    Engine(#[from] retouch_engine::EngineError),
    #[error(transparent)]
    Io(#[from] retouch_io::IoError),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, ModelError>;

/// Where the shipped default model lives in a checkout.
pub fn default_model_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/retouch/model.safetensors")
}

/// An encoded instruction.
pub struct Instruction {
    pub encoded: Encoded,
    /// The matcher's attribute vector (models with `attr_dim > 0`).
    pub attributes: Option<Vec<f32>>,
}

/// A loaded model and text encoder, ready to edit photos.
pub struct Retoucher {
    net: Generator,
    guide: GuideMap,
    text: TextEncoder,
    device: Device,
    pub file: ModelFile,
}

impl Retoucher {
    pub fn load(model: &Path, text_dir: &Path) -> Result<Self> {
        let device = Device::Cpu;
        let file = ModelFile::read(model)?;
        let net = file.generator(&device)?;
        let guide = file.guide.clone();
        let text = TextEncoder::load(text_dir)?;
        Ok(Self {
            net,
            guide,
            text,
            device,
            file,
        })
    }

    pub fn config(&self) -> &NetConfig {
        self.net.config()
    }

    /// Encode an instruction (the text stage): the sentence encoder, plus the matcher's
    /// attribute vector for models conditioned on it.
    pub fn encode(&self, instruction: &str) -> Result<Instruction> {
        let encoded = self.text.encode(instruction)?;
        let attributes = (self.net.config().attr_dim > 0)
            .then(|| retouch_instruct::match_instruction(instruction).attribute_vector());
        Ok(Instruction {
            encoded,
            attributes,
        })
    }

    /// The network stage: thumbnail of the photo (`channels` 3 or 4, interleaved) and the
    /// encoded instruction -> the grid. Its cost does not depend on the photo's size beyond one
    /// read for the thumbnail.
    pub fn predict<T: Sample>(
        &self,
        pixels: &[T],
        width: usize,
        height: usize,
        channels: usize,
        text: &Instruction,
    ) -> Result<BilateralGrid> {
        if width == 0 || height == 0 || pixels.len() != width * height * channels || channels < 3 {
            return Err(ModelError::Invalid(format!(
                "{} values do not make a {width}x{height}x{channels} image",
                pixels.len()
            )));
        }
        let l = self.net.config().low_res;
        let thumb = lowres::thumbnail(pixels, width, height, channels, l);
        self.predict_thumb(&thumb, text)
    }

    /// Same as [`Self::predict`] from a ready `L x L x 3` thumbnail.
    pub fn predict_thumb(&self, thumb: &[f32], text: &Instruction) -> Result<BilateralGrid> {
        let l = self.net.config().low_res;
        let x = net::thumbs_to_tensor(&[thumb.to_vec()], l, &self.device)?;
        let e = &text.encoded;
        let mut tb = TextBatch::new(&[(&e.pooled, &e.tokens)], &self.device)?;
        if let Some(a) = &text.attributes {
            tb = tb.with_attributes(std::slice::from_ref(a))?;
        }
        let grid = self.net.forward(&x, &tb)?;
        let [gh, gw, gd] = self.net.config().grid;
        let data = grid.flatten_all()?.to_vec1::<f32>()?;
        Ok(BilateralGrid::from_data(gh, gw, gd, data)?)
    }

    pub fn guide(&self) -> &GuideMap {
        &self.guide
    }
}

/// Convenience for tests and tools: a tensor `[1, H, W, 3]` from interleaved RGB.
pub fn image_tensor(rgb: &[f32], width: usize, height: usize, device: &Device) -> Result<Tensor> {
    Ok(Tensor::from_vec(
        rgb.to_vec(),
        (1, height, width, 3),
        device,
    )?)
}
