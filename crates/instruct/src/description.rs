//! Sentences that present a photo instead of asking for a change: "this is my sister at the
//! beach", "a photo of my dog at the park", "c'est ma fille à la plage", "das ist mein Hund im
//! Schnee". Their scene words are what the photo shows, not a look to give it: read as
//! requests, "beach" made the photo brighter and warmer and "snow" cooler. A clause
//! *describes* when it has a presenting cue (`data/descriptions.txt`: "this is", "a photo of",
//! possessives, "taken", per language) and no word that asks for a change ("make", "like",
//! "look", "more", ...); the reading then drops it (what it asks for in so many words, such as
//! "warmer", is read before this is asked, and wins).

use crate::language::{fold, Language};
use std::sync::OnceLock;

struct Cues {
    /// English words that ask for a change.
    request: Vec<Vec<String>>,
    /// Presenting cues per language code.
    by_language: Vec<(String, Vec<Cue>)>,
}

enum Cue {
    /// Whole words, in order.
    Words(Vec<String>),
    /// Found inside the text (Chinese and Japanese write no spaces).
    Inside(String),
}

fn is_unspaced(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff)
}

/// Folded words: lower case, accents off, split at anything that is not a letter or digit.
fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse(text: &str) -> Cues {
    let mut request = Vec::new();
    let mut by_language = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, list)) = line.split_once(':') else {
            continue;
        };
        let items = list.split(',').map(str::trim).filter(|s| !s.is_empty());
        if key == "request" {
            request = items.map(words).collect();
        } else {
            let cues = items
                .map(|c| {
                    if c.chars().any(is_unspaced) {
                        Cue::Inside(fold(c))
                    } else {
                        Cue::Words(words(c))
                    }
                })
                .collect();
            by_language.push((key.trim().to_string(), cues));
        }
    }
    Cues {
        request,
        by_language,
    }
}

fn cues() -> &'static Cues {
    static C: OnceLock<Cues> = OnceLock::new();
    C.get_or_init(|| parse(include_str!("../data/descriptions.txt")))
}

fn has_words(ws: &[String], seq: &[String]) -> bool {
    !seq.is_empty() && ws.windows(seq.len()).any(|w| w == seq)
}

/// Whether `text` has a presenting cue of `language`.
pub fn presents(language: Language, text: &str) -> bool {
    let Some((_, list)) = cues()
        .by_language
        .iter()
        .find(|(code, _)| code == language.code())
    else {
        return false;
    };
    let ws = words(text);
    let folded = fold(text);
    list.iter().any(|c| match c {
        Cue::Words(seq) => has_words(&ws, seq),
        Cue::Inside(s) => folded.contains(s.as_str()),
    })
}

/// Whether an English clause has a word that asks for a change.
pub fn asks(english: &str) -> bool {
    let ws = words(english);
    cues().request.iter().any(|seq| has_words(&ws, seq))
}

/// Whether an English clause (of a sentence in `language`, given as `original`) describes the
/// photo: a presenting cue, in English or in the sentence's language, and no word that asks
/// for a change. Whether it asks for something in so many words ("warmer") is the caller's to
/// check ([`crate::matcher::match_explicit`]).
pub fn describes(english_clause: &str, language: Option<Language>, original: &str) -> bool {
    let presented = presents(Language::English, english_clause)
        || language.is_some_and(|l| presents(l, original));
    presented && !asks(english_clause)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cue_list_parses_for_every_language_the_rules_read() {
        let c = cues();
        assert!(c.request.len() > 20);
        for l in std::iter::once(Language::English).chain(Language::FOREIGN) {
            assert!(
                c.by_language.iter().any(|(code, _)| code == l.code()),
                "no cues for {l:?}"
            );
        }
    }

    #[test]
    fn presenting_cues_are_words_or_found_inside() {
        assert!(presents(Language::English, "this is my dog"));
        assert!(presents(Language::French, "c'est ma fille"));
        assert!(!presents(Language::English, "mystery")); // "my" is a word, not a prefix
        assert!(presents(Language::Chinese, "这是我的猫"));
        assert!(!presents(Language::German, "mach es wärmer"));
        assert!(describes("a photo of my dog", None, "a photo of my dog"));
        assert!(!describes(
            "make my dog look like the beach",
            None,
            "make my dog look like the beach"
        ));
        assert!(!describes(
            "golden hour at the beach",
            None,
            "golden hour at the beach"
        ));
    }
}
