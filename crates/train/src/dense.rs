//! Dense ReLU networks in candle for the small heads (the photo's estimator, the learned
//! reader): He-initialised variables from a seeded generator, the training forward pass,
//! and export to [`Dense`] layers (whose plain forward is `estimate::dense_forward`).

use candle_core::{DType, Device, Tensor, Var};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use retouch_model::estimate::Dense;
use std::collections::BTreeMap;

/// Variables `NN.w` (`[out, in]`, He normal by Box-Muller) and `NN.b` (zeros) per layer.
pub fn init(
    dims: &[usize],
    r: &mut ChaCha8Rng,
    dev: &Device,
) -> candle_core::Result<BTreeMap<String, Var>> {
    let mut vars = BTreeMap::new();
    for l in 0..dims.len() - 1 {
        let (i, o) = (dims[l], dims[l + 1]);
        let std = (2.0 / i as f64).sqrt();
        let w: Vec<f32> = (0..i * o)
            .map(|_| {
                let (u1, u2): (f64, f64) = (r.gen_range(1e-12..1.0), r.gen_range(0.0..1.0));
                ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos() * std) as f32
            })
            .collect();
        vars.insert(
            format!("{l:02}.w"),
            Var::from_tensor(&Tensor::from_vec(w, (o, i), dev)?)?,
        );
        vars.insert(format!("{l:02}.b"), Var::zeros(o, DType::F32, dev)?);
    }
    Ok(vars)
}

/// The forward pass of `layers` layers, ReLU between them, dropout `p` after each ReLU.
pub fn forward(
    vars: &BTreeMap<String, Var>,
    layers: usize,
    x: &Tensor,
    dropout: f32,
) -> candle_core::Result<Tensor> {
    let mut h = x.clone();
    for l in 0..layers {
        let w = vars[&format!("{l:02}.w")].as_tensor();
        let b = vars[&format!("{l:02}.b")].as_tensor();
        h = h.matmul(&w.t()?)?.broadcast_add(b)?;
        if l + 1 < layers {
            h = h.relu()?;
            if dropout > 0.0 {
                h = candle_nn::ops::dropout(&h, dropout)?;
            }
        }
    }
    Ok(h)
}

/// The variables as plain layers.
pub fn export(vars: &BTreeMap<String, Var>, dims: &[usize]) -> candle_core::Result<Vec<Dense>> {
    (0..dims.len() - 1)
        .map(|l| {
            Ok(Dense {
                inputs: dims[l],
                outputs: dims[l + 1],
                w: vars[&format!("{l:02}.w")]
                    .as_tensor()
                    .flatten_all()?
                    .to_vec1()?,
                b: vars[&format!("{l:02}.b")].as_tensor().to_vec1()?,
            })
        })
        .collect()
}
