//! Training degradations for the photo's estimator (`retouch_model::estimate`): a random
//! [`Correction`] whose inverse spoils a photo; the estimator learns to read the correction
//! back from the spoiled photo's statistics. The ranges cover what the issue asks of restore
//! training (at least +-2 EV, strong casts on both colour axes, flat to harsh contrast, dull
//! to garish colour, crushed or lifted blacks, and combinations); a fifth of the samples are
//! left as they are, so a good photo learns to need nothing.
//!
//! The enhance benchmark (`retouch_eval::enhance`) spoils photos with other formulas.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use retouch_finish::correction::Correction;

/// The correction that repairs a random degradation (identity for a fifth of the draws).
pub fn random_correction(r: &mut ChaCha8Rng) -> Correction {
    let mut c = Correction::default();
    if r.gen_bool(0.2) {
        return c;
    }
    // Each step is spoiled with probability 0.5; at least one always is.
    let mut any = false;
    loop {
        if r.gen_bool(0.5) {
            c.ev = r.gen_range(-2.3..2.3);
            any = true;
        }
        if r.gen_bool(0.5) {
            // A cast along blue-yellow (R and B opposite), green-magenta (R and B together)
            // or anywhere between.
            let t: f32 = r.gen_range(-0.45..0.45);
            let m: f32 = r.gen_range(-0.3..0.3);
            c.log_r = t + m;
            c.log_b = -t + m;
            any = true;
        }
        if r.gen_bool(0.5) {
            if r.gen_bool(0.6) {
                // Flat or lifted: the correction stretches.
                c.black = r.gen_range(0.0..0.3);
                c.white = r.gen_range(0.75..1.0);
            } else {
                // Harsh or crushed: the correction compresses.
                c.black = r.gen_range(-0.15..0.0);
                c.white = r.gen_range(1.0..1.2);
            }
            any = true;
        }
        if r.gen_bool(0.5) {
            c.log_chroma = r.gen_range(-0.6..0.9);
            any = true;
        }
        if any {
            return c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn draws_cover_the_ranges_and_a_fifth_are_identity() {
        let mut r = ChaCha8Rng::seed_from_u64(3);
        let draws: Vec<Correction> = (0..2000).map(|_| random_correction(&mut r)).collect();
        let identity = draws
            .iter()
            .filter(|c| **c == Correction::default())
            .count();
        assert!((300..500).contains(&identity), "{identity}");
        let max = |f: &dyn Fn(&Correction) -> f32| draws.iter().map(f).fold(f32::MIN, f32::max);
        let min = |f: &dyn Fn(&Correction) -> f32| draws.iter().map(f).fold(f32::MAX, f32::min);
        assert!(max(&|c| c.ev) > 2.0 && min(&|c| c.ev) < -2.0);
        assert!(max(&|c| c.log_r - c.log_b) > 0.7 && min(&|c| c.log_r - c.log_b) < -0.7);
        assert!(max(&|c| c.log_r + c.log_b) > 0.45 && min(&|c| c.log_r + c.log_b) < -0.45);
        assert!(max(&|c| c.black) > 0.25 && min(&|c| c.black) < -0.1);
        assert!(max(&|c| c.log_chroma) > 0.8 && min(&|c| c.log_chroma) < -0.5);
    }
}
