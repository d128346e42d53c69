//! The attribute bank (paper section 3.4.2): atomic retouching directions, each with a
//! measurable statistic on images, so an attribute can drive a loss and an evaluation.
//!
//! Statistics are computed in CIELAB (D65) from sRGB-encoded pixels: lightness L*, a*, b*,
//! chroma C* = sqrt(a*^2 + b*^2), and percentiles of L*.

use retouch_finish::Region;
use serde::{Deserialize, Serialize};

/// Direction of an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    Up,
    Down,
}

impl Dir {
    pub fn flip(self) -> Self {
        match self {
            Dir::Up => Dir::Down,
            Dir::Down => Dir::Up,
        }
    }
    pub fn sign(self) -> f32 {
        match self {
            Dir::Up => 1.0,
            Dir::Down => -1.0,
        }
    }
}

/// How much.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Magnitude {
    Slight,
    Moderate,
    Strong,
}

impl Magnitude {
    /// Scale applied to an attribute's base parameter change.
    pub fn scale(self) -> f32 {
        match self {
            Magnitude::Slight => 0.45,
            Magnitude::Moderate => 1.0,
            Magnitude::Strong => 1.8,
        }
    }

    /// One step gentler ("don't overdo it"): strong -> moderate -> slight.
    pub fn gentler(self) -> Self {
        match self {
            Magnitude::Strong => Magnitude::Moderate,
            _ => Magnitude::Slight,
        }
    }
}

/// The atomic attributes. Looks are attributes too (`Style`, one of [`Look::ALL`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Attr {
    Brightness,
    Contrast,
    Shadows,
    Highlights,
    Blacks,
    Temperature,
    Tint,
    Saturation,
    Vibrance,
    Monochrome,
    Style(Look),
}

pub use retouch_finish::Look;

/// All non-style attributes.
pub const ATOMIC: [Attr; 10] = [
    Attr::Brightness,
    Attr::Contrast,
    Attr::Shadows,
    Attr::Highlights,
    Attr::Blacks,
    Attr::Temperature,
    Attr::Tint,
    Attr::Saturation,
    Attr::Vibrance,
    Attr::Monochrome,
];

impl Attr {
    /// `brightness`, `style:vintage`, ...
    pub fn key(&self) -> String {
        match self {
            Attr::Style(s) => format!("style:{s}"),
            a => format!("{a:?}").to_lowercase(),
        }
    }

    /// Whether this attribute has only one meaningful direction.
    pub fn one_way(&self) -> bool {
        matches!(self, Attr::Monochrome | Attr::Style(_))
    }
}

/// One requested change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Target {
    pub attr: Attr,
    pub dir: Dir,
    pub magnitude: Magnitude,
    /// A region the change is restricted to, if any.
    pub region: Option<Region>,
}

impl Target {
    pub fn new(attr: Attr, dir: Dir) -> Self {
        Self {
            attr,
            dir,
            magnitude: Magnitude::Moderate,
            region: None,
        }
    }
    /// The same change in the opposite direction.
    pub fn flipped(&self) -> Self {
        Self {
            dir: self.dir.flip(),
            ..*self
        }
    }

    /// The change in plain words: "warmer", "lift the shadows", "the vintage look", with
    /// "in the sky" for a region.
    pub fn words(&self) -> String {
        let up = self.dir == Dir::Up;
        let pick = |a: &'static str, b: &'static str| if up { a } else { b };
        let w = match self.attr {
            Attr::Brightness => pick("brighter", "darker").to_string(),
            Attr::Contrast => pick("more contrast", "less contrast").to_string(),
            Attr::Shadows => pick("lift the shadows", "deepen the shadows").to_string(),
            Attr::Highlights => pick("brighter highlights", "recover the highlights").to_string(),
            Attr::Blacks => pick("lift the blacks", "deeper blacks").to_string(),
            Attr::Temperature => pick("warmer", "cooler").to_string(),
            Attr::Tint => pick("more magenta", "greener").to_string(),
            Attr::Saturation => pick("more saturated", "less saturated").to_string(),
            Attr::Vibrance => pick("more vibrant", "less vibrant").to_string(),
            Attr::Monochrome => pick("black and white", "more colour").to_string(),
            Attr::Style(l) => {
                if up {
                    format!("the {l} look")
                } else {
                    format!("less of the {l} look")
                }
            }
        };
        match &self.region {
            Some(r) => format!("{w} in the {r}"),
            None => w,
        }
    }

    /// `brightness:up`, `style:vintage:up`, with `@sky` for a region.
    pub fn label(&self) -> String {
        let d = match self.dir {
            Dir::Up => "up",
            Dir::Down => "down",
        };
        match &self.region {
            Some(r) => format!("{}:{d}@{r}", self.attr.key()),
            None => format!("{}:{d}", self.attr.key()),
        }
    }
}

/// Image statistics the bank is measured with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub l_mean: f32,
    pub l_std: f32,
    pub l_p02: f32,
    pub l_p10: f32,
    pub l_p90: f32,
    /// Mean L* of the darkest quarter (what a shadow edit moves).
    pub l_shadow_mean: f32,
    /// Mean L* of the brightest quarter (what a highlight edit moves).
    pub l_highlight_mean: f32,
    pub a_mean: f32,
    pub b_mean: f32,
    pub chroma_mean: f32,
    /// Mean chroma of the less colourful half of the pixels.
    pub chroma_low_mean: f32,
    /// Mean distance in (a*, b*) from a sepia tone (a* = 6, b* = 16).
    pub sepia_distance: f32,
}

/// One of [`Stats`]' statistics, by which an attribute's direction is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stat {
    LMean,
    LStd,
    LP02,
    LP10,
    LP90,
    LShadowMean,
    LHighlightMean,
    AMean,
    BMean,
    ChromaMean,
    ChromaLowMean,
    SepiaDistance,
}

impl Stat {
    pub const ALL: [Stat; 12] = [
        Stat::LMean,
        Stat::LStd,
        Stat::LP02,
        Stat::LP10,
        Stat::LP90,
        Stat::LShadowMean,
        Stat::LHighlightMean,
        Stat::AMean,
        Stat::BMean,
        Stat::ChromaMean,
        Stat::ChromaLowMean,
        Stat::SepiaDistance,
    ];

    /// Its name in reports (`l_mean`), the [`Stats`] field it reads.
    pub fn name(self) -> &'static str {
        match self {
            Stat::LMean => "l_mean",
            Stat::LStd => "l_std",
            Stat::LP02 => "l_p02",
            Stat::LP10 => "l_p10",
            Stat::LP90 => "l_p90",
            Stat::LShadowMean => "l_shadow_mean",
            Stat::LHighlightMean => "l_highlight_mean",
            Stat::AMean => "a_mean",
            Stat::BMean => "b_mean",
            Stat::ChromaMean => "chroma_mean",
            Stat::ChromaLowMean => "chroma_low_mean",
            Stat::SepiaDistance => "sepia_distance",
        }
    }
}

/// One pixel in CIELAB with its region weight.
#[derive(Clone, Copy)]
struct LabW {
    l: f32,
    a: f32,
    b: f32,
    w: f32,
}

impl LabW {
    fn chroma(&self) -> f32 {
        self.a.hypot(self.b)
    }
}

/// `(key, weight)` of every pixel, sorted by key (stable, so ties keep pixel order).
fn sorted_by(labs: &[LabW], key: fn(&LabW) -> f32) -> Vec<(f32, f32)> {
    let mut v: Vec<(f32, f32)> = labs.iter().map(|x| (key(x), x.w)).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// Weighted quantile `q` of values sorted by [`sorted_by`] (`wsum`: their total weight).
fn quantile(sorted: &[(f32, f32)], q: f32, wsum: f32) -> f32 {
    let target = q * wsum;
    let mut acc = 0.0;
    for (val, w) in sorted {
        acc += w;
        if acc >= target {
            return *val;
        }
    }
    sorted.last().map_or(0.0, |x| x.0)
}

/// Statistics of an RGB image (interleaved, sRGB-encoded, [0, 1]); `weights` (one per pixel,
/// optional) restricts them to a soft region.
pub fn stats(rgb: &[f32], weights: Option<&[f32]>) -> Stats {
    let labs: Vec<LabW> = rgb
        .chunks_exact(3)
        .enumerate()
        .filter_map(|(i, c)| {
            let w = weights.map_or(1.0, |w| w[i]);
            (w > 0.0).then(|| {
                let lab = retouch_metrics::srgb_to_lab([c[0], c[1], c[2]]);
                LabW {
                    l: lab.l,
                    a: lab.a,
                    b: lab.b,
                    w,
                }
            })
        })
        .collect();
    let wsum: f32 = labs.iter().map(|v| v.w).sum::<f32>().max(1e-9);
    let mean = |f: fn(&LabW) -> f32| labs.iter().map(|v| f(v) * v.w).sum::<f32>() / wsum;
    let l_mean = mean(|v| v.l);
    let l_std = (labs
        .iter()
        .map(|v| (v.l - l_mean).powi(2) * v.w)
        .sum::<f32>()
        / wsum)
        .sqrt();
    let c_med = quantile(&sorted_by(&labs, LabW::chroma), 0.5, wsum);
    // One sort of L serves its five quantiles.
    let by_l = sorted_by(&labs, |v| v.l);
    let (q25, q75) = (quantile(&by_l, 0.25, wsum), quantile(&by_l, 0.75, wsum));
    let band_mean = |keep: &dyn Fn(f32) -> bool| {
        let (s, w) = labs
            .iter()
            .filter(|v| keep(v.l))
            .fold((0.0, 0.0), |(s, w), v| (s + v.l * v.w, w + v.w));
        if w > 0.0 {
            s / w
        } else {
            0.0
        }
    };
    let low: Vec<f32> = labs
        .iter()
        .map(LabW::chroma)
        .filter(|c| *c <= c_med)
        .collect();
    Stats {
        l_mean,
        l_std,
        l_p02: quantile(&by_l, 0.02, wsum),
        l_p10: quantile(&by_l, 0.10, wsum),
        l_p90: quantile(&by_l, 0.90, wsum),
        l_shadow_mean: band_mean(&|l| l <= q25),
        l_highlight_mean: band_mean(&|l| l >= q75),
        a_mean: mean(|v| v.a),
        b_mean: mean(|v| v.b),
        chroma_mean: mean(LabW::chroma),
        chroma_low_mean: if low.is_empty() {
            0.0
        } else {
            low.iter().sum::<f32>() / low.len() as f32
        },
        sepia_distance: mean(|v| (v.a - 6.0).hypot(v.b - 16.0)),
    }
}

/// The signed measurable directions that define an attribute: (statistic name, weight).
/// A style is a composition of directions.
pub fn directions(attr: &Attr) -> Vec<(Stat, f32)> {
    match attr {
        Attr::Brightness => vec![(Stat::LMean, 1.0)],
        Attr::Contrast => vec![(Stat::LStd, 1.0)],
        Attr::Shadows => vec![(Stat::LShadowMean, 1.0)],
        Attr::Highlights => vec![(Stat::LHighlightMean, 1.0)],
        Attr::Blacks => vec![(Stat::LP02, 1.0)],
        Attr::Temperature => vec![(Stat::BMean, 1.0)],
        Attr::Tint => vec![(Stat::AMean, 1.0)],
        Attr::Saturation => vec![(Stat::ChromaMean, 1.0)],
        Attr::Vibrance => vec![(Stat::ChromaLowMean, 1.0)],
        Attr::Monochrome => vec![(Stat::ChromaMean, -1.0)],
        Attr::Style(look) => match look {
            Look::Cinematic => vec![(Stat::LStd, 1.0)],
            Look::Vintage => vec![(Stat::LP02, 1.0), (Stat::ChromaMean, -1.0)],
            Look::Matte => vec![(Stat::LP02, 1.0)],
            Look::HighKey => vec![(Stat::LMean, 1.0)],
            Look::LowKey => vec![(Stat::LMean, -1.0)],
            Look::GoldenHour => vec![(Stat::BMean, 1.0)],
            Look::Winter => vec![(Stat::BMean, -1.0)],
            Look::Pastel => vec![(Stat::ChromaMean, -1.0), (Stat::LP02, 1.0)],
            Look::Punchy => vec![(Stat::ChromaMean, 1.0), (Stat::LStd, 1.0)],
            Look::Dreamy => vec![(Stat::LStd, -1.0)],
            Look::BleachBypass => vec![(Stat::ChromaMean, -1.0), (Stat::LStd, 1.0)],
            Look::Sepia => vec![(Stat::SepiaDistance, -1.0)],
            Look::Noir => vec![(Stat::ChromaMean, -1.0), (Stat::LMean, -1.0)],
        },
    }
}

impl Stats {
    pub fn get(&self, stat: Stat) -> f32 {
        match stat {
            Stat::LMean => self.l_mean,
            Stat::LStd => self.l_std,
            Stat::LP02 => self.l_p02,
            Stat::LP10 => self.l_p10,
            Stat::LP90 => self.l_p90,
            Stat::LShadowMean => self.l_shadow_mean,
            Stat::LHighlightMean => self.l_highlight_mean,
            Stat::AMean => self.a_mean,
            Stat::BMean => self.b_mean,
            Stat::ChromaMean => self.chroma_mean,
            Stat::ChromaLowMean => self.chroma_low_mean,
            Stat::SepiaDistance => self.sepia_distance,
        }
    }
}

/// Did the change from `before` to `after` move every defining statistic of the target's
/// attribute in the requested direction (by at least `min_delta`)?
pub fn moved_as_asked(target: &Target, before: &Stats, after: &Stats, min_delta: f32) -> bool {
    let dirs = directions(&target.attr);
    !dirs.is_empty()
        && dirs.iter().all(|(stat, w)| {
            let d = (after.get(*stat) - before.get(*stat)) * w * target.dir.sign();
            d >= min_delta
        })
}
