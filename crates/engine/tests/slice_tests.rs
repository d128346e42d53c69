//! The fast kernels against the scalar reference, pixel by pixel, and the invariants that must
//! hold exactly (identity grid, strength 0, zero mask).

mod common;
use common::*;
use rand::Rng;
use retouch_engine::{
    slice_apply, slice_apply_with, ApplyParams, BilateralGrid, GuideMap, ImageMut, ImageRef,
    Kernel, Mask, Sample,
};

fn run<S: Sample + Default, D: Sample + Default>(
    kernel: Kernel,
    grid: &BilateralGrid,
    guide: &GuideMap,
    (data, w, h, ch): (&[S], usize, usize, usize),
    params: &ApplyParams,
) -> Vec<D> {
    let mut out = vec![D::default(); data.len()];
    slice_apply_with(
        kernel,
        grid,
        guide,
        ImageRef::new(data, w, h, ch).unwrap(),
        ImageMut::new(&mut out, w, h, ch).unwrap(),
        params,
    )
    .unwrap();
    out
}

#[test]
fn fast_matches_reference_on_real_photos_u8() {
    let mut r = rng(1);
    for (name, dims) in [
        ("chelsea.png", (16, 16, 8)),
        ("rocket.jpg", (9, 13, 5)),
        ("coffee.png", (1, 1, 1)),
        ("astronaut.png", (3, 40, 16)),
    ] {
        let (px, w, h) = photo_rgb8(name);
        let grid = random_grid(&mut r, dims.0, dims.1, dims.2, 0.25);
        let guide = random_guide(&mut r);
        let params = ApplyParams {
            strength: 1.0,
            mask: None,
        };
        let want: Vec<u8> = run(Kernel::Reference, &grid, &guide, (&px, w, h, 3), &params);
        assert_ne!(want, px, "the random grid must change the photo");
        for k in fast_kernels() {
            let got: Vec<u8> = run(k, &grid, &guide, (&px, w, h, 3), &params);
            let d = max_diff(&got, &want);
            assert!(
                d <= 1.0 + 1e-4,
                "{name} {k:?}: max difference {d} code values"
            );
        }
    }
}

#[test]
fn fast_matches_reference_u16_f32_rgba_mask_and_strength() {
    let mut r = rng(2);
    let (px8, w, h) = photo_rgb8("chelsea.png");
    // RGBA u16 with a varying alpha channel.
    let mut rgba16 = Vec::with_capacity(w * h * 4);
    for (i, p) in px8.chunks(3).enumerate() {
        for &c in p {
            rgba16.push(c as u16 * 257 + (i % 251) as u16);
        }
        rgba16.push((i * 37 % 65536) as u16);
    }
    let grid = random_grid(&mut r, 8, 12, 6, 0.3);
    let guide = random_guide(&mut r);
    let mdata: Vec<f32> = (0..7 * 5).map(|_| r.gen_range(0.0..1.0)).collect();
    let mask = Mask::new(7, 5, mdata).unwrap();
    for strength in [0.5f32, 1.0, 1.7, -0.4] {
        for mask in [None, Some(&mask)] {
            let params = ApplyParams { strength, mask };
            let want: Vec<u16> = run(
                Kernel::Reference,
                &grid,
                &guide,
                (&rgba16, w, h, 4),
                &params,
            );
            let wantf: Vec<f32> = run(
                Kernel::Reference,
                &grid,
                &guide,
                (&rgba16, w, h, 4),
                &params,
            );
            for k in fast_kernels() {
                let got: Vec<u16> = run(k, &grid, &guide, (&rgba16, w, h, 4), &params);
                let d = max_diff(&got, &want);
                // 16-bit: within 1/255 of an 8-bit step is the contract; f32 math gives ~1e-5.
                assert!(d <= 8.0, "{k:?} s={strength}: u16 max diff {d}");
                for (a, b) in got.chunks(4).zip(rgba16.chunks(4)) {
                    assert_eq!(a[3], b[3], "alpha must be copied untouched");
                }
                let gotf: Vec<f32> = run(k, &grid, &guide, (&rgba16, w, h, 4), &params);
                let d = max_diff(&gotf, &wantf);
                assert!(d <= 1e-4, "{k:?} s={strength}: f32 max diff {d}");
            }
        }
    }
}

#[test]
fn random_sizes_and_grids_match_reference() {
    let mut r = rng(3);
    for _ in 0..40 {
        let (w, h) = (r.gen_range(1..70), r.gen_range(1..50));
        let ch = if r.gen_bool(0.5) { 3 } else { 4 };
        let px: Vec<u8> = (0..w * h * ch).map(|_| r.gen()).collect();
        let (gh, gw, gd) = (r.gen_range(1..20), r.gen_range(1..20), r.gen_range(1..22));
        let grid = random_grid(&mut r, gh, gw, gd, 0.4);
        let guide = random_guide(&mut r);
        let params = ApplyParams {
            strength: r.gen_range(-1.0..2.0),
            mask: None,
        };
        let want: Vec<u8> = run(Kernel::Reference, &grid, &guide, (&px, w, h, ch), &params);
        for k in fast_kernels() {
            let got: Vec<u8> = run(k, &grid, &guide, (&px, w, h, ch), &params);
            assert!(max_diff(&got, &want) <= 1.0 + 1e-4, "{k:?} {w}x{h}x{ch}");
        }
    }
}

#[test]
fn identity_grid_and_zero_strength_return_input_exactly() {
    let mut r = rng(4);
    let (px, w, h) = photo_rgb8("coffee.png");
    let identity = BilateralGrid::identity(16, 16, 8).unwrap();
    let random = random_grid(&mut r, 16, 16, 8, 0.3);
    let guide = random_guide(&mut r);
    for k in Kernel::available() {
        let out: Vec<u8> = run(
            k,
            &identity,
            &guide,
            (&px, w, h, 3),
            &ApplyParams::default(),
        );
        assert_eq!(out, px, "{k:?}: identity grid must not change a u8 image");
        let zero = ApplyParams {
            strength: 0.0,
            mask: None,
        };
        let out: Vec<u8> = run(k, &random, &guide, (&px, w, h, 3), &zero);
        assert_eq!(out, px, "{k:?}: strength 0 must return the input");
        let f: Vec<f32> = to_unit(&px);
        let outf: Vec<f32> = run(k, &random, &guide, (&f, w, h, 3), &zero);
        assert!(outf.iter().zip(&f).all(|(a, b)| a.to_bits() == b.to_bits()));
        let m0 = Mask::new(3, 3, vec![0.0; 9]).unwrap();
        let masked = ApplyParams {
            strength: 1.0,
            mask: Some(&m0),
        };
        let out: Vec<u8> = run(k, &random, &guide, (&px, w, h, 3), &masked);
        assert_eq!(out, px, "{k:?}: a zero mask must change nothing");
    }
}

#[test]
fn half_mask_edits_only_its_half() {
    let mut r = rng(5);
    let (px, w, h) = photo_rgb8("chelsea.png");
    let grid = random_grid(&mut r, 4, 4, 4, 0.3);
    let guide = GuideMap::luma();
    // Full-resolution mask: left half 1, right half 0.
    let m: Vec<f32> = (0..w * h)
        .map(|i| if i % w < w / 2 { 1.0 } else { 0.0 })
        .collect();
    let mask = Mask::new(w, h, m).unwrap();
    let params = ApplyParams {
        strength: 1.0,
        mask: Some(&mask),
    };
    let full: Vec<u8> = run(
        Kernel::best(),
        &grid,
        &guide,
        (&px, w, h, 3),
        &ApplyParams::default(),
    );
    let out: Vec<u8> = run(Kernel::best(), &grid, &guide, (&px, w, h, 3), &params);
    for y in 0..h {
        for x in 0..w {
            let i = (y * w + x) * 3;
            let want = if x < w / 2 {
                &full[i..i + 3]
            } else {
                &px[i..i + 3]
            };
            assert_eq!(&out[i..i + 3], want, "pixel {x},{y}");
        }
    }
}

#[test]
fn extrapolation_is_linear_in_strength() {
    let mut r = rng(6);
    let (px, w, h) = photo_rgb8("rocket.jpg");
    let f = to_unit(&px);
    let grid = random_grid(&mut r, 8, 8, 8, 0.1);
    let guide = GuideMap::luma();
    let at = |s: f32| -> Vec<f32> {
        let p = ApplyParams {
            strength: s,
            mask: None,
        };
        run(Kernel::best(), &grid, &guide, (&f, w, h, 3), &p)
    };
    let (o1, o2) = (at(1.0), at(2.0));
    for ((a, b), p) in o1.iter().zip(&o2).zip(&f) {
        // out(2) - p = 2 (out(1) - p)
        assert!(((b - p) - 2.0 * (a - p)).abs() < 1e-5);
    }
}

#[test]
fn a_grid_at_a_strength_edits_as_that_strength_does() {
    let mut r = rng(7);
    let (px, w, h) = photo_rgb8("rocket.jpg");
    let f = to_unit(&px);
    let grid = random_grid(&mut r, 8, 8, 8, 0.1);
    let guide = GuideMap::luma();
    for k in [0.0, 0.45, 1.0, 1.8] {
        let p = ApplyParams {
            strength: k,
            mask: None,
        };
        let by_strength: Vec<f32> = run(Kernel::Reference, &grid, &guide, (&f, w, h, 3), &p);
        let scaled = grid.with_strength(k).unwrap();
        let by_grid: Vec<f32> = run(
            Kernel::Reference,
            &scaled,
            &guide,
            (&f, w, h, 3),
            &ApplyParams::default(),
        );
        let worst = by_strength
            .iter()
            .zip(&by_grid)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-5, "strength {k}: {worst}");
    }
    assert!(grid.with_strength(f32::NAN).is_err());
}

#[test]
fn invalid_inputs_are_errors_not_panics() {
    let grid = BilateralGrid::identity(2, 2, 2).unwrap();
    let guide = GuideMap::luma();
    let data = vec![0u8; 12];
    let mut out = vec![0u8; 12];
    assert!(ImageRef::new(&data, 2, 2, 2).is_err());
    assert!(ImageRef::new(&data, 3, 2, 3).is_err());
    assert!(ImageRef::new(&data[..0], 0, 0, 3).is_err());
    let input = ImageRef::new(&data, 2, 2, 3).unwrap();
    let bad = ApplyParams {
        strength: f32::NAN,
        mask: None,
    };
    assert!(slice_apply(
        &grid,
        &guide,
        input,
        ImageMut::new(&mut out, 2, 2, 3).unwrap(),
        &bad
    )
    .is_err());
    let mut out2 = vec![0u8; 16];
    let r = slice_apply(
        &grid,
        &guide,
        input,
        ImageMut::new(&mut out2, 1, 4, 4).unwrap(),
        &ApplyParams::default(),
    );
    assert!(r.is_err());
    let mut g = guide.clone();
    g.mix[0] = f32::INFINITY;
    assert!(slice_apply(
        &grid,
        &g,
        input,
        ImageMut::new(&mut out, 2, 2, 3).unwrap(),
        &ApplyParams::default()
    )
    .is_err());
    assert!(BilateralGrid::identity(0, 4, 4).is_err());
    assert!(BilateralGrid::from_data(1, 1, 1, vec![0.0; 11]).is_err());
    assert!(BilateralGrid::from_data(1, 1, 1, vec![f32::NAN; 12]).is_err());
    assert!(Mask::new(2, 2, vec![0.0; 3]).is_err());
}

#[test]
fn a_resampled_mask_keeps_constants_and_interpolates_between_pixel_centres() {
    let flat = Mask::new(2, 2, vec![0.25; 4]).unwrap().resampled(5, 3);
    assert_eq!(flat.len(), 15);
    assert!(flat.iter().all(|&v| (v - 0.25).abs() < 1e-6));
    // 2 -> 4 samples: output centres at 0.25 and 0.75 of the way fall between the two
    // source centres; the ends are clamped.
    let ramp = Mask::new(2, 1, vec![0.0, 1.0]).unwrap().resampled(4, 1);
    assert_eq!(ramp, vec![0.0, 0.25, 0.75, 1.0]);
    // Upright: rows stay rows.
    let rows = Mask::new(1, 2, vec![0.0, 1.0]).unwrap().resampled(3, 2);
    assert_eq!(rows, vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
}
