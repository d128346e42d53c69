//! Corrections sized by the photo, end to end through the shipped model on real photos: a kept
//! aspect stays within a small tolerance whatever the network does, for every aspect that can
//! be kept; a named problem and a generic request bring degraded photos closer to their
//! originals; a generic request leaves a good photo nearly alone; a look's strength words
//! size it.

use retouch_finish::keep::statistics;
use retouch_model::adjust::lab_shift;
use retouch_model::{apply_edits, default_model_path, Retoucher, Source};

fn photo(name: &str) -> (Vec<f32>, usize, usize) {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/photos")
        .join(name);
    let img = image::open(p).unwrap().to_rgb8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    (
        img.as_raw().iter().map(|v| *v as f32 / 255.0).collect(),
        w,
        h,
    )
}

fn edit(r: &Retoucher, px: &[f32], w: usize, h: usize, text: &str) -> (Vec<f32>, Vec<Source>) {
    let enc = r.encode(text).unwrap();
    let edits = r.predict_edits(px, w, h, 3, &enc).unwrap();
    let mut out = vec![0f32; px.len()];
    apply_edits(
        retouch_engine::Kernel::Portable,
        &edits,
        r.guide(),
        retouch_engine::ImageRef::new(px, w, h, 3).unwrap(),
        retouch_engine::ImageMut::new(&mut out, w, h, 3).unwrap(),
        1.0,
        None,
    )
    .unwrap();
    (out, edits.iter().map(|e| e.source).collect())
}

fn mean_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len() as f32
}

#[test]
fn kept_aspects_stay_put_on_real_photos() {
    let r = Retoucher::load(&default_model_path(), &retouch_text::default_dir()).unwrap();
    // (sentence, statistic index in keep::statistics, tolerance, the request's own statistic
    // that must still move).
    let cases: [(&str, &[usize], f32); 7] = [
        ("warmer, but keep the brightness", &[0], 0.75),
        ("much brighter, but keep the contrast", &[1], 0.75),
        ("more contrast, keep the saturation", &[2], 0.75),
        (
            "brighter, but don't change the white balance",
            &[3, 4],
            0.75,
        ),
        ("lighter, but leave the colours alone", &[3, 4], 0.75),
        (
            "much brighter without touching the colours",
            &[2, 3, 4],
            0.75,
        ),
        (
            "more saturated, keep the brightness and the contrast",
            &[0, 1],
            0.75,
        ),
    ];
    for name in ["coffee.png", "astronaut.png", "chelsea.png"] {
        let (px, w, h) = photo(name);
        let before = statistics(&px);
        for (text, idx, tol) in cases {
            let (mut out, sources) = edit(&r, &px, w, h, text);
            assert_eq!(sources.last(), Some(&Source::Keep), "{text}");
            // As a written photo is: clipped to the range.
            out.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
            let after = statistics(&out);
            for &i in idx {
                assert!(
                    (after[i] - before[i]).abs() <= tol,
                    "{name} {text}: statistic {i} moved {:.2} -> {:.2}",
                    before[i],
                    after[i]
                );
            }
            // The request itself still happens: the photo changed.
            assert!(
                mean_abs_diff(&px, &out) > 0.005,
                "{name} {text}: nothing changed"
            );
        }
    }
    // Without the constraint the same requests do move those statistics (so the check above
    // can fail): the network alone shifts the brightness of a warmer coffee photo.
    let (px, w, h) = photo("coffee.png");
    let (free, _) = edit(&r, &px, w, h, "much brighter");
    assert!((statistics(&free)[0] - statistics(&px)[0]).abs() > 2.0);
}

/// Darken by `ev` stops in linear light.
fn expose(px: &[f32], ev: f32) -> Vec<f32> {
    use retouch_finish::color::{linear_to_srgb, srgb_to_linear};
    px.iter()
        .map(|v| linear_to_srgb((srgb_to_linear(*v) * 2f32.powf(ev)).clamp(0.0, 1.0)))
        .collect()
}

#[test]
fn named_problems_and_generic_requests_move_degraded_photos_back() {
    let r = Retoucher::load(&default_model_path(), &retouch_text::default_dir()).unwrap();
    for name in ["coffee.png", "astronaut.png", "chelsea.png"] {
        let (px, w, h) = photo(name);
        let dark = expose(&px, -1.5);
        let base = mean_abs_diff(&dark, &px);
        for text in ["it's too dark", "enhance", "make it look better"] {
            let (out, sources) = edit(&r, &dark, w, h, text);
            assert_eq!(
                sources,
                vec![Source::Auto],
                "{text}: the photo decides, no network pass"
            );
            let d = mean_abs_diff(&out, &px);
            assert!(
                d < 0.8 * base,
                "{name} {text}: {d:.4} vs degraded {base:.4}"
            );
        }
        // A good photo asked to be enhanced is left nearly alone.
        let (out, _) = edit(&r, &px, w, h, "enhance");
        let s0 = statistics(&px);
        let s1 = statistics(&out);
        assert!(
            (s1[0] - s0[0]).abs() < 4.0,
            "{name}: mean L* {} -> {}",
            s0[0],
            s1[0]
        );
        assert!(
            s1[2] > 0.6 * s0[2],
            "{name}: never turned toward black and white"
        );
    }
}

#[test]
fn sentences_with_nothing_to_do_are_empty() {
    let r = Retoucher::load(&default_model_path(), &retouch_text::default_dir()).unwrap();
    let enc = r.encode("my aunt took this").unwrap();
    assert!(enc.reading.is_empty());
    assert!(
        enc.readings.is_empty(),
        "no nearest phrase is forced on it: {:?}",
        enc.readings
    );
}

/// `px` with each linear channel scaled by `g` (a colour cast, or an exposure change).
fn gains(px: &[f32], g: [f32; 3]) -> Vec<f32> {
    use retouch_finish::color::{linear_to_srgb, srgb_to_linear};
    px.chunks_exact(3)
        .flat_map(|p| [0, 1, 2].map(|i| linear_to_srgb((srgb_to_linear(p[i]) * g[i]).min(1.0))))
        .collect()
}

/// `px` with its colour scaled toward Rec. 601 luma by `k` (dull below 1).
fn chroma(px: &[f32], k: f32) -> Vec<f32> {
    px.chunks_exact(3)
        .flat_map(|p| {
            let y = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            [0, 1, 2].map(|i| y + k * (p[i] - y))
        })
        .collect()
}

/// The shipped estimator reads each problem back from real photos spoiled by formulas that are
/// not its training degradations' (a linear-light gain per channel, a blend toward the mean).
#[test]
fn the_estimator_sees_what_is_wrong_with_real_photos() {
    use retouch_model::estimate::{Estimator, Problem};
    let e = Estimator::shipped().unwrap();
    for name in ["coffee.png", "astronaut.png", "chelsea.png"] {
        let (px, w, h) = photo(name);
        let thumb = retouch_model::lowres::thumbnail(&px, w, h, 3, 128);
        let base = e.predict(&thumb, 128, 128).unwrap();
        let dark = e
            .predict_given(
                &gains(&thumb, [0.35; 3]),
                128,
                128,
                &[Problem::Exposure],
                &[],
            )
            .unwrap();
        assert!(dark.ev > base.ev + 0.8, "{name}: {dark:?} vs {base:?}");
        let bright = e
            .predict_given(
                &gains(&thumb, [2.2; 3]),
                128,
                128,
                &[Problem::Exposure],
                &[],
            )
            .unwrap();
        assert!(bright.ev < base.ev - 0.3, "{name}: {bright:?} vs {base:?}");
        // Blue cast: the repair warms (more red gain than blue gain).
        let blue = e
            .predict_given(
                &gains(&thumb, [0.75, 0.92, 1.25]),
                128,
                128,
                &[Problem::WhiteBalance],
                &[],
            )
            .unwrap();
        assert!(
            blue.log_r - blue.log_b > base.log_r - base.log_b + 0.15,
            "{name}: {blue:?} vs {base:?}"
        );
        let m = thumb.iter().sum::<f32>() / thumb.len() as f32;
        let flat: Vec<f32> = thumb.iter().map(|v| 0.5 * v + 0.5 * m).collect();
        let f = e
            .predict_given(&flat, 128, 128, &[Problem::Contrast], &[])
            .unwrap();
        assert!(
            f.white - f.black < base.white - base.black - 0.08,
            "{name}: {f:?} vs {base:?}"
        );
        let dull = chroma(&thumb, 0.35);
        let d = e
            .predict_given(&dull, 128, 128, &[Problem::Saturation], &[])
            .unwrap();
        assert!(
            d.log_chroma > base.log_chroma + 0.2,
            "{name}: {d:?} vs {base:?}"
        );
    }
}

/// A problem named with its direction is sized by the head fitted on photos that need that
/// repair visibly: further than the problem's own head, only on its own axis.
#[test]
fn a_named_direction_is_sized_as_a_visible_problem() {
    use retouch_model::adjust::lab_axes;
    use retouch_model::estimate::{Estimator, Problem, Repair};
    let e = Estimator::shipped().unwrap();
    assert_eq!(e.directed.len(), Repair::ALL.len());
    // CIELAB b* of a correction's white balance at a grey (the derivatives in `adjust`).
    let db = |c: &retouch_finish::correction::Correction| lab_shift(c.log_r, c.log_b).1;
    for name in ["coffee.png", "astronaut.png", "chelsea.png"] {
        let (px, w, h) = photo(name);
        let thumb = retouch_model::lowres::thumbnail(&px, w, h, 3, 128);
        let blue = gains(&thumb, [0.75, 0.92, 1.25]);
        let wb = [Problem::WhiteBalance];
        let own = e.predict_given(&blue, 128, 128, &wb, &[]).unwrap();
        let warmer = e
            .predict_given(&blue, 128, 128, &wb, &[Repair::Warmer])
            .unwrap();
        assert!(
            db(&warmer) > db(&own) + 1.0,
            "{name}: {warmer:?} vs {own:?}"
        );
        // The other axis (a*) is the problem head's, untouched by the warmer head.
        let (a_own, _) = lab_axes(own.log_r, own.log_b);
        let (a_warm, _) = lab_axes(warmer.log_r, warmer.log_b);
        assert!((a_own.0 - a_warm.0).abs() < 1e-5 && (a_own.1 - a_warm.1).abs() < 1e-5);
        assert_eq!((own.ev, own.log_chroma), (warmer.ev, warmer.log_chroma));
        let dull = chroma(&thumb, 0.35);
        let sat = [Problem::Saturation];
        let own = e.predict_given(&dull, 128, 128, &sat, &[]).unwrap();
        let richer = e
            .predict_given(&dull, 128, 128, &sat, &[Repair::Richer])
            .unwrap();
        assert!(
            richer.log_chroma > own.log_chroma + 0.05,
            "{name}: {richer:?} vs {own:?}"
        );
    }
}

/// A named problem moves its parameters at least a step the stated way, whatever the
/// estimator says; a generic request leaves small needs alone.
#[test]
fn named_problems_set_a_minimum_step_on_their_own_axis() {
    use retouch_finish::auto::AutoSpec;
    use retouch_finish::correction::Correction;
    use retouch_model::adjust::shape;
    let none = Correction::default();
    let yellow_cast = AutoSpec {
        white_balance: true,
        temperature_hint: -1.0,
        ..AutoSpec::default()
    };
    // CIELAB shifts at a mid grey.
    let da = |c: &Correction| lab_shift(c.log_r, c.log_b).0;
    let db = |c: &Correction| lab_shift(c.log_r, c.log_b).1;
    let c = shape(none, &yellow_cast);
    assert!(db(&c) <= -2.2 + 1e-3, "{c:?}");
    assert!(da(&c).abs() < 1e-3, "the other axis untouched: {c:?}");
    let green_cast = AutoSpec {
        white_balance: true,
        tint_hint: 1.0,
        ..AutoSpec::default()
    };
    let c = shape(none, &green_cast);
    assert!(da(&c) >= 2.2 - 1e-3, "{c:?}");
    assert!(db(&c).abs() < 1e-3, "the other axis untouched: {c:?}");
    // A yellow cast read with some green in it: the green part is dropped, the b* part kept.
    let mixed = Correction {
        log_r: -0.3,
        log_b: 0.3,
        ..none
    };
    let c = shape(mixed, &yellow_cast);
    assert!(da(&c).abs() < 1e-3 && db(&c) < db(&mixed) + 1e-3, "{c:?}");
    // Already far enough on its own axis: unchanged.
    let (_, (r, b)) = retouch_model::adjust::lab_axes(-0.3, 0.3);
    let strong = Correction {
        log_r: r,
        log_b: b,
        ..none
    };
    let c = shape(strong, &yellow_cast);
    assert!(
        (c.log_r - r).abs() < 1e-6 && (c.log_b - b).abs() < 1e-6,
        "{c:?}"
    );
    // Aspects not asked for are zeroed; generic dead zones swallow small needs.
    let small = Correction {
        ev: 0.1,
        log_chroma: 0.05,
        ..none
    };
    assert_eq!(shape(small, &AutoSpec::generic()), none);
    assert_eq!(
        shape(
            strong,
            &AutoSpec {
                exposure: true,
                ..AutoSpec::default()
            }
        ),
        none
    );
}

#[test]
fn a_named_cast_is_split_on_cielab_axes() {
    use retouch_finish::correction::Correction;
    use retouch_model::adjust::lab_axes;
    let grey = [0.46f32, 0.46, 0.46];
    let lab_after = |log_r: f32, log_b: f32| {
        let c = Correction {
            log_r,
            log_b,
            ..Correction::default()
        };
        let o = c.apply(&grey);
        retouch_finish::lab::from_rgb([o[0], o[1], o[2]])
    };
    let base = lab_after(0.0, 0.0);
    for (r, b) in [(0.1f32, -0.15f32), (-0.2, 0.05), (0.08, 0.12)] {
        let (a_part, b_part) = lab_axes(r, b);
        // The parts add up to the gains.
        assert!((a_part.0 + b_part.0 - r).abs() < 1e-6 && (a_part.1 + b_part.1 - b).abs() < 1e-6);
        // The a* part leaves b* (nearly) alone, the b* part a*.
        let la = lab_after(a_part.0, a_part.1);
        let lb = lab_after(b_part.0, b_part.1);
        let (da, db) = (la[1] - base[1], la[2] - base[2]);
        assert!(db.abs() < 0.1 * da.abs(), "a part: Δa* {da}, Δb* {db}");
        let (da, db) = (lb[1] - base[1], lb[2] - base[2]);
        assert!(da.abs() < 0.1 * db.abs(), "b part: Δa* {da}, Δb* {db}");
    }
}

#[test]
fn the_keep_grid_is_refitted_until_the_clipped_thumbnail_keeps_its_statistics() {
    use retouch_instruct::Aspect;
    use retouch_model::adjust::{fit, keep_grid, keep_target, kept_residual, KEEP_RESIDUAL};
    let r = Retoucher::load(&default_model_path(), &retouch_text::default_dir()).unwrap();
    let l = 128;
    for name in ["coffee.png", "astronaut.png"] {
        let (px, w, h) = photo(name);
        let original = retouch_model::lowres::thumbnail(&px, w, h, 3, l);
        // A strong brightening that pushes the highlights past white, where clipping changes
        // the colour the keep correction put back.
        let edited: Vec<f32> = original.iter().map(|v| v * 1.6 + 0.05).collect();
        for kept in [vec![Aspect::Colour], vec![Aspect::Contrast]] {
            let clipped = |g: &retouch_engine::BilateralGrid| {
                let mut out = vec![0f32; edited.len()];
                retouch_engine::slice_apply_with(
                    retouch_engine::Kernel::Portable,
                    g,
                    r.guide(),
                    retouch_engine::ImageRef::new(&edited, l, l, 3).unwrap(),
                    retouch_engine::ImageMut::new(&mut out, l, l, 3).unwrap(),
                    &retouch_engine::ApplyParams::default(),
                )
                .unwrap();
                out.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
                out
            };
            let once = fit(
                &edited,
                &keep_target(&original, &edited, &kept),
                l,
                l,
                r.guide(),
            )
            .unwrap();
            let before = kept_residual(&original, &clipped(&once), &kept);
            let (grid, residual) = keep_grid(&original, &edited, &kept, l, r.guide()).unwrap();
            let measured = kept_residual(&original, &clipped(&grid), &kept);
            assert!(
                (measured - residual).abs() < 1e-4,
                "{measured} vs {residual}"
            );
            assert!(
                residual <= KEEP_RESIDUAL.max(0.5 * before),
                "{name} {kept:?}: one fit {before:.3}, refitted {residual:.3}"
            );
        }
    }
}

#[test]
fn fitted_corrections_stay_within_the_avx2_kernels_depth() {
    // The engine's SIMD kernel slices grids of depth <= lanes + 1 (9 with AVX2's 8 lanes);
    // deeper ones fall back to the portable kernel, about 6x slower at 4K.
    let p = retouch_model::adjust::fit_params();
    assert!((2..=9).contains(&p.grid_d), "{}", p.grid_d);
}

#[test]
fn a_looks_strength_words_size_it() {
    let r = Retoucher::load(&default_model_path(), &retouch_text::default_dir()).unwrap();
    let (px, w, h) = photo("coffee.png");
    for look in ["vintage", "cinematic"] {
        let change = |text: String| mean_abs_diff(&edit(&r, &px, w, h, &text).0, &px);
        let moderate = change(format!("a {look} look"));
        let subtle = change(format!("a subtle {look} look")) / moderate;
        let strong = change(format!("a very strong {look} look")) / moderate;
        // Strength words scale a look by 0.45 and 1.8, as they scale atomic edits (before,
        // the network was given the scale and made 0.9 and 1.2 of the moderate look).
        assert!((0.35..0.55).contains(&subtle), "{look}: subtle {subtle}");
        assert!((1.5..2.0).contains(&strong), "{look}: very strong {strong}");
    }
}
