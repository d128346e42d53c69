//! AdamW (decoupled weight decay, on weights of rank >= 2 only), global-norm gradient clipping,
//! linear warmup + cosine decay, and an exponential moving average of the weights. Written here
//! rather than taken from candle-nn so the optimiser state can be checkpointed and resumed.

use candle_core::{Result, Tensor, Var};
use std::collections::BTreeMap;

pub struct AdamW {
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    /// Steps taken (for bias correction).
    pub t: usize,
    pub m: BTreeMap<String, Tensor>,
    pub v: BTreeMap<String, Tensor>,
}

impl AdamW {
    pub fn new(vars: &BTreeMap<String, Var>, weight_decay: f64) -> Result<Self> {
        let mut m = BTreeMap::new();
        let mut v = BTreeMap::new();
        for (k, var) in vars {
            m.insert(k.clone(), var.zeros_like()?);
            v.insert(k.clone(), var.zeros_like()?);
        }
        Ok(Self {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
            t: 0,
            m,
            v,
        })
    }

    /// One update with learning rate `lr`; `grads[name]` missing means no gradient this step.
    pub fn step(
        &mut self,
        vars: &BTreeMap<String, Var>,
        grads: &BTreeMap<String, Tensor>,
        lr: f64,
    ) -> Result<()> {
        self.t += 1;
        let bc1 = 1.0 - self.beta1.powi(self.t as i32);
        let bc2 = 1.0 - self.beta2.powi(self.t as i32);
        for (k, var) in vars {
            let Some(g) = grads.get(k) else { continue };
            let (Some(m), Some(v)) = (self.m.get(k), self.v.get(k)) else {
                candle_core::bail!("optimiser state for {k} is missing")
            };
            // Detached: state built from tracked tensors would otherwise keep every previous
            // step's graph alive (memory grew ~40 MB per step before this).
            let g = g.detach();
            let m = ((m * self.beta1)? + (&g * (1.0 - self.beta1))?)?.detach();
            let v = ((v * self.beta2)? + (g.sqr()? * (1.0 - self.beta2))?)?.detach();
            let update = ((&m / bc1)? / ((&v / bc2)?.sqrt()? + self.eps)?)?;
            let mut w = var.as_tensor().clone();
            if self.weight_decay > 0.0 && var.rank() >= 2 {
                w = (w * (1.0 - lr * self.weight_decay))?;
            }
            var.set(&(w - (update * lr)?)?.detach())?;
            self.m.insert(k.clone(), m);
            self.v.insert(k.clone(), v);
        }
        Ok(())
    }
}

/// Scale gradients so their global L2 norm is at most `max_norm`; returns the norm before.
pub fn clip_global_norm(grads: &mut BTreeMap<String, Tensor>, max_norm: f64) -> Result<f64> {
    let mut sq = 0f64;
    for g in grads.values() {
        sq += g.sqr()?.sum_all()?.to_scalar::<f32>()? as f64;
    }
    let norm = sq.sqrt();
    if norm.is_finite() && norm > max_norm && max_norm > 0.0 {
        let s = max_norm / norm;
        for g in grads.values_mut() {
            *g = (&*g * s)?;
        }
    }
    Ok(norm)
}

/// Linear warmup to `peak` over `warmup` steps, then cosine decay to `peak * floor` at `total`.
pub fn lr_at(step: usize, total: usize, warmup: usize, peak: f64, floor: f64) -> f64 {
    if step < warmup {
        return peak * (step + 1) as f64 / warmup as f64;
    }
    let span = total.saturating_sub(warmup).max(1) as f64;
    let p = ((step - warmup) as f64 / span).min(1.0);
    let c = 0.5 * (1.0 + (std::f64::consts::PI * p).cos());
    peak * (floor + (1.0 - floor) * c)
}

/// Exponential moving average of the weights.
pub struct Ema {
    pub decay: f64,
    pub shadow: BTreeMap<String, Tensor>,
}

impl Ema {
    pub fn new(vars: &BTreeMap<String, Var>, decay: f64) -> Result<Self> {
        let shadow = vars
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.as_tensor().detach().copy()?)))
            .collect::<Result<_>>()?;
        Ok(Self { decay, shadow })
    }

    /// Update; early steps use a shorter horizon (`min(decay, (1+t)/(10+t))`) so the average is
    /// not dominated by the initialisation.
    pub fn update(&mut self, vars: &BTreeMap<String, Var>, t: usize) -> Result<()> {
        let d = self.decay.min((1.0 + t as f64) / (10.0 + t as f64));
        for (k, v) in vars {
            if let Some(s) = self.shadow.get_mut(k) {
                *s = ((&*s * d)? + (v.as_tensor().detach() * (1.0 - d))?)?.detach();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn schedule_warms_up_then_decays_to_the_floor() {
        assert!((lr_at(0, 100, 10, 1.0, 0.1) - 0.1).abs() < 1e-12);
        assert!((lr_at(9, 100, 10, 1.0, 0.1) - 1.0).abs() < 1e-12);
        assert!((lr_at(10, 100, 10, 1.0, 0.1) - 1.0).abs() < 1e-12);
        assert!((lr_at(100, 100, 10, 1.0, 0.1) - 0.1).abs() < 1e-12);
        let mid = lr_at(55, 100, 10, 1.0, 0.1);
        assert!((mid - 0.55).abs() < 1e-9, "{mid}");
    }

    #[test]
    fn adamw_minimises_a_quadratic_and_clipping_bounds_the_norm() -> Result<()> {
        let dev = Device::Cpu;
        let mut vars = BTreeMap::new();
        vars.insert(
            "w".to_string(),
            Var::from_tensor(&Tensor::new(&[[3f32, -2.0]], &dev)?)?,
        );
        let mut opt = AdamW::new(&vars, 0.0)?;
        for _ in 0..500 {
            let loss = vars["w"].as_tensor().sqr()?.sum_all()?;
            let gs = loss.backward()?;
            let mut grads = BTreeMap::new();
            grads.insert(
                "w".to_string(),
                gs.get(vars["w"].as_tensor()).unwrap().clone(),
            );
            opt.step(&vars, &grads, 0.05)?;
        }
        let w: Vec<Vec<f32>> = vars["w"].as_tensor().to_vec2()?;
        assert!(w[0].iter().all(|v| v.abs() < 0.05), "{w:?}");

        let mut g = BTreeMap::new();
        g.insert("a".to_string(), Tensor::new(&[3f32, 4.0], &dev)?);
        let n = clip_global_norm(&mut g, 1.0)?;
        assert!((n - 5.0).abs() < 1e-6);
        let v: Vec<f32> = g["a"].to_vec1()?;
        assert!((v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6);
        Ok(())
    }
}
