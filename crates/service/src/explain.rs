//! What an edit did, in photographers' terms, measured on the photo before and after it (not
//! on what was asked): exposure in EV, the white balance's shift (temperature as b*, tint as
//! a*), contrast and saturation as percentages, shadows and highlights in L*, for the whole
//! photo and inside each region the edit had.

use retouch_engine::Sample;
use retouch_finish::color::srgb_to_linear;
use retouch_finish::Region;
use retouch_instruct::attr::{stats, Stats};
use retouch_io::{Photo, Pixels};
use retouch_model::lowres::{fit_long_side, resize_area};
use retouch_model::Edit;
use serde::Serialize;

/// The photo is measured at this long side (the area mean of the full photo).
pub const MEASURE_SIZE: usize = 256;

/// Changes from before to after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Changes {
    /// log2 of the ratio of mean linear luminance: +1 is one stop brighter.
    pub exposure_ev: f32,
    /// Mean b* after minus before: positive is warmer (yellower), negative cooler.
    pub temperature: f32,
    /// Mean a* after minus before: positive is more magenta, negative greener.
    pub tint: f32,
    /// Change of the L* standard deviation, in percent.
    pub contrast_pct: f32,
    /// Change of the mean chroma, in percent.
    pub saturation_pct: f32,
    /// Mean L* change of the darkest quarter.
    pub shadows: f32,
    /// Mean L* change of the brightest quarter.
    pub highlights: f32,
    /// The changes big enough to see, in words ("+0.31 EV, warmer (b* +4.2), contrast +7 %").
    pub words: String,
}

/// One region's changes and how much of the photo it covers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionChanges {
    pub region: Region,
    /// The region's share of the photo (mean of its mask), 0-1.
    pub coverage: f32,
    pub changes: Changes,
}

/// What an edit did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    pub whole: Changes,
    pub regions: Vec<RegionChanges>,
}

fn pct(after: f32, before: f32) -> f32 {
    if before.abs() < 1e-6 {
        0.0
    } else {
        (after / before - 1.0) * 100.0
    }
}

/// Weighted mean linear luminance.
fn luminance(rgb: &[f32], weights: Option<&[f32]>) -> f64 {
    let (mut s, mut w) = (0.0f64, 0.0f64);
    for (i, p) in rgb.chunks_exact(3).enumerate() {
        let wi = weights.map_or(1.0, |w| w[i]) as f64;
        let y = 0.2126 * srgb_to_linear(p[0])
            + 0.7152 * srgb_to_linear(p[1])
            + 0.0722 * srgb_to_linear(p[2]);
        s += wi * y as f64;
        w += wi;
    }
    if w > 0.0 {
        s / w
    } else {
        0.0
    }
}

fn words(c: &Changes) -> String {
    let mut parts = Vec::new();
    if c.exposure_ev.abs() >= 0.05 {
        parts.push(format!("{:+.2} EV", c.exposure_ev));
    }
    if c.temperature.abs() >= 1.0 {
        let w = if c.temperature > 0.0 {
            "warmer"
        } else {
            "cooler"
        };
        parts.push(format!("{w} (b* {:+.1})", c.temperature));
    }
    if c.tint.abs() >= 1.0 {
        let w = if c.tint > 0.0 {
            "more magenta"
        } else {
            "greener"
        };
        parts.push(format!("{w} (a* {:+.1})", c.tint));
    }
    if c.contrast_pct.abs() >= 3.0 {
        parts.push(format!("contrast {:+.0} %", c.contrast_pct));
    }
    if c.saturation_pct.abs() >= 3.0 {
        parts.push(format!("saturation {:+.0} %", c.saturation_pct));
    }
    if c.shadows.abs() >= 1.0 {
        parts.push(format!("shadows {:+.1} L*", c.shadows));
    }
    if c.highlights.abs() >= 1.0 {
        parts.push(format!("highlights {:+.1} L*", c.highlights));
    }
    if parts.is_empty() {
        "no visible change".into()
    } else {
        parts.join(", ")
    }
}

/// The changes between two measured images (the same size, sRGB in [0, 1]) inside `weights`.
pub fn changes(before: &[f32], after: &[f32], weights: Option<&[f32]>) -> Changes {
    let (b, a): (Stats, Stats) = (stats(before, weights), stats(after, weights));
    let (yb, ya) = (luminance(before, weights), luminance(after, weights));
    let exposure_ev = if yb > 1e-9 && ya > 1e-9 {
        (ya / yb).log2() as f32
    } else {
        0.0
    };
    let mut c = Changes {
        exposure_ev,
        temperature: a.b_mean - b.b_mean,
        tint: a.a_mean - b.a_mean,
        contrast_pct: pct(a.l_std, b.l_std),
        saturation_pct: pct(a.chroma_mean, b.chroma_mean),
        shadows: a.l_shadow_mean - b.l_shadow_mean,
        highlights: a.l_highlight_mean - b.l_highlight_mean,
        words: String::new(),
    };
    c.words = words(&c);
    c
}

/// `pixels` (of a photo shaped as `p`) area-resized to `w x h`.
fn measure(pixels: &Pixels, p: &Photo, w: usize, h: usize) -> Vec<f32> {
    fn go<T: Sample>(v: &[T], p: &Photo, w: usize, h: usize) -> Vec<f32> {
        resize_area(v, p.width, p.height, p.channels, w, h)
    }
    match pixels {
        Pixels::U8(v) => go(v, p, w, h),
        Pixels::U16(v) => go(v, p, w, h),
        Pixels::F32(v) => go(v, p, w, h),
    }
}

/// Explain the edit that turned `before` into `after` (its pixels, the same shape); `edits`
/// name the regions, whose masks weight the region's measures.
pub fn explain(before: &Photo, after: &Pixels, edits: &[Edit]) -> Explanation {
    let (w, h) = fit_long_side(before.width, before.height, MEASURE_SIZE);
    let (b, a) = (
        measure(&before.pixels, before, w, h),
        measure(after, before, w, h),
    );
    let mut regions: Vec<RegionChanges> = Vec::new();
    for (region, mask) in edits.iter().filter_map(|e| e.region.as_ref()) {
        if regions.iter().any(|r| r.region == *region) {
            continue;
        }
        let weights = mask.resampled(w, h);
        let coverage = weights.iter().sum::<f32>() / weights.len().max(1) as f32;
        if coverage < 1e-3 {
            continue;
        }
        regions.push(RegionChanges {
            region: *region,
            coverage,
            changes: changes(&b, &a, Some(&weights)),
        });
    }
    Explanation {
        whole: changes(&b, &a, None),
        regions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use retouch_finish::color::linear_to_srgb;

    /// A smooth test image, sRGB in [0, 1].
    fn image(w: usize, h: usize) -> Vec<f32> {
        (0..w * h)
            .flat_map(|i| {
                let (x, y) = ((i % w) as f32 / w as f32, (i / w) as f32 / h as f32);
                [0.2 + 0.5 * x, 0.3 + 0.3 * y, 0.25 + 0.2 * x * y]
            })
            .collect()
    }

    #[test]
    fn nothing_changed_is_said_so() {
        let im = image(32, 24);
        let c = changes(&im, &im, None);
        assert_eq!(c.exposure_ev, 0.0);
        assert_eq!(c.temperature, 0.0);
        assert_eq!(c.words, "no visible change");
    }

    #[test]
    fn one_stop_brighter_is_one_ev() {
        let im = image(32, 24);
        // Halve the linear light, measured from the darker version up.
        let dark: Vec<f32> = im
            .iter()
            .map(|v| linear_to_srgb(srgb_to_linear(*v) * 0.5))
            .collect();
        let c = changes(&dark, &im, None);
        assert!((c.exposure_ev - 1.0).abs() < 1e-3, "{c:?}");
        assert!(c.shadows > 0.0 && c.highlights > 0.0);
        assert!(c.words.starts_with("+1.00 EV"), "{}", c.words);
    }

    #[test]
    fn warmer_and_more_saturated_are_named() {
        let im = image(32, 24);
        let warm: Vec<f32> = im
            .chunks_exact(3)
            .flat_map(|p| [(p[0] * 1.12).min(1.0), p[1], p[2] * 0.85])
            .collect();
        let c = changes(&im, &warm, None);
        assert!(c.temperature > 1.0, "{c:?}");
        assert!(c.words.contains("warmer"), "{}", c.words);
        let cool = changes(&warm, &im, None);
        assert!(cool.words.contains("cooler"), "{}", cool.words);
        // Restricted to a region: only its pixels count.
        let left: Vec<f32> = (0..32 * 24)
            .map(|i| if i % 32 < 16 { 1.0 } else { 0.0 })
            .collect();
        let half: Vec<f32> = im
            .chunks_exact(3)
            .enumerate()
            .flat_map(|(i, p)| {
                if i % 32 < 16 {
                    [(p[0] * 1.12).min(1.0), p[1], p[2] * 0.85]
                } else {
                    [p[0], p[1], p[2]]
                }
            })
            .collect();
        let inside = changes(&im, &half, Some(&left));
        let whole = changes(&im, &half, None);
        assert!(
            inside.temperature > whole.temperature * 1.5,
            "{inside:?} {whole:?}"
        );
    }
}
