//! The slice op against the engine and finite differences; the matmul convolutions against
//! candle's; the untrained model is the identity; model files round-trip and bad ones are refused.

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{VarBuilder, VarMap};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use retouch_engine::{grad, BilateralGrid, GuideMap};
use retouch_model::im2col::im2col3x3;
use retouch_model::net::{conv1x1, conv3x3, conv3x3_reference};
use retouch_model::{slice_op, Generator, ModelFile, NetConfig, TextBatch};
use std::collections::{BTreeMap, HashMap};

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

fn rand_vec(r: &mut ChaCha8Rng, n: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..n).map(|_| r.gen_range(lo..hi)).collect()
}

/// A variable of the given shape, uniform in [-1, 1).
fn random_var(
    r: &mut ChaCha8Rng,
    shape: impl Into<candle_core::Shape>,
    dev: &Device,
) -> candle_core::Result<Var> {
    let shape = shape.into();
    Var::from_tensor(&Tensor::from_vec(
        rand_vec(r, shape.elem_count(), -1.0, 1.0),
        shape,
        dev,
    )?)
}

/// A random but plausible grid: identity plus noise.
fn random_grid(r: &mut ChaCha8Rng, gh: usize, gw: usize, gd: usize) -> Vec<f32> {
    let id = [1f32, 0., 0., 0., 0., 1., 0., 0., 0., 0., 1., 0.];
    (0..gh * gw * gd)
        .flat_map(|_| id.map(|v| v + r.gen_range(-0.3..0.3)))
        .collect()
}

fn random_guide(r: &mut ChaCha8Rng) -> GuideMap {
    let mut g = GuideMap::luma();
    for row in g.ccm.iter_mut() {
        for v in row.iter_mut() {
            *v += r.gen_range(-0.1..0.1);
        }
    }
    for c in g.curves.iter_mut() {
        for v in c.iter_mut() {
            *v = (*v + r.gen_range(-0.05..0.05)).clamp(0.0, 1.0);
        }
    }
    g
}

#[test]
fn slice_op_forward_and_backward_match_the_engine() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let mut r = rng(1);
    let (b, gh, gw, gd, h, w) = (2, 3, 4, 5, 11, 13);
    let grid_v: Vec<f32> = (0..b)
        .flat_map(|_| random_grid(&mut r, gh, gw, gd))
        .collect();
    let img_v = rand_vec(&mut r, b * h * w * 3, 0.02, 0.98);
    let guide = random_guide(&mut r);
    let gout = rand_vec(&mut r, b * h * w * 3, -1.0, 1.0);

    let grid = Var::from_tensor(&Tensor::from_vec(
        grid_v.clone(),
        (b, gh, gw, gd, 12),
        &dev,
    )?)?;
    let img = Var::from_tensor(&Tensor::from_vec(img_v.clone(), (b, h, w, 3), &dev)?)?;
    let gd_t = Var::from_tensor(&Tensor::new(guide.flatten(), &dev)?)?;
    let out = slice_op::slice_apply(grid.as_tensor(), img.as_tensor(), gd_t.as_tensor(), 0.8)?;
    let g = Tensor::from_vec(gout.clone(), (b, h, w, 3), &dev)?;
    let grads = (&out * &g)?.sum_all()?.backward()?;
    let out_v = out.flatten_all()?.to_vec1::<f32>()?;
    let d_grid = grads
        .get(grid.as_tensor())
        .unwrap()
        .flatten_all()?
        .to_vec1::<f32>()?;
    let d_img = grads
        .get(img.as_tensor())
        .unwrap()
        .flatten_all()?
        .to_vec1::<f32>()?;
    let d_guide = grads.get(gd_t.as_tensor()).unwrap().to_vec1::<f32>()?;

    let gn = gh * gw * gd * 12;
    let n = h * w * 3;
    let mut guide_sum = vec![0f32; GuideMap::NUM_PARAMS];
    for i in 0..b {
        let eg =
            BilateralGrid::from_data(gh, gw, gd, grid_v[i * gn..(i + 1) * gn].to_vec()).unwrap();
        let f = grad::forward(&eg, &guide, &img_v[i * n..(i + 1) * n], w, h, 0.8f32).unwrap();
        assert_eq!(
            &out_v[i * n..(i + 1) * n],
            f.as_slice(),
            "forward, sample {i}"
        );
        // The op calls the fused backward (compared with the generic one in the engine's tests).
        let bw = grad::backward_fused(
            &eg,
            &guide,
            &img_v[i * n..(i + 1) * n],
            w,
            h,
            0.8f32,
            &gout[i * n..(i + 1) * n],
        )
        .unwrap();
        assert_eq!(
            &d_grid[i * gn..(i + 1) * gn],
            bw.grid.as_slice(),
            "grid grad, sample {i}"
        );
        assert_eq!(
            &d_img[i * n..(i + 1) * n],
            bw.image.as_slice(),
            "image grad, sample {i}"
        );
        for (a, v) in guide_sum.iter_mut().zip(bw.guide.flatten()) {
            *a += v;
        }
    }
    for (a, b) in d_guide.iter().zip(&guide_sum) {
        assert!(
            (a - b).abs() <= 1e-4 * (1.0 + b.abs()),
            "guide grad {a} vs {b}"
        );
    }

    // Finite differences through the op itself (the output is linear in the grid, so f32 central
    // differences are accurate), on coefficients of both samples.
    let loss = |gv: &[f32]| -> candle_core::Result<f64> {
        let t = Tensor::from_vec(gv.to_vec(), (b, gh, gw, gd, 12), &dev)?;
        let o = slice_op::slice_apply(&t, img.as_tensor(), gd_t.as_tensor(), 0.8)?;
        Ok((o * &g)?.sum_all()?.to_scalar::<f32>()? as f64)
    };
    let mut checked = 0;
    for k in (0..grid_v.len()).step_by(37) {
        let eps = 1e-2f32;
        let mut p = grid_v.clone();
        p[k] += eps;
        let lp = loss(&p)?;
        p[k] -= 2.0 * eps;
        let lm = loss(&p)?;
        let fd = (lp - lm) / (2.0 * eps as f64);
        assert!(
            (fd - d_grid[k] as f64).abs() <= 2e-3 * (1.0 + fd.abs()),
            "grid[{k}]: fd {fd} vs {}",
            d_grid[k]
        );
        checked += 1;
    }
    assert!(checked > 20);
    Ok(())
}

#[test]
fn slice_op_rejects_bad_shapes() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let grid = Tensor::zeros((1, 2, 2, 2, 11), DType::F32, &dev)?;
    let img = Tensor::zeros((1, 4, 4, 3), DType::F32, &dev)?;
    let guide = Tensor::new(GuideMap::luma().flatten(), &dev)?;
    assert!(slice_op::slice_apply(&grid, &img, &guide, 1.0).is_err());
    let grid = Tensor::zeros((2, 2, 2, 2, 12), DType::F32, &dev)?;
    assert!(slice_op::slice_apply(&grid, &img, &guide, 1.0).is_err());
    Ok(())
}

#[test]
fn matmul_convolutions_equal_candle_conv2d_with_gradients() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let mut r = rng(2);
    for (cin, cout, h, w, stride) in [
        (3, 5, 8, 6, 2),
        (4, 3, 7, 5, 1),
        (2, 2, 16, 16, 2),
        (3, 4, 6, 6, 1),
    ] {
        let wt = random_var(&mut r, (cout, cin, 3, 3), &dev)?;
        let bias = random_var(&mut r, cout, &dev)?;
        let x = random_var(&mut r, (2, cin, h, w), &dev)?;
        let conv = candle_nn::Conv2d::new(
            wt.as_tensor().clone(),
            Some(bias.as_tensor().clone()),
            candle_nn::Conv2dConfig {
                padding: 1,
                stride,
                ..Default::default()
            },
        );
        let ours = conv3x3(&conv, x.as_tensor(), stride)?;
        let theirs = candle_core::Module::forward(&conv, x.as_tensor())?;
        assert_eq!(ours.dims(), theirs.dims());
        let diff = (&ours - &theirs)?.abs()?.max_all()?.to_scalar::<f32>()?;
        assert!(
            diff < 1e-4,
            "forward {cin}->{cout} {h}x{w} s{stride}: {diff}"
        );
        let g = Tensor::from_vec(
            rand_vec(&mut r, ours.elem_count(), -1.0, 1.0),
            ours.shape(),
            &dev,
        )?;
        let ga = (&ours * &g)?.sum_all()?.backward()?;
        let gb = (&theirs * &g)?.sum_all()?.backward()?;
        for v in [&wt, &bias, &x] {
            let a = ga.get(v.as_tensor()).unwrap();
            let b = gb.get(v.as_tensor()).unwrap();
            let d = (a - b)?.abs()?.max_all()?.to_scalar::<f32>()?;
            assert!(d < 1e-3, "gradient {cin}->{cout} {h}x{w} s{stride}: {d}");
        }
    }
    // 1x1.
    let wt = Tensor::from_vec(rand_vec(&mut r, 12, -1.0, 1.0), (4, 3, 1, 1), &dev)?;
    let conv = candle_nn::Conv2d::new(wt, None, Default::default());
    let x = Tensor::from_vec(rand_vec(&mut r, 3 * 25, -1.0, 1.0), (1, 3, 5, 5), &dev)?;
    let d = (conv1x1(&conv, &x)? - candle_core::Module::forward(&conv, &x)?)?
        .abs()?
        .max_all()?
        .to_scalar::<f32>()?;
    assert!(d < 1e-5);
    Ok(())
}

#[test]
fn gather_op_equals_the_composite_reference_with_gradients() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let mut r = rng(5);
    // Even sizes for stride 2 (the composite's domain), odd ones for stride 1, batch > 1.
    for (cin, cout, h, w, stride) in [
        (3, 16, 32, 32, 2),
        (16, 8, 10, 14, 2),
        (5, 4, 9, 7, 1),
        (8, 8, 16, 16, 1),
    ] {
        let wt = random_var(&mut r, (cout, cin, 3, 3), &dev)?;
        let conv = candle_nn::Conv2d::new(wt.as_tensor().clone(), None, Default::default());
        let x = random_var(&mut r, (3, cin, h, w), &dev)?;
        let ours = conv3x3(&conv, x.as_tensor(), stride)?;
        let reference = conv3x3_reference(&conv, x.as_tensor(), stride)?;
        assert_eq!(ours.dims(), reference.dims());
        let d = (&ours - &reference)?.abs()?.max_all()?.to_scalar::<f32>()?;
        assert!(d < 1e-5, "forward {cin}x{h}x{w} s{stride}: {d}");
        let g = Tensor::from_vec(
            rand_vec(&mut r, ours.elem_count(), -1.0, 1.0),
            ours.shape(),
            &dev,
        )?;
        let ga = (&ours * &g)?.sum_all()?.backward()?;
        let gb = (&reference * &g)?.sum_all()?.backward()?;
        for v in [&wt, &x] {
            let a = ga.get(v.as_tensor()).expect("gradient");
            let b = gb.get(v.as_tensor()).expect("gradient");
            let d = (a - b)?.abs()?.max_all()?.to_scalar::<f32>()?;
            assert!(d < 1e-4, "gradient {cin}x{h}x{w} s{stride}: {d}");
        }
    }
    Ok(())
}

#[test]
fn gather_op_backward_matches_finite_differences() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let mut r = rng(6);
    // Odd sizes with stride 2 included: the op's own domain is wider than the composite's.
    for (c, h, w, stride) in [(2, 5, 7, 2), (3, 6, 4, 1), (1, 3, 3, 2)] {
        let xv = rand_vec(&mut r, 2 * c * h * w, -1.0, 1.0);
        let x = Var::from_tensor(&Tensor::from_vec(xv.clone(), (2, c, h, w), &dev)?)?;
        let cols = im2col3x3(x.as_tensor(), stride)?;
        let (ho, wo) = (h.div_ceil(stride), w.div_ceil(stride));
        assert_eq!(cols.dims(), &[2, c * 9, ho * wo]);
        let g = Tensor::from_vec(
            rand_vec(&mut r, cols.elem_count(), -1.0, 1.0),
            cols.shape(),
            &dev,
        )?;
        let loss = |v: &[f32]| -> candle_core::Result<f64> {
            let t = Tensor::from_vec(v.to_vec(), (2, c, h, w), &dev)?;
            im2col3x3(&t, stride)?
                .to_dtype(DType::F64)?
                .mul(&g.to_dtype(DType::F64)?)?
                .sum_all()?
                .to_scalar::<f64>()
        };
        let grads = (&cols * &g)?.sum_all()?.backward()?;
        let analytic = grads
            .get(x.as_tensor())
            .expect("gradient")
            .flatten_all()?
            .to_vec1::<f32>()?;
        let eps = 1e-2f32;
        for i in 0..xv.len() {
            let (mut up, mut down) = (xv.clone(), xv.clone());
            up[i] += eps;
            down[i] -= eps;
            let fd = (loss(&up)? - loss(&down)?) / (2.0 * eps as f64);
            assert!(
                (fd - analytic[i] as f64).abs() < 1e-3,
                "{c}x{h}x{w} s{stride} element {i}: finite difference {fd}, backward {}",
                analytic[i]
            );
        }
        // Every tap of the centre row reads its own pixel: row 4 of the patches is the input.
        if stride == 1 {
            let centre = cols.narrow(1, 4, 1)?.flatten_all()?.to_vec1::<f32>()?;
            assert_eq!(&centre[..h * w], &xv[..h * w]);
        }
    }
    Ok(())
}

fn text_batch(dev: &Device, seeds: &[u64]) -> candle_core::Result<TextBatch> {
    let items: Vec<(Vec<f32>, Tensor)> = seeds
        .iter()
        .map(|&s| {
            let mut r = rng(s);
            let t = 3 + (s as usize % 5);
            Ok((
                rand_vec(&mut r, 384, -0.1, 0.1),
                Tensor::from_vec(rand_vec(&mut r, t * 384, -1.0, 1.0), (t, 384), dev)?,
            ))
        })
        .collect::<candle_core::Result<_>>()?;
    let refs: Vec<(&[f32], &Tensor)> = items.iter().map(|(p, t)| (p.as_slice(), t)).collect();
    TextBatch::new(&refs, dev)
}

#[test]
fn untrained_model_is_the_identity_and_files_round_trip() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let cfg = NetConfig::default();
    let vm = VarMap::new();
    let net = Generator::new(&cfg, VarBuilder::from_varmap(&vm, DType::F32, &dev))?;
    let mut r = rng(3);
    let x = Tensor::from_vec(
        rand_vec(&mut r, 2 * 3 * 128 * 128, 0.0, 1.0),
        (2, 3, 128, 128),
        &dev,
    )?;
    let tb = text_batch(&dev, &[1, 2])?;
    let grid = net.forward(&x, &tb)?;
    assert_eq!(grid.dims(), &[2, 16, 16, 8, 12]);
    let id = BilateralGrid::identity(16, 16, 8).unwrap();
    let gv = grid.flatten_all()?.to_vec1::<f32>()?;
    assert_eq!(&gv[..id.data().len()], id.data());

    // Perturb every weight so text and image matter, then round-trip through a file.
    let named: HashMap<String, Tensor> = vm
        .data()
        .lock()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let t = (v.as_tensor() + Tensor::rand(-0.05f32, 0.05, v.shape(), &dev)?)?;
            v.set(&t)?;
            Ok((k.clone(), t))
        })
        .collect::<candle_core::Result<_>>()?;
    let g1 = net.forward(&x, &tb)?.flatten_all()?.to_vec1::<f32>()?;
    let other_text = net
        .forward(&x, &text_batch(&dev, &[7, 8])?)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    assert!(
        g1.iter()
            .zip(&other_text)
            .any(|(a, b)| (a - b).abs() > 1e-4),
        "text must change the grid"
    );

    let mut meta = BTreeMap::new();
    meta.insert("note".to_string(), "test".to_string());
    let file = ModelFile::from_tensors(cfg.clone(), random_guide(&mut r), &named, meta).unwrap();
    let dir = std::env::temp_dir().join(format!("retouch-model-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.safetensors");
    file.write(&path, true).unwrap();
    assert!(
        file.write(&path, false).is_err(),
        "must not overwrite without asking"
    );
    let back = ModelFile::read(&path).unwrap();
    assert_eq!(back.config, cfg);
    assert_eq!(back.guide, file.guide);
    assert_eq!(back.metadata.get("note").map(String::as_str), Some("test"));
    let g2 = back
        .generator(&dev)
        .unwrap()
        .forward(&x, &tb)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    assert_eq!(g1, g2);

    // Broken files are errors, not panics.
    let bytes = std::fs::read(&path).unwrap();
    assert!(ModelFile::from_bytes(&bytes[..bytes.len() / 2], &path).is_err());
    assert!(ModelFile::from_bytes(b"not a model", &path).is_err());
    let mut missing = file.clone();
    missing.tensors.remove("head.weight");
    let b2 = missing.to_bytes().unwrap();
    let m2 = ModelFile::from_bytes(&b2, &path).unwrap();
    assert!(m2.generator(&dev).is_err());
    let grid_file = retouch_engine::GridFile {
        grid: id,
        guide: GuideMap::luma(),
        metadata: Default::default(),
    };
    assert!(ModelFile::from_bytes(&grid_file.to_bytes().unwrap(), &path).is_err());
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

#[test]
fn config_validation_refuses_impossible_shapes() {
    let ok = NetConfig::default();
    assert!(ok.validate().is_ok());
    for bad in [
        NetConfig {
            low_res: 100,
            ..ok.clone()
        },
        NetConfig {
            grid: [16, 8, 8],
            ..ok.clone()
        },
        NetConfig {
            heads: 5,
            ..ok.clone()
        },
        NetConfig {
            grid: [16, 16, 1],
            ..ok.clone()
        },
        NetConfig {
            low_res: 16,
            ..ok.clone()
        },
    ] {
        assert!(bad.validate().is_err(), "{bad:?}");
    }
}
