//! What the learned reader predicts, as a fixed vector: per atomic attribute a direction
//! (none / up / down) and a log amount, one look (or none), kept aspects, fixed aspects and
//! the generic intent. [`Labels::of`] makes the training target from a rule reading;
//! [`decode`] turns the network's outputs back into a [`Learned`] reading.

use retouch_finish::Look;
use retouch_instruct::attr::{Attr, Dir, Magnitude, Target, ATOMIC};
use retouch_instruct::reading::{Aspect, Fix, Learned, Reading, Request};

/// Atomic attributes, in [`ATOMIC`] order.
pub const ATTRS: usize = ATOMIC.len();
/// Aspects, in [`Aspect::ALL`] order.
pub const ASPECTS: usize = Aspect::ALL.len();

/// Offsets into the output vector.
pub const DIR_LOGITS: usize = 0; // ATTRS x 3: none, up, down
pub const AMOUNTS: usize = DIR_LOGITS + 3 * ATTRS; // ATTRS: ln |amount|
pub const STYLE_LOGITS: usize = AMOUNTS + ATTRS; // 1 + looks: none, then Look::ALL
pub const KEEP_LOGITS: usize = STYLE_LOGITS + 1 + Look::ALL.len(); // ASPECTS
pub const FIX_LOGITS: usize = KEEP_LOGITS + ASPECTS; // ASPECTS
pub const GENERIC_LOGIT: usize = FIX_LOGITS + ASPECTS;
/// Length of the output vector.
pub const OUTPUTS: usize = GENERIC_LOGIT + 1;

/// Probability above which an item counts as read, unless the head file sets its own.
pub const THRESHOLD: f32 = 0.5;

/// The training target of one text.
#[derive(Clone, Debug, PartialEq)]
pub struct Labels {
    /// 0 none, 1 up, 2 down, per attribute.
    pub dirs: [u8; ATTRS],
    /// `ln |amount|` where a direction is set.
    pub amounts: [f32; ATTRS],
    /// 0 none, else 1 + the look's index in [`Look::ALL`].
    pub style: u8,
    pub keep: [bool; ASPECTS],
    pub fix: [bool; ASPECTS],
    pub generic: bool,
}

fn aspect_index(a: Aspect) -> usize {
    Aspect::ALL.iter().position(|x| *x == a).unwrap_or(0)
}

impl Labels {
    /// Nothing asked.
    pub fn none() -> Self {
        Self {
            dirs: [0; ATTRS],
            amounts: [0.0; ATTRS],
            style: 0,
            keep: [false; ASPECTS],
            fix: [false; ASPECTS],
            generic: false,
        }
    }

    /// The target for a text whose rule reading is `r`; `None` when the reading cannot be
    /// said in this vector (a region, a content edit, a contradiction), so the text is left
    /// out of training.
    pub fn of(r: &Reading) -> Option<Self> {
        if !r.content_edits.is_empty() || !r.contradictions.is_empty() {
            return None;
        }
        let mut l = Self::none();
        let set = |t: &Target, amount: f32, l: &mut Self| -> Option<()> {
            if t.region.is_some() {
                return None;
            }
            match &t.attr {
                Attr::Style(look) => {
                    let i = look.index();
                    if l.style != 0 && l.style as usize != i + 1 {
                        return None; // two looks
                    }
                    l.style = (i + 1) as u8;
                }
                a => {
                    let i = ATOMIC.iter().position(|x| x == a)?;
                    l.dirs[i] = if t.dir == Dir::Up { 1 } else { 2 };
                    l.amounts[i] = amount.abs().max(0.2).ln();
                }
            }
            Some(())
        };
        for q in &r.requests {
            set(&q.target, q.amount, &mut l)?;
        }
        for f in &r.fixes {
            l.fix[aspect_index(f.aspect)] = true;
            if let (Some(attr), Some(dir)) = (&f.attr, f.hint) {
                set(&Target::new(*attr, dir), 1.0, &mut l)?;
            }
        }
        for k in &r.keep {
            l.keep[aspect_index(*k)] = true;
        }
        l.generic = r.generic;
        Some(l)
    }
}

impl Labels {
    /// What the outputs `y` say, with [`decode`]'s thresholds (amounts as predicted): for
    /// scoring the head against targets.
    pub fn from_outputs(y: &[f32]) -> Self {
        Self::from_outputs_at(y, THRESHOLD)
    }

    /// [`Self::from_outputs`] with another threshold.
    pub fn from_outputs_at(y: &[f32], threshold: f32) -> Self {
        let mut l = Self::none();
        for i in 0..ATTRS {
            let p = softmax(&y[DIR_LOGITS + 3 * i..DIR_LOGITS + 3 * i + 3]);
            if p[1].max(p[2]) > threshold {
                l.dirs[i] = if p[1] >= p[2] { 1 } else { 2 };
                l.amounts[i] = y[AMOUNTS + i];
            }
        }
        let ps = softmax(&y[STYLE_LOGITS..KEEP_LOGITS]);
        if let Some((i, p)) = ps
            .iter()
            .enumerate()
            .skip(1)
            .max_by(|a, b| a.1.total_cmp(b.1))
        {
            if *p > threshold {
                l.style = i as u8;
            }
        }
        for k in 0..ASPECTS {
            l.keep[k] = sigmoid(y[KEEP_LOGITS + k]) > threshold;
            l.fix[k] = sigmoid(y[FIX_LOGITS + k]) > threshold;
        }
        l.generic = sigmoid(y[GENERIC_LOGIT]) > threshold;
        l
    }

    /// Same reading as `other` (directions, look, kept and fixed aspects, generic intent;
    /// amounts not compared).
    pub fn same_items(&self, other: &Labels) -> bool {
        self.dirs == other.dirs
            && self.style == other.style
            && self.keep == other.keep
            && self.fix == other.fix
            && self.generic == other.generic
    }

    /// Asks for nothing.
    pub fn is_none(&self) -> bool {
        self.same_items(&Labels::none())
    }
}

fn softmax(x: &[f32]) -> Vec<f32> {
    let m = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = x.iter().map(|v| (v - m).exp()).collect();
    let s: f32 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// The magnitude word nearest an amount.
fn magnitude_of(amount: f32) -> Magnitude {
    [Magnitude::Slight, Magnitude::Moderate, Magnitude::Strong]
        .into_iter()
        .min_by(|a, b| {
            (a.scale().ln() - amount.ln())
                .abs()
                .total_cmp(&(b.scale().ln() - amount.ln()).abs())
        })
        .unwrap_or(Magnitude::Moderate)
}

/// The network's outputs for `text` as a reading.
pub fn decode(text: &str, y: &[f32]) -> Learned {
    decode_at(text, y, THRESHOLD)
}

/// [`decode`] with another threshold.
pub fn decode_at(text: &str, y: &[f32], threshold: f32) -> Learned {
    debug_assert_eq!(y.len(), OUTPUTS);
    let mut requests = Vec::new();
    let mut nothing = 1.0f32;
    for (i, attr) in ATOMIC.iter().enumerate() {
        let p = softmax(&y[DIR_LOGITS + 3 * i..DIR_LOGITS + 3 * i + 3]);
        nothing *= p[0];
        let (dir, conf) = if p[1] >= p[2] {
            (Dir::Up, p[1])
        } else {
            (Dir::Down, p[2])
        };
        if conf > threshold && !(attr.one_way() && dir == Dir::Down) {
            let amount = y[AMOUNTS + i].exp().clamp(0.3, 2.2);
            let mut t = Target::new(*attr, dir);
            t.magnitude = magnitude_of(amount);
            requests.push(Request {
                target: t,
                amount: dir.sign() * amount,
                confidence: conf,
            });
        }
    }
    let ps = softmax(&y[STYLE_LOGITS..KEEP_LOGITS]);
    nothing *= ps[0];
    if let Some((i, p)) = ps
        .iter()
        .enumerate()
        .skip(1)
        .max_by(|a, b| a.1.total_cmp(b.1))
    {
        if *p > threshold {
            requests.push(Request {
                target: Target::new(Attr::Style(Look::ALL[i - 1]), Dir::Up),
                amount: 1.0,
                confidence: *p,
            });
        }
    }
    let mut keep = Vec::new();
    let mut fixes: Vec<Fix> = Vec::new();
    for (k, a) in Aspect::ALL.iter().enumerate() {
        let pk = sigmoid(y[KEEP_LOGITS + k]);
        let pf = sigmoid(y[FIX_LOGITS + k]);
        nothing *= (1.0 - pk) * (1.0 - pf);
        if pk > threshold {
            keep.push(*a);
        }
        if pf > threshold {
            // A fix takes the direction of a request of its aspect ("too dark": up), which
            // then is the fix's hint rather than a request of its own.
            let hint = requests
                .iter()
                .position(|r| Aspect::of(&r.target.attr) == Some(*a));
            let (attr, dir) = match hint {
                Some(j) => {
                    let r = requests.remove(j);
                    (Some(r.target.attr), Some(r.target.dir))
                }
                None => (None, None),
            };
            fixes.push(Fix {
                aspect: *a,
                hint: dir,
                attr,
            });
        }
    }
    let pg = sigmoid(y[GENERIC_LOGIT]);
    nothing *= 1.0 - pg;
    Learned {
        text: text.to_string(),
        requests,
        fixes,
        keep,
        generic: pg > threshold,
        nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Logits that say exactly `l` (large margins), for round trips.
    fn logits(l: &Labels) -> Vec<f32> {
        let mut y = vec![-8.0f32; OUTPUTS];
        for i in 0..ATTRS {
            y[DIR_LOGITS + 3 * i + l.dirs[i] as usize] = 8.0;
            y[AMOUNTS + i] = if l.dirs[i] == 0 { 0.0 } else { l.amounts[i] };
        }
        y[STYLE_LOGITS + l.style as usize] = 8.0;
        for k in 0..ASPECTS {
            y[KEEP_LOGITS + k] = if l.keep[k] { 8.0 } else { -8.0 };
            y[FIX_LOGITS + k] = if l.fix[k] { 8.0 } else { -8.0 };
        }
        y[GENERIC_LOGIT] = if l.generic { 8.0 } else { -8.0 };
        y
    }

    #[test]
    fn labels_round_trip_through_decode() {
        for s in [
            "warmer, lift the shadows a little",
            "make it vintage",
            "it's way too dark",
            "enhance this",
            "more saturated while keeping the brightness",
            "fix the white balance",
        ] {
            let r = Reading::new(s);
            let l = Labels::of(&r).unwrap();
            let d = decode(s, &logits(&l));
            let mut want: Vec<String> = r.requests.iter().map(|q| q.target.label()).collect();
            let mut got: Vec<String> = d.requests.iter().map(|q| q.target.label()).collect();
            want.sort();
            got.sort();
            assert_eq!(got, want, "{s}");
            for (a, b) in r.requests.iter().zip(&d.requests) {
                if a.target == b.target {
                    assert!((a.amount - b.amount).abs() < 1e-3, "{s}");
                }
            }
            assert_eq!(d.keep, r.keep, "{s}");
            assert_eq!(d.generic, r.generic, "{s}");
            let aspects = |f: &[Fix]| f.iter().map(|f| (f.aspect, f.hint)).collect::<Vec<_>>();
            assert_eq!(aspects(&d.fixes), aspects(&r.fixes), "{s}");
            assert!(d.nothing < 0.01 || d.is_empty());
        }
        let l = Labels::of(&Reading::new("warmer, keep the contrast")).unwrap();
        assert!(Labels::from_outputs(&logits(&l)).same_items(&l));
        let none = decode("my aunt", &logits(&Labels::none()));
        assert!(none.is_empty());
        assert!(none.nothing > 0.9);
    }

    #[test]
    fn regions_and_content_edits_are_left_out() {
        assert!(Labels::of(&Reading::new("brighten the sky")).is_none());
        assert!(Labels::of(&Reading::new("remove the person")).is_none());
    }
}
