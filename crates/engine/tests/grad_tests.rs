//! Every gradient of slice-and-apply against central finite differences (f64).
//!
//! The loss is `L = sum(out * G)` with a fixed random `G`. The output is exactly linear in the
//! grid, so grid gradients must match to round-off. Guide and image gradients go through
//! piecewise-linear pieces (curve knots, grid cell centres, clamps); a finite difference that
//! straddles a kink is detected by comparing two step sizes and skipped, and the test demands
//! that almost all parameters were checked.

mod common;
use common::*;
use rand::Rng;
use retouch_engine::grad::{backward, backward_fused, forward};
use retouch_engine::{BilateralGrid, GuideMap};

struct Case {
    grid: BilateralGrid,
    guide: GuideMap,
    img: Vec<f64>,
    g: Vec<f64>,
    w: usize,
    h: usize,
    s: f64,
}

fn loss(c: &Case, grid: &BilateralGrid, guide: &GuideMap, img: &[f64]) -> f64 {
    let out = forward(grid, guide, img, c.w, c.h, c.s).unwrap();
    out.iter().zip(&c.g).map(|(a, b)| a * b).sum()
}

fn case(seed: u64, w: usize, h: usize, dims: (usize, usize, usize), s: f64) -> Case {
    let mut r = rng(seed);
    let grid = random_grid(&mut r, dims.0, dims.1, dims.2, 0.3);
    let guide = random_guide(&mut r);
    let img: Vec<f64> = (0..w * h * 3).map(|_| r.gen_range(0.02..0.98)).collect();
    let g: Vec<f64> = (0..w * h * 3).map(|_| r.gen_range(-1.0..1.0)).collect();
    Case {
        grid,
        guide,
        img,
        g,
        w,
        h,
        s,
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn grid_gradient_matches_finite_differences() {
    for (seed, dims, s) in [
        (10, (3, 4, 5), 1.0),
        (11, (1, 1, 1), 0.7),
        (12, (5, 2, 8), 1.5),
    ] {
        let c = case(seed, 9, 7, dims, s);
        let gr = backward(&c.grid, &c.guide, &c.img, c.w, c.h, c.s, &c.g).unwrap();
        assert!(gr.grid.iter().any(|v| v.abs() > 1e-6));
        for i in 0..c.grid.data().len() {
            let mut plus = c.grid.clone();
            let mut minus = c.grid.clone();
            plus.data_mut()[i] += 1e-2;
            minus.data_mut()[i] -= 1e-2;
            let delta = (plus.data()[i] - minus.data()[i]) as f64;
            let fd =
                (loss(&c, &plus, &c.guide, &c.img) - loss(&c, &minus, &c.guide, &c.img)) / delta;
            assert!(
                close(fd, gr.grid[i], 1e-7),
                "grid[{i}]: fd {fd} vs {}",
                gr.grid[i]
            );
        }
    }
}

#[test]
fn image_gradient_matches_finite_differences() {
    let c = case(20, 8, 6, (4, 4, 6), 1.2);
    let gr = backward(&c.grid, &c.guide, &c.img, c.w, c.h, c.s, &c.g).unwrap();
    let fd_at = |i: usize, eps: f64| {
        let mut p = c.img.clone();
        let mut m = c.img.clone();
        p[i] += eps;
        m[i] -= eps;
        (loss(&c, &c.grid, &c.guide, &p) - loss(&c, &c.grid, &c.guide, &m)) / (2.0 * eps)
    };
    let mut checked = 0;
    for i in 0..c.img.len() {
        let (a, b) = (fd_at(i, 1e-6), fd_at(i, 5e-7));
        if !close(a, b, 1e-5) {
            continue; // straddles a kink
        }
        checked += 1;
        assert!(
            close(a, gr.image[i], 1e-5),
            "image[{i}]: fd {a} vs {}",
            gr.image[i]
        );
    }
    assert!(checked >= c.img.len() * 95 / 100, "only {checked} checked");
}

#[test]
fn guide_gradient_matches_finite_differences() {
    let c = case(30, 10, 8, (3, 3, 8), 1.0);
    let gr = backward(&c.grid, &c.guide, &c.img, c.w, c.h, c.s, &c.g).unwrap();
    let analytic = gr.guide.flatten();
    let base = c.guide.flatten();
    let fd_at = |i: usize, eps: f32| {
        let mut p = base.clone();
        let mut m = base.clone();
        p[i] += eps;
        m[i] -= eps;
        let delta = (p[i] - m[i]) as f64;
        let gp = GuideMap::from_flat(&p).unwrap();
        let gm = GuideMap::from_flat(&m).unwrap();
        (loss(&c, &c.grid, &gp, &c.img) - loss(&c, &c.grid, &gm, &c.img)) / delta
    };
    let mut checked = 0;
    let mut nonzero = 0;
    for i in 0..base.len() {
        // The perturbation is exact in f32 (`delta` is measured), so small steps are fine.
        let (a, b) = (fd_at(i, 1e-4), fd_at(i, 2.5e-5));
        if !close(a, b, 1e-4) {
            continue; // straddles a kink
        }
        checked += 1;
        if analytic[i].abs() > 1e-6 {
            nonzero += 1;
        }

        assert!(
            close(b, analytic[i], 2e-4),
            "guide param {i}: fd {b} vs {}",
            analytic[i]
        );
    }
    assert!(
        checked >= base.len() * 90 / 100,
        "only {checked} of {} checked",
        base.len()
    );
    assert!(
        nonzero >= 30,
        "too few guide parameters have a gradient: {nonzero}"
    );
}

#[test]
fn forward_agrees_with_the_reference_kernel() {
    use retouch_engine::{slice_apply_with, ApplyParams, ImageMut, ImageRef, Kernel};
    let c = case(40, 13, 11, (4, 5, 6), 1.3);
    let out = forward(&c.grid, &c.guide, &c.img, c.w, c.h, c.s).unwrap();
    let img32: Vec<f32> = c.img.iter().map(|&v| v as f32).collect();
    let mut want = vec![0f32; img32.len()];
    slice_apply_with(
        Kernel::Reference,
        &c.grid,
        &c.guide,
        ImageRef::new(&img32, c.w, c.h, 3).unwrap(),
        ImageMut::new(&mut want, c.w, c.h, 3).unwrap(),
        &ApplyParams {
            strength: c.s as f32,
            mask: None,
        },
    )
    .unwrap();
    for (a, b) in out.iter().zip(&want) {
        assert!((*a as f32 - b).abs() < 1e-5);
    }
}

/// Largest difference between two gradient vectors, relative to the larger's scale.
fn max_rel_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let scale = a
        .iter()
        .chain(b)
        .fold(0f32, |m, v| m.max(v.abs()))
        .max(1e-6);
    a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs())) / scale
}

#[test]
fn fused_backward_equals_the_generic_one() {
    // Sizes that are and are not multiples of the grid, strength 1 and not, pixels whose guide
    // value leaves (0, 1) (the random guide and 0/1 image values reach the clamps).
    for (seed, w, h, dims, s) in [
        (40, 37, 23, (4, 5, 8), 1.0f32),
        (41, 64, 48, (16, 16, 8), 0.7),
        (42, 5, 9, (3, 3, 2), 1.3),
    ] {
        let c = case(seed, w, h, dims, s as f64);
        let mut img: Vec<f32> = c.img.iter().map(|&v| v as f32).collect();
        img[0] = 0.0;
        img[4] = 1.0;
        let g: Vec<f32> = c.g.iter().map(|&v| v as f32).collect();
        let slow = backward(&c.grid, &c.guide, &img, w, h, s, &g).unwrap();
        let fast = backward_fused(&c.grid, &c.guide, &img, w, h, s, &g).unwrap();
        let d_grid = max_rel_diff(&slow.grid, &fast.grid);
        let d_image = max_rel_diff(&slow.image, &fast.image);
        let d_guide = max_rel_diff(&slow.guide.flatten(), &fast.guide.flatten());
        assert!(
            d_grid < 1e-5 && d_image < 1e-5 && d_guide < 1e-4,
            "{w}x{h} {dims:?}: grid {d_grid}, image {d_image}, guide {d_guide}"
        );
        assert!(fast.grid.iter().any(|v| v.abs() > 1e-3));
    }
    // Bad sizes are errors, as in the generic version.
    let c = case(43, 4, 4, (2, 2, 2), 1.0);
    let img = vec![0.5f32; 4 * 4 * 3];
    assert!(backward_fused(&c.grid, &c.guide, &img, 4, 4, 1.0, &img[..10]).is_err());
    assert!(backward_fused(&c.grid, &c.guide, &img[..9], 4, 4, 1.0, &img[..9]).is_err());
}
