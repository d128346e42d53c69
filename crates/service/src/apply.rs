//! Grids applied to a decoded photo without the model: an edit file (its regions found again in
//! this photo) or a single grid, at a strength and inside a mask.

use crate::edit::region_names;
use crate::explain::{explain, Explanation};
use crate::{check_strength, Result, ServiceError};
use retouch_engine::{GridFile, GuideMap, ImageMut, ImageRef, Kernel, Mask, Sample};
use retouch_io::{Photo, Pixels};
use retouch_model::edit_file::EditFile;
use retouch_model::{apply_edits, Edit};
use serde::Serialize;

/// A photo with grids applied, and what was applied.
pub struct Applied {
    pub photo: Photo,
    pub report: ApplyReport,
}

#[derive(Clone, Debug, Serialize)]
pub struct ApplyReport {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    pub bit_depth: u8,
    /// Each stage's grid size `[h, w, depth]`.
    pub grids: Vec<[usize; 3]>,
    pub regions: Vec<&'static str>,
    pub strength: f32,
    pub kernel: &'static str,
    pub warnings: Vec<String>,
    /// What the edit did, measured on the photo.
    pub explained: Explanation,
}

/// A decoded photo's damage (a truncated JPEG) as a warning naming it.
pub fn damage_warning(photo: &Photo, name: &str) -> Option<String> {
    photo.damage.as_ref().map(|d| format!("{name}: {d}"))
}

/// A mask image as luma in `[0, 1]` (white: the full edit; black: none).
pub fn mask_from_photo(m: &Photo) -> Result<Mask> {
    let v = m.pixels.to_unit_f32();
    let luma = v
        .chunks(m.channels)
        .map(|p| 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2])
        .collect();
    Ok(Mask::new(m.width, m.height, luma)?)
}

fn edit_typed<T: Sample + Default>(
    kernel: Kernel,
    edits: &[Edit],
    guide: &GuideMap,
    src: &[T],
    p: &Photo,
    strength: f32,
    mask: Option<&Mask>,
) -> Result<Vec<T>> {
    let mut out = vec![T::default(); src.len()];
    apply_edits(
        kernel,
        edits,
        guide,
        ImageRef::new(src, p.width, p.height, p.channels)?,
        ImageMut::new(&mut out, p.width, p.height, p.channels)?,
        strength,
        mask,
    )?;
    Ok(out)
}

/// Apply grids to a decoded photo, whatever its sample type (`retouch_model::apply_edits`:
/// one after another, each inside its region and the user's mask).
pub fn edit_photo(
    kernel: Kernel,
    edits: &[Edit],
    guide: &GuideMap,
    photo: &Photo,
    strength: f32,
    mask: Option<&Mask>,
) -> Result<Pixels> {
    Ok(match &photo.pixels {
        Pixels::U8(v) => Pixels::U8(edit_typed(kernel, edits, guide, v, photo, strength, mask)?),
        Pixels::U16(v) => Pixels::U16(edit_typed(kernel, edits, guide, v, photo, strength, mask)?),
        Pixels::F32(v) => Pixels::F32(edit_typed(kernel, edits, guide, v, photo, strength, mask)?),
    })
}

fn finish(
    kernel: Kernel,
    edits: Vec<Edit>,
    guide: &GuideMap,
    photo: Photo,
    strength: f32,
    mask: Option<&Mask>,
    name: &str,
) -> Result<Applied> {
    let pixels = edit_photo(kernel, &edits, guide, &photo, strength, mask)?;
    let report = ApplyReport {
        width: photo.width,
        height: photo.height,
        channels: photo.channels,
        bit_depth: photo.pixels.bit_depth(),
        grids: edits
            .iter()
            .map(|e| {
                let (h, w, d) = e.grid.dims();
                [h, w, d]
            })
            .collect(),
        regions: region_names(&edits),
        strength,
        kernel: kernel.name(),
        warnings: damage_warning(&photo, name).into_iter().collect(),
        explained: explain(&photo, &pixels, &edits),
    };
    Ok(Applied {
        photo: Photo { pixels, ..photo },
        report,
    })
}

/// Read an edit file's bytes.
pub fn parse_edit_file(bytes: &[u8]) -> Result<EditFile> {
    EditFile::from_bytes(bytes).map_err(ServiceError::EditFile)
}

/// Apply an edit file to a photo: its regions are found again in this photo.
pub fn apply_edit_file(
    kernel: Kernel,
    edit: &EditFile,
    photo: Photo,
    strength: f32,
    mask: Option<&Mask>,
    name: &str,
) -> Result<Applied> {
    check_strength(strength)?;
    let (w, h, c) = (photo.width, photo.height, photo.channels);
    let edits = match &photo.pixels {
        Pixels::U8(v) => edit.edits_for(v, w, h, c)?,
        Pixels::U16(v) => edit.edits_for(v, w, h, c)?,
        Pixels::F32(v) => edit.edits_for(v, w, h, c)?,
    };
    finish(kernel, edits, &edit.guide, photo, strength, mask, name)
}

/// Apply one grid (a grid file's) to the whole photo.
pub fn apply_grid(
    kernel: Kernel,
    grid: GridFile,
    photo: Photo,
    strength: f32,
    mask: Option<&Mask>,
    name: &str,
) -> Result<Applied> {
    check_strength(strength)?;
    let edit = Edit {
        grid: grid.grid,
        region: None,
        source: retouch_model::Source::Network,
    };
    finish(kernel, vec![edit], &grid.guide, photo, strength, mask, name)
}
