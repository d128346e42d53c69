//! Every parameter of the pipeline, its range, and its identity value (the `Default`).

use crate::FinishError;
use serde::{Deserialize, Serialize};

/// Names of the eight HSL bands and their centre hues (degrees).
pub const HSL_BANDS: [(&str, f32); 8] = [
    ("red", 0.0),
    ("orange", 30.0),
    ("yellow", 60.0),
    ("green", 120.0),
    ("aqua", 180.0),
    ("blue", 225.0),
    ("purple", 270.0),
    ("magenta", 315.0),
];

/// One HSL band's adjustment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HslAdjust {
    /// Hue shift in degrees, [-30, 30].
    pub hue: f32,
    /// Saturation, [-1, 1] (-1 removes the band's colour).
    pub saturation: f32,
    /// Lightness, [-1, 1].
    pub lightness: f32,
}

/// Split toning: tint shadows and highlights with two hues.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SplitToning {
    /// Degrees.
    pub shadow_hue: f32,
    /// [0, 1].
    pub shadow_amount: f32,
    /// Degrees.
    pub highlight_hue: f32,
    /// [0, 1].
    pub highlight_amount: f32,
    /// [-1, 1]: positive moves the split point down (more of the image counts as highlights).
    pub balance: f32,
}

/// All pipeline parameters. `Params::default()` is the identity: it returns its input exactly.
///
/// | field | range | identity | what |
/// |---|---|---|---|
/// | exposure | [-3, 3] EV | 0 | linear-light gain 2^EV |
/// | gamma | [0.4, 2.5] | 1 | `v^(1/gamma)` on encoded values (>1 brightens mid-tones) |
/// | temperature | [-1, 1] | 0 | white balance: +1 adapts white to ~4700 K (warmer), -1 to ~10700 K (cooler); +-60 mired, Bradford in linear light |
/// | tint | [-1, 1] | 0 | white balance: + magenta, - green (+-0.02 in CIE 1960 v) |
/// | contrast | [-1, 1] | 0 | blend toward an S-curve (+) or its inverse (-), pivot 0.5 |
/// | blacks, shadows, midtones, highlights, whites | [-1, 1] | 0 | parametric tone curve: moves the control points at 0, .25, .5, .75, 1 by up to 0.12 (monotone cubic) |
/// | saturation | [-1, 1] | 0 | chroma around luma x (1 + s) |
/// | vibrance | [-1, 1] | 0 | like saturation, weighted toward muted colours |
/// | hsl | 8 bands | 0 | per-hue-band hue shift, saturation, lightness |
/// | split | see [`SplitToning`] | 0 | shadow/highlight tints |
/// | fade | [0, 1] | 0 | lifted black point (+0.18 at 1) and slightly lowered white |
/// | bw | [0, 1] | 0 | amount of black-and-white conversion with `bw_mix` channel weights |
/// | shadow_recovery | [-1, 1] | 0 | local: brighten (+) areas whose *surroundings* are dark |
/// | highlight_recovery | [-1, 1] | 0 | local: darken (-) or brighten (+) areas whose surroundings are bright |
/// | vignette | [-1, 1] | 0 | corners darker (-) or lighter (+) |
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Params {
    pub exposure: f32,
    pub gamma: f32,
    pub temperature: f32,
    pub tint: f32,
    pub contrast: f32,
    pub blacks: f32,
    pub shadows: f32,
    pub midtones: f32,
    pub highlights: f32,
    pub whites: f32,
    pub saturation: f32,
    pub vibrance: f32,
    pub hsl: [HslAdjust; 8],
    pub split: SplitToning,
    pub fade: f32,
    pub bw: f32,
    pub bw_mix: [f32; 3],
    pub shadow_recovery: f32,
    pub highlight_recovery: f32,
    pub vignette: f32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            exposure: 0.0,
            gamma: 1.0,
            temperature: 0.0,
            tint: 0.0,
            contrast: 0.0,
            blacks: 0.0,
            shadows: 0.0,
            midtones: 0.0,
            highlights: 0.0,
            whites: 0.0,
            saturation: 0.0,
            vibrance: 0.0,
            hsl: [HslAdjust::default(); 8],
            split: SplitToning::default(),
            fade: 0.0,
            bw: 0.0,
            bw_mix: [0.2126, 0.7152, 0.0722],
            shadow_recovery: 0.0,
            highlight_recovery: 0.0,
            vignette: 0.0,
        }
    }
}

fn check(name: &str, v: f32, lo: f32, hi: f32) -> Result<(), FinishError> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(FinishError::Range {
            name: name.to_string(),
            value: v,
            lo,
            hi,
        })
    }
}

impl Params {
    pub fn identity() -> Self {
        Self::default()
    }

    /// Every field within its documented range.
    pub fn validate(&self) -> Result<(), FinishError> {
        check("exposure", self.exposure, -3.0, 3.0)?;
        check("gamma", self.gamma, 0.4, 2.5)?;
        for (n, v) in [
            ("temperature", self.temperature),
            ("tint", self.tint),
            ("contrast", self.contrast),
            ("blacks", self.blacks),
            ("shadows", self.shadows),
            ("midtones", self.midtones),
            ("highlights", self.highlights),
            ("whites", self.whites),
            ("saturation", self.saturation),
            ("vibrance", self.vibrance),
            ("split.balance", self.split.balance),
            ("shadow_recovery", self.shadow_recovery),
            ("highlight_recovery", self.highlight_recovery),
            ("vignette", self.vignette),
        ] {
            check(n, v, -1.0, 1.0)?;
        }
        for (n, v) in [
            ("fade", self.fade),
            ("bw", self.bw),
            ("split.shadow_amount", self.split.shadow_amount),
            ("split.highlight_amount", self.split.highlight_amount),
        ] {
            check(n, v, 0.0, 1.0)?;
        }
        check("split.shadow_hue", self.split.shadow_hue, -360.0, 720.0)?;
        check(
            "split.highlight_hue",
            self.split.highlight_hue,
            -360.0,
            720.0,
        )?;
        for b in &self.hsl {
            check("hsl.hue", b.hue, -30.0, 30.0)?;
            check("hsl.saturation", b.saturation, -1.0, 1.0)?;
            check("hsl.lightness", b.lightness, -1.0, 1.0)?;
        }
        for w in self.bw_mix {
            check("bw_mix", w, -2.0, 3.0)?;
        }
        if self.bw_mix.iter().sum::<f32>().abs() < 1e-3 {
            return Err(FinishError::Invalid("bw_mix weights sum to zero".into()));
        }
        Ok(())
    }

    /// The edit at strength `t`: identity + t (self - identity) for every amount; hues and the
    /// black-and-white channel mix are kept (they say *which* tint, not how much). `t` may exceed
    /// 1; the result is clamped to the valid ranges.
    pub fn scaled(&self, t: f32) -> Self {
        let id = Self::identity();
        let s = |v: f32, i: f32, lo: f32, hi: f32| (i + t * (v - i)).clamp(lo, hi);
        let u = |v: f32| s(v, 0.0, -1.0, 1.0);
        let mut hsl = self.hsl;
        for b in hsl.iter_mut() {
            b.hue = s(b.hue, 0.0, -30.0, 30.0);
            b.saturation = u(b.saturation);
            b.lightness = u(b.lightness);
        }
        Self {
            exposure: s(self.exposure, 0.0, -3.0, 3.0),
            gamma: s(self.gamma, id.gamma, 0.4, 2.5),
            temperature: u(self.temperature),
            tint: u(self.tint),
            contrast: u(self.contrast),
            blacks: u(self.blacks),
            shadows: u(self.shadows),
            midtones: u(self.midtones),
            highlights: u(self.highlights),
            whites: u(self.whites),
            saturation: u(self.saturation),
            vibrance: u(self.vibrance),
            hsl,
            split: SplitToning {
                shadow_amount: s(self.split.shadow_amount, 0.0, 0.0, 1.0),
                highlight_amount: s(self.split.highlight_amount, 0.0, 0.0, 1.0),
                balance: u(self.split.balance),
                ..self.split
            },
            fade: s(self.fade, 0.0, 0.0, 1.0),
            bw: s(self.bw, 0.0, 0.0, 1.0),
            bw_mix: self.bw_mix,
            shadow_recovery: u(self.shadow_recovery),
            highlight_recovery: u(self.highlight_recovery),
            vignette: u(self.vignette),
        }
    }
}
