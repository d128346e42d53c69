//! # retouch-io
//!
//! Reading and writing the photos people hand us.
//!
//! - Reads JPEG, PNG (8/16-bit), TIFF (8/16-bit, 32-bit float), WebP; grayscale inputs become
//!   RGB (an edit may add colour), alpha is kept as a fourth channel and never changed.
//! - Applies the EXIF orientation to the pixels, so the output needs no orientation tag.
//! - Keeps the embedded ICC profile and EXIF block (orientation reset to 1) and writes them to
//!   the output where the format allows (JPEG, PNG; ICC also TIFF).
//! - Refuses images above a pixel limit *before* decoding pixels (decompression bombs).
//! - Writes to a temporary file in the target folder, then renames; never replaces an existing
//!   file unless asked to.
//! - Writes 3D LUTs as `.cube` files ([`cube`]).
//!
//! Colour: pixel values are used as they are encoded (normally sRGB). No colour management is
//! done; an image in another space (Display P3, Adobe RGB, ...) is edited in its own encoding and
//! its profile is carried to the output unchanged, so viewers still interpret it correctly.

pub mod cube;

use image::{
    codecs::png::PngEncoder, codecs::tiff::TiffEncoder, metadata::Orientation, DynamicImage,
    ExtendedColorType, ImageDecoder, ImageEncoder, ImageFormat, ImageReader,
};
use std::fs;
use std::io::{BufWriter, Cursor, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Default pixel limit (100 megapixels).
pub const DEFAULT_MAX_PIXELS: u64 = 100_000_000;

#[derive(Debug, Error)]
pub enum IoError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not an image in a supported format (JPEG, PNG, TIFF, WebP)")]
    UnknownFormat { path: PathBuf },
    #[error("{path}: {format:?} images are not supported (use JPEG, PNG, TIFF or WebP)")]
    UnsupportedFormat { path: PathBuf, format: ImageFormat },
    #[error("{path}: {width}x{height} = {pixels} pixels exceeds the limit of {limit} (raise it with --max-pixels)")]
    TooLarge {
        path: PathBuf,
        width: u32,
        height: u32,
        pixels: u64,
        limit: u64,
    },
    #[error("{path}: cannot decode: {source}")]
    Decode {
        path: PathBuf,
        source: image::ImageError,
    },
    #[error("{path}: {damage} (refused by --strict)")]
    Damaged { path: PathBuf, damage: Damage },
    #[error("{path}: unsupported pixel layout {color:?}")]
    Layout {
        path: PathBuf,
        color: image::ColorType,
    },
    #[error("{path}: output format must be .jpg/.jpeg, .png or .tif/.tiff")]
    OutputFormat { path: PathBuf },
    #[error(
        "{path}: JPEG cannot store the alpha channel of this image; write PNG or TIFF instead"
    )]
    JpegAlpha { path: PathBuf },
    #[error("{path}: JPEG stores at most 65535 pixels a side; this image is {width}x{height} (write PNG or TIFF)")]
    JpegSize {
        path: PathBuf,
        width: u32,
        height: u32,
    },
    #[error("cannot encode {path} as JPEG: {source}")]
    JpegEncode {
        path: PathBuf,
        source: jpeg_encoder::EncodingError,
    },
    #[error("{path} already exists; pass --overwrite to replace it")]
    Exists { path: PathBuf },
    #[error("{path}: output would replace the input; choose another path or pass --overwrite")]
    SameAsInput { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode {path}: {source}")]
    Encode {
        path: PathBuf,
        source: image::ImageError,
    },
    #[error("pixel buffer does not match {width}x{height}x{channels}")]
    Buffer {
        width: usize,
        height: usize,
        channels: usize,
    },
    #[error("a {size}^3 LUT needs {expected} entries, not {got}")]
    LutEntries {
        size: usize,
        expected: usize,
        got: usize,
    },
}

pub type Result<T> = std::result::Result<T, IoError>;

/// Decoded samples.
#[derive(Clone, Debug, PartialEq)]
pub enum Pixels {
    U8(Vec<u8>),
    U16(Vec<u16>),
    F32(Vec<f32>),
}

impl Pixels {
    pub fn len(&self) -> usize {
        match self {
            Pixels::U8(v) => v.len(),
            Pixels::U16(v) => v.len(),
            Pixels::F32(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn bit_depth(&self) -> u8 {
        match self {
            Pixels::U8(_) => 8,
            Pixels::U16(_) => 16,
            Pixels::F32(_) => 32,
        }
    }
    /// As `[0, 1]` floats.
    pub fn to_unit_f32(&self) -> Vec<f32> {
        match self {
            Pixels::U8(v) => v.iter().map(|&x| x as f32 / 255.0).collect(),
            Pixels::U16(v) => v.iter().map(|&x| x as f32 / 65535.0).collect(),
            Pixels::F32(v) => v.clone(),
        }
    }
}

/// A decoded photo: interleaved RGB or RGBA, plus the metadata we carry to the output.
#[derive(Clone, Debug, PartialEq)]
pub struct Photo {
    pub width: usize,
    pub height: usize,
    /// 3 (RGB) or 4 (RGBA).
    pub channels: usize,
    pub pixels: Pixels,
    pub icc: Option<Vec<u8>>,
    /// EXIF block with the orientation reset (pixels are already upright).
    pub exif: Option<Vec<u8>>,
    /// The source was grayscale (now replicated to RGB).
    pub was_gray: bool,
    pub format: Option<ImageFormat>,
    /// EXIF orientation that was applied (1 = none).
    pub orientation_applied: u8,
    /// What is wrong with a file that still decoded (`None`: nothing found).
    pub damage: Option<Damage>,
}

/// A file that decodes but is not whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Damage {
    /// The JPEG ends before its last scan does (no end-of-image marker after it): the decoder
    /// fills what is missing. `missing_rows` counts the rows at the bottom that came out as one
    /// flat colour, the part of the image the file has no data for.
    Truncated { missing_rows: usize, height: usize },
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Damage::Truncated {
                missing_rows,
                height,
            } => {
                write!(f, "the file is truncated (it ends before the image does)")?;
                if *missing_rows > 0 {
                    write!(
                        f,
                        ": the bottom {missing_rows} of {height} rows ({:.0} %) have no data and are filled with flat grey",
                        100.0 * *missing_rows as f64 / (*height).max(1) as f64
                    )?;
                }
                Ok(())
            }
        }
    }
}

/// Whether a JPEG stream stops before its end: no end-of-image marker (`FF D9`) after the last
/// start-of-scan marker (`FF DA`; inside entropy-coded data a literal `FF` is always followed by
/// `00` or a restart marker, so these two bytes are markers wherever they occur).
///
/// Run on every JPEG read, so it looks from the end: a whole file has its end-of-image marker
/// within its last bytes, and only what follows that marker is searched for a scan.
pub fn jpeg_is_truncated(bytes: &[u8]) -> bool {
    let marker = |m: u8| move |w: &[u8]| w[0] == 0xFF && w[1] == m;
    match bytes.windows(2).rposition(marker(0xD9)) {
        Some(eoi) => bytes[eoi + 2..].windows(2).any(marker(0xDA)),
        None => bytes.windows(2).any(marker(0xDA)),
    }
}

/// Rows at the bottom of interleaved `px` (`w` pixels of `c` samples a row) that are all one
/// colour, the same as the last row's.
fn flat_rows_at_bottom<T: PartialEq + Copy>(px: &[T], w: usize, c: usize) -> usize {
    let row = w * c;
    if row == 0 || px.len() < row {
        return 0;
    }
    let colour = &px[px.len() - c..];
    px.rchunks_exact(row)
        .take_while(|r| r.chunks_exact(c).all(|p| p == colour))
        .count()
}

impl Photo {
    pub fn new(width: usize, height: usize, channels: usize, pixels: Pixels) -> Result<Self> {
        if !(channels == 3 || channels == 4) || pixels.len() != width * height * channels {
            return Err(IoError::Buffer {
                width,
                height,
                channels,
            });
        }
        Ok(Self {
            width,
            height,
            channels,
            pixels,
            icc: None,
            exif: None,
            was_gray: false,
            format: None,
            orientation_applied: 1,
            damage: None,
        })
    }

    /// An 8-bit copy at most `long_side` pixels on its long side (never enlarged; averaged
    /// down with a box filter), for showing where the original's format or size will not do
    /// (a browser shows no TIFF). Its colour profile and alpha are kept; EXIF is not.
    pub fn preview(&self, long_side: usize) -> Result<Photo> {
        let to_u8 = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
        let data: Vec<u8> = match &self.pixels {
            Pixels::U8(v) => v.clone(),
            other => other.to_unit_f32().into_iter().map(to_u8).collect(),
        };
        let long = self.width.max(self.height).max(1);
        let scale = (long_side.max(1) as f64 / long as f64).min(1.0);
        let w = ((self.width as f64 * scale).round() as u32).max(1);
        let h = ((self.height as f64 * scale).round() as u32).max(1);
        let buffer = |c: usize| IoError::Buffer {
            width: self.width,
            height: self.height,
            channels: c,
        };
        let (out, channels) = if self.channels == 4 {
            let img = image::RgbaImage::from_raw(self.width as u32, self.height as u32, data)
                .ok_or_else(|| buffer(4))?;
            (image::imageops::thumbnail(&img, w, h).into_raw(), 4)
        } else {
            let img = image::RgbImage::from_raw(self.width as u32, self.height as u32, data)
                .ok_or_else(|| buffer(3))?;
            (image::imageops::thumbnail(&img, w, h).into_raw(), 3)
        };
        let mut p = Photo::new(w as usize, h as usize, channels, Pixels::U8(out))?;
        p.icc = self.icc.clone();
        p.was_gray = self.was_gray;
        p.format = self.format;
        Ok(p)
    }
}

/// Read options.
#[derive(Clone, Copy, Debug)]
pub struct ReadOptions {
    pub max_pixels: u64,
    /// A damaged file that still decodes ([`Damage`]) is an error instead of a
    /// [`Photo::damage`] note.
    pub strict: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            max_pixels: DEFAULT_MAX_PIXELS,
            strict: false,
        }
    }
}

/// Read and decode a photo file.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Photo> {
    let bytes = fs::read(path).map_err(|source| IoError::Read {
        path: path.into(),
        source,
    })?;
    decode(&bytes, path, opts)
}

/// Just the dimensions, without decoding pixels.
pub fn dimensions(path: &Path) -> Result<(u32, u32)> {
    let reader = ImageReader::open(path)
        .map_err(|source| IoError::Read {
            path: path.into(),
            source,
        })?
        .with_guessed_format()
        .map_err(|source| IoError::Read {
            path: path.into(),
            source,
        })?;
    reader.into_dimensions().map_err(|source| IoError::Decode {
        path: path.into(),
        source,
    })
}

/// Decode from memory; `path` is only used in messages.
pub fn decode(bytes: &[u8], path: &Path, opts: &ReadOptions) -> Result<Photo> {
    let de = |source| IoError::Decode {
        path: path.into(),
        source,
    };
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|source| IoError::Read {
            path: path.into(),
            source,
        })?;
    let format = reader
        .format()
        .ok_or_else(|| IoError::UnknownFormat { path: path.into() })?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Tiff | ImageFormat::WebP
    ) {
        return Err(IoError::UnsupportedFormat {
            path: path.into(),
            format,
        });
    }
    let mut decoder = reader.into_decoder().map_err(de)?;
    let (w, h) = decoder.dimensions();
    let pixels = w as u64 * h as u64;
    if pixels > opts.max_pixels {
        return Err(IoError::TooLarge {
            path: path.into(),
            width: w,
            height: h,
            pixels,
            limit: opts.max_pixels,
        });
    }
    // Bound the decoder's own allocations too (16 bytes per pixel covers RGBA f32).
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(opts.max_pixels.saturating_mul(16).max(1 << 26));
    decoder.set_limits(limits).map_err(de)?;
    let icc = decoder.icc_profile().map_err(de)?;
    let orientation = decoder.orientation().map_err(de)?;
    let exif = decoder.exif_metadata().map_err(de)?.map(|mut e| {
        let _ = Orientation::remove_from_exif_chunk(&mut e);
        e
    });
    let mut img = DynamicImage::from_decoder(decoder).map_err(de)?;
    img.apply_orientation(orientation);
    let color = img.color();
    let was_gray = !color.has_color();
    let alpha = color.has_alpha();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (channels, px) = match (color.bytes_per_pixel() / color.channel_count(), alpha) {
        (1, false) => (3, Pixels::U8(img.into_rgb8().into_raw())),
        (1, true) => (4, Pixels::U8(img.into_rgba8().into_raw())),
        (2, false) => (3, Pixels::U16(img.into_rgb16().into_raw())),
        (2, true) => (4, Pixels::U16(img.into_rgba16().into_raw())),
        (4, false) => (3, Pixels::F32(img.into_rgb32f().into_raw())),
        (4, true) => (4, Pixels::F32(img.into_rgba32f().into_raw())),
        _ => {
            return Err(IoError::Layout {
                path: path.into(),
                color,
            })
        }
    };
    let damage = (format == ImageFormat::Jpeg && jpeg_is_truncated(bytes)).then(|| {
        let missing_rows = match &px {
            Pixels::U8(v) => flat_rows_at_bottom(v, w, channels),
            Pixels::U16(v) => flat_rows_at_bottom(v, w, channels),
            Pixels::F32(v) => flat_rows_at_bottom(v, w, channels),
        };
        Damage::Truncated {
            missing_rows,
            height: h,
        }
    });
    if let (Some(damage), true) = (&damage, opts.strict) {
        return Err(IoError::Damaged {
            path: path.into(),
            damage: damage.clone(),
        });
    }
    Ok(Photo {
        width: w,
        height: h,
        channels,
        pixels: px,
        icc,
        exif,
        was_gray,
        format: Some(format),
        orientation_applied: orientation_code(orientation),
        damage,
    })
}

fn orientation_code(o: Orientation) -> u8 {
    match o {
        Orientation::NoTransforms => 1,
        Orientation::FlipHorizontal => 2,
        Orientation::Rotate180 => 3,
        Orientation::FlipVertical => 4,
        Orientation::Rotate90FlipH => 5,
        Orientation::Rotate90 => 6,
        Orientation::Rotate270FlipH => 7,
        Orientation::Rotate270 => 8,
    }
}

/// Output container, from the file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    Jpeg,
    Png,
    Tiff,
}

impl OutFormat {
    pub fn from_path(path: &Path) -> Result<Self> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("jpg" | "jpeg") => Ok(Self::Jpeg),
            Some("png") => Ok(Self::Png),
            Some("tif" | "tiff") => Ok(Self::Tiff),
            _ => Err(IoError::OutputFormat { path: path.into() }),
        }
    }

    /// From a name: `jpeg`/`jpg`, `png`, `tiff`/`tif` (any case).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "jpeg" | "jpg" => Some(Self::Jpeg),
            "png" => Some(Self::Png),
            "tiff" | "tif" => Some(Self::Tiff),
            _ => None,
        }
    }

    /// The container a photo read as `input` is written back in: its own, or PNG for the
    /// formats that are only read (WebP).
    pub fn like_input(input: Option<ImageFormat>) -> Self {
        match input {
            Some(ImageFormat::Jpeg) => Self::Jpeg,
            Some(ImageFormat::Tiff) => Self::Tiff,
            _ => Self::Png,
        }
    }

    /// The media type (`image/jpeg`).
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Tiff => "image/tiff",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Tiff => "tif",
        }
    }
}

/// How a JPEG stores colour: chroma at half resolution both ways (4:2:0, libjpeg's default
/// and the smaller file) or at full resolution (4:4:4: sharper colour edges, about a third
/// larger).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JpegSampling {
    #[default]
    Yuv420,
    Yuv444,
}

/// Write options.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// JPEG quality 1..=100.
    pub jpeg_quality: u8,
    /// JPEG chroma subsampling.
    pub jpeg_sampling: JpegSampling,
    /// Progressive JPEG (smaller, slower to write) instead of baseline.
    pub jpeg_progressive: bool,
    /// Replace an existing file.
    pub overwrite: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            jpeg_quality: 92,
            jpeg_sampling: JpegSampling::Yuv420,
            jpeg_progressive: false,
            overwrite: false,
        }
    }
}

/// Encode a photo. Returns the bytes and any warnings (e.g. 16-bit reduced to 8 for JPEG).
pub fn encode(
    photo: &Photo,
    format: OutFormat,
    opts: &WriteOptions,
    path: &Path,
) -> Result<(Vec<u8>, Vec<String>)> {
    let mut warnings = Vec::new();
    let enc_err = |source| IoError::Encode {
        path: path.into(),
        source,
    };
    let (w, h) = (photo.width as u32, photo.height as u32);
    let alpha = photo.channels == 4;
    // Samples in the depth the container takes: JPEG 8-bit; PNG/TIFF 8 or 16 (floats -> 16).
    // 8-bit samples are encoded from the photo's own buffer, without a copy.
    enum Buf<'a> {
        B8(std::borrow::Cow<'a, [u8]>),
        B16(Vec<u8>),
    }
    let to16 = |v: &[u16]| v.iter().flat_map(|x| x.to_ne_bytes()).collect::<Vec<u8>>();
    let buf = match (&photo.pixels, format) {
        (Pixels::U8(v), _) => Buf::B8(std::borrow::Cow::Borrowed(v)),
        (Pixels::U16(v), OutFormat::Jpeg) => {
            warnings.push("JPEG stores 8 bits per channel: 16-bit output reduced to 8".into());
            Buf::B8(
                v.iter()
                    .map(|&x| ((x as u32 * 255 + 32767) / 65535) as u8)
                    .collect::<Vec<u8>>()
                    .into(),
            )
        }
        (Pixels::F32(v), OutFormat::Jpeg) => {
            warnings.push("JPEG stores 8 bits per channel: float output reduced to 8".into());
            Buf::B8(
                v.iter()
                    .map(|&x| (x.clamp(0.0, 1.0) * 255.0).round() as u8)
                    .collect::<Vec<u8>>()
                    .into(),
            )
        }
        (Pixels::U16(v), _) => Buf::B16(to16(v)),
        (Pixels::F32(v), _) => {
            warnings.push("float output written as 16-bit integers".into());
            let q: Vec<u16> = v
                .iter()
                .map(|&x| (x.clamp(0.0, 1.0) * 65535.0).round() as u16)
                .collect();
            Buf::B16(to16(&q))
        }
    };
    let (bytes, color) = match (buf, alpha) {
        (Buf::B8(b), false) => (b, ExtendedColorType::Rgb8),
        (Buf::B8(b), true) => (b, ExtendedColorType::Rgba8),
        (Buf::B16(b), false) => (b.into(), ExtendedColorType::Rgb16),
        (Buf::B16(b), true) => (b.into(), ExtendedColorType::Rgba16),
    };
    let mut out = Vec::new();
    match format {
        OutFormat::Jpeg => {
            if alpha {
                return Err(IoError::JpegAlpha { path: path.into() });
            }
            let (Ok(w16), Ok(h16)) = (u16::try_from(w), u16::try_from(h)) else {
                return Err(IoError::JpegSize {
                    path: path.into(),
                    width: w,
                    height: h,
                });
            };
            out = encode_jpeg(&bytes, w16, h16, photo, opts, &mut warnings).map_err(|source| {
                IoError::JpegEncode {
                    path: path.into(),
                    source,
                }
            })?;
        }
        OutFormat::Png => {
            let mut e = PngEncoder::new(&mut out);
            attach_metadata(&mut e, photo, &mut warnings);
            e.write_image(&bytes, w, h, color).map_err(enc_err)?;
        }
        OutFormat::Tiff => {
            let mut e = TiffEncoder::new(Cursor::new(&mut out));
            attach_metadata(&mut e, photo, &mut warnings);
            e.write_image(&bytes, w, h, color).map_err(enc_err)?;
        }
    }
    Ok((out, warnings))
}

/// Baseline (or progressive) JPEG of 8-bit RGB with the photo's ICC profile and EXIF block,
/// by the `jpeg-encoder` crate (its AVX2 colour conversion and DCT where the CPU has them):
/// about 8x faster than the `image` crate's encoder at 4K (`examples/codec_bench.rs`). Chroma
/// is box-averaged when subsampled, as libjpeg does.
fn encode_jpeg(
    rgb: &[u8],
    w16: u16,
    h16: u16,
    photo: &Photo,
    opts: &WriteOptions,
    warnings: &mut Vec<String>,
) -> std::result::Result<Vec<u8>, jpeg_encoder::EncodingError> {
    use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder, SamplingFactor};
    let mut out = Vec::with_capacity(rgb.len() / 8);
    let mut e = Encoder::new(&mut out, opts.jpeg_quality.clamp(1, 100));
    e.set_sampling_factor(match opts.jpeg_sampling {
        JpegSampling::Yuv420 => SamplingFactor::F_2_2,
        JpegSampling::Yuv444 => SamplingFactor::F_1_1,
    });
    e.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
    e.set_progressive(opts.jpeg_progressive);
    if let Some(icc) = &photo.icc {
        if e.add_icc_profile(icc).is_err() {
            warnings.push("the ICC profile is too large for a JPEG; it was dropped".into());
        }
    }
    if let Some(exif) = &photo.exif {
        if e.add_exif_metadata(exif).is_err() {
            warnings.push("the EXIF block is too large for a JPEG; it was dropped".into());
        }
    }
    e.encode(rgb, w16, h16, ColorType::Rgb)?;
    Ok(out)
}

/// Hand the photo's ICC profile and EXIF block to an encoder; what it cannot store becomes a
/// warning rather than a silent loss.
fn attach_metadata(e: &mut impl ImageEncoder, photo: &Photo, warnings: &mut Vec<String>) {
    if let Some(icc) = &photo.icc {
        if e.set_icc_profile(icc.clone()).is_err() {
            warnings.push("this output format cannot embed the ICC profile; it was dropped".into());
        }
    }
    if let Some(exif) = &photo.exif {
        if e.set_exif_metadata(exif.clone()).is_err() {
            warnings.push("this output format cannot store EXIF metadata; it was dropped".into());
        }
    }
}

/// Encode and write atomically: a temporary file in the target folder, then a rename. Refuses to
/// replace an existing file unless `opts.overwrite`, and refuses to replace `input` (if given)
/// unless `opts.overwrite`.
pub fn write(
    photo: &Photo,
    path: &Path,
    input: Option<&Path>,
    opts: &WriteOptions,
) -> Result<Vec<String>> {
    let format = OutFormat::from_path(path)?;
    check_destination(path, input, opts.overwrite)?;
    let (bytes, warnings) = encode(photo, format, opts, path)?;
    write_atomic(path, &bytes, opts.overwrite)?;
    Ok(warnings)
}

/// Refuse outputs that would replace the input or an existing file (without `overwrite`).
pub fn check_destination(path: &Path, input: Option<&Path>, overwrite: bool) -> Result<()> {
    if overwrite {
        return Ok(());
    }
    if let Some(input) = input {
        if let (Ok(a), Ok(b)) = (fs::canonicalize(input), fs::canonicalize(path)) {
            if a == b {
                return Err(IoError::SameAsInput { path: path.into() });
            }
        }
    }
    if path.exists() {
        return Err(IoError::Exists { path: path.into() });
    }
    Ok(())
}

/// Write bytes to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    let we = |source| IoError::Write {
        path: path.into(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".retouch-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(we)?;
    {
        let mut wr = BufWriter::new(tmp.as_file_mut());
        wr.write_all(bytes).map_err(we)?;
        wr.flush().map_err(we)?;
    }
    tmp.as_file().sync_all().map_err(we)?;
    // Temporary files are private (0600); give the result the usual permissions, or keep those
    // of the file it replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = match fs::metadata(path) {
            Ok(m) if overwrite => m.permissions(),
            _ => fs::Permissions::from_mode(0o644),
        };
        tmp.as_file().set_permissions(perms).map_err(we)?;
    }
    if overwrite {
        tmp.persist(path).map_err(|e| we(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                IoError::Exists { path: path.into() }
            } else {
                we(e.error)
            }
        })?;
    }
    Ok(())
}
