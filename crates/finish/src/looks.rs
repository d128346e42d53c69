//! Named looks, each a composition of the pipeline's parameters at full strength. Use
//! [`crate::Params::scaled`] for "a bit of" / "a lot of" a look.

use crate::params::{Params, SplitToning};

/// Every named look, by name.
pub const LOOKS: [&str; 13] = [
    "cinematic",
    "vintage",
    "matte",
    "high-key",
    "low-key",
    "golden-hour",
    "winter",
    "pastel",
    "punchy",
    "dreamy",
    "bleach-bypass",
    "sepia",
    "noir",
];

/// The parameters of a named look, or `None` for an unknown name.
pub fn look(name: &str) -> Option<Params> {
    let p = Params::default();
    let split = SplitToning::default();
    Some(match name {
        // Teal shadows, orange highlights, a little contrast.
        "cinematic" => Params {
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
        "vintage" => Params {
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
        "matte" => Params {
            fade: 0.6,
            contrast: -0.2,
            saturation: -0.1,
            ..p
        },
        // Bright and airy.
        "high-key" => Params {
            exposure: 0.6,
            contrast: -0.25,
            shadows: 0.5,
            saturation: -0.1,
            temperature: -0.1,
            ..p
        },
        // Dark and moody.
        "low-key" => Params {
            exposure: -0.5,
            contrast: 0.3,
            highlights: -0.4,
            saturation: -0.2,
            vignette: -0.4,
            ..p
        },
        "golden-hour" => Params {
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
        "winter" => Params {
            temperature: -0.6,
            saturation: -0.15,
            highlights: 0.2,
            ..p
        },
        "pastel" => Params {
            fade: 0.3,
            saturation: -0.35,
            exposure: 0.3,
            contrast: -0.3,
            ..p
        },
        "punchy" => Params {
            contrast: 0.35,
            vibrance: 0.5,
            saturation: 0.15,
            ..p
        },
        "dreamy" => Params {
            contrast: -0.35,
            fade: 0.25,
            highlights: 0.3,
            exposure: 0.2,
            saturation: -0.1,
            ..p
        },
        "bleach-bypass" => Params {
            saturation: -0.6,
            contrast: 0.45,
            ..p
        },
        "sepia" => Params {
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
        "noir" => Params {
            bw: 1.0,
            contrast: 0.6,
            vignette: -0.5,
            exposure: -0.2,
            ..p
        },
        _ => return None,
    })
}
