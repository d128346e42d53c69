//! The rule-based matcher (paper section 3.4.2): instruction text -> attributes with direction,
//! magnitude, region and confidence. It works from general rules, not from the generator's
//! phrase lists:
//!
//! 1. normalise (case, British spelling, `b&w`, hyphenation);
//! 2. multi-word styles and goals first ("dark and moody", "teal and orange", "travel
//!    magazine"), so their words are not read again as atoms;
//! 3. split into clauses at punctuation and connectives (and, but, then, while, without, ...);
//! 4. in each clause find concept words: comparatives and verbs carry a direction ("warmer",
//!    "darken"), adjectives carry one that *flips* in a problem statement ("too dark", "it's
//!    dark", "blue cast"), nouns take it from a direction word ("reduce the contrast", "+sat",
//!    "too much contrast", "not enough contrast"), default up;
//! 5. a clause with keep / preserve / without / don't change lists constraints, not targets;
//!    a content verb (remove, add, replace, ...) with no photometric concept is a content edit.

mod lexicon;
mod normalise;

use crate::attr::{Attr, Dir, Magnitude, Target};
use lexicon::*;
pub use lexicon::{joined_phrases, vocabulary};
pub(crate) use lexicon::{DISLIKE, OVERDO};
pub use normalise::normalise;
use serde::{Deserialize, Serialize};
use Dir::{Down, Up};

/// What the matcher found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Match {
    /// Requested changes with a confidence in (0, 1].
    pub targets: Vec<(Target, f32)>,
    /// Attributes the user asked to keep.
    pub kept: Vec<Attr>,
    /// Clauses that ask for a content edit (add/remove/replace objects).
    pub content_edits: Vec<String>,
    /// Attributes requested in both directions.
    pub contradictions: Vec<Attr>,
    /// Targets whose direction came from a problem statement ("too dark", "a blue cast",
    /// "too much contrast", "underexposed"): how far to go depends on the photo.
    #[serde(default)]
    pub problems: Vec<Attr>,
    /// Whether a change was named only to be held back ("not too dark", "nothing too
    /// dramatic"): the sentence asks for restraint, not for that change.
    #[serde(default)]
    pub restrained: bool,
    /// Attributes and looks a negator refused ("no sepia", "not darker"; also in
    /// [`Self::kept`]): words the sentence names only to rule out.
    #[serde(default)]
    pub refused: Vec<Attr>,
}

/// Length of [`Match::attribute_vector`]: (10 atomic + 13 styles) x (whole photo, a region).
pub const ATTRIBUTE_VECTOR_LEN: usize =
    2 * (crate::attr::ATOMIC.len() + crate::attr::Look::ALL.len());

impl Match {
    /// The matcher's reading as a fixed-length vector a network can be conditioned on: one
    /// entry per (attribute, whole photo | region), `direction * magnitude scale * confidence`
    /// (0 when not asked for). Atomic attributes first in `ATOMIC` order, then styles in
    /// `Look::ALL` order; the region half follows the whole-photo half.
    pub fn attribute_vector(&self) -> Vec<f32> {
        let n = crate::attr::ATOMIC.len() + crate::attr::Look::ALL.len();
        let mut v = vec![0f32; 2 * n];
        for (t, conf) in &self.targets {
            let i = match &t.attr {
                crate::attr::Attr::Style(look) => Some(crate::attr::ATOMIC.len() + look.index()),
                a => crate::attr::ATOMIC.iter().position(|b| b == a),
            };
            if let Some(i) = i {
                let j = if t.region.is_some() { n + i } else { i };
                v[j] += t.dir.sign() * t.magnitude.scale() * conf;
            }
        }
        v
    }

    /// Sorted labels (`brightness:up`, ...), the form tests compare.
    pub fn labels(&self) -> Vec<String> {
        let mut v: Vec<String> = self.targets.iter().map(|(t, _)| t.label()).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Words that size a change and may stand between a noun and its direction ("contrast a
/// bit lower").
const SIZE_WORDS: &[&str] = &[
    "a", "bit", "little", "tad", "touch", "slightly", "much", "lot", "way", "even", "somewhat",
];

fn has_phrase(tokens: &[&str], at: usize, phrase: &str) -> bool {
    let p: Vec<&str> = phrase.split(' ').collect();
    at + p.len() <= tokens.len() && tokens[at..at + p.len()] == p[..]
}

fn find_any(tokens: &[&str], list: &[&str]) -> Option<usize> {
    (0..tokens.len()).find(|&i| list.iter().any(|w| has_phrase(tokens, i, w)))
}

fn magnitude(tokens: &[&str]) -> Magnitude {
    if find_any(tokens, SLIGHT).is_some() {
        Magnitude::Slight
    } else if find_any(tokens, STRONG).is_some() {
        Magnitude::Strong
    } else {
        Magnitude::Moderate
    }
}

/// Match an instruction.
pub fn match_instruction(text: &str) -> Match {
    match_with(text, true)
}

/// [`match_instruction`] without recipes (the scene and mood words of the concept lexicon,
/// [`crate::concepts`], and the matcher's goals such as "summer" or "travel magazine"): what
/// the sentence asks for in so many words ("warmer", "more contrast", a look's name), not
/// what its scene words suggest ("at the beach").
pub fn match_explicit(text: &str) -> Match {
    match_with(text, false)
}

fn match_with(text: &str, scenes: bool) -> Match {
    let norm = normalise(text);
    let mut tokens: Vec<String> = norm.split(' ').map(str::to_string).collect();
    let mut out = Match::default();
    let phrase_table = phrase_table();
    // Clause boundaries are decided on the original tokens so that "dark and moody" stays one.
    // Pass 1: styles/goals consume their words (replaced by a marker).
    // (position, targets, from the concept lexicon, refused: "no sepia", "nothing too dramatic").
    let mut found_phrases: Vec<(usize, Vec<Target>, bool, bool)> = Vec::new();
    {
        let mut i = 0;
        while i < tokens.len() {
            let toks: Vec<&str> = tokens.iter().map(String::as_str).collect();
            let hit = phrase_table
                .iter()
                .filter(|(p, ts, concept)| {
                    // Without scenes, only a look's name counts, not a recipe ("summer",
                    // "travel magazine", "beach").
                    let recipe = *concept || !ts.iter().any(|t| matches!(t.attr, Attr::Style(_)));
                    (scenes || !recipe) && has_phrase(&toks, i, p)
                })
                .max_by_key(|(p, _, _)| p.len());
            if let Some((p, targets, concept)) = hit {
                let n = p.split(' ').count();
                let before = &toks[..i];
                let held_back = restrained(before);
                out.restrained |= held_back;
                // "not so moody", "not as dramatic": less of it, not none of it.
                let lessened = [["not", "so"], ["not", "as"], ["not", "that"]]
                    .iter()
                    .any(|s| before.ends_with(s));
                let refused = !lessened && (held_back || refusal(before) != Refusal::None);
                found_phrases.push((i, targets.clone(), *concept, refused));
                for t in tokens.iter_mut().skip(i).take(n) {
                    *t = "§".into();
                }
                i += n;
            } else {
                i += 1;
            }
        }
    }
    // Monochrome phrase "black and white" contains a splitter: protect it.
    let joined = tokens
        .join(" ")
        .replace("black and white", "black_and_white");
    let tokens: Vec<String> = joined.split(' ').map(str::to_string).collect();
    // Pass 2: clauses.
    let mut clauses: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        let boundary =
            SPLITTERS.contains(&t.as_str()) || t == "without" || t == "keep" || t == "keeping";
        if boundary && i > start {
            clauses.push((start, i));
            start = if SPLITTERS.contains(&t.as_str()) {
                i + 1
            } else {
                i
            };
        } else if boundary {
            start = if SPLITTERS.contains(&t.as_str()) {
                i + 1
            } else {
                i
            };
        }
    }
    if start < tokens.len() {
        clauses.push((start, tokens.len()));
    }
    let table = concepts();
    // Whether the previous clause judged the photo ("it looks muddy"): a bare adjective
    // after it ("and flat") is judged too.
    let mut judging = false;
    for (a, b) in clauses {
        let clause: Vec<String> = tokens[a..b]
            .iter()
            .map(|t| {
                if t == "black_and_white" {
                    "black and white".to_string()
                } else {
                    t.clone()
                }
            })
            .collect();
        let joined = clause.join(" ");
        let toks: Vec<&str> = joined.split(' ').collect();
        // "don't overdo the saturation": a little of it, not a constraint.
        let overdo = find_any(&toks, OVERDO).is_some();
        // "i don't like the green": less of it.
        let dislike = find_any(&toks, DISLIKE).is_some();
        let is_constraint = find_any(&toks, CONSTRAINT).is_some() && !overdo && !dislike;
        let mag = if overdo {
            Magnitude::Slight
        } else {
            magnitude(&toks)
        };
        // Attributes a negator keeps ("not darker", "no black and white", "no more contrast").
        let mut refused_here: Vec<Attr> = Vec::new();
        let region = REGIONS
            .iter()
            .find(|(w, _)| (0..toks.len()).any(|i| has_phrase(&toks, i, w)))
            .map(|&(_, r)| r);
        let mut clause_targets: Vec<(Target, f32)> = Vec::new();
        // Nouns read with no direction word ("colours" in "warmer colours"): the quantity
        // another word of the clause describes, not a request of their own when there is one.
        let mut undirected: Vec<Attr> = Vec::new();
        // Nouns whose direction came from a "more"/"less" that belongs to an adjective of the
        // same quantity ("make the colours more muted", "less dull colours"): the adjective,
        // which "more"/"less" already modified, says which way.
        let mut worded: Vec<usize> = Vec::new();
        let continues_judgement = std::mem::take(&mut judging);
        let mut adjectives: Vec<Attr> = Vec::new();
        // Styles/goals that started inside this clause.
        for (pos, ts, concept, refused) in &found_phrases {
            if *pos >= a && *pos < b && *refused {
                // A refused look is kept off the photo; a refused recipe is simply not read.
                for t in ts.iter().filter(|t| matches!(t.attr, Attr::Style(_))) {
                    refused_here.push(t.attr);
                }
            } else if *pos >= a && *pos < b {
                // "remove the haze", "less fog", "it's too hazy", "less dramatic": a scene's
                // or goal's recipe taken away runs the other way (more contrast, deeper
                // blacks); a look taken away ("less punchy") is its opposite traits
                // ([`taken_away`]).
                let before: Vec<&str> = tokens[a..*pos].iter().map(String::as_str).collect();
                let reversed = find_any(&before, REDUCE_VERBS).is_some()
                    || find_any(&before, LESSENING).is_some();
                let read: Vec<Target> = if reversed {
                    ts.iter()
                        .flat_map(|t| match t.attr {
                            Attr::Style(look) => taken_away(look),
                            _ if t.attr.one_way() => Vec::new(),
                            _ => vec![Target {
                                dir: t.dir.flip(),
                                ..*t
                            }],
                        })
                        .collect()
                } else {
                    ts.clone()
                };
                for t in &read {
                    let mut t = *t;
                    // A concept's recipe has its own amounts; the clause's amount word moves
                    // them one step ("very foggy").
                    t.magnitude = if *concept {
                        match (mag, t.magnitude) {
                            (Magnitude::Moderate, m) => m,
                            (Magnitude::Strong, Magnitude::Slight) => Magnitude::Moderate,
                            (Magnitude::Strong, _) => Magnitude::Strong,
                            (Magnitude::Slight, Magnitude::Strong) => Magnitude::Moderate,
                            (Magnitude::Slight, _) => Magnitude::Slight,
                        }
                    } else {
                        mag
                    };
                    let conf = if matches!(t.attr, Attr::Style(_)) {
                        0.9
                    } else {
                        0.6
                    };
                    clause_targets.push((t, conf));
                }
            }
        }
        // Atomic concepts, longest phrase first at each position.
        let mut i = 0;
        while i < toks.len() {
            let mut best: Option<(&Concept, usize)> = None;
            for c in &table {
                for w in c.words {
                    if has_phrase(&toks, i, w) {
                        let n = w.split(' ').count();
                        if best.is_none_or(|(_, m)| n > m) {
                            best = Some((c, n));
                        }
                    }
                }
            }
            let Some((c, n)) = best else {
                i += 1;
                continue;
            };
            let before = &toks[..i];
            let after = &toks[i + n..];
            let near_before = &before[before.len().saturating_sub(4)..];
            // "less warm", "not as saturated", "reduce the orange": the word's direction
            // flips (a cast, "reduce the blue cast", is a problem already and is not flipped
            // twice: see `cast` below).
            // Verb-final languages put the verb after ("黄色を取り除いて" -> "yellow remove").
            let reducing = matches!(c.kind, Kind::Adjective(_))
                && (find_any(near_before, REDUCE_VERBS).is_some()
                    || REDUCE_VERBS.iter().any(|v| has_phrase(after, 0, v)))
                && !after
                    .first()
                    .is_some_and(|w| CAST_WORDS.contains(w) || TINT_WORDS.contains(w));
            let less =
                near_before.contains(&"less") || has_seq(near_before, &["not", "as"]) || reducing;
            // "the colours are too strong", "the contrast is too low": the size of the noun's
            // quantity, said after it.
            let after_too = after
                .iter()
                .take(4)
                .position(|w| ["too", "overly", "excessively"].contains(w))
                .and_then(|k| after.get(k + 1));
            let said_strong = after_too.is_some_and(|w| STRONG_WORDS.contains(w));
            let said_weak = after_too.is_some_and(|w| WEAK_WORDS.contains(w));
            let noun = matches!(c.kind, Kind::Noun);
            let too_much = has_seq(near_before, &["too", "much"])
                || (noun
                    && (0..after.len().min(4)).any(|k| {
                        EXCESSIVE_WORDS.iter().any(|w| has_phrase(after, k, w))
                    }))
                // "troppo contrasto", "demasiado contraste" -> "too contrast".
                || (noun && before.last() == Some(&"too"))
                || has_seq(near_before, &["too", "many"])
                || has_seq(near_before, &["so", "much"])
                || (noun && said_strong);
            // "the blacks look washed out / grey / milky": lifted blacks, to be deepened.
            let lifted_blacks = noun
                && matches!(c.attr, Attr::Blacks)
                && after.iter().take(4).any(|w| FADED_WORDS.contains(w));
            // ... and that "washed out" describes the blacks, not the colours.
            if matches!(c.attr, Attr::Saturation)
                && matches!(c.kind, Kind::Adjective(_))
                && near_before
                    .iter()
                    .any(|w| ["blacks", "black", "shadows", "darks"].contains(w))
            {
                i += n;
                continue;
            }
            let not_enough = (noun && said_weak)
                || has_seq(before, &["not", "enough"])
                || after.first() == Some(&"enough") && before.contains(&"not")
                || has_seq(near_before, &["too", "little"])
                || has_seq(near_before, &["lack", "of"])
                || near_before.contains(&"lacks")
                || near_before.contains(&"lacking");
            // "brighten the shadows": the verb acts on the tonal range, not on the whole image.
            let tonal_next = after.iter().take(3).any(|w| {
                [
                    "shadows",
                    "shadow",
                    "highlights",
                    "highlight",
                    "blacks",
                    "darks",
                    "brights",
                    "whites",
                ]
                .contains(w)
            });
            if matches!(c.attr, Attr::Brightness)
                && matches!(c.kind, Kind::Directed(_) | Kind::Adjective(_))
                && tonal_next
            {
                i += n;
                continue;
            }
            // "a blue cast" is a problem to fix; "give it a magenta tint" asks for one.
            let asked = find_any(before, IMPERATIVE).is_some()
                || find_any(
                    before,
                    &[
                        "add", "apply", "with", "want", "slight", "slightly", "subtle", "bit",
                        "touch", "more", "some",
                    ],
                )
                .is_some();
            let cast = matches!(c.kind, Kind::Adjective(_))
                && after
                    .first()
                    .is_some_and(|w| CAST_WORDS.contains(w) || (TINT_WORDS.contains(w) && !asked));
            let requested_tint = matches!(c.kind, Kind::Adjective(_))
                && !cast
                && after.first().is_some_and(|w| TINT_WORDS.contains(w));
            // "lighter, but not too light", "nothing too dark": restraint, not a request.
            if restrained(before) {
                out.restrained = true;
                i += n;
                continue;
            }
            // "no sepia", "not darker", "not so cold", "there's no contrast".
            let refused = if not_enough {
                Refusal::None
            } else if find_any(before, DISLIKE).is_some() {
                Refusal::Disliked
            } else {
                refusal(before)
            };
            // A refused change or quantity is kept: "not darker", "no more contrast".
            let keeps = match c.kind {
                Kind::Directed(_) | Kind::Problem(_) => refused != Refusal::None,
                Kind::Noun => refused == Refusal::Refused,
                Kind::Adjective(_) => false,
            };
            let disliked = refused == Refusal::Disliked;
            if keeps {
                refused_here.push(c.attr);
                i += n;
                continue;
            }
            let mut problem_read = matches!(c.kind, Kind::Problem(_));
            // A noun that took its direction from a nearby "more"/"less" (see `worded`).
            let mut from_words = false;
            let (dir, conf) = match c.kind {
                // "it looks faded": a judgement of the photo, not a request for the look.
                Kind::Directed(d)
                    if matches!(c.attr, Attr::Blacks)
                        && find_any(before, IMPERATIVE).is_none()
                        && near_before
                            .iter()
                            .any(|w| ["looks", "look", "is", "seems", "too", "so"].contains(w)) =>
                {
                    problem_read = !less;
                    (if less { d } else { d.flip() }, 1.0)
                }
                Kind::Directed(d) => (if less { d.flip() } else { d }, 1.0),
                Kind::Problem(d) => (d, 1.0),
                // "not so cold", "avoid the yellow", "it shouldn't be this loud": the opposite.
                Kind::Adjective(d) if refused == Refusal::Refused || disliked => (d.flip(), 0.9),
                // "it is not bright": a lack.
                Kind::Adjective(d) if refused == Refusal::Lacking => (d, 0.9),
                Kind::Adjective(d) => {
                    let imperative = find_any(before, IMPERATIVE).is_some();
                    // "a bit of magenta": the colour as a quantity, not a judgement.
                    let quantity = before.last() == Some(&"of");
                    let problem = !not_enough
                        && !quantity
                        && (cast
                            || near_before
                                .iter()
                                .any(|w| ["too", "overly", "excessively"].contains(w))
                            || (!imperative
                                && near_before.iter().any(|w| PROBLEM_WORDS.contains(w)))
                            || (!imperative
                                && before.is_empty()
                                && after.iter().any(|w| ["lol", "haha", "ugh"].contains(w)))
                            || (continues_judgement
                                && before.iter().all(|w| JUDGED_FILLER.contains(w))));
                    problem_read = problem && !less;
                    let d = if problem { d.flip() } else { d };
                    (if less { d.flip() } else { d }, 0.9)
                }
                // "there's no contrast": too little of it.
                Kind::Noun if refused == Refusal::Lacking => {
                    problem_read = true;
                    (Up, 1.0)
                }
                // "i hate the contrast": too much of it.
                Kind::Noun if disliked => {
                    problem_read = true;
                    (Down, 1.0)
                }
                Kind::Noun => {
                    problem_read = too_much || not_enough || lifted_blacks;
                    if too_much || lifted_blacks {
                        (Down, 1.0)
                    } else if not_enough {
                        (Up, 1.0)
                    } else if after.first() == Some(&"down") {
                        // "bring the highlights down", "turn the saturation down".
                        (Down, 1.0)
                    } else if after.first() == Some(&"up") {
                        (Up, 1.0)
                    } else {
                        let word_dir = |ws: &[&str]| -> Option<Dir> {
                            // The nearest direction word wins.
                            for k in (0..ws.len()).rev() {
                                if UP_WORDS.iter().any(|u| has_phrase(ws, k, u)) {
                                    return Some(Up);
                                }
                                if DOWN_WORDS.iter().any(|u| has_phrase(ws, k, u)) {
                                    return Some(Down);
                                }
                            }
                            None
                        };
                        // Tonal ranges: verbs mean what they do to the range.
                        let tonal =
                            matches!(c.attr, Attr::Shadows | Attr::Highlights | Attr::Blacks);
                        let tonal_dir = if tonal {
                            // "recover detail in the shadows" lifts them; "recover the highlights"
                            // pulls them down: detail-recovery phrases are checked first.
                            if find_any(
                                before,
                                &[
                                    "recover detail",
                                    "bring out detail",
                                    "bring back detail",
                                    "detail in",
                                ],
                            )
                            .is_some()
                            {
                                Some(Up)
                            } else if find_any(
                                before,
                                &[
                                    "deepen",
                                    "darken",
                                    "crush",
                                    "recover",
                                    "tame",
                                    "tone down",
                                    "pull back",
                                    "pull down",
                                    "down",
                                    "knock back",
                                    "back off",
                                    "control",
                                    "reduce",
                                    "lower",
                                    "dim",
                                    "deep",
                                    "deeper",
                                    "dark",
                                    "darker",
                                    "rich",
                                    "richer",
                                    "inky",
                                    "dense",
                                    "solid",
                                    "true",
                                ],
                            )
                            .is_some()
                            {
                                Some(Down)
                            } else if find_any(
                                before,
                                &[
                                    "lift",
                                    "open",
                                    "open up",
                                    "brighten",
                                    "raise",
                                    "boost",
                                    "lighten",
                                    "bring out",
                                    "fade",
                                    "bright",
                                    "brighter",
                                    "light",
                                    "lighter",
                                    "lifted",
                                    "clean",
                                    "crisp",
                                ],
                            )
                            .is_some()
                            {
                                Some(Up)
                            } else {
                                None
                            }
                        } else {
                            None
                        };
                        // "make the blacks blacker", "the highlights are blown": said after
                        // the range.
                        let tonal_dir = tonal_dir.or_else(|| {
                            let next = &after[..after.len().min(3)];
                            if !tonal {
                                None
                            } else if find_any(next, &["blacker", "deeper", "darker", "blown"])
                                .is_some()
                            {
                                Some(Down)
                            } else if find_any(next, &["whiter", "brighter", "lighter"]).is_some() {
                                Some(Up)
                            } else {
                                None
                            }
                        });
                        let worded = tonal_dir.is_none();
                        match tonal_dir.or_else(|| word_dir(before)).or_else(|| {
                            // "contrast a bit lower": the size words before the direction
                            // are skipped.
                            let lead = after.iter().take_while(|w| SIZE_WORDS.contains(w)).count();
                            let rest = &after[lead..];
                            word_dir(&rest[..rest.len().min(2)])
                        }) {
                            Some(d) => {
                                from_words = worded;
                                (d, 1.0)
                            }
                            // "cool the highlights": the range is where another edit happens.
                            None if tonal && !clause_targets.is_empty() => {
                                i += n;
                                continue;
                            }
                            None => {
                                if !tonal {
                                    undirected.push(c.attr);
                                }
                                (Up, 0.7)
                            }
                        }
                    }
                }
            };
            // "the shadows are too dark", "highlights are blown out": the judgement is about the
            // tonal range named before it.
            // Also "make the highlights brighter": a comparative whose object is a tonal range.
            let tonal_subject = if matches!(c.attr, Attr::Brightness) {
                before.iter().rev().find_map(|w| match *w {
                    "shadows" | "shadow" | "darks" => Some(Attr::Shadows),
                    "highlights" | "highlight" | "brights" => Some(Attr::Highlights),
                    "blacks" => Some(Attr::Blacks),
                    _ => None,
                })
            } else {
                None
            };
            let mut t = Target::new(tonal_subject.unwrap_or(c.attr), dir);
            t.magnitude = mag;
            if !matches!(c.attr, Attr::Shadows | Attr::Highlights | Attr::Blacks) {
                t.region = region;
            }
            if problem_read && !is_constraint && !out.problems.contains(&t.attr) {
                out.problems.push(t.attr);
            }
            if from_words {
                worded.push(clause_targets.len());
            }
            judging |= problem_read;
            if !matches!(c.kind, Kind::Noun) {
                adjectives.push(t.attr);
            }
            clause_targets.push((t, conf));
            // "green tint", "yellow cast": the following word belongs to this colour.
            i += n + usize::from(cast || requested_tint);
        }
        let mut k = 0;
        clause_targets.retain(|(t, _)| {
            let drop = worded.contains(&k) && adjectives.contains(&t.attr);
            k += 1;
            !drop
        });
        if !is_constraint
            && !undirected.is_empty()
            && !adjectives.is_empty()
            && clause_targets
                .iter()
                .any(|(t, _)| !undirected.contains(&t.attr))
        {
            clause_targets.retain(|(t, _)| !undirected.contains(&t.attr));
        }
        for attr in refused_here {
            if !out.kept.contains(&attr) {
                out.kept.push(attr);
            }
            if !out.refused.contains(&attr) {
                out.refused.push(attr);
            }
        }
        if is_constraint {
            for (t, _) in clause_targets {
                if !out.kept.contains(&t.attr) {
                    out.kept.push(t.attr);
                }
            }
            continue;
        }
        if clause_targets.is_empty() && find_any(&toks, CONTENT_VERBS).is_some() {
            out.content_edits.push(joined.clone());
            continue;
        }
        out.targets.extend(clause_targets);
    }
    // Deduplicate; explicit words outrank goal-derived targets; two explicit opposite requests
    // are a contradiction.
    let mut ordered: Vec<(usize, (Target, f32))> = out.targets.into_iter().enumerate().collect();
    ordered.sort_by(|a, b| b.1 .1.total_cmp(&a.1 .1).then(a.0.cmp(&b.0)));
    let mut uniq: Vec<(Target, f32)> = Vec::new();
    for (_, (t, c)) in ordered {
        if let Some(existing) = uniq
            .iter()
            .find(|(u, _)| u.attr == t.attr && u.region == t.region)
        {
            if existing.0.dir != t.dir && c >= 0.9 && !out.contradictions.contains(&t.attr) {
                out.contradictions.push(t.attr);
            }
            continue;
        }
        uniq.push((t, c));
    }
    out.targets = uniq;
    out
}

/// Words that may stand between a judgement and the next adjective it covers ("it looks muddy
/// and a bit flat").
const JUDGED_FILLER: &[&str] = &[
    "a", "bit", "little", "kind", "of", "kinda", "very", "too", "quite", "rather", "really", "so",
    "also", "way", "overly", "somewhat", "slightly", "pretty",
];

/// How a negator before a concept word bears on it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Refusal {
    /// No negator.
    None,
    /// "no sepia", "not darker", "not so cold", "shouldn't be this loud": not wanted.
    Refused,
    /// "it is not bright", "there's no contrast": a lack said of the photo.
    Lacking,
    /// "i don't like the green", "i hate the contrast": less of it.
    Disliked,
}

/// The nearest negator before a concept word, with only [`NEGATION_GAP`] words between.
fn refusal(before: &[&str]) -> Refusal {
    let mut k = before.len();
    // The words between, nearest the concept first.
    let mut gap: Vec<&str> = Vec::new();
    while k > 0 && gap.len() <= 4 {
        // "not as warm" ends here too: "as" is no gap word, and `less` reads it.
        for neg in NEGATORS {
            let len = neg.split(' ').count();
            if k < len || !has_phrase(before, k - len, neg) {
                continue;
            }
            let start = k - len;
            // "it is not bright", "why is it not bright", "there's no contrast".
            let said = before[start.saturating_sub(2)..start].iter().any(|w| {
                [
                    "is", "s", "are", "looks", "look", "seems", "feels", "has", "have", "there",
                ]
                .contains(w)
            });
            let direct = gap.iter().all(|w| ["the", "a", "an", "any"].contains(w));
            return if said && direct && (*neg == "not" || *neg == "no") {
                Refusal::Lacking
            } else {
                Refusal::Refused
            };
        }
        if !NEGATION_GAP.contains(&before[k - 1]) {
            return Refusal::None;
        }
        gap.push(before[k - 1]);
        k -= 1;
    }
    Refusal::None
}

/// "not too dark", "nothing too dramatic", "not too much contrast": restraint on what follows.
fn restrained(before: &[&str]) -> bool {
    [
        &["not", "too"][..],
        &["nothing", "too"],
        &["not", "too", "much"],
        &["nothing", "too", "much"],
    ]
    .iter()
    .any(|s| before.ends_with(s))
}

fn has_seq(ws: &[&str], seq: &[&str]) -> bool {
    ws.windows(seq.len()).any(|w| w == seq)
}
