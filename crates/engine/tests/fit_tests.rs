//! Grid fitting (bilateral guided upsampling): fit at low resolution, apply at 4x.

mod common;
use common::*;
use image::imageops::FilterType;
use retouch_engine::fit::{fit_grid, FitParams};
use retouch_engine::{slice_apply, ApplyParams, GuideMap, ImageMut, ImageRef};

/// A known global edit: white balance gains, then gamma, then saturation, in sRGB-encoded values.
fn global_edit(px: &[f32]) -> Vec<f32> {
    let mut out = Vec::with_capacity(px.len());
    for p in px.chunks(3) {
        let wb = [p[0] * 1.08, p[1], p[2] * 0.88];
        let g: Vec<f32> = wb.iter().map(|v| v.clamp(0.0, 1.0).powf(0.8)).collect();
        let l = 0.2126 * g[0] + 0.7152 * g[1] + 0.0722 * g[2];
        for c in g {
            out.push((l + 1.3 * (c - l)).clamp(0.0, 1.0));
        }
    }
    out
}

fn load(name: &str, scale_down: u32) -> (Vec<f32>, usize, usize) {
    let img = image::open(photo_path(name)).unwrap().to_rgb8();
    let (w, h) = (img.width() / scale_down, img.height() / scale_down);
    let img = if scale_down > 1 {
        image::imageops::resize(&img, w, h, FilterType::Triangle)
    } else {
        img
    };
    (to_unit(img.as_raw()), w as usize, h as usize)
}

#[test]
fn fitted_grid_carries_a_global_edit_to_4x_resolution() {
    for name in ["astronaut.png", "coffee.png"] {
        let (lo, lw, lh) = load(name, 4);
        let (hi, hw, hh) = load(name, 1);
        let guide = GuideMap::luma();
        let (grid, report) = fit_grid(
            &lo,
            &global_edit(&lo),
            lw,
            lh,
            &guide,
            &FitParams::default(),
        )
        .unwrap();
        assert!(report.converged, "{name}: {report:?}");
        let mut out = vec![0f32; hi.len()];
        slice_apply(
            &grid,
            &guide,
            ImageRef::new(&hi, hw, hh, 3).unwrap(),
            ImageMut::new(&mut out, hw, hh, 3).unwrap(),
            &ApplyParams::default(),
        )
        .unwrap();
        let clamped: Vec<f32> = out.iter().map(|v| v.clamp(0.0, 1.0)).collect();
        let target = global_edit(&hi);
        let de = retouch_metrics::mean_ciede2000(&clamped, &target).unwrap();
        let untouched = retouch_metrics::mean_ciede2000(&hi, &target).unwrap();
        eprintln!("{name}: fit {report:?}; mean CIEDE2000 at 4x = {de:.3} (input vs target {untouched:.2})");
        assert!(de < 1.0, "{name}: mean CIEDE2000 {de}");
        assert!(
            untouched > 5.0,
            "the edit must be substantial for the test to mean anything"
        );
    }
}

#[test]
fn residual_shrinks_with_grid_size_and_identity_fits_exactly() {
    let (lo, w, h) = load("chelsea.png", 2);
    let guide = GuideMap::luma();
    let target = global_edit(&lo);
    let fit = |gh, gw, gd| {
        let p = FitParams {
            grid_h: gh,
            grid_w: gw,
            grid_d: gd,
            ..FitParams::default()
        };
        fit_grid(&lo, &target, w, h, &guide, &p).unwrap().1
    };
    let global = fit(1, 1, 1);
    let small = fit(4, 4, 4);
    let full = fit(16, 16, 8);
    assert!(
        global.rms > small.rms && small.rms > full.rms,
        "{global:?} {small:?} {full:?}"
    );
    let (grid, same) = fit_grid(&lo, &lo, w, h, &guide, &FitParams::default()).unwrap();
    assert!(same.rms < 1e-4, "{same:?}");
    assert!(grid.data().chunks(12).all(|c| c
        .iter()
        .zip(retouch_engine::grid::IDENTITY)
        .all(|(a, b)| (a - b).abs() < 1e-2)));
}

#[test]
fn bad_fit_inputs_are_errors() {
    let g = GuideMap::luma();
    let p = FitParams::default();
    assert!(fit_grid(&[0.5; 12], &[0.5; 9], 2, 2, &g, &p).is_err());
    assert!(fit_grid(&[], &[], 0, 0, &g, &p).is_err());
    assert!(fit_grid(&[f32::NAN; 12], &[0.5; 12], 2, 2, &g, &p).is_err());
    let bad = FitParams {
        lambda_identity: 0.0,
        ..FitParams::default()
    };
    assert!(fit_grid(&[0.5; 12], &[0.5; 12], 2, 2, &g, &bad).is_err());
    let bad = FitParams {
        grid_d: 0,
        ..FitParams::default()
    };
    assert!(fit_grid(&[0.5; 12], &[0.5; 12], 2, 2, &g, &bad).is_err());
}
