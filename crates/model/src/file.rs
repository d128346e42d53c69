//! Model files: one safetensors file with the network's weights (names as in [`Generator`]),
//! the learned guide (`guide`, the engine's flattened parameters) and metadata:
//! `format = instantretouch-model`, `version`, `net_config` (JSON) and free-form provenance
//! (`training`: the config and command that produced it).

use crate::net::{Generator, NetConfig};
use crate::{ModelError, Result};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use retouch_engine::GuideMap;
use safetensors::tensor::{Dtype, TensorView};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

pub const FORMAT: &str = "instantretouch-model";
pub const VERSION: &str = "1";

#[derive(Clone, Debug)]
pub struct ModelFile {
    pub config: NetConfig,
    pub guide: GuideMap,
    /// Network weights by name.
    pub tensors: BTreeMap<String, (Vec<usize>, Vec<f32>)>,
    /// Provenance (free-form strings).
    pub metadata: BTreeMap<String, String>,
}

impl ModelFile {
    /// Capture named tensors (e.g. a `VarMap`'s or an EMA copy).
    pub fn from_tensors(
        config: NetConfig,
        guide: GuideMap,
        named: &HashMap<String, Tensor>,
        metadata: BTreeMap<String, String>,
    ) -> Result<Self> {
        let mut tensors = BTreeMap::new();
        for (k, t) in named {
            let v = t.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
            tensors.insert(k.clone(), (t.dims().to_vec(), v));
        }
        Ok(Self {
            config,
            guide,
            tensors,
            metadata,
        })
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = self
            .tensors
            .iter()
            .map(|(k, (s, v))| (k.clone(), s.clone(), le(v)))
            .chain(std::iter::once((
                "guide".to_string(),
                vec![GuideMap::NUM_PARAMS],
                le(&self.guide.flatten()),
            )))
            .collect();
        let views = bytes
            .iter()
            .map(|(k, s, b)| {
                TensorView::new(Dtype::F32, s.clone(), b)
                    .map(|v| (k.clone(), v))
                    .map_err(|e| ModelError::Invalid(e.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut meta: HashMap<String, String> = self.metadata.clone().into_iter().collect();
        meta.insert("format".into(), FORMAT.into());
        meta.insert("version".into(), VERSION.into());
        meta.insert(
            "net_config".into(),
            serde_json::to_string(&self.config).map_err(|e| ModelError::Invalid(e.to_string()))?,
        );
        safetensors::serialize(views, &Some(meta)).map_err(|e| ModelError::Invalid(e.to_string()))
    }

    /// Write atomically (temp file, then rename).
    pub fn write(&self, path: &Path, overwrite: bool) -> Result<()> {
        retouch_io::write_atomic(path, &self.to_bytes()?, overwrite)?;
        Ok(())
    }

    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self> {
        let bad = |msg: String| ModelError::File {
            path: path.to_path_buf(),
            msg,
        };
        let (_, header) =
            safetensors::SafeTensors::read_metadata(bytes).map_err(|e| bad(e.to_string()))?;
        let meta: BTreeMap<String, String> = header
            .metadata()
            .clone()
            .map(|m| m.into_iter().collect())
            .unwrap_or_default();
        if meta.get("format").map(String::as_str) != Some(FORMAT) {
            return Err(bad(format!(
                "not an {FORMAT} file (format = {:?})",
                meta.get("format")
            )));
        }
        if meta.get("version").map(String::as_str) != Some(VERSION) {
            return Err(bad(format!(
                "unsupported version {:?}",
                meta.get("version")
            )));
        }
        let config: NetConfig = serde_json::from_str(
            meta.get("net_config")
                .ok_or_else(|| bad("net_config is missing".into()))?,
        )
        .map_err(|e| bad(format!("net_config: {e}")))?;
        config.validate().map_err(bad)?;
        let st = safetensors::SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
        let mut tensors = BTreeMap::new();
        let mut guide = None;
        for (name, view) in st.tensors() {
            if view.dtype() != Dtype::F32 {
                return Err(bad(format!(
                    "{name}: dtype {:?}, expected F32",
                    view.dtype()
                )));
            }
            let v = retouch_engine::file::f32_le(view.data());
            if v.iter().any(|x| !x.is_finite()) {
                return Err(bad(format!("{name} has non-finite values")));
            }
            if name == "guide" {
                guide = Some(GuideMap::from_flat(&v).map_err(|e| bad(e.to_string()))?);
            } else {
                tensors.insert(name, (view.shape().to_vec(), v));
            }
        }
        let metadata = meta
            .into_iter()
            .filter(|(k, _)| !["format", "version", "net_config"].contains(&k.as_str()))
            .collect();
        Ok(Self {
            config,
            guide: guide.ok_or_else(|| bad("guide is missing".into()))?,
            tensors,
            metadata,
        })
    }

    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| ModelError::File {
            path: path.to_path_buf(),
            msg: format!("cannot read: {e}"),
        })?;
        Self::from_bytes(&bytes, path)
    }

    /// Named tensors on a device.
    pub fn named_tensors(&self, device: &Device) -> Result<HashMap<String, Tensor>> {
        self.tensors
            .iter()
            .map(|(k, (s, v))| {
                Ok((
                    k.clone(),
                    Tensor::from_vec(v.clone(), s.as_slice(), device)?,
                ))
            })
            .collect()
    }

    /// Build the network with these weights (fails if any weight is missing or mis-shaped).
    pub fn generator(&self, device: &Device) -> Result<Generator> {
        let vb = VarBuilder::from_tensors(self.named_tensors(device)?, DType::F32, device);
        Generator::new(&self.config, vb).map_err(|e| ModelError::Invalid(format!("weights: {e}")))
    }
}

fn le(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
