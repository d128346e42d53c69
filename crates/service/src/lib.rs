//! What the product does to a photo in memory, shared by `retouch` (files) and `retouch serve`
//! (HTTP): read an instruction ([`understand`]), edit a photo with the model ([`Service::edit`]),
//! apply an edit file or a grid without it ([`apply`]) and turn an edit file into a 3D LUT
//! ([`lut`]). Each returns what it did as typed reports with plain-word warnings; neither the
//! command line nor the server re-interprets the reading.
//!
//! Files, HTTP and their errors stay with the callers: this crate takes decoded
//! [`retouch_io::Photo`]s and returns edited ones.

pub mod apply;
pub mod edit;
pub mod explain;
pub mod lut;
pub mod understand;

pub use apply::{apply_edit_file, apply_grid, edit_photo, mask_from_photo, Applied};
pub use edit::{EditReport, Edited, Pass, Predicted, Timings};
pub use explain::{Changes, Explanation};
pub use understand::Understood;

use retouch_engine::Kernel;
use retouch_model::Retoucher;
use std::path::{Path, PathBuf};

/// What went wrong, sorted by whose it is to fix.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request cannot be done as asked (an empty instruction, one that asks for nothing
    /// this tool does, a LUT of a region-only edit): the user's to change.
    #[error("{0}")]
    Request(String),
    /// A value out of its range (a strength that is not a finite number, a LUT size).
    #[error("{0}")]
    Value(String),
    /// An edit file that cannot be read.
    #[error("not a valid edit file: {0}")]
    EditFile(#[source] retouch_model::ModelError),
    /// A photo or mask that cannot be read, or an output that cannot be written.
    #[error(transparent)]
    Io(#[from] retouch_io::IoError),
    /// The shipped models are not where they were looked for.
    #[error(transparent)]
    NotFound(#[from] retouch_locate::NotFound),
    /// The model failed (not the user's input).
    #[error(transparent)]
    Model(#[from] retouch_model::ModelError),
    /// The engine refused (a mask or image of the wrong shape).
    #[error(transparent)]
    Engine(#[from] retouch_engine::EngineError),
}

pub type Result<T> = std::result::Result<T, ServiceError>;

/// Which model files to load; `None`: the shipped ones ([`retouch_locate`]'s search order).
#[derive(Clone, Debug, Default)]
pub struct ModelPaths {
    pub model: Option<PathBuf>,
    pub text_encoder: Option<PathBuf>,
}

/// A strength must be a number.
pub fn check_strength(strength: f32) -> Result<()> {
    if !strength.is_finite() {
        return Err(ServiceError::Value(
            "strength must be a finite number".into(),
        ));
    }
    Ok(())
}

/// The loaded model and the slice kernel: everything an edit needs, loaded once.
pub struct Service {
    retoucher: Retoucher,
    kernel: Kernel,
    model_path: PathBuf,
}

impl Service {
    /// Load the model and text encoder.
    pub fn load(paths: &ModelPaths, kernel: Kernel) -> Result<Self> {
        if paths.model.is_none() || paths.text_encoder.is_none() {
            // Say where the shipped models were looked for, rather than which file was missing.
            retouch_locate::models_dir()?;
        }
        let model_path = paths
            .model
            .clone()
            .unwrap_or_else(retouch_model::default_model_path);
        let text = paths
            .text_encoder
            .clone()
            .unwrap_or_else(retouch_text::default_dir);
        let retoucher = Retoucher::load(&model_path, &text).map_err(|e| {
            ServiceError::Model(retouch_model::ModelError::Invalid(format!(
                "cannot load the model {}: {e}",
                model_path.display()
            )))
        })?;
        Ok(Self {
            retoucher,
            kernel,
            model_path,
        })
    }

    pub fn retoucher(&self) -> &Retoucher {
        &self.retoucher
    }

    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// The model file that was loaded (for provenance).
    pub fn model_path(&self) -> &Path {
        &self.model_path
    }
}
