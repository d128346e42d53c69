use retouch_engine::*;
use std::time::Instant;
fn main() {
    let (w, h) = (3840usize, 2160usize);
    let src: Vec<u8> = (0..w * h * 3).map(|i| ((i * 7919) % 251) as u8).collect();
    let mut dst = vec![0u8; src.len()];
    let mut grid = BilateralGrid::identity(16, 16, 8).unwrap();
    for (i, v) in grid.data_mut().iter_mut().enumerate() {
        *v += ((i % 13) as f32 - 6.0) * 0.01;
    }
    let guide = GuideMap::luma();
    for k in Kernel::available() {
        if k == Kernel::Reference || (std::env::var("ONLY").is_ok() && k != Kernel::Avx2) {
            continue;
        }
        let mut ts = vec![];
        for _ in 0..7 {
            let t = Instant::now();
            slice_apply_with(
                k,
                &grid,
                &guide,
                ImageRef::new(&src, w, h, 3).unwrap(),
                ImageMut::new(&mut dst, w, h, 3).unwrap(),
                &ApplyParams::default(),
            )
            .unwrap();
            ts.push(t.elapsed().as_secs_f64() * 1e3);
        }
        ts.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!("{:?}: median {:.2} ms", k, ts[3]);
    }
    let mut ts = vec![];
    for _ in 0..7 {
        let t = Instant::now();
        dst.copy_from_slice(&src);
        ts.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ts.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("memcpy {:.2} ms", ts[3]);
}
