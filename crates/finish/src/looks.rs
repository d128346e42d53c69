//! Named looks, each a composition of the pipeline's parameters at full strength. Use
//! [`crate::Params::scaled`] for "a bit of" / "a lot of" a look.

use std::fmt;
use std::str::FromStr;

use crate::params::{Params, SplitToning};
use serde::{Deserialize, Serialize};

/// A named look: what "give it a vintage look" asks for, what the reader reads, the generator
/// writes, the synthesis renders and the eval measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Look {
    Cinematic,
    Vintage,
    Matte,
    HighKey,
    LowKey,
    GoldenHour,
    Winter,
    Pastel,
    Punchy,
    Dreamy,
    BleachBypass,
    Sepia,
    Noir,
}

impl Look {
    /// Every look, in the order the network's attribute vector and the reader's logits use.
    pub const ALL: [Look; 13] = [
        Look::Cinematic,
        Look::Vintage,
        Look::Matte,
        Look::HighKey,
        Look::LowKey,
        Look::GoldenHour,
        Look::Winter,
        Look::Pastel,
        Look::Punchy,
        Look::Dreamy,
        Look::BleachBypass,
        Look::Sepia,
        Look::Noir,
    ];

    /// Its name in instructions, files and reports (`golden-hour`).
    pub fn name(self) -> &'static str {
        match self {
            Look::Cinematic => "cinematic",
            Look::Vintage => "vintage",
            Look::Matte => "matte",
            Look::HighKey => "high-key",
            Look::LowKey => "low-key",
            Look::GoldenHour => "golden-hour",
            Look::Winter => "winter",
            Look::Pastel => "pastel",
            Look::Punchy => "punchy",
            Look::Dreamy => "dreamy",
            Look::BleachBypass => "bleach-bypass",
            Look::Sepia => "sepia",
            Look::Noir => "noir",
        }
    }

    /// Its position in [`Look::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Look {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Look {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Look::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Look::ALL.iter().map(|l| l.name()).collect();
                format!("unknown look {s:?} (known: {})", names.join(", "))
            })
    }
}

impl Look {
    /// The pipeline's parameters of the look at full strength.
    pub fn params(self) -> Params {
        let p = Params::default();
        let split = SplitToning::default();
        match self {
            // Teal shadows, orange highlights, a little contrast.
            Look::Cinematic => Params {
                contrast: 0.25,
                saturation: -0.05,
                split: SplitToning {
                    shadow_hue: 190.0,
                    shadow_amount: 0.5,
                    highlight_hue: 32.0,
                    highlight_amount: 0.6,
                    ..split
                },
                ..p
            },
            // Faded, warm, muted, yellowed highlights.
            Look::Vintage => Params {
                fade: 0.5,
                temperature: 0.3,
                saturation: -0.3,
                contrast: -0.1,
                split: SplitToning {
                    highlight_hue: 50.0,
                    highlight_amount: 0.4,
                    shadow_hue: 200.0,
                    shadow_amount: 0.2,
                    ..split
                },
                ..p
            },
            Look::Matte => Params {
                fade: 0.6,
                contrast: -0.2,
                saturation: -0.1,
                ..p
            },
            // Bright and airy.
            Look::HighKey => Params {
                exposure: 0.6,
                contrast: -0.25,
                shadows: 0.5,
                saturation: -0.1,
                temperature: -0.1,
                ..p
            },
            // Dark and moody.
            Look::LowKey => Params {
                exposure: -0.5,
                contrast: 0.3,
                highlights: -0.4,
                saturation: -0.2,
                vignette: -0.4,
                ..p
            },
            Look::GoldenHour => Params {
                temperature: 0.6,
                tint: 0.1,
                vibrance: 0.2,
                split: SplitToning {
                    highlight_hue: 40.0,
                    highlight_amount: 0.4,
                    ..split
                },
                ..p
            },
            Look::Winter => Params {
                temperature: -0.6,
                saturation: -0.15,
                highlights: 0.2,
                ..p
            },
            Look::Pastel => Params {
                fade: 0.3,
                saturation: -0.35,
                exposure: 0.3,
                contrast: -0.3,
                ..p
            },
            Look::Punchy => Params {
                contrast: 0.35,
                vibrance: 0.5,
                saturation: 0.15,
                ..p
            },
            Look::Dreamy => Params {
                contrast: -0.35,
                fade: 0.25,
                highlights: 0.3,
                exposure: 0.2,
                saturation: -0.1,
                ..p
            },
            Look::BleachBypass => Params {
                saturation: -0.6,
                contrast: 0.45,
                ..p
            },
            Look::Sepia => Params {
                bw: 1.0,
                split: SplitToning {
                    shadow_hue: 30.0,
                    shadow_amount: 0.5,
                    highlight_hue: 40.0,
                    highlight_amount: 0.5,
                    ..split
                },
                ..p
            },
            Look::Noir => Params {
                bw: 1.0,
                contrast: 0.6,
                vignette: -0.5,
                exposure: -0.2,
                ..p
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_serde_in_order() {
        for (i, l) in Look::ALL.into_iter().enumerate() {
            assert_eq!(l.index(), i);
            assert_eq!(l.name().parse::<Look>(), Ok(l));
            let json = serde_json::to_string(&l).unwrap();
            assert_eq!(json, format!("\"{}\"", l.name()));
            assert_eq!(serde_json::from_str::<Look>(&json).unwrap(), l);
        }
        assert!("travel-magazine".parse::<Look>().is_err());
    }
}
