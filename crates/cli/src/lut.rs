//! `retouch lut EDIT.retouch -o LOOK.cube [--size 33]`: an edit file's whole-photo part as a 3D
//! LUT for other programs (Lightroom, Resolve, ffmpeg's `lut3d`); also `retouch edit --cube`.

use anyhow::{bail, Context, Result};
use retouch_model::edit_file::EditFile;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Edit file made by `retouch edit --save-edit`.
    pub edit: PathBuf,
    /// Output .cube file.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Entries per axis (2-256; 33 is what most programs expect).
    #[arg(long, default_value_t = 33)]
    pub size: usize,
    /// Edit strength baked into the table (1: the edit as made).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub strength: f32,
    /// Replace the output if it exists.
    #[arg(long)]
    pub overwrite: bool,
}

/// Read an edit file.
pub fn load_edit(path: &Path) -> Result<EditFile> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read edit file {}", path.display()))?;
    retouch_service::apply::parse_edit_file(&bytes).with_context(|| path.display().to_string())
}

/// Refuse a `.cube` path that is not one.
pub fn check_cube_path(path: &Path) -> Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !ext.eq_ignore_ascii_case("cube") {
        bail!("{}: a 3D LUT is written as a .cube file", path.display());
    }
    Ok(())
}

/// Write the whole-photo part of `edit` as a `.cube` LUT; returns the warnings (region stages
/// a LUT cannot hold).
pub fn write_lut(
    edit: &EditFile,
    path: &Path,
    size: usize,
    strength: f32,
    overwrite: bool,
) -> Result<Vec<String>> {
    check_cube_path(path)?;
    let cube = retouch_service::lut::cube(edit, size, strength)?;
    retouch_io::write_atomic(path, cube.text.as_bytes(), overwrite)?;
    Ok(cube.warnings)
}

pub fn run(a: Args) -> Result<()> {
    check_cube_path(&a.output)?;
    let edit = load_edit(&a.edit)?;
    for w in write_lut(&edit, &a.output, a.size, a.strength, a.overwrite)? {
        eprintln!("warning: {w}");
    }
    eprintln!(
        "wrote {} ({}^3, \"{}\")",
        a.output.display(),
        a.size,
        edit.instruction
    );
    Ok(())
}
