//! Separable box blur (three passes approximate a Gaussian), edges clamped.

fn box_1d(
    src: &[f32],
    dst: &mut [f32],
    n: usize,
    stride: usize,
    count: usize,
    step: usize,
    r: usize,
) {
    // `count` lines of `n` samples; line k starts at k * step, samples `stride` apart.
    let norm = 1.0 / (2 * r + 1) as f32;
    for k in 0..count {
        let base = k * step;
        let at = |i: isize| src[base + (i.clamp(0, n as isize - 1) as usize) * stride];
        let mut acc: f32 = (-(r as isize)..=r as isize).map(at).sum();
        for i in 0..n {
            dst[base + i * stride] = acc * norm;
            acc += at(i as isize + r as isize + 1) - at(i as isize - r as isize);
        }
    }
}

/// Blur a single-channel `w x h` image with three box passes of radius `r` in x and y.
pub fn box3(src: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    let mut a = src.to_vec();
    let mut b = vec![0.0; src.len()];
    for _ in 0..3 {
        box_1d(&a, &mut b, w, 1, h, w, r);
        box_1d(&b, &mut a, h, w, w, 1, r);
    }
    a
}
