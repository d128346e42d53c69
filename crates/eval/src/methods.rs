//! What each compared method does to a photo and an instruction.

use crate::{EvalError, Result};
use retouch_data::synth::params_for;
use retouch_engine::{BilateralGrid, ImageMut, ImageRef, Kernel};
use retouch_finish::{apply, apply_masked, render_mask, Image, Params, Region};
use retouch_instruct::attr::Target;
use retouch_instruct::match_instruction;
use retouch_model::{apply_edits, Edit, Instruction, Retoucher};
use serde::Serialize;

/// The methods `retouch eval` compares (the baselines and the shipped model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// The input, unchanged.
    Identity,
    /// The shipped model given an empty instruction.
    InstructionBlind,
    /// The shipped model's grid averaged over its spatial cells (1x1 spatial, same luminance
    /// bins): what a global-only grid can do with the same network.
    GlobalOnly,
    /// The instruction matcher's reading applied directly by the photo-finishing pipeline.
    RuleBased,
    /// The shipped model.
    Model,
}

pub const ALL: [Method; 5] = [
    Method::Identity,
    Method::InstructionBlind,
    Method::GlobalOnly,
    Method::RuleBased,
    Method::Model,
];

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Identity => "identity",
            Method::InstructionBlind => "instruction-blind",
            Method::GlobalOnly => "global-only grid (1x1)",
            Method::RuleBased => "rule-based pipeline",
            Method::Model => "InstantRetouch-rs (shipped)",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Method::Identity => "the input returned unchanged",
            Method::InstructionBlind => "the shipped model with an empty instruction",
            Method::GlobalOnly => {
                "the shipped model's grid averaged over its 16x16 spatial cells (1x1 spatial, 8 luminance bins)"
            }
            Method::RuleBased => {
                "matcher -> photo-finishing pipeline at full resolution (the pipeline that synthesised the targets)"
            }
            Method::Model => "the shipped model: text + network + slice-and-apply",
        }
    }

    /// Whether it runs the network (so its runtime is the model's).
    pub fn uses_network(self) -> bool {
        matches!(
            self,
            Method::InstructionBlind | Method::GlobalOnly | Method::Model
        )
    }
}

/// Every spatial cell replaced by the mean over spatial cells (per luminance bin, per
/// coefficient): a grid that cannot vary across the photo.
pub fn global_only(grid: &BilateralGrid) -> Result<BilateralGrid> {
    let (gh, gw, gd) = grid.dims();
    let per = gd * 12;
    let mut mean = vec![0f64; per];
    for cell in grid.data().chunks_exact(per) {
        for (m, v) in mean.iter_mut().zip(cell) {
            *m += *v as f64;
        }
    }
    let n = (gh * gw) as f64;
    let cell: Vec<f32> = mean.iter().map(|m| (m / n) as f32).collect();
    let data = (0..gh * gw).flat_map(|_| cell.iter().copied()).collect();
    Ok(BilateralGrid::from_data(gh, gw, gd, data)?)
}

/// Apply the model's edits to an f32 RGB image as `retouch edit` does; output clamped to
/// `[0, 1]`.
pub(crate) fn apply_model(r: &Retoucher, edits: &[Edit], img: &Image) -> Result<Vec<f32>> {
    let mut out = vec![0f32; img.data.len()];
    apply_edits(
        Kernel::best(),
        edits,
        r.guide(),
        ImageRef::new(&img.data, img.width, img.height, 3)?,
        ImageMut::new(&mut out, img.width, img.height, 3)?,
        1.0,
        None,
    )?;
    out.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
    Ok(out)
}

/// The shipped model's output for an instruction encoded once by the caller (the text stage
/// does not depend on the photo): what [`run`] does for [`Method::Model`] after encoding.
/// An instruction that asks for nothing leaves the photo as it is, as `retouch edit`
/// refuses it ([`Instruction::asks_nothing`]).
pub fn apply_instruction(r: &Retoucher, img: &Image, enc: &Instruction) -> Result<Vec<f32>> {
    if enc.asks_nothing() {
        return Ok(img.data.clone());
    }
    let edits = r.predict_edits(&img.data, img.width, img.height, 3, enc)?;
    apply_model(r, &edits, img)
}

/// The matcher's targets applied by the pipeline: whole-photo targets first, then each
/// region's targets inside its soft mask.
pub fn rule_based(img: &Image, instruction: &str) -> Result<Image> {
    let m = match_instruction(instruction);
    let (global, regional): (Vec<Target>, Vec<Target>) = m
        .targets
        .into_iter()
        .map(|(t, _)| t)
        .partition(|t| t.region.is_none());
    let mut out = apply(img, &params_for(&global))?;
    let mut regions: Vec<Region> = regional.iter().filter_map(|t| t.region).collect();
    regions.sort();
    regions.dedup();
    for region in regions {
        let inside: Vec<Target> = regional
            .iter()
            .filter(|t| t.region == Some(region))
            .cloned()
            .collect();
        let p = params_for(&inside);
        // No detector here: the face is drawn as the skin tones, as where no face is found.
        out = match region.fallback_prior() {
            Some(spec) => {
                let mask = render_mask(&spec, img);
                apply_masked(&out, &p, &Params::default(), &mask)?
            }
            // A region no prior describes (the people need the model's segmentation): apply to
            // the whole photo.
            None => apply(&out, &p)?,
        };
    }
    Ok(out)
}

/// `method`'s output for `img` and `instruction` (interleaved RGB in `[0, 1]`).
pub fn run(method: Method, r: &Retoucher, img: &Image, instruction: &str) -> Result<Vec<f32>> {
    Ok(match method {
        Method::Identity => img.data.clone(),
        Method::RuleBased => {
            let mut d = rule_based(img, instruction)?.data;
            d.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
            d
        }
        Method::InstructionBlind | Method::GlobalOnly | Method::Model => {
            let text = r.encode(if method == Method::InstructionBlind {
                ""
            } else {
                instruction
            })?;
            let mut edits = r.predict_edits(&img.data, img.width, img.height, 3, &text)?;
            if method == Method::GlobalOnly {
                for e in &mut edits {
                    e.grid = global_only(&e.grid)?;
                }
            }
            apply_model(r, &edits, img)?
        }
    })
}

impl From<retouch_finish::FinishError> for EvalError {
    fn from(e: retouch_finish::FinishError) -> Self {
        EvalError::Other(format!("pipeline: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_only_grid_is_spatially_constant_with_the_mean() {
        let (gh, gw, gd) = (2, 3, 2);
        let data: Vec<f32> = (0..gh * gw * gd * 12).map(|i| i as f32).collect();
        let g = BilateralGrid::from_data(gh, gw, gd, data.clone()).unwrap();
        let flat = global_only(&g).unwrap();
        let per = gd * 12;
        for cell in flat.data().chunks_exact(per) {
            assert_eq!(cell, &flat.data()[..per]);
        }
        // First coefficient of bin 0: mean of cells' first values 0, 24, 48, ... (6 cells).
        let want = (0..6).map(|c| (c * per) as f32).sum::<f32>() / 6.0;
        assert_eq!(flat.data()[0], want);
    }

    #[test]
    fn rule_based_follows_the_matcher() {
        let img = Image::new(
            8,
            8,
            (0..8 * 8 * 3)
                .map(|i| 0.2 + 0.6 * ((i % 7) as f32 / 6.0))
                .collect(),
        )
        .unwrap();
        let mean = |d: &[f32]| d.iter().sum::<f32>() / d.len() as f32;
        let brighter = rule_based(&img, "make it brighter").unwrap();
        assert!(mean(&brighter.data) > mean(&img.data) + 0.02);
        let darker = rule_based(&img, "darker please").unwrap();
        assert!(mean(&darker.data) < mean(&img.data) - 0.02);
        let nothing = rule_based(&img, "qwzx").unwrap();
        assert_eq!(nothing.data, img.data);
    }
}
