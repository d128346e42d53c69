//! # retouch-data
//!
//! The real-photo dataset: reading the packages that carry the photos (Qt resource archives,
//! Debian DEP-5 copyright files), deciding what is a usable photograph, normalising, and writing
//! a manifest with per-photo source and licence and a fixed train/validation split.

pub mod check;
pub mod copyright;
pub mod degrade;
pub mod prepare;
pub mod rcc;
pub mod synth;

use std::path::PathBuf;
use thiserror::Error;

/// Where `scripts/fetch-photos.sh` builds the photo cache unless told otherwise:
/// `$HOME/.cache/instantretouch/photos` (the training config's default `data_dir`).
pub fn default_photo_dir() -> PathBuf {
    PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/instantretouch/photos")
}

#[derive(Debug, Error)]
pub enum DataError {
    #[error("Qt resource file: {0}")]
    Rcc(String),
    #[error("{0}")]
    Other(String),
}
