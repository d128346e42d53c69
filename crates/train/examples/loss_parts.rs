//! Time the loss terms of a training step, forward and backward, on four 256x192 images:
//! `cargo run --release -p retouch-train --example loss_parts`.

use candle_core::{Device, Tensor, Var};
use retouch_train::{align, loss};
use std::time::Instant;

fn time(
    name: &str,
    f: impl Fn(&Tensor, &Tensor) -> candle_core::Result<Tensor>,
) -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let outs: Vec<Var> = (0..4)
        .map(|_| Var::from_tensor(&Tensor::rand(0f32, 1f32, (1, 192, 256, 3), &dev)?))
        .collect::<candle_core::Result<_>>()?;
    let tgt: Vec<Tensor> = (0..4)
        .map(|_| Tensor::rand(0f32, 1f32, (1, 192, 256, 3), &dev))
        .collect::<candle_core::Result<_>>()?;
    let mut best = (f64::MAX, f64::MAX);
    for _ in 0..5 {
        let t = Instant::now();
        let mut total = Tensor::new(0f32, &dev)?;
        for (o, g) in outs.iter().zip(&tgt) {
            total = (total + f(o.as_tensor(), g)?)?;
        }
        let fwd = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let _g = total.backward()?;
        let bwd = t.elapsed().as_secs_f64() * 1e3;
        best = (best.0.min(fwd), best.1.min(bwd));
    }
    println!(
        "{name:34} fwd {:6.1} ms  bwd {:6.1} ms (batch of 4, best of 5)",
        best.0, best.1
    );
    Ok(())
}

fn main() -> candle_core::Result<()> {
    time("l1", loss::l1)?;
    time("structural", loss::structural)?;
    time(
        "structural (composite reference)",
        loss::structural_reference,
    )?;
    time("gradient_l1", loss::gradient_l1)?;
    time("ssim(half)", |a, b| {
        let h = |x: &Tensor| loss::luma(x)?.avg_pool2d(2);
        loss::ssim(&h(a)?, &h(b)?)
    })?;
    time("gamut", |a, _| loss::out_of_gamut(a))?;
    let m = retouch_instruct::matcher::match_instruction("warmer, lift the shadows, more vibrant");
    time("alignment", |a, b| {
        let n = 192 * 256;
        let l = align::alignment_loss(&a.reshape((n, 3))?, &b.reshape((n, 3))?, &m.targets, None)?;
        l.ok_or_else(|| candle_core::Error::Msg("no targets".into()))
    })?;
    Ok(())
}
