//! Time the parts of a training step at batch 4 (network forward/backward at the thumbnail
//! size, slice op forward/backward at 256x192): `cargo run --release -p retouch-model --example step_parts`.

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use retouch_engine::GuideMap;
use retouch_model::{slice_op, Generator, NetConfig, TextBatch};
use std::time::Instant;

fn main() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let mut cfg = NetConfig::default();
    if let Some(l) = std::env::args().nth(1).and_then(|s| s.parse().ok()) {
        cfg.low_res = l;
    }
    let vm = VarMap::new();
    let net = Generator::new(&cfg, VarBuilder::from_varmap(&vm, DType::F32, &dev))?;
    let b = 4;
    let l = cfg.low_res;
    let x = Tensor::rand(0f32, 1f32, (b, 3, l, l), &dev)?;
    let pooled = Tensor::rand(-0.1f32, 0.1, (b, 384), &dev)?.to_vec2::<f32>()?;
    let toks: Vec<Tensor> = (0..b)
        .map(|_| Tensor::rand(-1f32, 1.0, (12, 384), &dev))
        .collect::<candle_core::Result<_>>()?;
    let items: Vec<(&[f32], &Tensor)> = pooled
        .iter()
        .map(|p| p.as_slice())
        .zip(toks.iter())
        .collect();
    let tb = TextBatch::new(&items, &dev)?;
    let guide = candle_core::Var::from_tensor(&Tensor::new(GuideMap::luma().flatten(), &dev)?)?;
    let imgs = Tensor::rand(0f32, 1f32, (b, 192, 256, 3), &dev)?;
    for _ in 0..2 {
        let t = Instant::now();
        let grid = net.forward(&x, &tb)?;
        let t_net = t.elapsed();
        let t = Instant::now();
        let g2 = grid.sqr()?.mean_all()?.backward()?;
        let t_net_b = t.elapsed();
        drop(g2);
        let gridv = candle_core::Var::from_tensor(&grid.detach())?;
        let t = Instant::now();
        let out = slice_op::slice_apply(gridv.as_tensor(), &imgs, guide.as_tensor(), 1.0)?;
        let t_sl = t.elapsed();
        let t = Instant::now();
        let _g = out.sqr()?.mean_all()?.backward()?;
        let t_sl_b = t.elapsed();
        println!(
            "network fwd {:.1} ms, bwd {:.1} ms | slice fwd {:.1} ms, bwd {:.1} ms",
            t_net.as_secs_f64() * 1e3,
            t_net_b.as_secs_f64() * 1e3,
            t_sl.as_secs_f64() * 1e3,
            t_sl_b.as_secs_f64() * 1e3
        );
    }
    Ok(())
}
