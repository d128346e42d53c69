//! The edit file (`.retouch`): an edit made once, applied again to any photo.
//!
//! It holds what [`crate::Retoucher::predict_edits`] made of one instruction on one photo:
//! each stage's grid, the guide that slices them, each stage's region as a recipe (the
//! [`Region`], whose mask is rendered again on the photo it is applied to, so "darken the sky"
//! finds each photo's own sky), where each grid came from, the instruction, its typed reading
//! and provenance. Applying it to another photo needs no network and no text encoder: a whole
//! shoot gets one consistent look, and a client can change the strength without the model.
//!
//! Layout: the engine's file of grids ([`retouch_engine::file::grids_to_bytes`]), `format` =
//! `instantretouch-edit`, `version` = `1`, tensors `stage.{i}.grid` (F32 `[h, w, d, 3, 4]`)
//! and `guide.*`, metadata `edit` = the JSON of [`EditInfo`].

use crate::{regions, Edit, ModelError, Result, Source};
use retouch_engine::file::{grids_to_bytes, Grids};
use retouch_engine::{BilateralGrid, GuideMap, Sample};
use retouch_finish::Region;
use retouch_instruct::Reading;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FORMAT: &str = "instantretouch-edit";
pub const VERSION: &str = "1";

/// One stage's description in the file's metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageInfo {
    /// `None`: the whole photo.
    pub region: Option<Region>,
    pub source: Source,
}

/// Everything in the file besides the tensors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditInfo {
    pub instruction: String,
    pub reading: Reading,
    pub stages: Vec<StageInfo>,
    /// What made it: the program and its version, the model file, the photo it was made on.
    #[serde(default)]
    pub provenance: BTreeMap<String, String>,
}

/// One stage: a grid applied over the whole photo or inside a region's mask.
#[derive(Clone, Debug, PartialEq)]
pub struct EditStage {
    pub grid: BilateralGrid,
    pub region: Option<Region>,
    pub source: Source,
}

/// An edit file in memory.
#[derive(Clone, Debug, PartialEq)]
pub struct EditFile {
    pub stages: Vec<EditStage>,
    pub guide: GuideMap,
    pub instruction: String,
    pub reading: Reading,
    pub provenance: BTreeMap<String, String>,
}

fn invalid(msg: impl Into<String>) -> ModelError {
    ModelError::Invalid(format!("edit file: {}", msg.into()))
}

impl EditFile {
    /// The file of `edits` as [`crate::Retoucher::predict_edits`] made them (their masks are
    /// dropped; each region is kept as its recipe).
    pub fn new(
        edits: &[Edit],
        guide: &GuideMap,
        instruction: &str,
        reading: &Reading,
        provenance: BTreeMap<String, String>,
    ) -> Self {
        Self {
            stages: edits
                .iter()
                .map(|e| EditStage {
                    grid: e.grid.clone(),
                    region: e.region.as_ref().map(|(r, _)| *r),
                    source: e.source,
                })
                .collect(),
            guide: guide.clone(),
            instruction: instruction.to_string(),
            reading: reading.clone(),
            provenance,
        }
    }

    fn info(&self) -> EditInfo {
        EditInfo {
            instruction: self.instruction.clone(),
            reading: self.reading.clone(),
            stages: self
                .stages
                .iter()
                .map(|s| StageInfo {
                    region: s.region,
                    source: s.source,
                })
                .collect(),
            provenance: self.provenance.clone(),
        }
    }

    /// Serialise to safetensors bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let grids: Vec<(String, &BilateralGrid)> = self
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("stage.{i}.grid"), &s.grid))
            .collect();
        let info = serde_json::to_string(&self.info())
            .map_err(|e| invalid(format!("cannot describe the edit: {e}")))?;
        let meta = BTreeMap::from([("edit".to_string(), info)]);
        Ok(grids_to_bytes(&grids, &self.guide, &meta, FORMAT, VERSION)?)
    }

    /// Parse safetensors bytes, checking the format, every grid and the description.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let g = Grids::parse(bytes, FORMAT, VERSION)?;
        let info: EditInfo = serde_json::from_str(
            g.metadata
                .get("edit")
                .ok_or_else(|| invalid("no `edit` description in its metadata"))?,
        )
        .map_err(|e| invalid(format!("its `edit` description does not parse: {e}")))?;
        if info.stages.is_empty() {
            return Err(invalid("it has no stages"));
        }
        let stages = info
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(EditStage {
                    grid: g.grid(&format!("stage.{i}.grid"))?,
                    region: s.region,
                    source: s.source,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            stages,
            guide: g.guide,
            instruction: info.instruction,
            reading: info.reading,
            provenance: info.provenance,
        })
    }

    /// The stages as edits for a photo (interleaved, `channels` per pixel): each region's mask
    /// rendered on this photo. A region no mask describes applies to the whole photo, as in
    /// `retouch edit`.
    pub fn edits_for<T: Sample>(
        &self,
        pixels: &[T],
        width: usize,
        height: usize,
        channels: usize,
    ) -> Result<Vec<Edit>> {
        self.stages
            .iter()
            .map(|s| {
                let region = match s.region {
                    None => None,
                    Some(r) => regions::render(r, pixels, width, height, channels)?,
                };
                Ok(Edit {
                    grid: s.grid.clone(),
                    region,
                    source: s.source,
                })
            })
            .collect()
    }

    /// The stages that apply to the whole photo, in order (what a 3D LUT can hold).
    pub fn whole_photo(&self) -> impl Iterator<Item = &EditStage> {
        self.stages.iter().filter(|s| s.region.is_none())
    }
}
