//! `cargo bench -p retouch-engine --bench slice`: slice-and-apply (u8 RGB, 16x16x8 grid) at
//! 720p..2160p for every kernel this CPU runs, next to a memcpy of the same image; and chains
//! of grids at 2160p (a whole-photo edit followed by a masked region edit, as `retouch edit`
//! runs "warmer and darken the sky").

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use retouch_engine::benchdata::{test_grid, test_image, SIZES};
use retouch_engine::{
    slice_apply_chain_with, slice_apply_with, ApplyParams, GuideMap, ImageMut, ImageRef, Kernel,
    Mask, Stage,
};
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let grid = test_grid();
    let guide = GuideMap::luma();
    let mut g = c.benchmark_group("slice_apply_u8");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for (name, w, h) in SIZES {
        let src = test_image(w, h);
        let mut dst = vec![0u8; src.len()];
        g.throughput(Throughput::Elements((w * h) as u64));
        for k in Kernel::available() {
            if k == Kernel::Reference {
                continue;
            }
            g.bench_with_input(BenchmarkId::new(k.name(), name), &src, |b, src| {
                b.iter(|| {
                    slice_apply_with(
                        k,
                        &grid,
                        &guide,
                        ImageRef::new(src, w, h, 3).unwrap(),
                        ImageMut::new(&mut dst, w, h, 3).unwrap(),
                        &ApplyParams::default(),
                    )
                    .unwrap()
                })
            });
        }
        g.bench_with_input(BenchmarkId::new("memcpy", name), &src, |b, src| {
            b.iter(|| dst.copy_from_slice(std::hint::black_box(src)))
        });
    }
    g.finish();
}

fn bench_chain(c: &mut Criterion) {
    let grid = test_grid();
    let guide = GuideMap::luma();
    let (w, h) = (3840, 2160);
    let src = test_image(w, h);
    let mut dst = vec![0u8; src.len()];
    // A region mask at the size `retouch edit` renders them (256 px long side): 0 on the
    // bottom half, a ramp above.
    let (mw, mh) = (256, 144);
    let m: Vec<f32> = (0..mw * mh)
        .map(|i| (1.0 - 2.0 * (i / mw) as f32 / mh as f32).max(0.0))
        .collect();
    let mask = Mask::new(mw, mh, m).expect("a valid mask");
    let whole = ApplyParams::default();
    let region = ApplyParams {
        strength: 1.0,
        mask: Some(&mask),
    };
    let cases: [(&str, Vec<Stage>); 3] = [
        (
            "one grid",
            vec![Stage {
                grid: &grid,
                params: whole,
            }],
        ),
        (
            "two grids",
            vec![
                Stage {
                    grid: &grid,
                    params: whole
                };
                2
            ],
        ),
        (
            "whole + masked region",
            vec![
                Stage {
                    grid: &grid,
                    params: whole,
                },
                Stage {
                    grid: &grid,
                    params: region,
                },
            ],
        ),
    ];
    let mut g = c.benchmark_group("slice_chain_u8_2160p");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500))
        .throughput(Throughput::Elements((w * h) as u64));
    let k = Kernel::best();
    for (name, stages) in &cases {
        g.bench_with_input(BenchmarkId::new(k.name(), name), &src, |b, src| {
            b.iter(|| {
                slice_apply_chain_with(
                    k,
                    stages,
                    &guide,
                    ImageRef::new(src, w, h, 3).unwrap(),
                    ImageMut::new(&mut dst, w, h, 3).unwrap(),
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench, bench_chain);
criterion_main!(benches);
