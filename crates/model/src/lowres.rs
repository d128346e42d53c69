//! The network's view of a photo: an area-averaged `n x n` RGB thumbnail (aspect ratio not kept,
//! as in HDRNet: the grid covers the whole photo whatever its shape). Training and inference use
//! this same function, so the network sees the same statistics at 256 px and at 4K; its cost is
//! one read of the photo.

use rayon::prelude::*;
use retouch_engine::Sample;

/// For each output index, the source indices and weights of the box `[o*s, (o+1)*s)`, `s = n/to`.
fn box_weights(n: usize, to: usize) -> Vec<Vec<(usize, f32)>> {
    let s = n as f64 / to as f64;
    (0..to)
        .map(|o| {
            let (a, b) = (o as f64 * s, (o as f64 + 1.0) * s);
            let mut w = Vec::new();
            let mut i = a.floor() as usize;
            while (i as f64) < b && i < n {
                let lo = a.max(i as f64);
                let hi = b.min(i as f64 + 1.0);
                if hi > lo {
                    w.push((i, ((hi - lo) / s) as f32));
                }
                i += 1;
            }
            w
        })
        .collect()
}

/// Area-resize an interleaved image with `channels` (3 or 4; alpha ignored) to `to x to` RGB in
/// `[0, 1]`, interleaved.
pub fn thumbnail<T: Sample>(
    data: &[T],
    width: usize,
    height: usize,
    channels: usize,
    to: usize,
) -> Vec<f32> {
    resize_area(data, width, height, channels, to, to)
}

/// The size whose long side is `long` (or the image's own size if it is smaller), aspect kept.
pub fn fit_long_side(width: usize, height: usize, long: usize) -> (usize, usize) {
    let m = width.max(height);
    if m <= long {
        return (width.max(1), height.max(1));
    }
    let s = long as f64 / m as f64;
    (
        ((width as f64 * s).round() as usize).max(1),
        ((height as f64 * s).round() as usize).max(1),
    )
}

/// Area-resize an interleaved image with `channels` (3 or 4; alpha ignored) to `to_w x to_h`
/// RGB in `[0, 1]`, interleaved.
pub fn resize_area<T: Sample>(
    data: &[T],
    width: usize,
    height: usize,
    channels: usize,
    to_w: usize,
    to_h: usize,
) -> Vec<f32> {
    resize_area_many(data, width, height, channels, &[(to_w, to_h)])
        .pop()
        .expect("one target, one image")
}

/// [`resize_area`] to several sizes (the network's thumbnail and the region masks' view of a
/// photo). Vertical pass first: each output row is the weighted sum of the source rows in its
/// box, accumulated over whole rows (contiguous, vectorised, every channel); only those few
/// accumulated rows are then resampled horizontally. So the per-pixel work is one
/// multiply-add per sample per size, and the result is the box mean of the definition.
pub fn resize_area_many<T: Sample>(
    data: &[T],
    width: usize,
    height: usize,
    channels: usize,
    targets: &[(usize, usize)],
) -> Vec<Vec<f32>> {
    let row_len = width * channels;
    targets
        .iter()
        .map(|&(to_w, to_h)| {
            let wx = box_weights(width, to_w);
            let wy = box_weights(height, to_h);
            let mut out = vec![0f32; to_w * to_h * 3];
            out.par_chunks_mut(to_w * 3)
                .zip(wy.par_iter())
                .for_each_init(
                    || vec![0f32; row_len],
                    |acc, (dst, ws)| {
                        acc.fill(0.0);
                        for &(y, w) in ws {
                            let src = &data[y * row_len..(y + 1) * row_len];
                            for (a, v) in acc.iter_mut().zip(src) {
                                *a += w * v.to_unit();
                            }
                        }
                        for (o, xs) in dst.chunks_exact_mut(3).zip(&wx) {
                            let mut sum = [0f32; 3];
                            for &(x, w) in xs {
                                for c in 0..3 {
                                    sum[c] += w * acc[x * channels + c];
                                }
                            }
                            o.copy_from_slice(&sum);
                        }
                    },
                );
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_and_constant_images_stay_constant() {
        for (n, to) in [(1000, 128), (128, 128), (100, 128), (257, 16), (3, 7)] {
            for ws in box_weights(n, to) {
                let s: f32 = ws.iter().map(|w| w.1).sum();
                assert!((s - 1.0).abs() < 1e-5, "{n}->{to}: {s}");
            }
        }
        let img = vec![200u8; 37 * 23 * 4];
        let t = thumbnail(&img, 37, 23, 4, 16);
        assert!(t.iter().all(|v| (v - 200.0 / 255.0).abs() < 1e-5));
    }

    #[test]
    fn exact_integer_factor_is_a_block_mean() {
        // 4x4 -> 2x2: each output is the mean of a 2x2 block.
        let img: Vec<f32> = (0..16).flat_map(|i| [i as f32, 0.0, 1.0]).collect();
        let t = thumbnail(&img, 4, 4, 3, 2);
        assert!((t[0] - (0.0 + 1.0 + 4.0 + 5.0) / 4.0).abs() < 1e-5);
        assert!((t[3 * 3] - (10.0 + 11.0 + 14.0 + 15.0) / 4.0).abs() < 1e-5);
        assert!((t[2] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn resizing_keeps_the_aspect_when_asked() {
        assert_eq!(fit_long_side(4000, 3000, 256), (256, 192));
        assert_eq!(fit_long_side(300, 1200, 256), (64, 256));
        assert_eq!(fit_long_side(200, 100, 256), (200, 100));
        // 4x2 -> 2x1: each output is the mean of a 2x2 block.
        let img: Vec<f32> = (0..8).flat_map(|i| [i as f32, 0.0, 1.0]).collect();
        let t = resize_area(&img, 4, 2, 3, 2, 1);
        assert_eq!(t.len(), 6);
        assert!((t[0] - (0.0 + 1.0 + 4.0 + 5.0) / 4.0).abs() < 1e-5);
        assert!((t[3] - (2.0 + 3.0 + 6.0 + 7.0) / 4.0).abs() < 1e-5);
    }

    #[test]
    fn many_sizes_in_one_pass_are_the_box_means_and_equal_one_size_at_a_time() {
        let (w, h) = (37, 23);
        let img: Vec<u8> = (0..w * h * 4).map(|i| (i * 7919 % 256) as u8).collect();
        let targets = [(16, 16), (9, 5), (37, 23), (50, 30), (1, 1)];
        let many = resize_area_many(&img, w, h, 4, &targets);
        for (&(tw, th), got) in targets.iter().zip(&many) {
            assert_eq!(got, &resize_area(&img, w, h, 4, tw, th), "{tw}x{th}");
            // The definition: the mean over each output cell's box, partial pixels weighted.
            let (sx, sy) = (w as f64 / tw as f64, h as f64 / th as f64);
            let cover = |i: usize, o: usize, s: f64| {
                let (a, b) = (o as f64 * s, (o + 1) as f64 * s);
                ((i + 1) as f64).min(b) - (i as f64).max(a)
            };
            for oy in 0..th {
                for ox in 0..tw {
                    for c in 0..3 {
                        let mut acc = 0.0;
                        for y in 0..h {
                            for x in 0..w {
                                let k = cover(x, ox, sx).max(0.0) * cover(y, oy, sy).max(0.0);
                                acc += k * img[(y * w + x) * 4 + c] as f64 / 255.0;
                            }
                        }
                        let want = acc / (sx * sy);
                        let v = got[(oy * tw + ox) * 3 + c] as f64;
                        assert!(
                            (v - want).abs() < 1e-5,
                            "{tw}x{th} ({ox},{oy},{c}): {v} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
