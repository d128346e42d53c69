//! `retouch metrics REFERENCE CANDIDATE [--json]`: every fidelity metric for one pair, plus the
//! distances to the reference.

use anyhow::{bail, Context, Result};
use retouch_io::ReadOptions;
use serde_json::json;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The reference (for fidelity: the photo before the edit).
    pub reference: PathBuf,
    /// The candidate (for fidelity: the edited photo), same size as the reference.
    pub candidate: PathBuf,
    /// Print JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Refuse images with more pixels than this (checked before decoding).
    #[arg(long, default_value_t = retouch_io::DEFAULT_MAX_PIXELS)]
    pub max_pixels: u64,
}

/// RGB in `[0, 1]` (alpha dropped).
fn load(path: &std::path::Path, opts: &ReadOptions) -> Result<(Vec<f32>, usize, usize)> {
    let p =
        retouch_io::read(path, opts).with_context(|| format!("cannot read {}", path.display()))?;
    let v = p.pixels.to_unit_f32();
    let rgb = if p.channels == 3 {
        v
    } else {
        v.chunks_exact(p.channels)
            .flat_map(|c| [c[0], c[1], c[2]])
            .collect()
    };
    Ok((rgb, p.width, p.height))
}

pub fn run(a: Args) -> Result<()> {
    let opts = ReadOptions {
        max_pixels: a.max_pixels,
        ..ReadOptions::default()
    };
    let (r, w, h) = load(&a.reference, &opts)?;
    let (c, cw, ch) = load(&a.candidate, &opts)?;
    if (w, h) != (cw, ch) {
        bail!(
            "the images differ in size: {} is {w}x{h}, {} is {cw}x{ch}",
            a.reference.display(),
            a.candidate.display()
        );
    }
    let f = retouch_metrics::fidelity(&r, &c, w, h)?;
    let l1 = retouch_metrics::l1(&r, &c)?;
    let l2 = retouch_metrics::l2(&r, &c)?;
    let psnr = retouch_metrics::psnr(&r, &c)?;
    let de = retouch_metrics::mean_ciede2000(&r, &c)?;
    if a.json {
        let report = json!({
            "reference": a.reference,
            "candidate": a.candidate,
            "width": w,
            "height": h,
            "fidelity": {
                "ssim": f.ssim,
                "cw_ssim": f.cw_ssim,
                "gmsd": f.gmsd,
                "dists": null,
            },
            "to_reference": {
                "l1": l1,
                "l2": l2,
                "psnr_db": if psnr.is_finite() { json!(psnr) } else { json!("inf") },
                "ciede2000": de,
            },
        });
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let cw = f.cw_ssim.map(|v| format!("{v:.4}")).unwrap_or_else(|| {
            format!("n/a (needs {0}x{0} px)", retouch_metrics::cwssim::MIN_SIDE)
        });
        outln!("{w}x{h}");
        outln!("fidelity (gray, candidate histogram-matched to reference)");
        outln!("  SSIM     {:.4}   (higher is better)", f.ssim);
        outln!("  CW-SSIM  {cw}   (higher is better)");
        outln!("  GMSD     {:.4}   (lower is better)", f.gmsd);
        outln!("  DISTS    n/a (needs VGG16 weights, which cannot be obtained)");
        outln!("to reference (RGB)");
        outln!("  L1       {l1:.4}");
        outln!("  L2       {l2:.5}");
        outln!("  PSNR     {psnr:.2} dB");
        outln!("  ΔE00     {de:.3}");
    }
    Ok(())
}
