//! `cargo bench -p retouch-engine --bench slice`: slice-and-apply (u8 RGB, 16x16x8 grid) at
//! 720p..2160p for every kernel this CPU runs, next to a memcpy of the same image.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use retouch_engine::benchdata::{test_grid, test_image, SIZES};
use retouch_engine::{slice_apply_with, ApplyParams, GuideMap, ImageMut, ImageRef, Kernel};
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

criterion_group!(benches, bench);
criterion_main!(benches);
