//! Misspellings and texting style, corrected against the matcher's own vocabulary before it
//! reads: "make it brigter" -> "brighter", "more contrst" -> "contrast", "warmerrr" ->
//! "warmer", "abit" -> "a bit".
//!
//! A word is corrected only when it is neither an English word (the text encoder's vocabulary,
//! `data/english-words.txt`) nor one of the matcher's words, and exactly one of the matcher's
//! words is closest to it by optimal-string-alignment distance (a swap of two neighbouring
//! letters counts one): at most 1 for words of 4-6 letters, at most 2 from 7 letters on.
//! Shorter words and words in other scripts are left alone.

use crate::language::is_english_word;
use serde::{Deserialize, Serialize};

/// One correction made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub from: String,
    pub to: String,
}

/// Texting forms -> words (whole words only).
const TEXTING: &[(&str, &str)] = &[
    ("pls", "please"),
    ("plz", "please"),
    ("plez", "please"),
    ("u", "you"),
    ("ur", "your"),
    ("lil", "little"),
    ("abit", "a bit"),
    ("alittle", "a little"),
    ("alot", "a lot"),
    ("tho", "though"),
    ("rly", "really"),
    ("realy", "really"),
    ("v", "very"),
    ("sooo", "so"),
    ("soooo", "so"),
    ("thx", "thanks"),
    ("ty", "thanks"),
    ("abt", "about"),
    ("pic", "photo"),
    ("pics", "photos"),
    ("img", "image"),
    ("bw", "black and white"),
    ("b+w", "black and white"),
    ("sat", "saturation"),
    ("temp", "temperature"),
    ("wb", "white balance"),
    ("hilights", "highlights"),
    ("lite", "light"),
    ("brite", "bright"),
];

/// Collapse runs of three or more of the same letter to two ("brighterrrr" -> "brighterr").
fn collapse(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut run = 0;
    let mut last = None;
    for c in word.chars() {
        if Some(c) == last {
            run += 1;
        } else {
            run = 1;
            last = Some(c);
        }
        if run <= 2 {
            out.push(c);
        }
    }
    out
}

fn known(word: &str, vocab: &[&str]) -> bool {
    is_english_word(word) || vocab.binary_search(&word).is_ok()
}

/// The matcher word a misspelt `word` stands for, if exactly one is closest.
fn nearest(word: &str, vocab: &[&str]) -> Option<String> {
    let len = word.chars().count();
    let limit = match len {
        0..=3 => return None,
        4..=6 => 1,
        _ => 2,
    };
    // The nearest candidates; among equals, those that keep the word's first letter.
    let keeps = |x: &str| x.chars().next() == word.chars().next();
    let mut best: Vec<&str> = Vec::new();
    let mut best_d = usize::MAX;
    for &v in vocab {
        if v.len().abs_diff(word.len()) > limit {
            continue;
        }
        let d = strsim::osa_distance(word, v);
        if d > limit || d > best_d {
            continue;
        }
        if d < best_d {
            best_d = d;
            best.clear();
        }
        best.push(v);
    }
    if best.iter().any(|v| keeps(v)) {
        best.retain(|v| keeps(v));
    }
    match best.as_slice() {
        [] => None,
        [one] => Some(one.to_string()),
        // A tie is still a correction when every candidate means the same edit to the
        // matcher ("warmr": warm / warmer; "coller": cooler / colder).
        [first, rest @ ..] => {
            let meaning = |w: &str| -> Vec<String> {
                crate::matcher::match_instruction(w)
                    .targets
                    .iter()
                    .map(|(t, _)| t.label())
                    .collect()
            };
            let m = meaning(first);
            (!m.is_empty() && rest.iter().all(|v| meaning(v) == m)).then(|| first.to_string())
        }
    }
}

/// The words a misspelling may stand for: the matcher's and the reading's own, sorted (made
/// once per process).
fn vocabulary() -> &'static [&'static str] {
    static V: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let mut v = crate::matcher::vocabulary();
        v.extend(crate::reading::words());
        v.sort_unstable();
        v.dedup();
        v
    })
}

/// Correct a (lower-case) sentence word by word; punctuation and spacing become single spaces
/// around words the way the matcher's `normalise` leaves them. Returns the text and what was
/// changed.
pub fn correct(text: &str) -> (String, Vec<Correction>) {
    let vocab = vocabulary();
    let mut fixes = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String, fixes: &mut Vec<Correction>| {
        if word.is_empty() {
            return;
        }
        let w = std::mem::take(word);
        let ascii = w.chars().all(|c| c.is_ascii_alphabetic());
        let replacement = if let Some((_, to)) = TEXTING.iter().find(|(f, _)| *f == w) {
            Some(to.to_string()).filter(|t| *t != w)
        } else if !ascii || known(&w, vocab) {
            None
        } else {
            let c = collapse(&w);
            if known(&c, vocab) {
                Some(c)
            } else {
                let once = collapse_to_one(&c);
                if known(&once, vocab) {
                    Some(once)
                } else if let Some(base) = comparative_base(&c, vocab) {
                    Some(base)
                } else {
                    nearest(&c, vocab)
                }
            }
        };
        match replacement {
            Some(to) => {
                fixes.push(Correction {
                    from: w,
                    to: to.clone(),
                });
                out.push_str(&to);
            }
            None => out.push_str(&w),
        }
    };
    for ch in text.chars() {
        if ch.is_alphanumeric() || ch == '+' && word == "b" {
            word.push(ch);
        } else {
            flush(&mut word, &mut out, &mut fixes);
            out.push(ch);
        }
    }
    flush(&mut word, &mut out, &mut fixes);
    let out = too_for_to(&out, &mut fixes);
    (out, fixes)
}

/// The matcher word a comparative is made from ("moodier" -> "moody", "dreamiest" ->
/// "dreamy"), before any nearest-word guess ("moodier" is two letters from "foodie").
fn comparative_base(word: &str, vocab: &[&str]) -> Option<String> {
    ["ier", "iest"].iter().find_map(|suffix| {
        let stem = word.strip_suffix(suffix)?;
        let base = format!("{stem}y");
        (stem.len() >= 3 && vocab.binary_search(&base.as_str()).is_ok()).then_some(base)
    })
}

/// Collapse doubled letters to one ("warmmer" -> "warmer" is [`collapse`]'s job; this one
/// handles "brightt" -> "bright").
fn collapse_to_one(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut last = None;
    for c in word.chars() {
        if Some(c) != last {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

/// Judgements that "too" stands before ("too dark"), where it is often typed "to" or "2".
const JUDGED: &[&str] = &[
    "dark",
    "bright",
    "light",
    "warm",
    "cold",
    "cool",
    "hot",
    "yellow",
    "blue",
    "green",
    "red",
    "orange",
    "pink",
    "magenta",
    "purple",
    "saturated",
    "desaturated",
    "contrasty",
    "flat",
    "dull",
    "grey",
    "gray",
    "harsh",
    "washed",
    "muddy",
    "dim",
    "strong",
    "much",
    "pale",
    "vivid",
    "loud",
    "faded",
    "soft",
    "sharp",
    "moody",
    "busy",
];

/// Words after which "to" before a judgement can only be "too" ("it's to dark", "way to
/// bright", "a bit to yellow"); at the start of a clause too ("to dark").
const BEFORE_TOO: &[&str] = &[
    "is", "s", "its", "it's", "are", "r", "looks", "look", "seems", "seem", "way", "bit", "kinda",
    "little", "much", "far", "just", "all", "still", "getting", "got", "abit",
];

/// "its to dark", "2 bright": "to" and "2" before a judgement read as "too".
fn too_for_to(text: &str, fixes: &mut Vec<Correction>) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
            .to_lowercase()
    };
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let b = bare(w);
        let starts_clause = i == 0
            || words[i - 1].ends_with([',', '.', '!', '?', ';', ':'])
            || words[i - 1].is_empty();
        let is_too = (b == "to" || b == "2")
            && words
                .get(i + 1)
                .is_some_and(|n| JUDGED.contains(&bare(n).as_str()))
            && (starts_clause || BEFORE_TOO.contains(&bare(words[i - 1]).as_str()));
        if is_too {
            fixes.push(Correction {
                from: b.clone(),
                to: "too".into(),
            });
            out.push(w.replacen(b.as_str(), "too", 1));
        } else {
            out.push((*w).to_string());
        }
    }
    out.join(" ")
}
