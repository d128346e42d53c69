//! The guidance map `z = g(r, g, b)` that picks the grid's depth for each pixel.
//!
//! HDRNet's "curve guide", with uniformly spaced knots so evaluation is O(1):
//!
//! 1. colour matrix: `u = clamp(M (r, g, b) + b_u, 0, 1)` (3x3 + bias);
//! 2. per channel, a piecewise-linear curve with [`KNOTS`] values at `u = k / (KNOTS - 1)`;
//! 3. a 1x1 mix: `z = clamp(w . curves(u) + b_z, 0, 1)`.
//!
//! The default is a luma guide (identity matrix and curves, Rec. 709 weights). Every step is
//! differentiable almost everywhere; [`GuideMap::backward`] gives the exact gradient.

use crate::error::{EngineError, Result};
use num_traits::Float;

/// Knots per curve.
pub const KNOTS: usize = 16;

/// Learnable guidance parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct GuideMap {
    /// Row c: weights of (r, g, b) and the bias for curve input c.
    pub ccm: [[f32; 4]; 3],
    /// Curve values at `u = k / (KNOTS - 1)`.
    pub curves: [[f32; KNOTS]; 3],
    /// Weights of the three curve outputs and the bias.
    pub mix: [f32; 4],
}

/// Rec. 709 luma weights applied to sRGB-encoded values (a "luma", not luminance).
pub const LUMA_709: [f32; 3] = [0.2126, 0.7152, 0.0722];

impl Default for GuideMap {
    fn default() -> Self {
        Self::luma()
    }
}

/// Gradient of a loss w.r.t. the guide parameters (same shapes as [`GuideMap`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GuideGrad<T> {
    pub ccm: [[T; 4]; 3],
    pub curves: [[T; KNOTS]; 3],
    pub mix: [T; 4],
}

impl<T: Float> GuideGrad<T> {
    pub fn zeros() -> Self {
        Self {
            ccm: [[T::zero(); 4]; 3],
            curves: [[T::zero(); KNOTS]; 3],
            mix: [T::zero(); 4],
        }
    }
    pub fn add_assign(&mut self, o: &Self) {
        for c in 0..3 {
            for j in 0..4 {
                self.ccm[c][j] = self.ccm[c][j] + o.ccm[c][j];
            }
            for k in 0..KNOTS {
                self.curves[c][k] = self.curves[c][k] + o.curves[c][k];
            }
        }
        for j in 0..4 {
            self.mix[j] = self.mix[j] + o.mix[j];
        }
    }
    /// Flattened in the order ccm (12), curves (48), mix (4).
    pub fn flatten(&self) -> Vec<T> {
        let mut v = Vec::with_capacity(GuideMap::NUM_PARAMS);
        self.ccm.iter().for_each(|r| v.extend_from_slice(r));
        self.curves.iter().for_each(|r| v.extend_from_slice(r));
        v.extend_from_slice(&self.mix);
        v
    }
}

/// Intermediate values of one guide evaluation, kept for the backward pass.
#[derive(Clone, Copy, Debug)]
pub struct GuideTrace<T> {
    /// Curve inputs before clamping.
    pub u: [T; 3],
    /// Knot interval and position within it, per channel.
    pub seg: [usize; 3],
    pub frac: [T; 3],
    /// Curve outputs.
    pub v: [T; 3],
    /// Mix before clamping.
    pub z_raw: T,
    /// The guide value in `[0, 1]`.
    pub z: T,
}

impl GuideMap {
    /// Number of scalar parameters (12 + 48 + 4).
    pub const NUM_PARAMS: usize = 12 + 3 * KNOTS + 4;

    /// The luma guide: identity matrix, identity curves, Rec. 709 mix.
    pub fn luma() -> Self {
        let mut curves = [[0.0; KNOTS]; 3];
        for c in curves.iter_mut() {
            for (k, v) in c.iter_mut().enumerate() {
                *v = k as f32 / (KNOTS - 1) as f32;
            }
        }
        Self {
            ccm: [
                [1.0, 0.0, 0.0, 0.0],
                [0.0, 1.0, 0.0, 0.0],
                [0.0, 0.0, 1.0, 0.0],
            ],
            curves,
            mix: [LUMA_709[0], LUMA_709[1], LUMA_709[2], 0.0],
        }
    }

    /// Flattened in the order ccm (12), curves (48), mix (4).
    pub fn flatten(&self) -> Vec<f32> {
        let mut v = Vec::with_capacity(Self::NUM_PARAMS);
        self.ccm.iter().for_each(|r| v.extend_from_slice(r));
        self.curves.iter().for_each(|r| v.extend_from_slice(r));
        v.extend_from_slice(&self.mix);
        v
    }

    /// Inverse of [`Self::flatten`].
    pub fn from_flat(v: &[f32]) -> Result<Self> {
        if v.len() != Self::NUM_PARAMS || v.iter().any(|x| !x.is_finite()) {
            return Err(EngineError::GuideNotFinite);
        }
        let mut g = Self::luma();
        for c in 0..3 {
            g.ccm[c].copy_from_slice(&v[c * 4..c * 4 + 4]);
            g.curves[c].copy_from_slice(&v[12 + c * KNOTS..12 + (c + 1) * KNOTS]);
        }
        g.mix.copy_from_slice(&v[12 + 3 * KNOTS..]);
        Ok(g)
    }

    pub fn validate(&self) -> Result<()> {
        if self.flatten().iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(EngineError::GuideNotFinite)
        }
    }

    /// Evaluate in any float precision, keeping what the backward pass needs.
    #[inline]
    pub fn eval<T: Float>(&self, p: [T; 3]) -> GuideTrace<T> {
        let f = |x: f32| T::from(x).unwrap();
        let kmax = T::from(KNOTS - 1).unwrap();
        let mut u = [T::zero(); 3];
        let mut seg = [0usize; 3];
        let mut frac = [T::zero(); 3];
        let mut v = [T::zero(); 3];
        let mut z_raw = f(self.mix[3]);
        for c in 0..3 {
            let m = &self.ccm[c];
            u[c] = f(m[0]) * p[0] + f(m[1]) * p[1] + f(m[2]) * p[2] + f(m[3]);
            let t = u[c].max(T::zero()).min(T::one()) * kmax;
            let i = t.floor().to_usize().unwrap_or(0).min(KNOTS - 2);
            let fr = t - T::from(i).unwrap();
            seg[c] = i;
            frac[c] = fr;
            let (a, b) = (f(self.curves[c][i]), f(self.curves[c][i + 1]));
            v[c] = a + (b - a) * fr;
            z_raw = z_raw + f(self.mix[c]) * v[c];
        }
        GuideTrace {
            u,
            seg,
            frac,
            v,
            z_raw,
            z: z_raw.max(T::zero()).min(T::one()),
        }
    }

    /// Guide value only.
    #[inline]
    pub fn z<T: Float>(&self, p: [T; 3]) -> T {
        self.eval(p).z
    }

    /// Back-propagate `dz` (dL/dz) through one evaluation: accumulates parameter gradients into
    /// `grad` and returns dL/d(r, g, b) through the guide.
    #[inline]
    pub fn backward<T: Float>(
        &self,
        p: [T; 3],
        tr: &GuideTrace<T>,
        dz: T,
        grad: &mut GuideGrad<T>,
    ) -> [T; 3] {
        let mut dp = [T::zero(); 3];
        // Clamp of z: no gradient outside (0, 1).
        if !(tr.z_raw > T::zero() && tr.z_raw < T::one()) {
            return dp;
        }
        let f = |x: f32| T::from(x).unwrap();
        let kmax = T::from(KNOTS - 1).unwrap();
        grad.mix[3] = grad.mix[3] + dz;
        for c in 0..3 {
            grad.mix[c] = grad.mix[c] + dz * tr.v[c];
            let dv = dz * f(self.mix[c]);
            let i = tr.seg[c];
            grad.curves[c][i] = grad.curves[c][i] + dv * (T::one() - tr.frac[c]);
            grad.curves[c][i + 1] = grad.curves[c][i + 1] + dv * tr.frac[c];
            // Clamp of u: no gradient outside (0, 1).
            if tr.u[c] > T::zero() && tr.u[c] < T::one() {
                let slope = (f(self.curves[c][i + 1]) - f(self.curves[c][i])) * kmax;
                let du = dv * slope;
                let m = &self.ccm[c];
                for j in 0..3 {
                    grad.ccm[c][j] = grad.ccm[c][j] + du * p[j];
                    dp[j] = dp[j] + du * f(m[j]);
                }
                grad.ccm[c][3] = grad.ccm[c][3] + du;
            }
        }
        dp
    }
}

/// The guide prepared for the fast f32 path: curves stored as (value, slope-per-interval).
#[derive(Clone, Debug)]
pub(crate) struct FastGuide {
    pub ccm: [[f32; 4]; 3],
    pub curve_val: [[f32; KNOTS]; 3],
    pub curve_step: [[f32; KNOTS]; 3],
    pub mix: [f32; 4],
}

impl FastGuide {
    pub fn new(g: &GuideMap) -> Self {
        let mut curve_step = [[0.0; KNOTS]; 3];
        for c in 0..3 {
            for k in 0..KNOTS - 1 {
                curve_step[c][k] = g.curves[c][k + 1] - g.curves[c][k];
            }
        }
        Self {
            ccm: g.ccm,
            curve_val: g.curves,
            curve_step,
            mix: g.mix,
        }
    }

    #[inline(always)]
    pub fn z(&self, p: [f32; 3]) -> f32 {
        const KM: f32 = (KNOTS - 1) as f32;
        let mut z = self.mix[3];
        for c in 0..3 {
            let m = &self.ccm[c];
            let u = m[0] * p[0] + m[1] * p[1] + m[2] * p[2] + m[3];
            let t = u.clamp(0.0, 1.0) * KM;
            let i = (t as usize).min(KNOTS - 2);
            let fr = t - i as f32;
            z += self.mix[c] * (self.curve_val[c][i] + self.curve_step[c][i] * fr);
        }
        z.clamp(0.0, 1.0)
    }
}
