//! The plain scalar reference: f64, one pixel at a time, straight from the definition.

use crate::grid::{axis_weights, depth_weights, BilateralGrid, COEFFS};
use crate::guide::GuideMap;
use crate::image::{ImageMut, ImageRef, Sample};
use num_traits::Float;

/// Trilinear sample of the grid at pixel (x, y) of a `w` x `h` image with guide value `z`.
pub fn sample_affine<T: Float>(
    grid: &BilateralGrid,
    x: usize,
    y: usize,
    w: usize,
    h: usize,
    z: T,
) -> [T; COEFFS] {
    let (gh, gw, gd) = grid.dims();
    let (x0, x1, fx) = axis_weights(x, w, gw);
    let (y0, y1, fy) = axis_weights(y, h, gh);
    let (z0, z1, fz, _) = depth_weights(z, gd);
    let fx = T::from(fx).unwrap();
    let fy = T::from(fy).unwrap();
    let mut a = [T::zero(); COEFFS];
    for (yy, wy) in [(y0, T::one() - fy), (y1, fy)] {
        for (xx, wx) in [(x0, T::one() - fx), (x1, fx)] {
            for (zz, wz) in [(z0, T::one() - fz), (z1, fz)] {
                let wgt = wy * wx * wz;
                for (ai, &c) in a.iter_mut().zip(grid.cell(yy, xx, zz)) {
                    *ai = *ai + wgt * T::from(c).unwrap();
                }
            }
        }
    }
    a
}

/// `p + k (A p~ - p)` for one pixel.
#[inline]
pub fn apply_affine<T: Float>(a: &[T; COEFFS], p: [T; 3], k: T) -> [T; 3] {
    let mut out = [T::zero(); 3];
    for r in 0..3 {
        let row = &a[r * 4..r * 4 + 4];
        let ap = row[0] * p[0] + row[1] * p[1] + row[2] * p[2] + row[3];
        out[r] = p[r] + k * (ap - p[r]);
    }
    out
}

/// A chain of stages (one stage: the plain slice), one pixel at a time, in f64 throughout.
pub(crate) fn slice_apply_chain_reference<S: Sample, D: Sample>(
    stages: &[super::Stage],
    guide: &GuideMap,
    input: ImageRef<S>,
    output: ImageMut<D>,
) {
    let (w, h, ch) = (input.width, input.height, input.channels);
    for y in 0..h {
        for x in 0..w {
            let i = (y * w + x) * ch;
            let px = &input.data[i..i + ch];
            let mut p = [
                px[0].to_unit_f64(),
                px[1].to_unit_f64(),
                px[2].to_unit_f64(),
            ];
            for st in stages {
                let s = st.params.strength as f64;
                let k = match st.params.mask {
                    Some(m) => s * m.sample_f64(x, y, w, h),
                    None => s,
                };
                if k != 0.0 {
                    let a = sample_affine(st.grid, x, y, w, h, guide.z(p));
                    p = apply_affine(&a, p, k);
                }
            }
            let o = &mut output.data[i..i + ch];
            for c in 0..3 {
                o[c] = D::from_unit_f64(p[c]);
            }
            if ch == 4 {
                o[3] = D::from_unit_f64(px[3].to_unit_f64());
            }
        }
    }
}
