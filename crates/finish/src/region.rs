//! The places in a photo an edit can be restricted to ("darken the sky", "brighten the
//! person"), typed once: the instruction reader names them, the data pipeline and the model
//! make their masks.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::mask::MaskSpec;

/// A region of the photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    Sky,
    /// Foliage, grass, trees.
    Greens,
    /// Skin tones (a colour prior).
    Skin,
    /// The faces in the photo, found by a face detector (the skin tones where it finds none).
    Face,
    Top,
    Bottom,
    Left,
    Right,
    Center,
    /// The frame's edges and corners: no mask describes them, the edit goes to the whole photo.
    Edges,
    /// The people in the photo, found by a segmentation network.
    Person,
    /// Everything but the people.
    Background,
}

/// How a region's mask is made.
#[derive(Clone, Debug, PartialEq)]
pub enum RegionMask {
    /// From a simple prior on the photo's pixels ([`crate::mask::render`]).
    Prior(MaskSpec),
    /// From a person segmentation (rendered by the model crate with its segmentation
    /// network); `background` inverts it.
    People { background: bool },
    /// From a face detector (rendered by the model crate): a soft ellipse over each face.
    Faces,
}

impl Region {
    pub const ALL: [Region; 12] = [
        Region::Sky,
        Region::Greens,
        Region::Skin,
        Region::Face,
        Region::Top,
        Region::Bottom,
        Region::Left,
        Region::Right,
        Region::Center,
        Region::Edges,
        Region::Person,
        Region::Background,
    ];

    /// The name instructions' labels use (`brightness:down@sky`).
    pub fn name(self) -> &'static str {
        match self {
            Region::Sky => "sky",
            Region::Greens => "greens",
            Region::Skin => "skin",
            Region::Face => "face",
            Region::Top => "top",
            Region::Bottom => "bottom",
            Region::Left => "left",
            Region::Right => "right",
            Region::Center => "center",
            Region::Edges => "edges",
            Region::Person => "person",
            Region::Background => "background",
        }
    }

    /// How this region's mask is made; `None` where nothing describes it (the edit then goes
    /// to the whole photo).
    pub fn mask(self) -> Option<RegionMask> {
        let linear = |angle, start, end| MaskSpec::Linear { angle, start, end };
        Some(RegionMask::Prior(match self {
            Region::Sky => MaskSpec::Sky,
            Region::Greens => MaskSpec::Greens,
            Region::Skin => MaskSpec::Skin,
            Region::Top => linear(90.0, 0.0, 0.6),
            Region::Bottom => linear(90.0, 1.0, 0.4),
            Region::Left => linear(0.0, 0.0, 0.6),
            Region::Right => linear(0.0, 1.0, 0.4),
            Region::Center => MaskSpec::Radial {
                cx: 0.5,
                cy: 0.5,
                radius: 0.2,
                feather: 0.2,
            },
            Region::Edges => return None,
            Region::Face => return Some(RegionMask::Faces),
            Region::Person => return Some(RegionMask::People { background: false }),
            Region::Background => return Some(RegionMask::People { background: true }),
        }))
    }

    /// The mask prior, for regions a prior describes.
    pub fn prior(self) -> Option<MaskSpec> {
        match self.mask()? {
            RegionMask::Prior(spec) => Some(spec),
            RegionMask::People { .. } | RegionMask::Faces => None,
        }
    }

    /// The region whose masks and words training used for this one: the face was trained as
    /// the skin tones (the triplets' masks are priors), every other region as itself.
    pub fn trained_as(self) -> Region {
        match self {
            Region::Face => Region::Skin,
            other => other,
        }
    }

    /// The prior that stands in where the region's own evidence is missing: the skin tones
    /// for the face when no face is found (and for anything that draws masks without the
    /// detector); a prior region's own prior.
    pub fn fallback_prior(self) -> Option<MaskSpec> {
        match self {
            Region::Face => Some(MaskSpec::Skin),
            other => other.prior(),
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Region {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Region::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Region::ALL.iter().map(|r| r.name()).collect();
                format!("unknown region {s:?} (known: {})", names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_serde() {
        for r in Region::ALL {
            assert_eq!(r.name().parse::<Region>(), Ok(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.name()));
            assert_eq!(serde_json::from_str::<Region>(&json).unwrap(), r);
        }
        assert!("moon".parse::<Region>().is_err());
    }

    #[test]
    fn only_person_and_background_need_the_segmentation() {
        for r in Region::ALL {
            let people = matches!(r.mask(), Some(RegionMask::People { .. }));
            assert_eq!(
                people,
                matches!(r, Region::Person | Region::Background),
                "{r}"
            );
            let faces = matches!(r.mask(), Some(RegionMask::Faces));
            assert_eq!(faces, r == Region::Face, "{r}");
            assert_eq!(
                r.prior().is_some(),
                r.mask().is_some() && !people && !faces,
                "{r}"
            );
        }
        assert_eq!(Region::Face.fallback_prior(), Some(MaskSpec::Skin));
        assert_eq!(Region::Sky.fallback_prior(), Region::Sky.prior());
        assert_eq!(Region::Person.fallback_prior(), None);
        assert_eq!(Region::Face.trained_as(), Region::Skin);
        assert_eq!(Region::Sky.trained_as(), Region::Sky);
    }
}
