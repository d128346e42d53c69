//! The Markdown report: a table like the paper's Table 1, accuracy by triplet kind, and the
//! model's stage timings.

use crate::methods::Method;
use crate::{Count, EvalReport};
use std::fmt::Write;

fn pct(c: &Count) -> String {
    if c.rate.is_finite() {
        format!("{:.1}%", 100.0 * c.rate)
    } else {
        "n/a".into()
    }
}

fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Runtime cells (720p, 1080p, 1440p, 2160p) of a method.
fn runtime_cells(r: &EvalReport, m: Method) -> Vec<String> {
    if r.runtime_model.is_empty() {
        return vec!["—".into(); 4];
    }
    match m {
        Method::Identity => vec!["0".into(); 4],
        Method::RuleBased => r
            .runtime_rule_based
            .iter()
            .map(|x| ms(x.total_ms))
            .collect(),
        _ => r.runtime_model.iter().map(|x| ms(x.total_ms)).collect(),
    }
}

/// The whole report as Markdown.
pub fn markdown(r: &EvalReport) -> String {
    let mut s = String::new();
    let modes = |k: &str| r.samples_by_mode.get(k).copied().unwrap_or(0);
    let _ = writeln!(
        s,
        "{} split: {} triplets (restore {}, stylize {}, local {}; {} with held-out wording) from {} photos at {} px on the long side, seed {}. Model: `{}`. Runtime: median of {} runs after a warm-up, {} threads, decode/encode excluded.\n",
        r.settings.split,
        r.settings.samples,
        modes("restore"),
        modes("stylize"),
        modes("local"),
        r.heldout_wording_samples,
        r.photos,
        r.settings.size,
        r.settings.seed,
        r.model,
        r.settings.runs,
        r.threads,
    );
    if !r.methods.is_empty() {
        method_tables(r, &mut s);
    }
    if let Some(m) = r.methods.iter().find(|m| m.method == Method::Model) {
        let _ = writeln!(
            s,
            "\nEdit gain of the shipped model: per requested attribute or look, its change of the attribute's statistics divided by the reference edit's change on the same photo (1 = as strong as the reference; targets whose reference change is under 0.5 units are left out). Target: median 0.85-1.15.\n"
        );
        let _ = writeln!(s, "| attribute / look | targets | 25 % | median | 75 % |");
        let _ = writeln!(s, "|---|---|---|---|---|");
        for (k, g) in &m.gain {
            let _ = writeln!(
                s,
                "| {k} | {} | {:.2} | {:.2} | {:.2} |",
                g.n, g.q25, g.median, g.q75
            );
        }
    }
    if let Some(f) = &r.free_text {
        let _ = writeln!(
            s,
            "\nFree text outside the matcher's vocabulary ({} sentences x {} photos; followed = at least one of the sentence's plausible changes is measurable, `crates/eval/src/free_text.rs`):\n",
            f.sentences, f.photos
        );
        let _ = writeln!(s, "| reader | followed |");
        let _ = writeln!(s, "|---|---|");
        let _ = writeln!(
            s,
            "| shipped model, as `retouch edit` runs it (rules + the fallback reader on unread clauses) | {} |",
            pct(&f.model)
        );
        let _ = writeln!(
            s,
            "| shipped model, the rules alone | {} |",
            pct(&f.model_without_reading)
        );
        let _ = writeln!(s, "| rule-based pipeline | {} |", pct(&f.rule_based));
    }
    if let Some(p) = &r.probe {
        s += &crate::probe::markdown(p);
    }
    if let Some(i) = &r.identity {
        s += &crate::identity::markdown(i);
    }
    if let Some(e) = &r.enhance {
        s += &crate::enhance::markdown(e);
    }
    stage_table(
        &mut s,
        &format!(
            "The shipped model's stages (`{}`)",
            crate::runtime::INSTRUCTION
        ),
        &r.runtime_model,
    );
    stage_table(
        &mut s,
        &format!(
            "Whole photo + a region (`{}`: two network passes, two grids chained in one slice; \
             the region's grid is skipped where its mask is 0)",
            crate::runtime::REGION_INSTRUCTION
        ),
        &r.runtime_model_region,
    );
    s
}

/// A titled Markdown table of `retouch edit` stage timings (nothing for no rows); the
/// benchmark report and `retouch bench --edit` both print it.
pub fn stage_table(s: &mut String, title: &str, rows: &[crate::runtime::EditRow]) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n{title}:\n");
    let _ = writeln!(
        s,
        "| size | text ms | network ms | slice ms | total ms | passes | region covers |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    for x in rows {
        let cover = x
            .region_fraction
            .map_or("-".to_string(), |f| format!("{:.0} %", f * 100.0));
        let _ = writeln!(
            s,
            "| {} ({}x{}) | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} |",
            x.name,
            x.width,
            x.height,
            x.text_ms,
            x.network_ms,
            x.slice_ms,
            x.total_ms,
            x.passes,
            cover
        );
    }
}

/// The methods' table and their direction accuracy by triplet kind.
fn method_tables(r: &EvalReport, s: &mut String) {
    let _ = writeln!(
        s,
        "| Method | 720p ms↓ | 1080p ms↓ | 1440p ms↓ | 4K ms↓ | SSIM↑ | CW-SSIM↑ | GMSD↓ | L1↓ | L2↓ | PSNR↑ | ΔE00↓ | Direction↑ | Held-out wording↑ | Leakage↓ |"
    );
    let _ = writeln!(
        s,
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for m in &r.methods {
        let rt = runtime_cells(r, m.method);
        let _ = writeln!(
            s,
            "| {} | {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.5} | {:.2} | {:.2} | {} | {} | {} |",
            m.name,
            rt.join(" | "),
            m.ssim,
            m.cw_ssim,
            m.gmsd,
            m.l1,
            m.l2,
            m.psnr,
            m.ciede2000,
            pct(&m.direction),
            pct(&m.direction_heldout),
            pct(&m.leakage),
        );
    }
    let _ = writeln!(
        s,
        "\nFidelity (SSIM, CW-SSIM, GMSD) is measured against the input, on gray images with the output histogram-matched to it; L1, L2, PSNR and ΔE00 against the synthesised target. Direction: requested attributes whose statistic moved the asked way by at least 0.5 CIELAB units ({} targets; {} with held-out wording). Leakage: unrequested attributes (outside the region too, for local edits) that moved by at least 1 unit and ended at least 1 unit from the target's value ({} checks; looks and black and white are not checked). The instruction-blind and global-only rows run the same network, so their runtime is the model's. DISTS is left out: it needs VGG16 weights that cannot be obtained here.\n",
        r.methods.first().map_or(0, |m| m.direction.n),
        r.methods.first().map_or(0, |m| m.direction_heldout.n),
        r.methods.first().map_or(0, |m| m.leakage.n),
    );
    let _ = writeln!(s, "Direction accuracy by triplet kind:\n");
    let _ = writeln!(s, "| Method | restore | stylize | local |");
    let _ = writeln!(s, "|---|---|---|---|");
    for m in &r.methods {
        let cell = |k: &str| m.by_mode.get(k).map_or("n/a".into(), |x| pct(&x.direction));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            m.name,
            cell("restore"),
            cell("stylize"),
            cell("local")
        );
    }
}
