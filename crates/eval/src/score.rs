//! Per-sample scores: fidelity to the input, distance to the target, instruction following
//! (attribute-direction accuracy and leakage).

use crate::Result;
use retouch_data::synth::{Mode, Triplet, MIN_DELTA};
use retouch_finish::render_mask;
use retouch_instruct::attr::{directions, moved_as_asked, stats, Attr, ATOMIC};
use retouch_metrics::Fidelity;

/// An attribute the output was not asked to change "leaked" when its statistic moved by at
/// least this much (CIELAB units) and ended at least this far from where the reference edit
/// put it (2x the direction threshold [`MIN_DELTA`]).
pub const LEAK_DELTA: f32 = 2.0 * MIN_DELTA;

/// A region smaller than this fraction of the photo is not checked for leakage.
const MIN_ZONE: f32 = 0.05;

#[derive(Clone, Debug)]
pub struct SampleScore {
    pub mode: Mode,
    pub heldout: bool,
    pub fidelity: Fidelity,
    pub l1: f64,
    pub l2: f64,
    pub psnr: f64,
    pub ciede2000: f64,
    /// (attribute group, moved as asked) per requested target.
    pub targets: Vec<(String, bool)>,
    /// (attribute or look, edit gain) per requested target whose reference change is
    /// measurable ([`gain`]).
    pub gains: Vec<(String, f64)>,
    /// Unrequested (zone, attribute) pairs checked / leaked; `None` for looks and black and
    /// white, which move many statistics by design.
    pub leakage: Option<(usize, usize)>,
}

/// The per-attribute group a target is counted under: atomic attributes by name, every look
/// as `look`.
pub fn group(attr: &Attr) -> String {
    match attr {
        Attr::Style(_) => "look".into(),
        a => a.key(),
    }
}

/// Where a target's edit gain is counted: atomic attributes by name, each look by its own
/// name (`look:cinematic`).
pub fn gain_group(attr: &Attr) -> String {
    match attr {
        Attr::Style(name) => format!("look:{name}"),
        a => a.key(),
    }
}

/// Edit gain of one target: the output's change of the target's statistics divided by the
/// reference edit's change (each along the target's direction, summed over its statistics);
/// `None` when the reference changes them by less than [`MIN_DELTA`].
pub fn gain(
    tg: &retouch_instruct::attr::Target,
    before: &retouch_instruct::attr::Stats,
    reference: &retouch_instruct::attr::Stats,
    after: &retouch_instruct::attr::Stats,
) -> Option<f64> {
    let dirs = directions(&tg.attr);
    if dirs.is_empty() {
        return None;
    }
    let along = |s: &retouch_instruct::attr::Stats| -> f32 {
        dirs.iter()
            .map(|(stat, w)| (s.get(*stat) - before.get(*stat)) * w * tg.dir.sign())
            .sum()
    };
    let d_ref = along(reference);
    (d_ref.abs() >= MIN_DELTA).then(|| f64::from(along(after) / d_ref))
}

/// Unrequested attribute changes beyond the reference edit's. Zones: the whole photo for global
/// edits; for local edits the region (its requested attributes excluded) and everything
/// outside it (nothing requested there).
pub fn leakage(t: &Triplet, out: &[f32]) -> Option<(usize, usize)> {
    if t.meta
        .targets
        .iter()
        .any(|tg| matches!(tg.attr, Attr::Style(_) | Attr::Monochrome))
    {
        return None;
    }
    let requested: Vec<Attr> = t.meta.targets.iter().map(|tg| tg.attr).collect();
    let mask = t
        .mask
        .clone()
        .or_else(|| t.meta.mask.as_ref().map(|m| render_mask(m, &t.input)));
    let zones: Vec<(Option<Vec<f32>>, Vec<Attr>)> = match mask {
        Some(m) => {
            let outside = m.iter().map(|v| 1.0 - v).collect();
            vec![(Some(m), requested), (Some(outside), Vec::new())]
        }
        None => vec![(None, requested)],
    };
    let (mut checks, mut leaks) = (0, 0);
    for (w, asked) in zones {
        if let Some(w) = &w {
            if w.iter().sum::<f32>() < MIN_ZONE * w.len() as f32 {
                continue;
            }
        }
        let before = stats(&t.input.data, w.as_deref());
        let reference = stats(&t.target.data, w.as_deref());
        let after = stats(out, w.as_deref());
        for attr in ATOMIC.iter().filter(|a| **a != Attr::Monochrome) {
            if asked.contains(attr) {
                continue;
            }
            for (stat, _) in directions(attr) {
                checks += 1;
                let d_out = after.get(stat) - before.get(stat);
                let d_ref = reference.get(stat) - before.get(stat);
                if d_out.abs() >= LEAK_DELTA && (d_out - d_ref).abs() >= LEAK_DELTA {
                    leaks += 1;
                }
            }
        }
    }
    Some((checks, leaks))
}

/// Score one output (interleaved RGB in `[0, 1]`) of triplet `t`.
pub fn score(t: &Triplet, out: &[f32]) -> Result<SampleScore> {
    let (w, h) = (t.input.width, t.input.height);
    let weights = t.meta.mask.as_ref().map(|m| render_mask(m, &t.input));
    let before = stats(&t.input.data, weights.as_deref());
    let after = stats(out, weights.as_deref());
    let reference = stats(&t.target.data, weights.as_deref());
    let gains = t
        .meta
        .targets
        .iter()
        .filter_map(|tg| gain(tg, &before, &reference, &after).map(|g| (gain_group(&tg.attr), g)))
        .collect();
    let targets = t
        .meta
        .targets
        .iter()
        .map(|tg| {
            (
                group(&tg.attr),
                moved_as_asked(tg, &before, &after, MIN_DELTA),
            )
        })
        .collect();
    Ok(SampleScore {
        mode: t.meta.mode,
        heldout: t.meta.held_out_wording,
        fidelity: retouch_metrics::fidelity(&t.input.data, out, w, h)?,
        l1: retouch_metrics::l1(out, &t.target.data)?,
        l2: retouch_metrics::l2(out, &t.target.data)?,
        psnr: retouch_metrics::psnr(out, &t.target.data)?.min(100.0),
        ciede2000: retouch_metrics::mean_ciede2000(out, &t.target.data)?,
        targets,
        gains,
        leakage: leakage(t, out),
    })
}
