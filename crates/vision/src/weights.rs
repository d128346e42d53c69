//! Named f16/f32 tensors read out of a safetensors file, their shapes checked, and the file's
//! text metadata.

use std::collections::HashMap;
use std::path::Path;

use safetensors::{Dtype, SafeTensors};

use crate::VisionError;

/// The file's bytes.
pub fn read(path: &Path) -> Result<Vec<u8>, VisionError> {
    std::fs::read(path).map_err(|source| VisionError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// A parsed safetensors file.
pub struct Weights<'a> {
    pub path: String,
    file: SafeTensors<'a>,
    metadata: HashMap<String, String>,
}

impl<'a> Weights<'a> {
    pub fn parse(path: &Path, bytes: &'a [u8]) -> Result<Self, VisionError> {
        let shown = path.display().to_string();
        let format = |e: safetensors::SafeTensorError| VisionError::Format {
            path: shown.clone(),
            message: e.to_string(),
        };
        let file = SafeTensors::deserialize(bytes).map_err(format)?;
        let (_, meta) = SafeTensors::read_metadata(bytes).map_err(format)?;
        Ok(Weights {
            path: shown,
            file,
            metadata: meta.metadata().clone().unwrap_or_default(),
        })
    }

    fn error(&self, name: &str, problem: String) -> VisionError {
        VisionError::Tensor {
            path: self.path.clone(),
            name: name.to_string(),
            problem,
        }
    }

    /// An error saying what is wrong with this file's contents.
    pub fn invalid(&self, message: String) -> VisionError {
        VisionError::Format {
            path: self.path.clone(),
            message,
        }
    }

    /// A metadata entry, or an error naming it.
    pub fn metadata(&self, key: &str) -> Result<&str, VisionError> {
        self.metadata
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| VisionError::Format {
                path: self.path.clone(),
                message: format!("no \"{key}\" in the metadata"),
            })
    }

    /// The shape of tensor `name`.
    pub fn shape(&self, name: &str) -> Result<Vec<usize>, VisionError> {
        let t = self
            .file
            .tensor(name)
            .map_err(|_| self.error(name, "missing".into()))?;
        Ok(t.shape().to_vec())
    }

    /// Tensor `name` as f32, which must have `shape`.
    pub fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, VisionError> {
        let t = self
            .file
            .tensor(name)
            .map_err(|_| self.error(name, "missing".into()))?;
        if t.shape() != shape {
            return Err(self.error(name, format!("shape {:?}, expected {:?}", t.shape(), shape)));
        }
        let bytes = t.data();
        match t.dtype() {
            Dtype::F16 => Ok(bytes
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect()),
            Dtype::F32 => Ok(bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()),
            other => Err(self.error(name, format!("dtype {other:?}, expected F16 or F32"))),
        }
    }
}
