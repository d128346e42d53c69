//! Borrowed views of interleaved pixel buffers and the sample types the engine accepts.
//!
//! All colour math runs on sRGB-*encoded* values mapped to `[0, 1]` (u8 / 255, u16 / 65535,
//! f32 as is). The engine never linearises: the grid learns whatever transform it needs in
//! that encoding. A fourth channel is alpha and is copied through untouched.

use crate::error::{EngineError, Result};

/// A pixel sample type: u8, u16 or f32.
pub trait Sample: Copy + Send + Sync + 'static {
    /// Largest code value (1.0 for floats).
    const MAX: f32;
    /// Whether values are integer codes (quantised and clamped on output).
    const INTEGER: bool;
    /// An integer code already clamped to `0..=MAX` (unused for floats).
    fn from_code(c: i32) -> Self;
    /// Code value to `[0, 1]` (floats pass through).
    fn to_unit(self) -> f32;
    /// `[0, 1]` to code value with clamping and round-to-nearest (floats pass through unclamped).
    fn from_unit(v: f32) -> Self;
    /// Same as [`Sample::to_unit`] in double precision, for the reference path.
    fn to_unit_f64(self) -> f64;
    /// Same as [`Sample::from_unit`] in double precision, for the reference path.
    fn from_unit_f64(v: f64) -> Self;
}

impl Sample for u8 {
    const MAX: f32 = 255.0;
    const INTEGER: bool = true;
    #[inline(always)]
    fn from_code(c: i32) -> Self {
        c as u8
    }
    #[inline(always)]
    fn to_unit(self) -> f32 {
        self as f32 * (1.0 / 255.0)
    }
    #[inline(always)]
    fn from_unit(v: f32) -> Self {
        // `as` saturates; NaN becomes 0.
        (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
    }
    fn to_unit_f64(self) -> f64 {
        self as f64 / 255.0
    }
    fn from_unit_f64(v: f64) -> Self {
        (v.clamp(0.0, 1.0) * 255.0).round() as u8
    }
}

impl Sample for u16 {
    const MAX: f32 = 65535.0;
    const INTEGER: bool = true;
    #[inline(always)]
    fn from_code(c: i32) -> Self {
        c as u16
    }
    #[inline(always)]
    fn to_unit(self) -> f32 {
        self as f32 * (1.0 / 65535.0)
    }
    #[inline(always)]
    fn from_unit(v: f32) -> Self {
        (v.clamp(0.0, 1.0) * 65535.0 + 0.5) as u16
    }
    fn to_unit_f64(self) -> f64 {
        self as f64 / 65535.0
    }
    fn from_unit_f64(v: f64) -> Self {
        (v.clamp(0.0, 1.0) * 65535.0).round() as u16
    }
}

impl Sample for f32 {
    const MAX: f32 = 1.0;
    const INTEGER: bool = false;
    #[inline(always)]
    fn from_code(c: i32) -> Self {
        c as f32
    }
    #[inline(always)]
    fn to_unit(self) -> f32 {
        self
    }
    #[inline(always)]
    fn from_unit(v: f32) -> Self {
        v
    }
    fn to_unit_f64(self) -> f64 {
        self as f64
    }
    fn from_unit_f64(v: f64) -> Self {
        v as f32
    }
}

/// An interleaved image (RGB or RGBA), borrowed.
#[derive(Clone, Copy, Debug)]
pub struct ImageRef<'a, T> {
    pub data: &'a [T],
    pub width: usize,
    pub height: usize,
    pub channels: usize,
}

/// An interleaved image (RGB or RGBA), mutably borrowed.
#[derive(Debug)]
pub struct ImageMut<'a, T> {
    pub data: &'a mut [T],
    pub width: usize,
    pub height: usize,
    pub channels: usize,
}

fn check(len: usize, width: usize, height: usize, channels: usize) -> Result<()> {
    if channels != 3 && channels != 4 {
        return Err(EngineError::Channels(channels));
    }
    if width == 0 || height == 0 {
        return Err(EngineError::EmptyImage { width, height });
    }
    let expected = width
        .checked_mul(height)
        .and_then(|p| p.checked_mul(channels))
        .ok_or(EngineError::EmptyImage { width, height })?;
    if len != expected {
        return Err(EngineError::BufferSize {
            width,
            height,
            channels,
            expected,
            got: len,
        });
    }
    Ok(())
}

impl<'a, T> ImageRef<'a, T> {
    pub fn new(data: &'a [T], width: usize, height: usize, channels: usize) -> Result<Self> {
        check(data.len(), width, height, channels)?;
        Ok(Self {
            data,
            width,
            height,
            channels,
        })
    }
}

impl<'a, T> ImageMut<'a, T> {
    pub fn new(data: &'a mut [T], width: usize, height: usize, channels: usize) -> Result<Self> {
        check(data.len(), width, height, channels)?;
        Ok(Self {
            data,
            width,
            height,
            channels,
        })
    }
}

/// A soft mask of any size, values in `[0, 1]`. It is sampled bilinearly at each image pixel's
/// centre (the same convention as the grid), so a mask of any resolution covers the whole image.
#[derive(Clone, Debug)]
pub struct Mask {
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

impl Mask {
    pub fn new(width: usize, height: usize, data: Vec<f32>) -> Result<Self> {
        if width == 0 || height == 0 || data.len() != width * height {
            return Err(EngineError::Mask {
                width,
                height,
                got: data.len(),
            });
        }
        let data = data
            .into_iter()
            .map(|v| if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) })
            .collect();
        Ok(Self {
            width,
            height,
            data,
        })
    }

    /// Bilinear weights along one axis: for output coordinate `i` of `n`, the two source
    /// indices of `m` and the weight of the second.
    #[inline]
    pub(crate) fn axis(i: usize, n: usize, m: usize) -> (usize, usize, f32) {
        let (a, b, f) = crate::grid::axis_weights(i, n, m);
        (a, b, f as f32)
    }

    /// Mask value at pixel (x, y) of a `w` x `h` image, double precision (reference path).
    pub fn sample_f64(&self, x: usize, y: usize, w: usize, h: usize) -> f64 {
        let (x0, x1, fx) = crate::grid::axis_weights(x, w, self.width);
        let (y0, y1, fy) = crate::grid::axis_weights(y, h, self.height);
        let at = |xx: usize, yy: usize| self.data[yy * self.width + xx] as f64;
        let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
        let bot = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
        top * (1.0 - fy) + bot * fy
    }
    /// The mask sampled at every pixel of a `w` x `h` image ([`Self::sample_f64`]), row-major.
    pub fn resampled(&self, w: usize, h: usize) -> Vec<f32> {
        (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| self.sample_f64(x, y, w, h) as f32)
            .collect()
    }
}
