//! Monotone piecewise-cubic interpolation (Fritsch-Carlson), for tone curves that must never
//! reverse (an increasing set of control points always gives an increasing curve).

#[derive(Clone, Debug)]
pub struct MonotoneCurve {
    xs: Vec<f32>,
    ys: Vec<f32>,
    ms: Vec<f32>,
}

impl MonotoneCurve {
    /// Control points with strictly increasing `xs`.
    pub fn new(xs: &[f32], ys: &[f32]) -> Self {
        let n = xs.len();
        assert!(n >= 2 && ys.len() == n, "a curve needs two or more points");
        let d: Vec<f32> = (0..n - 1)
            .map(|i| (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]))
            .collect();
        let mut ms = vec![0.0; n];
        ms[0] = d[0];
        ms[n - 1] = d[n - 2];
        for i in 1..n - 1 {
            ms[i] = if d[i - 1] * d[i] <= 0.0 {
                0.0
            } else {
                0.5 * (d[i - 1] + d[i])
            };
        }
        for i in 0..n - 1 {
            if d[i] == 0.0 {
                ms[i] = 0.0;
                ms[i + 1] = 0.0;
                continue;
            }
            let (a, b) = (ms[i] / d[i], ms[i + 1] / d[i]);
            let s = a * a + b * b;
            if s > 9.0 {
                let t = 3.0 / s.sqrt();
                ms[i] = t * a * d[i];
                ms[i + 1] = t * b * d[i];
            }
        }
        Self {
            xs: xs.to_vec(),
            ys: ys.to_vec(),
            ms,
        }
    }

    /// Evaluate; outside the control points the end segments extend linearly.
    pub fn eval(&self, x: f32) -> f32 {
        let n = self.xs.len();
        if x <= self.xs[0] {
            return self.ys[0] + self.ms[0] * (x - self.xs[0]);
        }
        if x >= self.xs[n - 1] {
            return self.ys[n - 1] + self.ms[n - 1] * (x - self.xs[n - 1]);
        }
        let i = self
            .xs
            .partition_point(|&k| k <= x)
            .saturating_sub(1)
            .min(n - 2);
        let h = self.xs[i + 1] - self.xs[i];
        let t = (x - self.xs[i]) / h;
        let (t2, t3) = (t * t, t * t * t);
        (2.0 * t3 - 3.0 * t2 + 1.0) * self.ys[i]
            + (t3 - 2.0 * t2 + t) * h * self.ms[i]
            + (-2.0 * t3 + 3.0 * t2) * self.ys[i + 1]
            + (t3 - t2) * h * self.ms[i + 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_through_points_and_stays_monotone() {
        let xs = [0.0, 0.25, 0.5, 0.75, 1.0];
        let ys = [0.1, 0.12, 0.6, 0.61, 1.0];
        let c = MonotoneCurve::new(&xs, &ys);
        for (x, y) in xs.iter().zip(ys) {
            assert!((c.eval(*x) - y).abs() < 1e-6);
        }
        let mut prev = f32::MIN;
        for i in 0..=1000 {
            let v = c.eval(i as f32 / 1000.0);
            assert!(v >= prev - 1e-7, "not monotone at {i}");
            prev = v;
        }
        let id = MonotoneCurve::new(&xs, &xs);
        assert!((id.eval(0.37) - 0.37).abs() < 1e-6);
    }
}
