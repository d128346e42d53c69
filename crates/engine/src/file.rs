//! The grid file: a safetensors file holding a bilateral grid, its guidance map and metadata.
//!
//! Tensors (all F32, little-endian):
//! - `grid`: `[h, w, d, 3, 4]`, layout of [`BilateralGrid`];
//! - `guide.ccm`: `[3, 4]`; `guide.curves`: `[3, KNOTS]`; `guide.mix`: `[4]`.
//!
//! Metadata keys: `format` = `instantretouch-grid`, `version` = `1`, plus free-form entries
//! (what made it, the instruction, fit residual, ...).

use crate::error::{EngineError, Result};
use crate::grid::BilateralGrid;
use crate::guide::{GuideMap, KNOTS};
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
use std::collections::{BTreeMap, HashMap};

pub const FORMAT: &str = "instantretouch-grid";
pub const VERSION: &str = "1";

/// A grid, the guide that slices it, and metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct GridFile {
    pub grid: BilateralGrid,
    pub guide: GuideMap,
    pub metadata: BTreeMap<String, String>,
}

fn view(shape: Vec<usize>, data: &[u8]) -> Result<TensorView<'_>> {
    TensorView::new(Dtype::F32, shape, data).map_err(|e| err(e.to_string()))
}

fn le_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn err(msg: impl Into<String>) -> EngineError {
    EngineError::GridFile(msg.into())
}

fn read_f32(st: &SafeTensors, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
    let t = st
        .tensor(name)
        .map_err(|e| err(format!("missing tensor `{name}`: {e}")))?;
    if t.dtype() != Dtype::F32 {
        return Err(err(format!(
            "tensor `{name}` is {:?}, F32 expected",
            t.dtype()
        )));
    }
    if t.shape() != shape {
        return Err(err(format!(
            "tensor `{name}` has shape {:?}, {:?} expected",
            t.shape(),
            shape
        )));
    }
    Ok(f32_le(t.data()))
}

/// Little-endian f32 values of a safetensors F32 view's bytes (a trailing partial value, which
/// a valid view never has, is ignored). Shared by every safetensors reader in the workspace.
pub fn f32_le(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

impl GridFile {
    pub fn new(grid: BilateralGrid, guide: GuideMap) -> Self {
        Self {
            grid,
            guide,
            metadata: BTreeMap::new(),
        }
    }

    /// Serialise to safetensors bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let (h, w, d) = self.grid.dims();
        let grid = le_bytes(self.grid.data());
        let ccm = le_bytes(&self.guide.ccm.concat());
        let curves = le_bytes(&self.guide.curves.concat());
        let mix = le_bytes(&self.guide.mix);
        let tensors = vec![
            ("grid".to_string(), view(vec![h, w, d, 3, 4], &grid)?),
            ("guide.ccm".to_string(), view(vec![3, 4], &ccm)?),
            ("guide.curves".to_string(), view(vec![3, KNOTS], &curves)?),
            ("guide.mix".to_string(), view(vec![4], &mix)?),
        ];
        let mut meta: HashMap<String, String> = self.metadata.clone().into_iter().collect();
        meta.insert("format".into(), FORMAT.into());
        meta.insert("version".into(), VERSION.into());
        safetensors::serialize(tensors, &Some(meta)).map_err(|e| err(e.to_string()))
    }

    /// Parse safetensors bytes, validating format, shapes and values.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (_, header) = SafeTensors::read_metadata(bytes)
            .map_err(|e| err(format!("not a safetensors file: {e}")))?;
        let meta = header.metadata().clone().unwrap_or_default();
        match meta.get("format").map(String::as_str) {
            Some(FORMAT) => {}
            other => {
                return Err(err(format!(
                    "metadata `format` is {other:?}, `{FORMAT}` expected"
                )))
            }
        }
        if meta.get("version").map(String::as_str) != Some(VERSION) {
            return Err(err(format!(
                "unsupported grid file version {:?}",
                meta.get("version")
            )));
        }
        let st = SafeTensors::deserialize(bytes).map_err(|e| err(e.to_string()))?;
        let gt = st
            .tensor("grid")
            .map_err(|e| err(format!("missing tensor `grid`: {e}")))?;
        let shape = gt.shape().to_vec();
        if shape.len() != 5 || shape[3] != 3 || shape[4] != 4 {
            return Err(err(format!(
                "grid shape {shape:?}, [h, w, d, 3, 4] expected"
            )));
        }
        let data = read_f32(&st, "grid", &shape)?;
        let grid = BilateralGrid::from_data(shape[0], shape[1], shape[2], data)?;
        let mut flat = read_f32(&st, "guide.ccm", &[3, 4])?;
        flat.extend(read_f32(&st, "guide.curves", &[3, KNOTS])?);
        flat.extend(read_f32(&st, "guide.mix", &[4])?);
        let guide = GuideMap::from_flat(&flat)?;
        let metadata = meta
            .into_iter()
            .filter(|(k, _)| k != "format" && k != "version")
            .collect();
        Ok(Self {
            grid,
            guide,
            metadata,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn f32_le_reads_little_endian_values() {
        let bytes: Vec<u8> = [1.5f32, -2.0, f32::MAX]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .chain([7u8])
            .collect();
        assert_eq!(super::f32_le(&bytes), [1.5, -2.0, f32::MAX]);
    }
}
