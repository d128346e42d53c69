//! `retouch fit LOWRES_IN LOWRES_OUT -o GRID.safetensors`

use anyhow::{bail, Context, Result};
use retouch_engine::fit::{fit_grid, FitParams};
use retouch_engine::{GridFile, GuideMap};
use retouch_io::ReadOptions;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// The photo before the edit (low resolution is enough: ~256-1024 px).
    pub input: PathBuf,
    /// The same photo after the edit, same size.
    pub edited: PathBuf,
    /// Where to write the grid file (.safetensors).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Grid size as HxWxD.
    #[arg(long, default_value = "16x16x8")]
    pub grid_size: String,
    #[arg(long, default_value_t = FitParams::default().lambda_spatial)]
    pub lambda_spatial: f64,
    #[arg(long, default_value_t = FitParams::default().lambda_depth)]
    pub lambda_depth: f64,
    #[arg(long, default_value_t = FitParams::default().lambda_identity)]
    pub lambda_identity: f64,
    /// Replace OUTPUT if it exists.
    #[arg(long)]
    pub overwrite: bool,
    #[arg(long, default_value_t = retouch_io::DEFAULT_MAX_PIXELS)]
    pub max_pixels: u64,
    /// Print the fit report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn parse_grid_size(s: &str) -> Result<(usize, usize, usize)> {
    let parts: Vec<&str> = s.split(['x', 'X']).collect();
    if parts.len() != 3 {
        bail!("--grid-size must look like 16x16x8, got `{s}`");
    }
    let n = |p: &str| {
        p.trim()
            .parse::<usize>()
            .ok()
            .filter(|v| (1..=retouch_engine::grid::MAX_GRID_SIDE).contains(v))
            .with_context(|| format!("bad grid dimension `{p}` in `{s}`"))
    };
    Ok((n(parts[0])?, n(parts[1])?, n(parts[2])?))
}

fn rgb(p: &retouch_io::Photo) -> Vec<f32> {
    p.pixels
        .to_unit_f32()
        .chunks(p.channels)
        .flat_map(|c| [c[0], c[1], c[2]])
        .collect()
}

pub fn run(a: Args) -> Result<()> {
    let t0 = Instant::now();
    let (grid_h, grid_w, grid_d) = parse_grid_size(&a.grid_size)?;
    if a.output.extension().and_then(|e| e.to_str()) != Some("safetensors") {
        bail!(
            "the grid file must end in .safetensors: {}",
            a.output.display()
        );
    }
    retouch_io::check_destination(&a.output, Some(&a.input), a.overwrite)?;
    let ropts = ReadOptions {
        max_pixels: a.max_pixels,
        ..ReadOptions::default()
    };
    let before = retouch_io::read(&a.input, &ropts)?;
    let after = retouch_io::read(&a.edited, &ropts)?;
    if (before.width, before.height) != (after.width, after.height) {
        bail!(
            "the two images differ in size: {}x{} vs {}x{} (fit needs a pixel-aligned pair)",
            before.width,
            before.height,
            after.width,
            after.height
        );
    }
    let params = FitParams {
        grid_h,
        grid_w,
        grid_d,
        lambda_spatial: a.lambda_spatial,
        lambda_depth: a.lambda_depth,
        lambda_identity: a.lambda_identity,
        ..FitParams::default()
    };
    let guide = GuideMap::luma();
    let (grid, report) = fit_grid(
        &rgb(&before),
        &rgb(&after),
        before.width,
        before.height,
        &guide,
        &params,
    )?;
    let mut gf = GridFile::new(grid, guide);
    let name = |p: &PathBuf| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    for (k, v) in [
        (
            "made_by",
            "retouch fit (bilateral guided upsampling)".to_string(),
        ),
        ("fit_input", name(&a.input)),
        ("fit_edited", name(&a.edited)),
        ("fit_psnr_db", format!("{:.3}", report.psnr)),
        (
            "fit_lambdas",
            format!(
                "{} {} {}",
                a.lambda_spatial, a.lambda_depth, a.lambda_identity
            ),
        ),
    ] {
        gf.metadata.insert(k.into(), v);
    }
    retouch_io::write_atomic(&a.output, &gf.to_bytes()?, a.overwrite)?;
    let secs = t0.elapsed().as_secs_f64();
    if a.json {
        let j = json!({
            "output": a.output,
            "grid": [grid_h, grid_w, grid_d],
            "width": before.width,
            "height": before.height,
            "iterations": report.iterations,
            "converged": report.converged,
            "rms": report.rms,
            "psnr_db": report.psnr,
            "seconds": secs,
        });
        outln!("{}", serde_json::to_string_pretty(&j)?);
    } else {
        eprintln!(
            "wrote {}: {grid_h}x{grid_w}x{grid_d} grid, reproduces the edit at {:.2} dB PSNR ({} CG iterations{}, {:.2} s)",
            a.output.display(),
            report.psnr,
            report.iterations,
            if report.converged { "" } else { ", NOT converged" },
            secs
        );
    }
    Ok(())
}
