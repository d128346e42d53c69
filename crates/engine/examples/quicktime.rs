//! Times one kernel on a synthetic image: `W=3840 H=2160 RUNS=7 KERNEL=avx2 cargo run --release --example quicktime`.
use retouch_engine::*;
use std::time::Instant;
fn main() {
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (w, h, runs) = (env("W", 3840), env("H", 2160), env("RUNS", 7));
    let src: Vec<u8> = (0..w * h * 3).map(|i| ((i * 7919) % 251) as u8).collect();
    let mut dst = vec![0u8; src.len()];
    let mut grid = BilateralGrid::identity(16, 16, 8).unwrap();
    for (i, v) in grid.data_mut().iter_mut().enumerate() {
        *v += ((i % 13) as f32 - 6.0) * 0.01;
    }
    let guide = GuideMap::luma();
    let kernel = match std::env::var("KERNEL").as_deref() {
        Ok("portable") => Kernel::Portable,
        Ok("reference") => Kernel::Reference,
        _ => Kernel::best(),
    };
    let mut ts = vec![];
    for _ in 0..runs {
        let t = Instant::now();
        let (i, o) = (
            ImageRef::new(&src, w, h, 3).unwrap(),
            ImageMut::new(&mut dst, w, h, 3).unwrap(),
        );
        slice_apply_with(kernel, &grid, &guide, i, o, &ApplyParams::default()).unwrap();
        ts.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ts.sort_by(f64::total_cmp);
    println!("{kernel:?} {w}x{h}: median {:.2} ms", ts[ts.len() / 2]);
}
