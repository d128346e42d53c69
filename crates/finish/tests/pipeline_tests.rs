//! The pipeline on real photos: identity is exact, and every operation moves its measurable
//! statistic (CIELAB) in the documented direction.

use retouch_finish::Look;
use retouch_finish::{
    apply, apply_masked, render_mask, HslAdjust, Image, MaskSpec, Params, SplitToning,
};
use std::path::PathBuf;

fn photo(name: &str) -> Image {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/photos")
        .join(name);
    let img = image::open(p).unwrap().to_rgb8();
    Image::from_rgb8(img.width() as usize, img.height() as usize, img.as_raw()).unwrap()
}

struct Stats {
    l_mean: f32,
    l_std: f32,
    l_p02: f32,
    l_p98: f32,
    l_max: f32,
    a_mean: f32,
    b_mean: f32,
    chroma: f32,
}

fn lab(img: &Image) -> Vec<[f32; 3]> {
    img.data
        .chunks(3)
        .map(|c| {
            let l = retouch_metrics::srgb_to_lab([c[0], c[1], c[2]]);
            [l.l, l.a, l.b]
        })
        .collect()
}

fn stats(img: &Image) -> Stats {
    let v = lab(img);
    let n = v.len() as f32;
    let l_mean = v.iter().map(|p| p[0]).sum::<f32>() / n;
    let l_std = (v.iter().map(|p| (p[0] - l_mean).powi(2)).sum::<f32>() / n).sqrt();
    let mut ls: Vec<f32> = v.iter().map(|p| p[0]).collect();
    ls.sort_by(f32::total_cmp);
    Stats {
        l_mean,
        l_std,
        l_p02: ls[(0.02 * n) as usize],
        l_p98: ls[(0.98 * n) as usize],
        l_max: ls[ls.len() - 1],
        a_mean: v.iter().map(|p| p[1]).sum::<f32>() / n,
        b_mean: v.iter().map(|p| p[2]).sum::<f32>() / n,
        chroma: v.iter().map(|p| p[1].hypot(p[2])).sum::<f32>() / n,
    }
}

fn run(img: &Image, p: Params) -> Stats {
    stats(&apply(img, &p).unwrap())
}

const PHOTOS: [&str; 3] = ["chelsea.png", "coffee.png", "rocket.jpg"];

#[test]
fn identity_returns_the_input_exactly() {
    for name in PHOTOS {
        let img = photo(name);
        assert_eq!(apply(&img, &Params::default()).unwrap(), img, "{name}");
        for l in Look::ALL {
            let p = l.params().scaled(0.0);
            assert_eq!(apply(&img, &p).unwrap(), img, "{name} {l} at strength 0");
        }
    }
}

#[test]
fn exposure_gamma_and_tone_curve_move_lightness() {
    for name in PHOTOS {
        let img = photo(name);
        let s0 = stats(&img);
        let p = Params::default;
        assert!(
            run(
                &img,
                Params {
                    exposure: 0.7,
                    ..p()
                }
            )
            .l_mean
                > s0.l_mean + 3.0,
            "{name}"
        );
        assert!(
            run(
                &img,
                Params {
                    exposure: -0.7,
                    ..p()
                }
            )
            .l_mean
                < s0.l_mean - 3.0,
            "{name}"
        );
        assert!(
            run(&img, Params { gamma: 1.5, ..p() }).l_mean > s0.l_mean + 3.0,
            "{name}"
        );
        assert!(
            run(
                &img,
                Params {
                    midtones: 0.8,
                    ..p()
                }
            )
            .l_mean
                > s0.l_mean + 1.0,
            "{name}"
        );
        assert!(
            run(
                &img,
                Params {
                    shadows: 0.8,
                    ..p()
                }
            )
            .l_p02
                > s0.l_p02 + 1.0,
            "{name}"
        );
        assert!(
            run(
                &img,
                Params {
                    highlights: -0.8,
                    ..p()
                }
            )
            .l_p98
                < s0.l_p98 - 1.0,
            "{name}"
        );
        assert!(
            run(&img, Params { blacks: 0.8, ..p() }).l_p02 > s0.l_p02 + 1.0,
            "{name}"
        );
        assert!(
            run(
                &img,
                Params {
                    contrast: 0.6,
                    ..p()
                }
            )
            .l_std
                > s0.l_std + 1.0,
            "{name}"
        );
        assert!(
            run(
                &img,
                Params {
                    contrast: -0.6,
                    ..p()
                }
            )
            .l_std
                < s0.l_std - 1.0,
            "{name}"
        );
        assert!(
            run(&img, Params { fade: 0.6, ..p() }).l_p02 > s0.l_p02 + 5.0,
            "{name}"
        );
        assert!(
            run(
                &img,
                Params {
                    shadow_recovery: 0.8,
                    ..p()
                }
            )
            .l_p02
                > s0.l_p02 + 1.0,
            "{name}"
        );
        assert!(
            run(
                &img,
                Params {
                    highlight_recovery: -0.8,
                    ..p()
                }
            )
            .l_p98
                < s0.l_p98 - 1.0,
            "{name}"
        );
    }
}

#[test]
fn whites_pull_down_the_top_of_a_full_range_ramp() {
    let data: Vec<f32> = (0..256).flat_map(|i| [i as f32 / 255.0; 3]).collect();
    let ramp = Image::new(256, 1, data).unwrap();
    let s0 = stats(&ramp);
    let s = run(
        &ramp,
        Params {
            whites: -0.8,
            ..Params::default()
        },
    );
    assert!(s.l_max < s0.l_max - 3.0, "{} -> {}", s0.l_max, s.l_max);
    let s = run(
        &ramp,
        Params {
            blacks: 0.8,
            ..Params::default()
        },
    );
    assert!(s.l_p02 > s0.l_p02 + 3.0);
}

#[test]
fn tone_function_is_monotone_for_all_settings() {
    let vals = [-1.0, -0.5, 0.0, 0.5, 1.0];
    for &c in &vals {
        for &a in &vals {
            for &b in &vals {
                for g in [0.4, 1.0, 2.5] {
                    let p = Params {
                        contrast: c,
                        blacks: a,
                        shadows: b,
                        midtones: -a,
                        highlights: b,
                        whites: -b,
                        gamma: g,
                        ..Params::default()
                    };
                    let f = retouch_finish::ops::tone_function(&p);
                    let mut prev = -1.0;
                    for i in 0..=512 {
                        let v = f(i as f32 / 512.0);
                        assert!(
                            v >= prev - 1e-6,
                            "not monotone: c={c} a={a} b={b} g={g} at {i}"
                        );
                        prev = v;
                    }
                }
            }
        }
    }
}

#[test]
fn white_balance_warms_cools_and_tints() {
    for name in PHOTOS {
        let img = photo(name);
        let s0 = stats(&img);
        let p = Params::default;
        assert!(
            run(
                &img,
                Params {
                    temperature: 0.6,
                    ..p()
                }
            )
            .b_mean
                > s0.b_mean + 3.0,
            "{name} warmer"
        );
        assert!(
            run(
                &img,
                Params {
                    temperature: -0.6,
                    ..p()
                }
            )
            .b_mean
                < s0.b_mean - 3.0,
            "{name} cooler"
        );
        assert!(
            run(&img, Params { tint: 0.6, ..p() }).a_mean > s0.a_mean + 1.0,
            "{name} magenta"
        );
        assert!(
            run(&img, Params { tint: -0.6, ..p() }).a_mean < s0.a_mean - 1.0,
            "{name} green"
        );
    }
    // A chromatic adaptation, not channel gains: white stays the brightest, and it becomes
    // yellow-orange (r > g > b) when warmed.
    let white = Image::new(1, 1, vec![1.0, 1.0, 1.0]).unwrap();
    let out = apply(
        &white,
        &Params {
            temperature: 0.8,
            ..Params::default()
        },
    )
    .unwrap();
    assert!(
        out.data[0] >= out.data[1] && out.data[1] > out.data[2],
        "{:?}",
        out.data
    );
}

#[test]
fn colour_operations_move_chroma_and_hue() {
    for name in PHOTOS {
        let img = photo(name);
        let s0 = stats(&img);
        let p = Params::default;
        assert!(
            run(
                &img,
                Params {
                    saturation: 0.5,
                    ..p()
                }
            )
            .chroma
                > s0.chroma * 1.2,
            "{name}"
        );
        assert!(
            run(
                &img,
                Params {
                    saturation: -0.5,
                    ..p()
                }
            )
            .chroma
                < s0.chroma * 0.8,
            "{name}"
        );
        assert!(
            run(
                &img,
                Params {
                    vibrance: 0.7,
                    ..p()
                }
            )
            .chroma
                > s0.chroma * 1.1,
            "{name}"
        );
        assert!(
            run(&img, Params { bw: 1.0, ..p() }).chroma < 1.5,
            "{name}: black and white"
        );
        let warm_split = Params {
            split: SplitToning {
                highlight_hue: 40.0,
                highlight_amount: 1.0,
                shadow_hue: 40.0,
                shadow_amount: 1.0,
                balance: 0.0,
            },
            ..p()
        };
        assert!(
            run(&img, warm_split).b_mean > s0.b_mean + 2.0,
            "{name}: orange split toning"
        );
    }
    // HSL: desaturating the orange band hits the coffee (orange/brown), barely the grey cup rim.
    let img = photo("coffee.png");
    let mut hsl = [HslAdjust::default(); 8];
    hsl[1].saturation = -1.0;
    let out = apply(
        &img,
        &Params {
            hsl,
            ..Params::default()
        },
    )
    .unwrap();
    assert!(stats(&out).chroma < stats(&img).chroma * 0.7);
}

#[test]
fn vignette_darkens_corners_not_centre() {
    let img = photo("coffee.png");
    let out = apply(
        &img,
        &Params {
            vignette: -1.0,
            ..Params::default()
        },
    )
    .unwrap();
    let (w, h) = (img.width, img.height);
    let px = |im: &Image, x: usize, y: usize| im.data[(y * w + x) * 3 + 1];
    assert!(px(&out, 2, 2) < px(&img, 2, 2) * 0.8);
    assert!((px(&out, w / 2, h / 2) - px(&img, w / 2, h / 2)).abs() < 1e-6);
}

#[test]
fn every_named_look_changes_the_photo_and_scales() {
    let img = photo("chelsea.png");
    let s0 = stats(&img);
    for name in Look::ALL {
        let p = name.params();
        p.validate().unwrap();
        let full = apply(&img, &p).unwrap();
        let half = apply(&img, &p.scaled(0.5)).unwrap();
        let d = |a: &Image| {
            a.data
                .iter()
                .zip(&img.data)
                .map(|(x, y)| (x - y).abs())
                .sum::<f32>()
        };
        assert!(d(&full) > d(&half) && d(&half) > 0.0, "{name}");
    }
    let moody = run(&img, Look::LowKey.params());
    let airy = run(&img, Look::HighKey.params());
    assert!(moody.l_mean < s0.l_mean && airy.l_mean > s0.l_mean);
    assert!(run(&img, Look::Noir.params()).chroma < 1.5);
    assert!(run(&img, Look::Sepia.params()).b_mean > 3.0);
}

#[test]
fn out_of_range_parameters_are_errors() {
    let img = photo("chelsea.png");
    for p in [
        Params {
            exposure: 5.0,
            ..Params::default()
        },
        Params {
            gamma: 0.0,
            ..Params::default()
        },
        Params {
            saturation: f32::NAN,
            ..Params::default()
        },
        Params {
            fade: -0.1,
            ..Params::default()
        },
        Params {
            bw_mix: [0.0; 3],
            ..Params::default()
        },
    ] {
        assert!(apply(&img, &p).is_err());
    }
    // Parameters round-trip through JSON (they are stored with every synthesised sample).
    let p = Look::Cinematic.params();
    let back: Params = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
}

#[test]
fn masks_are_soft_bounded_and_where_they_should_be() {
    let img = photo("rocket.jpg");
    let (w, h) = (img.width, img.height);
    let specs = [
        MaskSpec::Linear {
            angle: 90.0,
            start: 0.0,
            end: 0.6,
        },
        MaskSpec::Radial {
            cx: 0.5,
            cy: 0.5,
            radius: 0.2,
            feather: 0.2,
        },
        MaskSpec::Luminance {
            lo: 0.0,
            hi: 0.3,
            soft: 0.1,
        },
        MaskSpec::Hue {
            centre: 210.0,
            width: 40.0,
            min_sat: 0.15,
        },
        MaskSpec::Sky,
        MaskSpec::Greens,
        MaskSpec::Skin,
    ];
    let diag = (w as f32).hypot(h as f32);
    for spec in &specs {
        let m = render_mask(spec, &img);
        assert_eq!(m.len(), w * h);
        assert!(m.iter().all(|v| (0.0..=1.0).contains(v)), "{spec:?}");
        // Smooth: neighbouring pixels differ by at most ~ one full ramp over 2% of the diagonal.
        let mut worst = 0.0f32;
        for y in 0..h {
            for x in 1..w {
                worst = worst.max((m[y * w + x] - m[y * w + x - 1]).abs());
            }
        }
        assert!(worst < 4.0 / (0.02 * diag), "{spec:?}: step {worst}");
    }
    // The linear mask covers the top, not the bottom; the sky mask is mostly in the top half.
    let top_vs_bottom = |m: &[f32]| {
        let t: f32 = m[..w * h / 4].iter().sum();
        let b: f32 = m[w * h * 3 / 4..].iter().sum();
        (t, b)
    };
    let (t, b) = top_vs_bottom(&render_mask(&specs[0], &img));
    assert!(t > 10.0 * b.max(1.0));
    let (t, b) = top_vs_bottom(&render_mask(&MaskSpec::Sky, &img));
    assert!(t > b, "sky {t} vs {b}");
    // A local edit: darken the top only.
    let m = render_mask(&specs[0], &img);
    let inside = Params {
        exposure: -1.0,
        ..Params::default()
    };
    let out = apply_masked(&img, &inside, &Params::default(), &m).unwrap();
    let row_mean = |im: &Image, y: usize| im.data[y * w * 3..(y + 1) * w * 3].iter().sum::<f32>();
    assert!(row_mean(&out, 5) < 0.8 * row_mean(&img, 5));
    assert!((row_mean(&out, h - 5) - row_mean(&img, h - 5)).abs() < 1e-3);
    assert!(apply_masked(&img, &inside, &Params::default(), &m[1..]).is_err());
}
