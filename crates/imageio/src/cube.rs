//! The `.cube` 3D LUT text format (Adobe/Resolve): what Lightroom, Resolve, ffmpeg's `lut3d`
//! and most editors read.
//!
//! Written as `TITLE`, `LUT_3D_SIZE n`, `DOMAIN_MIN 0 0 0`, `DOMAIN_MAX 1 1 1`, then `n^3`
//! lines `r g b` with red changing fastest, values clamped to the domain.

use crate::{IoError, Result};
use std::fmt::Write as _;
use std::path::Path;

/// The text of a `.cube` file for a `size^3` lattice in `.cube` order (red fastest).
pub fn to_cube_text(title: &str, size: usize, lattice: &[[f32; 3]]) -> Result<String> {
    if size < 2 || lattice.len() != size * size * size {
        return Err(IoError::LutEntries {
            size,
            expected: size * size * size,
            got: lattice.len(),
        });
    }
    let title: String = title
        .chars()
        .map(|c| if c == '"' || c.is_control() { '\'' } else { c })
        .collect();
    let mut s = String::with_capacity(lattice.len() * 28 + 128);
    let _ = writeln!(s, "TITLE \"{title}\"");
    let _ = writeln!(s, "LUT_3D_SIZE {size}");
    s.push_str("DOMAIN_MIN 0.0 0.0 0.0\nDOMAIN_MAX 1.0 1.0 1.0\n");
    for e in lattice {
        // `+ 0.0` turns -0 into 0: a minus sign in a LUT trips some readers.
        let v = e.map(|x| {
            if x.is_finite() {
                x.clamp(0.0, 1.0) + 0.0
            } else {
                0.0
            }
        });
        let _ = writeln!(s, "{:.6} {:.6} {:.6}", v[0], v[1], v[2]);
    }
    Ok(s)
}

/// Write a `.cube` file (temporary file, then rename; an existing file only with `overwrite`).
pub fn write_cube(
    path: &Path,
    title: &str,
    size: usize,
    lattice: &[[f32; 3]],
    overwrite: bool,
) -> Result<()> {
    crate::write_atomic(
        path,
        to_cube_text(title, size, lattice)?.as_bytes(),
        overwrite,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_header_and_red_fastest_clamped_entries() {
        let lattice: Vec<[f32; 3]> = (0..8)
            .map(|i| {
                [
                    (i & 1) as f32,
                    ((i >> 1) & 1) as f32 * 1.5,
                    -((i >> 2) as f32),
                ]
            })
            .collect();
        let t = to_cube_text("a \"warm\" look", 2, &lattice).unwrap();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "TITLE \"a 'warm' look\"");
        assert_eq!(lines[1], "LUT_3D_SIZE 2");
        assert_eq!(lines.len(), 4 + 8);
        assert_eq!(lines[5], "1.000000 0.000000 0.000000");
        assert_eq!(lines[7], "1.000000 1.000000 0.000000");
        assert!(to_cube_text("x", 3, &lattice).is_err());
    }
}
