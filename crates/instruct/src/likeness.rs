//! Clauses that ask for a look by likeness: "like a 1970s snapshot", "as if printed in a
//! newspaper", "make it look like grandma's photo album", "in the style of an old postcard".
//! They ask for a change even where no word of theirs is a retouching word, so a reading that
//! finds nothing in them must not refuse them as asking for nothing; what they are like is
//! left to a reader of meaning (`retouch_model`'s nearest-phrase similarity).
//!
//! A clause *likens* when it opens with a likeness word ("like", "as if", "as though") or
//! holds one after a verb of looking ("look like", "feels like", "in the style of"). "I'd
//! like it warmer" and "I like the colours" do not: there "like" neither opens the clause nor
//! follows a verb of looking.

use crate::language::fold;

/// Likeness words that open a clause.
const OPENING: &[&str] = &["like", "as if", "as though", "just like", "kind of like"];

/// Likeness phrases anywhere in a clause.
const INSIDE: &[&str] = &[
    "look like",
    "looks like",
    "looking like",
    "feel like",
    "feels like",
    "seem like",
    "seems like",
    "look as if",
    "looks as if",
    "feel as if",
    "as if it",
    "as if they",
    "as though it",
    "in the style of",
    "the look of",
    "the feel of",
    "reminiscent of",
    "resembling",
    "resemble",
    "straight out of",
    "something out of",
];

/// Whether `clause` (English, any case) asks for a look by likeness.
pub fn likens(clause: &str) -> bool {
    let folded = fold(clause);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |at: usize, phrase: &str| {
        let p: Vec<&str> = phrase.split(' ').collect();
        at + p.len() <= words.len() && words[at..at + p.len()] == p[..]
    };
    // "like" must be followed by something to be like.
    let opens = OPENING
        .iter()
        .any(|p| has(0, p) && words.len() > p.split(' ').count());
    opens || (0..words.len()).any(|i| INSIDE.iter().any(|p| has(i, p)))
}

#[cfg(test)]
mod tests {
    use super::likens;

    #[test]
    fn likeness_is_told_from_liking() {
        for s in [
            "like a 1970s snapshot",
            "Like an old newspaper print",
            "as if printed in a newspaper",
            "make it look like grandma's photo album",
            "it should feel like a rainy morning",
            "in the style of an old postcard",
            "something straight out of a western",
        ] {
            assert!(likens(s), "{s}");
        }
        for s in [
            "I'd like it warmer",
            "i like the colours, just brighter",
            "would you like to brighten it",
            "like",
            "warmer, lift the shadows",
            "the sky looks washed out",
        ] {
            assert!(!likens(s), "{s}");
        }
    }
}
