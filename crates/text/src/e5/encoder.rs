//! The BERT encoder of multilingual-e5-small in candle, from the container's tensors: the
//! Q4_0 linear weights are widened to f32 once on load and multiplied in f32 (candle's
//! quantised CPU matmul picks its SIMD path at compile time only, and without
//! `target-cpu=native` it measured 390 ms for a 12-token sentence against a few ms in f32);
//! the reference `e5.c` quantises activations to 8 bits instead, so the two agree to the
//! rounding of that step. The widened weights are kept `[out, in]` as stored and multiplied
//! through a transposed view (gemm reads the strides; a transposed copy cost 50 ms of the
//! load and did not make a sentence faster: `cargo run --release -p retouch-text --example
//! e5_load`). Word embeddings stay 4-bit, in the memory-mapped file when it is one, and are
//! widened per looked-up row.

use super::container::{dequantize_q4_0, Container, DType, Q4_0_BLOCK_BYTES, QK};
use super::E5Error;
use candle_core::{Device, Tensor, D};
use memmap2::Mmap;
use std::ops::Range;
use std::sync::Arc;

struct Linear {
    /// `[out, in]`.
    w: Tensor,
    b: Tensor,
}

impl Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.w.t()?)?.broadcast_add(&self.b)
    }
}

/// The word table's Q4_0 bytes: a copy, or a range of the memory-mapped file.
pub enum WordTable {
    Owned(Vec<u8>),
    Mapped(Arc<Mmap>, Range<usize>),
}

impl std::ops::Deref for WordTable {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            WordTable::Owned(v) => v,
            WordTable::Mapped(m, r) => &m[r.clone()],
        }
    }
}

struct LayerNorm {
    w: Tensor,
    b: Tensor,
    eps: f64,
}

impl LayerNorm {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let mean = x.mean_keepdim(D::Minus1)?;
        let x = x.broadcast_sub(&mean)?;
        let var = x.sqr()?.mean_keepdim(D::Minus1)?;
        let x = x.broadcast_div(&(var + self.eps)?.sqrt()?)?;
        x.broadcast_mul(&self.w)?.broadcast_add(&self.b)
    }
}

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    attn_out: Linear,
    attn_norm: LayerNorm,
    ff_in: Linear,
    ff_out: Linear,
    out_norm: LayerNorm,
}

pub struct Encoder {
    hidden: usize,
    heads: usize,
    max_positions: usize,
    /// Word embeddings as Q4_0 bytes, dequantised row by row on lookup.
    words: WordTable,
    vocab: usize,
    positions: Tensor,
    token_type: Tensor,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
    device: Device,
}

fn f32s(data: &[u8], c: &Container, name: &str, len: usize) -> Result<Vec<f32>, E5Error> {
    let e = c.entry(name, DType::F32, len)?;
    Ok(data[e.offset..e.offset + e.bytes]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

impl Encoder {
    /// The encoder of the container `c` parsed from `data`; `map`: the file `data` is the
    /// memory map of, whose word table is then read in place rather than copied.
    pub fn load(data: &[u8], c: &Container, map: Option<&Arc<Mmap>>) -> Result<Self, E5Error> {
        let h = c.header;
        let device = Device::Cpu;
        let vec = |name: &str, len: usize| -> Result<Tensor, E5Error> {
            Ok(Tensor::from_vec(f32s(data, c, name, len)?, len, &device)?)
        };
        let linear = |name: &str, nout: usize, nin: usize| -> Result<Linear, E5Error> {
            let e = c.entry(&format!("{name}.w"), DType::Q4_0, nout * nin)?;
            let mut w = vec![0f32; nout * nin];
            dequantize_q4_0(&data[e.offset..e.offset + e.bytes], &mut w);
            let w = Tensor::from_vec(w, (nout, nin), &device)?;
            Ok(Linear {
                w,
                b: vec(&format!("{name}.b"), nout)?,
            })
        };
        let norm = |name: &str| -> Result<LayerNorm, E5Error> {
            Ok(LayerNorm {
                w: vec(&format!("{name}.w"), h.hidden)?,
                b: vec(&format!("{name}.b"), h.hidden)?,
                eps: h.eps as f64,
            })
        };
        let mut layers = Vec::with_capacity(h.layers);
        for l in 0..h.layers {
            layers.push(Layer {
                q: linear(&format!("l{l}.q"), h.hidden, h.hidden)?,
                k: linear(&format!("l{l}.k"), h.hidden, h.hidden)?,
                v: linear(&format!("l{l}.v"), h.hidden, h.hidden)?,
                attn_out: linear(&format!("l{l}.ao"), h.hidden, h.hidden)?,
                attn_norm: norm(&format!("l{l}.aln"))?,
                ff_in: linear(&format!("l{l}.fi"), h.ff, h.hidden)?,
                ff_out: linear(&format!("l{l}.fo"), h.hidden, h.ff)?,
                out_norm: norm(&format!("l{l}.oln"))?,
            });
        }
        let we = c.entry("emb.word", DType::Q4_0, h.vocab * h.hidden)?;
        let positions = Tensor::from_vec(
            f32s(data, c, "emb.pos", h.max_positions * h.hidden)?,
            (h.max_positions, h.hidden),
            &device,
        )?;
        Ok(Self {
            hidden: h.hidden,
            heads: h.heads,
            max_positions: h.max_positions,
            words: match map {
                Some(m) => WordTable::Mapped(m.clone(), we.offset..we.offset + we.bytes),
                None => WordTable::Owned(data[we.offset..we.offset + we.bytes].to_vec()),
            },
            vocab: h.vocab,
            positions,
            token_type: Tensor::from_vec(
                f32s(data, c, "emb.type", h.token_types * h.hidden)?[..h.hidden].to_vec(),
                h.hidden,
                &device,
            )?,
            embed_norm: norm("emb.ln")?,
            layers,
            device,
        })
    }

    /// Most tokens one pass takes (`<s>` and `</s>` included).
    pub fn max_tokens(&self) -> usize {
        self.max_positions
    }

    /// Final hidden states `[tokens, hidden]` for `ids` (with `<s>` and `</s>`).
    pub fn forward(&self, ids: &[u32]) -> Result<Tensor, E5Error> {
        Ok(self
            .forward_batch(&[ids.to_vec()])?
            .pop()
            .expect("one sequence in, one out"))
    }

    /// [`Self::forward`] for several sequences at once: their tokens are stacked so each
    /// weight matrix is multiplied once for the whole batch (what makes encoding a training
    /// corpus affordable); attention stays within each sequence.
    pub fn forward_batch(&self, seqs: &[Vec<u32>]) -> Result<Vec<Tensor>, E5Error> {
        let row_bytes = self.hidden / QK * Q4_0_BLOCK_BYTES;
        let total: usize = seqs.iter().map(Vec::len).sum();
        let mut emb = vec![0f32; total * self.hidden];
        let mut pos = Vec::with_capacity(total);
        let mut t = 0;
        for ids in seqs {
            if ids.is_empty() || ids.len() > self.max_positions {
                return Err(E5Error::Input(format!(
                    "{} tokens (1..={} allowed)",
                    ids.len(),
                    self.max_positions
                )));
            }
            for (p, &id) in ids.iter().enumerate() {
                let id = id as usize;
                if id >= self.vocab {
                    return Err(E5Error::Input(format!("token id {id} out of range")));
                }
                dequantize_q4_0(
                    &self.words[id * row_bytes..(id + 1) * row_bytes],
                    &mut emb[t * self.hidden..(t + 1) * self.hidden],
                );
                pos.push(p as u32);
                t += 1;
            }
        }
        let x = Tensor::from_vec(emb, (total, self.hidden), &self.device)?;
        let pos = Tensor::from_vec(pos, total, &self.device)?;
        let x = x
            .add(&self.positions.index_select(&pos, 0)?)?
            .broadcast_add(&self.token_type)?;
        let mut x = self.embed_norm.forward(&x)?;
        let hd = self.hidden / self.heads;
        let scale = 1.0 / (hd as f64).sqrt();
        for l in &self.layers {
            let q = l.q.forward(&x)?;
            let k = l.k.forward(&x)?;
            let v = l.v.forward(&x)?;
            let mut ctxs = Vec::with_capacity(seqs.len());
            let mut start = 0;
            for ids in seqs {
                let n = ids.len();
                let split = |t: &Tensor| -> candle_core::Result<Tensor> {
                    t.narrow(0, start, n)?
                        .reshape((n, self.heads, hd))?
                        .transpose(0, 1)?
                        .contiguous()
                };
                let (q, k, v) = (split(&q)?, split(&k)?, split(&v)?);
                let att = (q.matmul(&k.transpose(1, 2)?.contiguous()?)? * scale)?;
                let att = candle_nn::ops::softmax_last_dim(&att)?;
                ctxs.push(
                    att.matmul(&v)?
                        .transpose(0, 1)?
                        .contiguous()?
                        .reshape((n, self.hidden))?,
                );
                start += n;
            }
            let ctx = Tensor::cat(&ctxs, 0)?;
            x = l.attn_norm.forward(&(x + l.attn_out.forward(&ctx)?)?)?;
            let mid = l.ff_in.forward(&x)?.gelu_erf()?;
            x = l.out_norm.forward(&(x + l.ff_out.forward(&mid)?)?)?;
        }
        let mut out = Vec::with_capacity(seqs.len());
        let mut start = 0;
        for ids in seqs {
            out.push(x.narrow(0, start, ids.len())?);
            start += ids.len();
        }
        Ok(out)
    }
}
