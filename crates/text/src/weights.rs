//! The sentence encoder's weights: a memory-mapped f16 safetensors file, every tensor widened
//! to f32 once at load (the matmuls run in f32) except the ones asked to stay as stored (the
//! word embeddings: each sentence widens its own rows, [`crate::bert`]).
//!
//! The widening is `half`'s slice conversion (F16C vector instructions where the CPU has them),
//! split over two threads (parsing the tokenizer on a third meanwhile was not faster on two
//! cores); candle's own `to_dtype` widens one value at a time and made the
//! weights' part of the load about twice as slow (63 -> 32-45 ms for the whole encoder, tokenizer
//! included) (`cargo run --release -p retouch-model --example startup`).

use candle_core::safetensors::MmapedSafetensors;
use candle_core::{DType, Device, Tensor};
use half::f16;
use half::slice::HalfFloatSliceExt;
use std::collections::HashMap;
use std::path::Path;

/// `src` (little-endian f16 bytes) widened to f32.
pub fn widen(src: &[u8]) -> Vec<f32> {
    let n = src.len() / 2;
    let mut out = vec![0f32; n];
    if (src.as_ptr() as usize).is_multiple_of(std::mem::align_of::<f16>()) {
        // SAFETY: aligned for f16, `n` values of 2 bytes lie inside `src`, and every bit
        // pattern is a valid f16.
        let halves: &[f16] = unsafe { std::slice::from_raw_parts(src.as_ptr().cast(), n) };
        halves.convert_to_f32_slice(&mut out);
    } else {
        let halves: Vec<f16> = src
            .chunks_exact(2)
            .map(|b| f16::from_le_bytes([b[0], b[1]]))
            .collect();
        halves.convert_to_f32_slice(&mut out);
    }
    out
}

/// Every tensor of the file at `path`, f16 ones widened to f32 unless named in `keep`.
pub fn load(path: &Path, keep: &[&str]) -> candle_core::Result<HashMap<String, Tensor>> {
    // SAFETY: the file is memory-mapped read-only and not modified while mapped.
    let file = unsafe { MmapedSafetensors::new(path)? };
    // Names and byte sizes, in the file's order.
    let tensors: Vec<(String, usize)> = file
        .tensors()
        .into_iter()
        .map(|(n, v)| (n, v.data().len()))
        .collect();
    let read = |name: &String| -> candle_core::Result<(String, Tensor)> {
        let view = file.get(name)?;
        let f16 = matches!(DType::try_from(view.dtype()), Ok(DType::F16));
        let t = if f16 && !keep.contains(&name.as_str()) {
            Tensor::from_vec(widen(view.data()), view.shape(), &Device::Cpu)?
        } else {
            file.load(name, &Device::Cpu)?
        };
        Ok((name.clone(), t))
    };
    // Two halves of about equal size, one on a second thread.
    let total: usize = tensors.iter().map(|(_, b)| b).sum();
    let (mut acc, mut split) = (0, tensors.len());
    for (i, (_, b)) in tensors.iter().enumerate() {
        acc += b;
        if 2 * acc >= total {
            split = i + 1;
            break;
        }
    }
    let names: Vec<String> = tensors.into_iter().map(|(n, _)| n).collect();
    let (first, second) = names.split_at(split);
    let (a, b) = std::thread::scope(|s| {
        let h = s.spawn(|| {
            second
                .iter()
                .map(read)
                .collect::<candle_core::Result<Vec<_>>>()
        });
        let a = first
            .iter()
            .map(read)
            .collect::<candle_core::Result<Vec<_>>>();
        (a, h.join())
    });
    let b = b.map_err(|_| candle_core::Error::Msg("weight loading thread panicked".into()))?;
    let mut map: HashMap<String, Tensor> = a?.into_iter().collect();
    map.extend(b?);
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_matches_the_scalar_conversion_aligned_or_not() {
        let values: Vec<f16> = (0..1003)
            .map(|i| f16::from_f32((i as f32 - 500.0) * 0.37))
            .chain([
                f16::INFINITY,
                f16::NEG_INFINITY,
                f16::MIN_POSITIVE_SUBNORMAL,
            ])
            .collect();
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut shifted = vec![0u8];
        shifted.extend_from_slice(&bytes);
        for src in [&bytes[..], &shifted[1..]] {
            let wide = widen(src);
            assert_eq!(wide.len(), values.len());
            for (w, v) in wide.iter().zip(&values) {
                assert_eq!(w.to_bits(), v.to_f32().to_bits());
            }
        }
    }
}
