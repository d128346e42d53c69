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

/// Safetensors bytes holding named grids (`[h, w, d, 3, 4]` each), one guide (`guide.ccm`,
/// `guide.curves`, `guide.mix`) and metadata, with `format` and `version` set: the layout of
/// the grid file and of every file made of grids (an edit file holds one grid per stage).
pub fn grids_to_bytes(
    grids: &[(String, &BilateralGrid)],
    guide: &GuideMap,
    metadata: &BTreeMap<String, String>,
    format: &str,
    version: &str,
) -> Result<Vec<u8>> {
    let bytes: Vec<(String, [usize; 3], Vec<u8>)> = grids
        .iter()
        .map(|(name, g)| {
            (
                name.clone(),
                [g.height(), g.width(), g.depth()],
                le_bytes(g.data()),
            )
        })
        .collect();
    let ccm = le_bytes(&guide.ccm.concat());
    let curves = le_bytes(&guide.curves.concat());
    let mix = le_bytes(&guide.mix);
    let mut tensors = Vec::with_capacity(bytes.len() + 3);
    for (name, [h, w, d], data) in &bytes {
        tensors.push((name.clone(), view(vec![*h, *w, *d, 3, 4], data)?));
    }
    tensors.push(("guide.ccm".to_string(), view(vec![3, 4], &ccm)?));
    tensors.push(("guide.curves".to_string(), view(vec![3, KNOTS], &curves)?));
    tensors.push(("guide.mix".to_string(), view(vec![4], &mix)?));
    let mut meta: HashMap<String, String> = metadata.clone().into_iter().collect();
    meta.insert("format".into(), format.into());
    meta.insert("version".into(), version.into());
    safetensors::serialize(tensors, &Some(meta)).map_err(|e| err(e.to_string()))
}

/// A parsed file of grids ([`grids_to_bytes`]): its guide and metadata read and checked, its
/// grids read by name.
pub struct Grids<'a> {
    st: SafeTensors<'a>,
    pub guide: GuideMap,
    /// Everything but `format` and `version`.
    pub metadata: BTreeMap<String, String>,
}

impl<'a> Grids<'a> {
    /// Parse safetensors bytes whose metadata says `format` and `version`.
    pub fn parse(bytes: &'a [u8], format: &str, version: &str) -> Result<Self> {
        let (_, header) = SafeTensors::read_metadata(bytes)
            .map_err(|e| err(format!("not a safetensors file: {e}")))?;
        let meta = header.metadata().clone().unwrap_or_default();
        let found = meta.get("format").map(String::as_str);
        if found != Some(format) {
            return Err(err(format!(
                "metadata `format` is {found:?}, `{format}` expected"
            )));
        }
        if meta.get("version").map(String::as_str) != Some(version) {
            return Err(err(format!(
                "unsupported {format} version {:?} ({version} expected)",
                meta.get("version")
            )));
        }
        let st = SafeTensors::deserialize(bytes).map_err(|e| err(e.to_string()))?;
        let mut flat = read_f32(&st, "guide.ccm", &[3, 4])?;
        flat.extend(read_f32(&st, "guide.curves", &[3, KNOTS])?);
        flat.extend(read_f32(&st, "guide.mix", &[4])?);
        let guide = GuideMap::from_flat(&flat)?;
        let metadata = meta
            .into_iter()
            .filter(|(k, _)| k != "format" && k != "version")
            .collect();
        Ok(Self {
            st,
            guide,
            metadata,
        })
    }

    /// The grid stored as `name`, its shape and values checked.
    pub fn grid(&self, name: &str) -> Result<BilateralGrid> {
        let gt = self
            .st
            .tensor(name)
            .map_err(|e| err(format!("missing tensor `{name}`: {e}")))?;
        let shape = gt.shape().to_vec();
        if shape.len() != 5 || shape[3] != 3 || shape[4] != 4 {
            return Err(err(format!(
                "tensor `{name}` has shape {shape:?}, [h, w, d, 3, 4] expected"
            )));
        }
        let data = read_f32(&self.st, name, &shape)?;
        BilateralGrid::from_data(shape[0], shape[1], shape[2], data)
    }
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
        grids_to_bytes(
            &[("grid".to_string(), &self.grid)],
            &self.guide,
            &self.metadata,
            FORMAT,
            VERSION,
        )
    }

    /// Parse safetensors bytes, validating format, shapes and values.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let g = Grids::parse(bytes, FORMAT, VERSION)?;
        Ok(Self {
            grid: g.grid("grid")?,
            guide: g.guide,
            metadata: g.metadata,
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
