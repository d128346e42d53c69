//! Region edits ("darken the sky", "warm up the skin"): where an edit goes.
//!
//! The network's grid is 16 x 16 cells over the whole photo, conditioned on a 128 px thumbnail:
//! left to itself it cannot tell "the sky" from the rest well enough, and a model trained that
//! way changed what lies outside the region (session 4's benchmark: local-triplet PSNR below
//! doing nothing). So a region the instruction names is localised explicitly, with the same
//! soft masks from simple priors the data pipeline uses (paper section 3.1; [`Region::mask`]),
//! for the people and the background from a person segmentation ([`crate::people`]), or for
//! the faces from a face detector ([`crate::faces`]), through the engine's soft bilateral
//! blending (section 4.4: `k = s * m`):
//!
//! - the matcher's targets are split into [`Pass`]es: one for the whole photo (targets without
//!   a region, or whose region no mask describes) and one per named region;
//! - each pass runs the network with only its targets in the attribute vector and the
//!   embedding of only its own targets in training words ([`crate::pass_text`]: "make it
//!   warmer" for the whole photo, "darken the sky" for the sky, as training saw them), and a
//!   region pass's edit is blended in by the region's mask, rendered on the photo at
//!   [`MASK_SIZE`] px (the training photos' size);
//! - passes apply one after another; the network of a later pass sees the thumbnail with the
//!   earlier edits applied.
//!
//! Training does the same for its (single-region) local triplets, so the network learns the
//! edit *inside* the region and the mask keeps everything outside bit-exact. An instruction
//! with only whole-photo targets is one pass without a mask: what the model did before.

use crate::lowres;
use crate::{ModelError, Result};
use retouch_engine::{Mask, Sample};
use retouch_finish::mask;
use retouch_finish::{Region, RegionMask};
use retouch_instruct::attr::Target;
use retouch_instruct::matcher::Match;
use retouch_vision::face::Face;

/// Long side, in pixels, of the image a region's mask is rendered on (the training photos'
/// size, so a mask at inference is the one training blended with). The mask is blurred by 2 %
/// of the diagonal, so this resolution loses nothing; the engine samples it bilinearly at full
/// resolution.
pub const MASK_SIZE: usize = 256;

/// Mask values this close to 0 or 1 are made exactly 0 or 1.
const SNAP: f32 = 1e-3;

/// One network pass: what it is asked, and where its edit goes.
#[derive(Clone, Debug, PartialEq)]
pub struct Pass {
    /// This pass's part of the matcher's reading (its targets; `kept` of the whole).
    pub matched: Match,
    /// The region the edit is blended into (one [`Region::mask`] describes); `None` for the
    /// whole photo.
    pub region: Option<Region>,
}

/// Split a reading into passes: first the whole photo (if anything targets it, or if nothing
/// targets a region), then each region a mask describes, in the order the instruction names
/// them.
pub fn passes(m: &Match) -> Vec<Pass> {
    let mut whole = Match {
        targets: Vec::new(),
        ..m.clone()
    };
    let mut regional: Vec<Pass> = Vec::new();
    for (t, conf) in &m.targets {
        match pass_region(t) {
            None => whole.targets.push((*t, *conf)),
            Some(region) => {
                let i = match regional.iter().position(|p| p.region == Some(region)) {
                    Some(i) => i,
                    None => {
                        regional.push(Pass {
                            matched: Match {
                                targets: Vec::new(),
                                kept: m.kept.clone(),
                                ..Match::default()
                            },
                            region: Some(region),
                        });
                        regional.len() - 1
                    }
                };
                regional[i].matched.targets.push((*t, *conf));
            }
        }
    }
    let mut out = Vec::with_capacity(regional.len() + 1);
    if !whole.targets.is_empty() || regional.is_empty() {
        out.push(Pass {
            matched: whole,
            region: None,
        });
    }
    out.extend(regional);
    out
}

/// The region a target's edit goes to: its region when a mask describes it, else `None` (the
/// whole photo), as [`passes`] decides.
fn pass_region(t: &Target) -> Option<Region> {
    t.region.filter(|r| r.mask().is_some())
}

/// Render a region's mask for a photo (interleaved, `channels` 3 or 4): the photo is
/// area-resized to [`MASK_SIZE`] on its long side (aspect kept; a smaller photo as it is) and
/// the mask rendered there ([`render_on`]); for the people and the background the photo is
/// also area-resized to the segmentation's input, for the face to the detector's view. The
/// region drawn ([`resolve`]: the face falls back to the skin when no face is found) and its
/// mask; `None` for a region no mask describes.
pub fn render<T: Sample>(
    region: Region,
    pixels: &[T],
    width: usize,
    height: usize,
    channels: usize,
) -> Result<Option<(Region, Mask)>> {
    let view = mask_view(pixels, width, height, channels)?;
    let people = if needs_people(region) {
        Some(people_probability(
            pixels,
            width,
            height,
            channels,
            view.width,
            view.height,
        )?)
    } else {
        None
    };
    let faces = if needs_faces(region) {
        Some(find_faces(pixels, width, height, channels)?)
    } else {
        None
    };
    let drawn = resolve(region, faces.as_deref());
    Ok(render_on(drawn, &view, people.as_deref(), faces.as_deref())?.map(|m| (drawn, m)))
}

/// Whether a region's mask needs the person segmentation.
pub fn needs_people(region: Region) -> bool {
    matches!(region.mask(), Some(RegionMask::People { .. }))
}

/// Whether a region's mask needs the face detector.
pub fn needs_faces(region: Region) -> bool {
    matches!(region.mask(), Some(RegionMask::Faces))
}

/// The region a mask is drawn for: `region`, except the face when `faces` found none (then
/// the region whose prior stands in for it, the skin).
pub fn resolve(region: Region, faces: Option<&[Face]>) -> Region {
    if needs_faces(region) && faces.is_some_and(|f| f.is_empty()) {
        region.trained_as()
    } else {
        region
    }
}

/// The faces in a photo ([`crate::faces::find`] on its [`crate::faces::VIEW`] px view).
pub fn find_faces<T: Sample>(
    pixels: &[T],
    width: usize,
    height: usize,
    channels: usize,
) -> Result<Vec<Face>> {
    crate::check_image(pixels.len(), width, height, channels)?;
    let (w, h) = face_view_size(width, height);
    let view = lowres::resize_area(pixels, width, height, channels, w, h);
    crate::faces::find(&view, w, h)
}

/// The size of a `width x height` photo's face-detection view (a smaller photo as it is).
pub fn face_view_size(width: usize, height: usize) -> (usize, usize) {
    lowres::fit_long_side(width, height, crate::faces::VIEW)
}

/// The person probability of a photo at its [`mask_view`]'s size `w x h`.
pub fn people_probability<T: Sample>(
    pixels: &[T],
    width: usize,
    height: usize,
    channels: usize,
    w: usize,
    h: usize,
) -> Result<Vec<f32>> {
    crate::check_image(pixels.len(), width, height, channels)?;
    let side = crate::people::SIDE;
    let view = lowres::resize_area(pixels, width, height, channels, side, side);
    crate::people::probability(&view, w, h)
}

/// The photo as [`render`] sees it: area-resized to [`MASK_SIZE`] on its long side.
pub fn mask_view<T: Sample>(
    pixels: &[T],
    width: usize,
    height: usize,
    channels: usize,
) -> Result<retouch_finish::Image> {
    crate::check_image(pixels.len(), width, height, channels)?;
    let (w, h) = mask_view_size(width, height);
    view_image(
        w,
        h,
        lowres::resize_area(pixels, width, height, channels, w, h),
    )
}

/// The size of a `width x height` photo's [`mask_view`].
pub fn mask_view_size(width: usize, height: usize) -> (usize, usize) {
    lowres::fit_long_side(width, height, MASK_SIZE)
}

/// A [`mask_view`] from its pixels (interleaved RGB in `[0, 1]`, [`mask_view_size`]).
pub fn view_image(w: usize, h: usize, rgb: Vec<f32>) -> Result<retouch_finish::Image> {
    retouch_finish::Image::new(w, h, rgb).map_err(|e| ModelError::Invalid(e.to_string()))
}

/// [`render`] on a ready [`mask_view`] of the photo; `people` is the person probability at
/// that view's size ([`people_probability`]), needed for the people and the background;
/// `faces` the faces found ([`find_faces`]), needed for the face (none found: the skin
/// prior). Values within 1e-3 of 0 or 1 are made exactly 0 or 1, so that outside a region the
/// photo is left bit for bit. `None` for a region no mask describes.
pub fn render_on(
    region: Region,
    img: &retouch_finish::Image,
    people: Option<&[f32]>,
    faces: Option<&[Face]>,
) -> Result<Option<Mask>> {
    let data = match region.mask() {
        None => return Ok(None),
        Some(RegionMask::Prior(spec)) => mask::render(&spec, img),
        Some(RegionMask::Faces) => {
            let f = faces.ok_or_else(|| {
                ModelError::Invalid(format!("the {region} mask needs the faces found"))
            })?;
            match (f.is_empty(), region.fallback_prior()) {
                (true, Some(spec)) => mask::render(&spec, img),
                _ => crate::faces::mask(f, img.width, img.height),
            }
        }
        Some(RegionMask::People { background }) => {
            let p = people.ok_or_else(|| {
                ModelError::Invalid(format!("the {region} mask needs the person probability"))
            })?;
            if p.len() != img.width * img.height {
                return Err(ModelError::Invalid(format!(
                    "{} person probabilities for a {}x{} mask",
                    p.len(),
                    img.width,
                    img.height
                )));
            }
            p.iter()
                .map(|&v| if background { 1.0 - v } else { v })
                .collect()
        }
    };
    Ok(Some(snapped(img.width, img.height, data)?))
}

fn snapped(width: usize, height: usize, data: Vec<f32>) -> Result<Mask> {
    // The blur's running sums leave residues of ~1e-8 where the mask should be 0 (or 1).
    let data = data
        .into_iter()
        .map(|v| {
            if v < SNAP {
                0.0
            } else if v > 1.0 - SNAP {
                1.0
            } else {
                v
            }
        })
        .collect();
    Ok(Mask::new(width, height, data)?)
}

/// The product of two masks (where both a user's mask and a region restrict an edit), at the
/// resolution of the larger one, the other sampled bilinearly there.
pub fn product(a: &Mask, b: &Mask) -> Result<Mask> {
    let (a, b) = if b.width * b.height > a.width * a.height {
        (b, a)
    } else {
        (a, b)
    };
    let data = a
        .data
        .iter()
        .zip(b.resampled(a.width, a.height))
        .map(|(x, y)| x * y)
        .collect();
    Ok(Mask::new(a.width, a.height, data)?)
}
