//! The bilateral grid: `h x w x d` cells, each a 3x4 affine colour transform.
//!
//! Layout (row-major): `data[((y * w + x) * d + z) * 12 + row * 4 + col]`; the transform maps
//! `(r, g, b, 1)` to `(r', g', b')`, so `row` is the output channel and `col` the input channel
//! (col 3 is the offset).
//!
//! Sampling convention (HDRNet's): cell centres sit at `(i + 0.5) / n` of the image, a pixel at
//! its centre `(x + 0.5) / W`; indices outside the grid are clamped to the edge cell, so the
//! edge halves of the border cells are constant. Depth uses the guide value `z` in `[0, 1]` the
//! same way: `gz = z * d - 0.5`.

use crate::error::{EngineError, Result};

/// Number of coefficients per cell (3x4 affine).
pub const COEFFS: usize = 12;

/// The 3x4 identity, row-major.
pub const IDENTITY: [f32; COEFFS] = [
    1.0, 0.0, 0.0, 0.0, //
    0.0, 1.0, 0.0, 0.0, //
    0.0, 0.0, 1.0, 0.0,
];

/// Largest grid side we accept (a grid is meant to be small; this bounds allocations from files).
pub const MAX_GRID_SIDE: usize = 4096;

/// A bilateral grid of affine colour transforms.
#[derive(Clone, Debug, PartialEq)]
pub struct BilateralGrid {
    height: usize,
    width: usize,
    depth: usize,
    data: Vec<f32>,
}

/// Two clamped source indices and the weight of the second for output index `i` of `n`
/// sampling an axis of `m` cells (pixel-centre convention).
#[inline]
pub fn axis_weights(i: usize, n: usize, m: usize) -> (usize, usize, f64) {
    let g = (i as f64 + 0.5) * m as f64 / n as f64 - 0.5;
    let f0 = g.floor();
    let f = g - f0;
    let i0 = f0 as i64;
    let last = m as i64 - 1;
    (
        i0.clamp(0, last) as usize,
        (i0 + 1).clamp(0, last) as usize,
        f,
    )
}

/// Depth indices and weight for a guide value `z` (clamped to `[0, 1]`) in a grid of depth `d`.
/// Returns `(z0, z1, fz, inside)` where `inside` is false when both taps are the same clamped
/// cell (then the result does not depend on `z`).
#[inline]
pub fn depth_weights<T: num_traits::Float>(z: T, d: usize) -> (usize, usize, T, bool) {
    let gz = z * T::from(d).unwrap() - T::from(0.5).unwrap();
    let f0 = gz.floor();
    let f = gz - f0;
    let i0 = f0.to_i64().unwrap_or(0);
    let last = d as i64 - 1;
    let a = i0.clamp(0, last);
    let b = (i0 + 1).clamp(0, last);
    (a as usize, b as usize, f, a != b)
}

impl BilateralGrid {
    fn check_dims(height: usize, width: usize, depth: usize) -> Result<()> {
        let ok = |v: usize| (1..=MAX_GRID_SIDE).contains(&v);
        if !(ok(height) && ok(width) && ok(depth)) {
            return Err(EngineError::GridDims {
                h: height,
                w: width,
                d: depth,
            });
        }
        Ok(())
    }

    /// The grid that returns its input unchanged.
    pub fn identity(height: usize, width: usize, depth: usize) -> Result<Self> {
        Self::check_dims(height, width, depth)?;
        let n = height * width * depth;
        let mut data = Vec::with_capacity(n * COEFFS);
        for _ in 0..n {
            data.extend_from_slice(&IDENTITY);
        }
        Ok(Self {
            height,
            width,
            depth,
            data,
        })
    }

    /// This edit at strength `k` as a grid of its own: the identity plus `k` times this grid's
    /// difference from it. Slicing is linear in the coefficients, so the result edits a pixel
    /// `p` to `p + k (edit(p) - p)`, as [`crate::ApplyParams::strength`] `k` does (`k > 1`
    /// extrapolates).
    pub fn with_strength(&self, k: f32) -> Result<Self> {
        if !k.is_finite() {
            return Err(EngineError::Strength(k));
        }
        let data = self
            .data
            .chunks_exact(COEFFS)
            .flat_map(|c| c.iter().zip(&IDENTITY).map(|(v, i)| i + k * (v - i)))
            .collect();
        Self::from_data(self.height, self.width, self.depth, data)
    }

    /// A grid from raw coefficients in the documented layout.
    pub fn from_data(height: usize, width: usize, depth: usize, data: Vec<f32>) -> Result<Self> {
        Self::check_dims(height, width, depth)?;
        let expected = height * width * depth * COEFFS;
        if data.len() != expected {
            return Err(EngineError::GridData {
                expected,
                got: data.len(),
            });
        }
        if data.iter().any(|v| !v.is_finite()) {
            return Err(EngineError::GridNotFinite);
        }
        Ok(Self {
            height,
            width,
            depth,
            data,
        })
    }

    pub fn height(&self) -> usize {
        self.height
    }
    pub fn width(&self) -> usize {
        self.width
    }
    pub fn depth(&self) -> usize {
        self.depth
    }
    /// `(height, width, depth)`.
    pub fn dims(&self) -> (usize, usize, usize) {
        (self.height, self.width, self.depth)
    }
    pub fn data(&self) -> &[f32] {
        &self.data
    }
    pub fn data_mut(&mut self) -> &mut [f32] {
        &mut self.data
    }
    pub fn into_data(self) -> Vec<f32> {
        self.data
    }

    /// Offset of cell (y, x, z) in [`Self::data`].
    #[inline(always)]
    pub fn offset(&self, y: usize, x: usize, z: usize) -> usize {
        ((y * self.width + x) * self.depth + z) * COEFFS
    }

    /// The 12 coefficients of one cell.
    #[inline(always)]
    pub fn cell(&self, y: usize, x: usize, z: usize) -> &[f32] {
        let o = self.offset(y, x, z);
        &self.data[o..o + COEFFS]
    }
}
