//! Training machinery on the fixture photos: a resumed run equals an uninterrupted one; the
//! differentiable CIELAB statistics agree with the attribute bank's; the alignment loss prefers
//! the asked direction and its gradient matches finite differences; losses behave.

use candle_core::{Device, Tensor, Var};
use retouch_finish::Image;
use retouch_instruct::attr::{stats, Attr, Dir, Look, Stat, Target};
use retouch_model::NetConfig;
use retouch_train::align::{alignment_loss, srgb_to_lab, StatContext};
use retouch_train::{loss, TrainConfig, Trainer};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn photo(name: &str, size: u32) -> (String, Image) {
    let img = image::open(root().join("assets/photos").join(name))
        .unwrap()
        .resize(size, size, image::imageops::FilterType::Triangle)
        .to_rgb8();
    (
        name.to_string(),
        Image::from_rgb8(img.width() as usize, img.height() as usize, img.as_raw()).unwrap(),
    )
}

fn tiny_config() -> TrainConfig {
    TrainConfig {
        net: NetConfig {
            low_res: 32,
            grid: [8, 8, 4],
            base_channels: 8,
            features: 16,
            heads: 2,
            text_dim: 384,
            attr_dim: 0,
        },
        text_encoder: root().join("models/text-encoder"),
        train_size: 64,
        batch: 2,
        steps: 10,
        warmup: 2,
        validation_samples: 4,
        ..TrainConfig::default()
    }
}

fn trainer(ckpt: Option<&std::path::Path>) -> Trainer {
    let train = vec![
        photo("astronaut.png", 64),
        photo("chelsea.png", 64),
        photo("rocket.jpg", 64),
    ];
    let val = vec![photo("coffee.png", 64)];
    Trainer::with_photos(tiny_config(), train, val, ckpt).unwrap()
}

#[test]
fn resumed_training_equals_uninterrupted_training_and_learns() {
    let mut a = trainer(None);
    let first = a.train_step().unwrap();
    a.train_step().unwrap();
    let dir = std::env::temp_dir().join(format!("retouch-train-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ckpt = dir.join("checkpoint.safetensors");
    a.save_checkpoint(&ckpt).unwrap();
    a.train_step().unwrap();
    let pa = a.parameters().unwrap();

    let mut b = trainer(Some(&ckpt));
    assert_eq!(b.step, 2);
    b.train_step().unwrap();
    let pb = b.parameters().unwrap();
    assert_eq!(pa.keys().collect::<Vec<_>>(), pb.keys().collect::<Vec<_>>());
    for (k, v) in &pa {
        assert_eq!(v, &pb[k], "{k} differs after resume");
    }
    // A fresh trainer (same seed) starts from the same weights.
    let c = trainer(None);
    let d = trainer(None);
    assert_eq!(c.parameters().unwrap(), d.parameters().unwrap());
    // Every term is finite and the update moved the grid head off zero.
    assert!(first.loss.is_finite() && first.terms.values().all(|v| v.is_finite()));
    assert!(pa["head.weight"].iter().any(|v| *v != 0.0));
    // Validation and export run on the EMA weights.
    let set = a.validation_set();
    let v = a.validate(&set).unwrap();
    assert_eq!(v.samples, 4);
    assert!(v.psnr.is_finite() && v.fidelity_ssim > 0.5);
    let m = a.export(Default::default()).unwrap();
    assert_eq!(m.config, tiny_config().net);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn differentiable_lab_matches_the_metrics_crate() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let (_, img) = photo("coffee.png", 48);
    let n = img.width * img.height;
    let t = Tensor::from_vec(img.data.clone(), (n, 3), &dev)?;
    let (l, a, b) = srgb_to_lab(&t)?;
    let (l, a, b) = (
        l.to_vec1::<f32>()?,
        a.to_vec1::<f32>()?,
        b.to_vec1::<f32>()?,
    );
    for i in (0..n).step_by(7) {
        let p = &img.data[i * 3..i * 3 + 3];
        let r = retouch_metrics::srgb_to_lab([p[0], p[1], p[2]]);
        assert!((l[i] - r.l).abs() < 0.05, "L {} vs {}", l[i], r.l);
        assert!((a[i] - r.a).abs() < 0.1, "a {} vs {}", a[i], r.a);
        assert!((b[i] - r.b).abs() < 0.1, "b {} vs {}", b[i], r.b);
    }
    Ok(())
}

#[test]
fn statistic_deltas_agree_with_the_attribute_bank() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let (_, img) = photo("chelsea.png", 48);
    let n = img.width * img.height;
    // A warmer, brighter, more saturated version.
    let mut p = retouch_finish::Params::identity();
    p.exposure = 0.4;
    p.temperature = 0.6;
    p.saturation = 0.3;
    let edited = retouch_finish::apply(&img, &p).unwrap();
    let before = stats(&img.data, None);
    let after = stats(&edited.data, None);
    let out = Tensor::from_vec(edited.data.clone(), (n, 3), &dev)?;
    let inp = Tensor::from_vec(img.data.clone(), (n, 3), &dev)?;
    let ctx = StatContext::new(&out, &inp, None, 1)?;
    for stat in [
        Stat::LMean,
        Stat::AMean,
        Stat::BMean,
        Stat::ChromaMean,
        Stat::LStd,
        Stat::SepiaDistance,
    ] {
        let d = ctx.delta(stat)?.unwrap().to_scalar::<f32>()?;
        let want = after.get(stat) - before.get(stat);
        assert!(
            (d - want).abs() < 0.05 * (1.0 + want.abs()),
            "{stat:?}: {d} vs {want}"
        );
    }
    // Percentile statistics use the input's pixel sets: same sign, similar size.
    for stat in [Stat::LShadowMean, Stat::LHighlightMean, Stat::ChromaLowMean] {
        let d = ctx.delta(stat)?.unwrap().to_scalar::<f32>()?;
        let want = after.get(stat) - before.get(stat);
        assert!(
            d * want > 0.0 && (d - want).abs() < 0.5 * want.abs() + 0.5,
            "{stat:?}: {d} vs {want}"
        );
    }
    // The 10th and 90th percentiles have no differentiable form here.
    assert!(ctx.delta(Stat::LP10)?.is_none());
    Ok(())
}

#[test]
fn alignment_prefers_the_asked_direction_and_its_gradient_is_right() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let (_, img) = photo("astronaut.png", 32);
    let n = img.width * img.height;
    let inp = Tensor::from_vec(img.data.clone(), (n, 3), &dev)?;
    let warmer = Target::new(Attr::Temperature, Dir::Up);
    let mut p = retouch_finish::Params::identity();
    p.temperature = 0.7;
    let warm = Tensor::from_vec(retouch_finish::apply(&img, &p).unwrap().data, (n, 3), &dev)?;
    p.temperature = -0.7;
    let cool = Tensor::from_vec(retouch_finish::apply(&img, &p).unwrap().data, (n, 3), &dev)?;
    let targets = vec![(warmer, 1.0f32)];
    let lw = alignment_loss(&warm, &inp, &targets, None)?
        .unwrap()
        .to_scalar::<f32>()?;
    let lc = alignment_loss(&cool, &inp, &targets, None)?
        .unwrap()
        .to_scalar::<f32>()?;
    let l0 = alignment_loss(&inp, &inp, &targets, None)?
        .unwrap()
        .to_scalar::<f32>()?;
    assert!(lw < l0 && l0 < lc, "warm {lw}, unchanged {l0}, cool {lc}");
    assert!(
        (l0 - std::f32::consts::LN_2).abs() < 1e-4,
        "no change scores log 2: {l0}"
    );
    // Region targets without a region are skipped.
    let mut sky = warmer;
    sky.region = Some(retouch_finish::Region::Sky);
    assert!(alignment_loss(&warm, &inp, &[(sky, 1.0)], None)?.is_none());

    // Gradient against central differences, for a few pixels and a 3-statistic style.
    let vintage = Target::new(Attr::Style(Look::Vintage), Dir::Up);
    let targets = vec![
        (vintage, 0.8f32),
        (Target::new(Attr::Contrast, Dir::Down), 1.0),
    ];
    let base: Vec<f32> = img.data.iter().map(|v| v * 0.9 + 0.05).collect();
    let var = Var::from_tensor(&Tensor::from_vec(base.clone(), (n, 3), &dev)?)?;
    let loss = alignment_loss(var.as_tensor(), &inp, &targets, None)?.unwrap();
    let g = loss
        .backward()?
        .get(var.as_tensor())
        .unwrap()
        .flatten_all()?
        .to_vec1::<f32>()?;
    let f = |v: &[f32]| -> candle_core::Result<f64> {
        let t = Tensor::from_vec(v.to_vec(), (n, 3), &dev)?;
        Ok(alignment_loss(&t, &inp, &targets, None)?
            .unwrap()
            .to_scalar::<f32>()? as f64)
    };
    let mut checked = 0;
    for k in (0..base.len()).step_by(97) {
        let eps = 2e-3f32;
        let mut v = base.clone();
        v[k] += eps;
        let lp = f(&v)?;
        v[k] -= 2.0 * eps;
        let lm = f(&v)?;
        let fd = (lp - lm) / (2.0 * eps as f64);
        let scale = g.iter().map(|x| x.abs()).fold(0f32, f32::max) as f64;
        assert!(
            (fd - g[k] as f64).abs() < 0.05 * scale + 1e-6,
            "pixel value {k}: fd {fd} vs {}",
            g[k]
        );
        checked += 1;
    }
    assert!(checked >= 10);
    Ok(())
}

/// SSIM by its definition, in f64 loops: Gaussian window (sigma 1.5, radius 5) at every
/// position where it fits, means, variances and covariance weighted by it, averaged.
fn ssim_by_definition(a: &[f64], b: &[f64], h: usize, w: usize) -> f64 {
    let r = 5usize;
    let g: Vec<f64> = (0..=2 * r)
        .map(|i| (-((i as f64 - r as f64).powi(2)) / (2.0 * 1.5 * 1.5)).exp())
        .collect();
    let norm: f64 = g.iter().sum::<f64>().powi(2);
    let (c1, c2) = (0.01f64.powi(2), 0.03f64.powi(2));
    let mut total = 0.0;
    let mut n = 0usize;
    for y in r..h - r {
        for x in r..w - r {
            let (mut ma, mut mb, mut aa, mut bb, mut ab) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for dy in 0..=2 * r {
                for dx in 0..=2 * r {
                    let wt = g[dy] * g[dx] / norm;
                    let i = (y + dy - r) * w + (x + dx - r);
                    let (p, q) = (a[i], b[i]);
                    ma += wt * p;
                    mb += wt * q;
                    aa += wt * p * p;
                    bb += wt * q * q;
                    ab += wt * p * q;
                }
            }
            let (va, vb, cov) = (aa - ma * ma, bb - mb * mb, ab - ma * mb);
            total += ((2.0 * ma * mb + c1) * (2.0 * cov + c2))
                / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            n += 1;
        }
    }
    total / n as f64
}

/// The structural term by its definition, in f64: per image, `1 - SSIM` of luma (2x2-averaged
/// when both sides are >= 32, odd last row/column dropped), plus half the mean absolute
/// horizontal and vertical differences of `out - target`; images `[B, H, W, 3]` interleaved.
fn structural_by_definition(out: &[f64], target: &[f64], b: usize, h: usize, w: usize) -> f64 {
    let halve = h >= 32 && w >= 32;
    let (hh, hw) = if halve { (h / 2, w / 2) } else { (h, w) };
    let luma = |x: &[f64], y: usize, xx: usize| {
        let j = (y * w + xx) * 3;
        0.2125 * x[j] + 0.7154 * x[j + 1] + 0.0721 * x[j + 2]
    };
    let small = |x: &[f64]| -> Vec<f64> {
        (0..hh * hw)
            .map(|q| {
                let (y, xx) = (q / hw, q % hw);
                if halve {
                    (luma(x, 2 * y, 2 * xx)
                        + luma(x, 2 * y, 2 * xx + 1)
                        + luma(x, 2 * y + 1, 2 * xx)
                        + luma(x, 2 * y + 1, 2 * xx + 1))
                        / 4.0
                } else {
                    luma(x, y, xx)
                }
            })
            .collect()
    };
    let n = h * w * 3;
    let (mut ssim, mut gx, mut gy) = (0.0, 0.0, 0.0);
    for i in 0..b {
        let (o, t) = (&out[i * n..(i + 1) * n], &target[i * n..(i + 1) * n]);
        ssim += ssim_by_definition(&small(o), &small(t), hh, hw) / b as f64;
        let d = |j: usize| o[j] - t[j];
        for j in 0..n {
            if (j / 3) % w + 1 < w {
                gx += (d(j + 3) - d(j)).abs();
            }
            if j / 3 / w + 1 < h {
                gy += (d(j + 3 * w) - d(j)).abs();
            }
        }
    }
    let (nx, ny) = ((b * h * (w - 1) * 3) as f64, (b * (h - 1) * w * 3) as f64);
    1.0 - ssim + 0.5 * (gx / nx + gy / ny)
}

/// A deterministic pseudo-random number in [0, 1) for index `i` and stream `s`.
fn pseudo(i: usize, s: usize) -> f64 {
    let v = ((i as f64) * 12.9898 + (s as f64) * 78.233).sin() * 43758.5453;
    v - v.floor()
}

#[test]
fn ssim_loss_equals_its_definition() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let (_, img) = photo("rocket.jpg", 40);
    let (h, w) = (img.height, img.width);
    let a = loss::luma(&Tensor::from_vec(img.data.clone(), (1, h, w, 3), &dev)?)?;
    let b = ((&a * 0.7)? + Tensor::rand(0f32, 0.2, a.shape(), &dev)?)?;
    let av = a
        .flatten_all()?
        .to_dtype(candle_core::DType::F64)?
        .to_vec1::<f64>()?;
    let bv = b
        .flatten_all()?
        .to_dtype(candle_core::DType::F64)?
        .to_vec1::<f64>()?;
    let ours = loss::ssim(&a, &b)?.to_scalar::<f32>()? as f64;
    let reference = ssim_by_definition(&av, &bv, h, w);
    assert!(reference < 0.95, "the pair should differ: {reference}");
    assert!(
        (ours - reference).abs() < 1e-4,
        "ssim {ours} vs definition {reference}"
    );
    // A batch of two gives the mean of the two.
    let ba = Tensor::cat(&[&a, &a], 0)?;
    let bb = Tensor::cat(&[&b, &a], 0)?;
    let both = loss::ssim(&ba, &bb)?.to_scalar::<f32>()? as f64;
    assert!((both - (reference + 1.0) / 2.0).abs() < 1e-4, "{both}");
    // Too small for the window: an error, not a panic or NaN.
    let tiny = Tensor::zeros((1, 1, 8, 30), candle_core::DType::F32, &dev)?;
    assert!(loss::ssim(&tiny, &tiny).is_err());
    Ok(())
}

#[test]
fn fused_structural_term_equals_the_composite_reference_and_finite_differences(
) -> candle_core::Result<()> {
    let dev = Device::Cpu;
    // Halved (even and odd sizes, batch of two) and not halved (a side below 32).
    for (b, h, w) in [(2, 48, 64), (1, 37, 45), (1, 24, 40)] {
        let (_, img) = photo("chelsea.png", w.max(h) as u32);
        let base: Vec<f32> = (0..b)
            .flat_map(|_| {
                (0..h).flat_map({
                    let img = &img;
                    move |y| {
                        (0..w).flat_map(move |x| {
                            let (yy, xx) = (y.min(img.height - 1), x.min(img.width - 1));
                            let j = (yy * img.width + xx) * 3;
                            [img.data[j], img.data[j + 1], img.data[j + 2]]
                        })
                    }
                })
            })
            .collect();
        let target = Tensor::from_vec(base, (b, h, w, 3), &dev)?;
        // out = target + a ramp + small noise: every finite difference of out - target is
        // 0.01 (x) or 0.02 (y) give or take 0.006, so no |.| kink of the gradient term lies
        // within the finite-difference step below.
        let ramp: Vec<f32> = (0..b * h * w * 3)
            .map(|i| {
                let p = i / 3 % (h * w);
                0.01 * (p % w) as f32 + 0.02 * (p / w) as f32
            })
            .collect();
        let noise: Vec<f32> = (0..b * h * w * 3)
            .map(|i| 0.006 * pseudo(i, 1) as f32 - 0.003)
            .collect();
        let out = Var::from_tensor(
            &((&target + Tensor::from_vec(ramp, target.shape(), &dev)?)?
                + Tensor::from_vec(noise, target.shape(), &dev)?)?,
        )?;
        let fused = loss::structural(out.as_tensor(), &target)?;
        let reference = loss::structural_reference(out.as_tensor(), &target)?;
        let (f, r) = (fused.to_scalar::<f32>()?, reference.to_scalar::<f32>()?);
        let f64s = |t: &Tensor| -> candle_core::Result<Vec<f64>> {
            t.flatten_all()?
                .to_dtype(candle_core::DType::F64)?
                .to_vec1::<f64>()
        };
        let (ov, tv) = (f64s(out.as_tensor())?, f64s(&target)?);
        let def = structural_by_definition(&ov, &tv, b, h, w);
        assert!(def > 0.01, "the pair should differ: {def}");
        assert!(
            (f as f64 - def).abs() < 1e-5,
            "{b}x{h}x{w}: fused {f}, definition {def}"
        );
        assert!(
            (r as f64 - def).abs() < 1e-5,
            "{b}x{h}x{w}: reference {r}, definition {def}"
        );
        let gf = (fused * 3.0)?.backward()?;
        let gr = (reference * 3.0)?.backward()?;
        let gf = gf
            .get(out.as_tensor())
            .unwrap()
            .flatten_all()?
            .to_vec1::<f32>()?;
        let gr = gr
            .get(out.as_tensor())
            .unwrap()
            .flatten_all()?
            .to_vec1::<f32>()?;
        let scale = gr.iter().fold(0f32, |m, v| m.max(v.abs()));
        let err = gf
            .iter()
            .zip(&gr)
            .fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        // candle's `avg_pool2d` backward upsamples by nearest neighbour to the input size,
        // which for an odd side does not send each gradient back to its own 2x2 block: the
        // reference's gradient is only right for even sides (the fused op's is checked against
        // finite differences below, odd sides included).
        if h % 2 == 0 && w % 2 == 0 {
            assert!(
                err < 1e-4 * scale,
                "{b}x{h}x{w}: gradient differs by {err} (max {scale})"
            );
        }
        // Central finite differences of the f64 definition along pseudo-random directions.
        for k in 0..3 {
            let dir: Vec<f64> = (0..ov.len())
                .map(|i| 2.0 * pseudo(i, 10 + k) - 1.0)
                .collect();
            let eps = 1e-4;
            let p: Vec<f64> = ov.iter().zip(&dir).map(|(x, d)| x + eps * d).collect();
            let m: Vec<f64> = ov.iter().zip(&dir).map(|(x, d)| x - eps * d).collect();
            let fd = 3.0
                * (structural_by_definition(&p, &tv, b, h, w)
                    - structural_by_definition(&m, &tv, b, h, w))
                / (2.0 * eps);
            let an: f64 = gf.iter().zip(&dir).map(|(g, d)| *g as f64 * d).sum();
            assert!(
                (fd - an).abs() < 1e-3 * an.abs().max(1e-3),
                "{b}x{h}x{w}: finite difference {fd}, analytic {an}"
            );
        }
    }
    // Bad shapes are errors, not panics.
    let a = Tensor::zeros((1, 10, 30, 3), candle_core::DType::F32, &dev)?;
    assert!(loss::structural(&a, &a).is_err()); // too small for the window
    let b = Tensor::zeros((1, 40, 40, 3), candle_core::DType::F32, &dev)?;
    let c = Tensor::zeros((1, 40, 41, 3), candle_core::DType::F32, &dev)?;
    assert!(loss::structural(&b, &c).is_err());
    Ok(())
}

#[test]
fn losses_are_zero_for_identical_images_and_positive_otherwise() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let (_, img) = photo("rocket.jpg", 64);
    let t = Tensor::from_vec(img.data.clone(), (1, img.height, img.width, 3), &dev)?;
    let shifted = (&t * 0.8)?;
    assert_eq!(loss::l1(&t, &t)?.to_scalar::<f32>()?, 0.0);
    assert!(loss::l1(&t, &shifted)?.to_scalar::<f32>()? > 0.0);
    let s_same = loss::ssim(&loss::luma(&t)?, &loss::luma(&t)?)?.to_scalar::<f32>()?;
    assert!((s_same - 1.0).abs() < 1e-4, "{s_same}");
    assert!(loss::structural(&t, &t)?.to_scalar::<f32>()?.abs() < 1e-4);
    let noisy = (&t + Tensor::rand(-0.2f32, 0.2, t.shape(), &dev)?)?;
    assert!(loss::structural(&noisy, &t)?.to_scalar::<f32>()? > 0.05);
    assert_eq!(loss::out_of_gamut(&t)?.to_scalar::<f32>()?, 0.0);
    let over = (&t + 0.5)?;
    assert!(loss::out_of_gamut(&over)?.to_scalar::<f32>()? > 0.0);
    let flat = Tensor::ones((1, 4, 4, 3, 12), candle_core::DType::F32, &dev)?;
    assert_eq!(loss::grid_smoothness(&flat)?.to_scalar::<f32>()?, 0.0);
    let rough = Tensor::rand(0f32, 1.0, (1, 4, 4, 3, 12), &dev)?;
    assert!(loss::grid_smoothness(&rough)?.to_scalar::<f32>()? > 0.01);
    Ok(())
}

#[test]
fn attribute_conditioned_model_trains_and_predicts() {
    let mut cfg = tiny_config();
    cfg.net.attr_dim = retouch_instruct::matcher::ATTRIBUTE_VECTOR_LEN;
    let train = vec![photo("astronaut.png", 64), photo("chelsea.png", 64)];
    let val = vec![photo("coffee.png", 64)];
    let mut t = Trainer::with_photos(cfg.clone(), train, val, None).unwrap();
    let r = t.train_step().unwrap();
    assert!(r.loss.is_finite());
    let p = t.parameters().unwrap();
    assert_eq!(p["film.weight"].len(), 2 * 16 * (384 + cfg.net.attr_dim));
    // A wrong attribute length is a config error, not a panic.
    let mut bad = tiny_config();
    bad.net.attr_dim = 5;
    let mut t = Trainer::with_photos(
        bad,
        vec![photo("rocket.jpg", 64)],
        vec![photo("coffee.png", 64)],
        None,
    )
    .unwrap();
    assert!(t.train_step().is_err());
}

#[test]
fn region_edits_are_trained_inside_their_mask_only() {
    let mut cfg = tiny_config();
    cfg.net.attr_dim = retouch_instruct::matcher::ATTRIBUTE_VECTOR_LEN;
    cfg.lr = 0.01;
    let train = vec![photo("rocket.jpg", 64), photo("chelsea.png", 64)];
    let val = vec![photo("coffee.png", 64)];
    let mut t = Trainer::with_photos(cfg, train, val, None).unwrap();
    for _ in 0..3 {
        t.train_step().unwrap();
    }
    // Local triplets whose instruction names a region with a mask prior, and one other.
    let all: Vec<_> = (0..40).flat_map(|s| t.batch_at(s)).collect();
    let local: Vec<_> = all
        .iter()
        .filter(|x| {
            let m = retouch_instruct::match_instruction(&x.meta.instruction);
            matches!(
                retouch_model::regions::passes(&m).as_slice(),
                [p] if p.region.is_some()
            )
        })
        .take(3)
        .cloned()
        .collect();
    assert!(!local.is_empty(), "no local triplet in 80 samples");
    let whole = all.iter().find(|x| x.meta.mask.is_none()).cloned().unwrap();
    let outs = t.outputs(&local).unwrap();
    let (mut kept, mut edited) = (0, 0);
    for (x, out) in local.iter().zip(&outs) {
        let m = retouch_instruct::match_instruction(&x.meta.instruction);
        let region = retouch_model::regions::passes(&m)[0].region.unwrap();
        let (w, h) = (x.input.width, x.input.height);
        let (_, mask) = retouch_model::regions::render(region, &x.input.data, w, h, 3)
            .unwrap()
            .expect("a pass's region has a mask");
        assert_eq!((mask.width, mask.height), (w, h));
        for (i, k) in mask.data.iter().enumerate() {
            let (o, p) = (&out[3 * i..3 * i + 3], &x.input.data[3 * i..3 * i + 3]);
            if *k == 0.0 {
                assert_eq!(
                    o, p,
                    "{}: pixel {i} outside the region changed",
                    x.meta.instruction
                );
                kept += 1;
            } else if *k > 0.5 && o != p {
                edited += 1;
            }
        }
    }
    assert!(kept > 0 && edited > 0, "kept {kept}, edited {edited}");
    // A whole-photo edit changes pixels everywhere.
    let out = &t.outputs(std::slice::from_ref(&whole)).unwrap()[0];
    let changed = out
        .iter()
        .zip(&whole.input.data)
        .filter(|(a, b)| a != b)
        .count();
    assert!(changed > out.len() / 2, "{changed} of {}", out.len());
}
