//! Chains of grids in one pass (`slice_apply_chain_with`): the fast kernels against the f64
//! reference chain, and against applying the stages one by one through f32 images (which the
//! fast chain must reproduce bit for bit).

mod common;
use common::*;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use retouch_engine::{
    slice_apply_chain_with, slice_apply_with, ApplyParams, BilateralGrid, GuideMap, ImageMut,
    ImageRef, Kernel, Mask, Sample, Stage,
};

fn chain<S: Sample, D: Sample + Default>(
    kernel: Kernel,
    stages: &[Stage],
    guide: &GuideMap,
    (data, w, h, ch): (&[S], usize, usize, usize),
) -> Vec<D> {
    let mut out = vec![D::default(); data.len()];
    slice_apply_chain_with(
        kernel,
        stages,
        guide,
        ImageRef::new(data, w, h, ch).unwrap(),
        ImageMut::new(&mut out, w, h, ch).unwrap(),
    )
    .unwrap();
    out
}

/// The stages one after another with `slice_apply_with`, through f32 images.
fn one_by_one<S: Sample, D: Sample + Default>(
    kernel: Kernel,
    stages: &[Stage],
    guide: &GuideMap,
    (data, w, h, ch): (&[S], usize, usize, usize),
) -> Vec<D> {
    let mut cur: Vec<f32> = data.iter().map(|v| v.to_unit()).collect();
    let (last, first) = stages.split_last().unwrap();
    for s in first {
        let mut next = vec![0f32; cur.len()];
        slice_apply_with(
            kernel,
            s.grid,
            guide,
            ImageRef::new(&cur, w, h, ch).unwrap(),
            ImageMut::new(&mut next, w, h, ch).unwrap(),
            &s.params,
        )
        .unwrap();
        cur = next;
    }
    let mut out = vec![D::default(); data.len()];
    if first.is_empty() {
        slice_apply_with(
            kernel,
            last.grid,
            guide,
            ImageRef::new(data, w, h, ch).unwrap(),
            ImageMut::new(&mut out, w, h, ch).unwrap(),
            &last.params,
        )
        .unwrap();
    } else {
        slice_apply_with(
            kernel,
            last.grid,
            guide,
            ImageRef::new(&cur, w, h, ch).unwrap(),
            ImageMut::new(&mut out, w, h, ch).unwrap(),
            &last.params,
        )
        .unwrap();
    }
    out
}

/// A mask that is 0 on its top half and random below (so whole rows and whole vectors skip a
/// stage, and others do not).
fn half_mask(r: &mut ChaCha8Rng, w: usize, h: usize) -> Mask {
    let data = (0..w * h)
        .map(|i| {
            if i / w < h / 2 {
                0.0
            } else {
                r.gen_range(0.0..1.0)
            }
        })
        .collect();
    Mask::new(w, h, data).unwrap()
}

#[test]
fn chains_match_the_reference_and_the_stages_one_by_one() {
    let mut r = rng(21);
    let (px, w, h) = photo_rgb8("rocket.jpg");
    let guide = random_guide(&mut r);
    let g1 = random_grid(&mut r, 16, 16, 8, 0.25);
    let g2 = random_grid(&mut r, 16, 16, 8, 0.25);
    let g3 = random_grid(&mut r, 5, 9, 12, 0.25); // other dims: not fusable
    let small = half_mask(&mut r, 37, 23);
    let full = half_mask(&mut r, w, h);
    let p = |strength, mask| ApplyParams { strength, mask };
    let cases: Vec<(&str, Vec<Stage>)> = vec![
        (
            "one",
            vec![Stage {
                grid: &g1,
                params: p(1.0, None),
            }],
        ),
        (
            "whole + masked region",
            vec![
                Stage {
                    grid: &g1,
                    params: p(1.0, None),
                },
                Stage {
                    grid: &g2,
                    params: p(1.0, Some(&small)),
                },
            ],
        ),
        (
            "three, full-size mask, strengths",
            vec![
                Stage {
                    grid: &g2,
                    params: p(0.6, Some(&full)),
                },
                Stage {
                    grid: &g1,
                    params: p(1.4, None),
                },
                Stage {
                    grid: &g2,
                    params: p(-0.5, Some(&small)),
                },
            ],
        ),
        (
            "other dims",
            vec![
                Stage {
                    grid: &g1,
                    params: p(1.0, Some(&small)),
                },
                Stage {
                    grid: &g3,
                    params: p(1.0, None),
                },
            ],
        ),
        (
            "zero strength stage",
            vec![
                Stage {
                    grid: &g1,
                    params: p(0.0, None),
                },
                Stage {
                    grid: &g2,
                    params: p(1.0, None),
                },
            ],
        ),
    ];
    for (name, stages) in &cases {
        let want: Vec<u8> = chain(Kernel::Reference, stages, &guide, (&px, w, h, 3));
        let wantf: Vec<f32> = chain(Kernel::Reference, stages, &guide, (&px, w, h, 3));
        assert_ne!(want, px, "{name}: the chain must change the photo");
        for k in fast_kernels() {
            let got: Vec<u8> = chain(k, stages, &guide, (&px, w, h, 3));
            let d = max_diff(&got, &want);
            assert!(
                d <= 1.0 + 1e-4,
                "{name} {k:?}: u8 max diff {d} to the reference"
            );
            let gotf: Vec<f32> = chain(k, stages, &guide, (&px, w, h, 3));
            let d = max_diff(&gotf, &wantf);
            assert!(d <= 2e-4, "{name} {k:?}: f32 max diff {d} to the reference");
            let seq: Vec<u8> = one_by_one(k, stages, &guide, (&px, w, h, 3));
            assert!(
                got == seq,
                "{name} {k:?}: differs from the stages one by one"
            );
            let seqf: Vec<f32> = one_by_one(k, stages, &guide, (&px, w, h, 3));
            assert!(
                gotf == seqf,
                "{name} {k:?}: f32 differs from the stages one by one"
            );
        }
    }
}

#[test]
fn random_chains_on_rgba_and_odd_sizes_match_the_reference() {
    let mut r = rng(22);
    for _ in 0..30 {
        let (w, h) = (r.gen_range(1..70), r.gen_range(1..50));
        let ch = if r.gen_bool(0.5) { 3 } else { 4 };
        let px: Vec<u16> = (0..w * h * ch).map(|_| r.gen()).collect();
        let guide = random_guide(&mut r);
        let (gh, gw, gd) = (r.gen_range(1..20), r.gen_range(1..20), r.gen_range(1..18));
        let n = r.gen_range(1..4);
        let grids: Vec<BilateralGrid> = (0..n)
            .map(|_| random_grid(&mut r, gh, gw, gd, 0.3))
            .collect();
        let masks: Vec<Mask> = (0..n)
            .map(|_| {
                let (mw, mh) = (r.gen_range(1..30), r.gen_range(1..30));
                half_mask(&mut r, mw, mh)
            })
            .collect();
        let stages: Vec<Stage> = grids
            .iter()
            .zip(&masks)
            .map(|(g, m)| Stage {
                grid: g,
                params: ApplyParams {
                    strength: r.gen_range(-1.0..2.0),
                    mask: r.gen_bool(0.5).then_some(m),
                },
            })
            .collect();
        let want: Vec<u16> = chain(Kernel::Reference, &stages, &guide, (&px, w, h, ch));
        for k in fast_kernels() {
            let got: Vec<u16> = chain(k, &stages, &guide, (&px, w, h, ch));
            let d = max_diff(&got, &want);
            // One stage's contract is 8 units of 65535 (f32 arithmetic); each later stage carries
            // the earlier stages' rounding on, amplified by its gain (strengths up to 2 here).
            let tol = 8.0 * n as f32;
            assert!(d <= tol, "{k:?} {w}x{h}x{ch}, {n} stages: u16 max diff {d}");
            if ch == 4 {
                for (a, b) in got.chunks(4).zip(px.chunks(4)) {
                    assert_eq!(a[3], b[3], "alpha must be copied untouched");
                }
            }
            let seq: Vec<u16> = one_by_one(k, &stages, &guide, (&px, w, h, ch));
            assert!(
                got == seq,
                "{k:?} {w}x{h}x{ch}: differs from the stages one by one"
            );
        }
    }
}

#[test]
fn masked_out_stages_and_the_empty_chain_leave_pixels_bit_exact() {
    let mut r = rng(23);
    let (px, w, h) = photo_rgb8("chelsea.png");
    let guide = random_guide(&mut r);
    let g1 = random_grid(&mut r, 16, 16, 8, 0.25);
    let g2 = random_grid(&mut r, 16, 16, 8, 0.25);
    let zero = Mask::new(8, 8, vec![0.0; 64]).unwrap();
    let half = half_mask(&mut r, 40, 30);
    for k in Kernel::available() {
        let empty: Vec<u8> = chain(k, &[], &guide, (&px, w, h, 3));
        assert_eq!(empty, px, "{k:?}: an empty chain is the identity");
        let first = [Stage {
            grid: &g1,
            params: ApplyParams::default(),
        }];
        let alone: Vec<u8> = chain(k, &first, &guide, (&px, w, h, 3));
        let masked_out = [
            first[0],
            Stage {
                grid: &g2,
                params: ApplyParams {
                    strength: 1.0,
                    mask: Some(&zero),
                },
            },
        ];
        let got: Vec<u8> = chain(k, &masked_out, &guide, (&px, w, h, 3));
        assert_eq!(
            got, alone,
            "{k:?}: a stage under a zero mask changes nothing"
        );
        let only_half = [Stage {
            grid: &g2,
            params: ApplyParams {
                strength: 1.0,
                mask: Some(&half),
            },
        }];
        let got: Vec<u8> = chain(k, &only_half, &guide, (&px, w, h, 3));
        // Rows whose mask rows are both 0 (the top half of the mask, less the blend row).
        let top = (h * 15 / 30).saturating_sub(h / 30 + 2);
        assert_eq!(
            got[..top * w * 3],
            px[..top * w * 3],
            "{k:?}: top rows untouched"
        );
        assert_ne!(
            got[(h - 1) * w * 3..],
            px[(h - 1) * w * 3..],
            "{k:?}: bottom edited"
        );
    }
}

#[test]
fn a_chain_with_invalid_stages_is_an_error() {
    let (px, w, h) = photo_rgb8("coffee.png");
    let mut out = vec![0u8; px.len()];
    let mut bad = BilateralGrid::identity(4, 4, 4).unwrap();
    bad.data_mut()[5] = f32::NAN;
    let good = BilateralGrid::identity(4, 4, 4).unwrap();
    let guide = GuideMap::luma();
    let stages = [
        Stage {
            grid: &good,
            params: ApplyParams::default(),
        },
        Stage {
            grid: &bad,
            params: ApplyParams::default(),
        },
    ];
    let e = slice_apply_chain_with(
        Kernel::best(),
        &stages,
        &guide,
        ImageRef::new(&px, w, h, 3).unwrap(),
        ImageMut::new(&mut out, w, h, 3).unwrap(),
    );
    assert!(e.is_err(), "a non-finite grid in any stage must be refused");
    let inf = [Stage {
        grid: &good,
        params: ApplyParams {
            strength: f32::INFINITY,
            mask: None,
        },
    }];
    let mut small = vec![0u8; 12];
    assert!(slice_apply_chain_with(
        Kernel::best(),
        &inf,
        &guide,
        ImageRef::new(&px, w, h, 3).unwrap(),
        ImageMut::new(&mut out, w, h, 3).unwrap(),
    )
    .is_err());
    assert!(slice_apply_chain_with(
        Kernel::best(),
        &[],
        &guide,
        ImageRef::new(&px, w, h, 3).unwrap(),
        ImageMut::new(&mut small, 2, 2, 3).unwrap(),
    )
    .is_err());
}
