use thiserror::Error;

/// Everything the engine can refuse. Validation happens before any pixel work starts.
#[derive(Debug, Error)]
pub enum EngineError {
    #[error("image buffer has {got} values but {width}x{height}x{channels} needs {expected}")]
    BufferSize {
        width: usize,
        height: usize,
        channels: usize,
        expected: usize,
        got: usize,
    },
    #[error("unsupported channel count {0}: the engine works on RGB (3) or RGBA (4) pixels")]
    Channels(usize),
    #[error("image is empty ({width}x{height})")]
    EmptyImage { width: usize, height: usize },
    #[error("input and output images differ in size: {0}x{1} vs {2}x{3}")]
    SizeMismatch(usize, usize, usize, usize),
    #[error("invalid grid dimensions {h}x{w}x{d}: every dimension must be at least 1 (and at most 4096)")]
    GridDims { h: usize, w: usize, d: usize },
    #[error("grid has {got} coefficients, {expected} expected")]
    GridData { expected: usize, got: usize },
    #[error("strength must be finite, got {0}")]
    Strength(f32),
    #[error(
        "mask is {width}x{height} with {got} values; it must be non-empty with one value per pixel"
    )]
    Mask {
        width: usize,
        height: usize,
        got: usize,
    },
    #[error("guidance parameters are not finite")]
    GuideNotFinite,
    #[error("grid coefficients are not finite")]
    GridNotFinite,
    #[error("grid file: {0}")]
    GridFile(String),
    #[error("fit: {0}")]
    Fit(String),
    #[error("a LUT has 2 to {max} entries per axis, not {size}")]
    LutSize { size: usize, max: usize },
}

pub type Result<T> = std::result::Result<T, EngineError>;
