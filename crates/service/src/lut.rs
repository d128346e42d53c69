//! An edit file's whole-photo part as a 3D LUT (`.cube` text), for Lightroom, Resolve and
//! ffmpeg's `lut3d`.

use crate::{check_strength, Result, ServiceError};
use retouch_engine::lut::chain_lut;
use retouch_model::edit_file::EditFile;

/// Entries per axis most programs expect.
pub const DEFAULT_SIZE: usize = 33;

/// A `.cube` LUT's text and the warnings of what it cannot hold.
pub struct Cube {
    pub text: String,
    pub warnings: Vec<String>,
}

/// The `.cube` text of `edit`'s whole-photo stages at `strength`, `size` entries per axis.
/// A region's stage cannot be held by a LUT (it maps colours the same everywhere): it is left
/// out with a warning, and an edit of regions only is refused.
pub fn cube(edit: &EditFile, size: usize, strength: f32) -> Result<Cube> {
    check_strength(strength)?;
    let stages: Vec<_> = edit.whole_photo().map(|s| (&s.grid, strength)).collect();
    let regional: Vec<String> = edit
        .stages
        .iter()
        .filter_map(|s| s.region.map(|r| r.to_string()))
        .collect();
    if stages.is_empty() {
        return Err(ServiceError::Request(format!(
            "the edit changes only {}; a LUT cannot hold a region's edit",
            regional.join(", ")
        )));
    }
    let mut warnings = Vec::new();
    if !regional.is_empty() {
        warnings.push(format!(
            "a LUT maps colours the same everywhere; the edit of {} is not in it",
            regional.join(", ")
        ));
    }
    let lattice = chain_lut(&stages, &edit.guide, size)?;
    let text = retouch_io::cube::to_cube_text(&edit.instruction, size, &lattice)?;
    Ok(Cube { text, warnings })
}
