//! A chain of grids as a 3D lookup table: the colour function a `.cube` LUT can hold.
//!
//! A grid's transform varies across the photo; a LUT maps colour to colour wherever it is.
//! The table is the chain's output averaged over the photo: each lattice colour is run through
//! every stage (guide, trilinear sample, affine transform at the stage's strength, in f64, as
//! the scalar reference slices) at each cell centre of the finest grid, and the outputs are
//! averaged. A chain whose grids barely vary across the photo is reproduced closely.

use crate::error::{EngineError, Result};
use crate::grid::BilateralGrid;
use crate::guide::GuideMap;
use crate::slice::reference::{apply_affine, sample_affine};
use rayon::prelude::*;

/// The largest lattice accepted (256^3 entries).
pub const MAX_SIZE: usize = 256;

/// The `size^3` lattice of the chain `stages` (grid, strength) under `guide`, red fastest
/// then green then blue (the `.cube` order); input and output sRGB-encoded in `[0, 1]`,
/// outputs not clamped.
pub fn chain_lut(
    stages: &[(&BilateralGrid, f32)],
    guide: &GuideMap,
    size: usize,
) -> Result<Vec<[f32; 3]>> {
    if !(2..=MAX_SIZE).contains(&size) {
        return Err(EngineError::LutSize {
            size,
            max: MAX_SIZE,
        });
    }
    guide.validate()?;
    // Positions: the cell centres of the finest grid, as pixels of an image that size.
    let w = stages.iter().map(|(g, _)| g.width()).max().unwrap_or(1);
    let h = stages.iter().map(|(g, _)| g.height()).max().unwrap_or(1);
    let step = 1.0 / (size - 1) as f64;
    Ok((0..size * size * size)
        .into_par_iter()
        .map(|i| {
            let c = [i % size, (i / size) % size, i / (size * size)].map(|k| k as f64 * step);
            let mut sum = [0f64; 3];
            for y in 0..h {
                for x in 0..w {
                    let mut p = c;
                    for (grid, k) in stages {
                        let a = sample_affine(grid, x, y, w, h, guide.z(p));
                        p = apply_affine(&a, p, f64::from(*k));
                    }
                    for (s, v) in sum.iter_mut().zip(p) {
                        *s += v;
                    }
                }
            }
            sum.map(|s| (s / (w * h) as f64) as f32)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identity_chain_is_the_identity_lattice() {
        let g = BilateralGrid::identity(4, 4, 8).unwrap();
        let lut = chain_lut(&[(&g, 1.0)], &GuideMap::luma(), 5).unwrap();
        assert_eq!(lut.len(), 125);
        // Entry (r, g, b) = (1, 2, 3) / 4 sits at 1 + 5 * 2 + 25 * 3.
        let e = lut[1 + 5 * 2 + 25 * 3];
        for (v, want) in e.iter().zip([0.25, 0.5, 0.75]) {
            assert!((v - want).abs() < 1e-6, "{e:?}");
        }
        assert!(chain_lut(&[(&g, 1.0)], &GuideMap::luma(), 1).is_err());
    }
}
