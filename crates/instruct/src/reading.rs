//! The one typed reading of an instruction, computed once and consumed by the model, the region
//! passes, the CLI and the evaluation: what the sentence asks to change (with signed amounts
//! and confidences), what it asks to fix without saying how much (the photo decides), what it
//! asks to keep, whether it is a generic request ("enhance", "make it look pro"), and what was
//! not understood.
//!
//! Steps: [`language::to_english`] (other languages' retouching words into English),
//! [`spelling::correct`] (misspellings and texting forms against the matcher's vocabulary),
//! clause by clause the fix and generic phrases, then the rule-based matcher
//! ([`crate::matcher`]) on what is left.

use crate::attr::{Attr, Dir, Target};
use crate::description;
use crate::language::{self, Language};
use crate::matcher::{self, Match};
use crate::slider;
use crate::spelling::{self, Correction};
use retouch_finish::Region;
use serde::{Deserialize, Serialize};

/// A photo-level quantity a sentence can ask to keep or to fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aspect {
    /// Overall lightness (mean L*); fixing it is an exposure correction.
    Brightness,
    /// Spread of lightness (L* percentiles).
    Contrast,
    /// Colourfulness (mean chroma).
    Saturation,
    /// The colour of neutral greys: temperature and tint (mean a*, b*).
    WhiteBalance,
    /// All of colour: hue and chroma of every pixel (keeping it keeps white balance and
    /// saturation too).
    Colour,
}

impl Aspect {
    pub const ALL: [Aspect; 5] = [
        Aspect::Brightness,
        Aspect::Contrast,
        Aspect::Saturation,
        Aspect::WhiteBalance,
        Aspect::Colour,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Aspect::Brightness => "brightness",
            Aspect::Contrast => "contrast",
            Aspect::Saturation => "saturation",
            Aspect::WhiteBalance => "white-balance",
            Aspect::Colour => "colour",
        }
    }

    /// Which of `retouch_finish::keep::statistics` (mean L*, L* spread, mean chroma, mean a*,
    /// mean b*) keeping this aspect holds fixed.
    pub fn statistics(self) -> &'static [usize] {
        match self {
            Aspect::Brightness => &[0],
            Aspect::Contrast => &[1],
            Aspect::Saturation => &[2],
            Aspect::WhiteBalance => &[3, 4],
            Aspect::Colour => &[2, 3, 4],
        }
    }

    /// The aspect an attribute belongs to, for keeping and fixing.
    pub fn of(attr: &Attr) -> Option<Aspect> {
        match attr {
            Attr::Brightness => Some(Aspect::Brightness),
            Attr::Contrast => Some(Aspect::Contrast),
            Attr::Saturation | Attr::Vibrance => Some(Aspect::Saturation),
            Attr::Temperature | Attr::Tint => Some(Aspect::WhiteBalance),
            _ => None,
        }
    }

    /// Whether a change of `attr` would change this aspect (keeping the colour rules out
    /// white balance and saturation changes; keeping the brightness rules out brightness).
    pub fn covers(self, attr: &Attr) -> bool {
        match self {
            Aspect::Colour => matches!(
                attr,
                Attr::Saturation
                    | Attr::Vibrance
                    | Attr::Temperature
                    | Attr::Tint
                    | Attr::Monochrome
            ),
            a => Aspect::of(attr) == Some(a),
        }
    }

    /// What of this kept aspect still holds beside requests of `asked`: the whole aspect when
    /// none of them changes it, none when one does, except that the colour beside a white
    /// balance request keeps its saturation and beside a saturation request its white balance
    /// ("cooler, but keep the colours").
    pub fn narrowed(self, asked: &[Attr]) -> Option<Aspect> {
        if !asked.iter().any(|a| self.covers(a)) {
            return Some(self);
        }
        if self != Aspect::Colour {
            return None;
        }
        [Aspect::WhiteBalance, Aspect::Saturation]
            .into_iter()
            .find(|part| {
                !asked
                    .iter()
                    .any(|a| part.covers(a) || *a == Attr::Monochrome)
            })
    }
}

/// One requested change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub target: Target,
    /// `direction * magnitude scale`: +1 is a moderate increase, -0.45 a slight decrease.
    pub amount: f32,
    /// How sure the reading is, in (0, 1].
    pub confidence: f32,
}

/// Something to correct by as much as the photo needs ("too dark", "fix the white balance").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub aspect: Aspect,
    /// The direction the sentence implies ("too dark": up), if it says one.
    pub hint: Option<Dir>,
    /// The attribute that direction is about, where the aspect has several ("a yellow cast":
    /// temperature, down; "too green": tint, up).
    #[serde(default)]
    pub attr: Option<Attr>,
}

/// What the learned reader (`retouch_model::reader`) read in a sentence or clause the rules
/// found nothing in: the same kinds of items as the rest of the reading.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Learned {
    /// The text it read (the sentence, or one of its clauses).
    pub text: String,
    pub requests: Vec<Request>,
    pub fixes: Vec<Fix>,
    pub keep: Vec<Aspect>,
    pub generic: bool,
    /// Probability the reader gave to "this asks for nothing the tool does".
    pub nothing: f32,
}

impl Learned {
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty() && self.fixes.is_empty() && self.keep.is_empty() && !self.generic
    }
}

/// The reading of one instruction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// The sentence as given.
    pub text: String,
    /// `None` for English.
    pub language: Option<Language>,
    /// The sentence the matcher read: in English, folded, misspellings corrected.
    pub english: String,
    /// Foreign words rewritten into English.
    pub translated: Vec<(String, String)>,
    pub corrections: Vec<Correction>,
    pub clauses: Vec<String>,
    /// Changes asked for (named problems included, with their direction: the network reads
    /// them; [`Self::fixes`] says which of them the photo should size).
    pub requests: Vec<Request>,
    pub fixes: Vec<Fix>,
    /// Aspects the sentence asks to keep as they are.
    pub keep: Vec<Aspect>,
    /// A generic request ("enhance", "make it better", "fix it", "make it look professional"):
    /// what to correct, and how much, is the photo's to say.
    pub generic: bool,
    /// Clauses asking for a content edit ("remove the person").
    pub content_edits: Vec<String>,
    /// Attributes asked for in both directions.
    pub contradictions: Vec<Attr>,
    /// Words that played no part in the reading ("my aunt took this": aunt, took).
    pub unread: Vec<String>,
    /// The matcher's reading (targets, kept attributes), as the network is conditioned on it
    /// (the learned reader's requests included, see [`Self::absorb`]).
    pub matched: Match,
    /// What the learned reader added, per text it read.
    #[serde(default)]
    pub learned: Vec<Learned>,
    /// Clauses that present the photo rather than ask for a change ("this is my sister at
    /// the beach"; [`description`]): read, and read as nothing to do.
    #[serde(default)]
    pub described: Vec<String>,
}

/// Words of a generic request, read in a clause that asks for nothing specific.
const GENERIC: &[&str] = &[
    "enhance",
    "enhanced",
    "enhancement",
    "improve",
    "improved",
    "improvement",
    "better",
    "nicer",
    "prettier",
    "beautiful",
    "beautify",
    "fix it",
    "fix this",
    "fix the photo",
    "fix the picture",
    "fix the image",
    "fix everything",
    "fix whatever",
    "fix",
    "correct it",
    "correct this",
    "auto",
    "autocorrect",
    "auto correct",
    "auto enhance",
    "autoenhance",
    "auto fix",
    "professional",
    "professionally",
    "pro",
    "polished",
    "polish",
    "touch up",
    "touchup",
    "retouch",
    "edit",
    "good",
    "great",
    "perfect",
    "nice",
    "amazing",
    "stunning",
    "gorgeous",
    "clean up",
    "optimize",
    "optimise",
    "upgrade",
    "magic",
    "looks off",
    "looks wrong",
    "look right",
    "something is off",
    "photographer",
    "magazine editor",
    "editor",
    "lightroom",
    "photoshop",
    "instagram worthy",
    "wow",
    "needs something",
    "needs work",
    "needs help",
    // Phrasal verbs ("touch it up" reaches here as "touch up it": [`matcher::normalise`]).
    "fix up",
    "tidy up",
    "neaten up",
    "smarten up",
    "spruce up",
    "spruce",
    "pretty up",
    "freshen up",
    "brush up",
    "doll up",
    // A verdict on the whole photo with nothing named asks to make it right.
    "bad",
    "terrible",
    "awful",
    "horrible",
    "ugly",
    "crappy",
    "rubbish",
    "lousy",
    "mediocre",
    "amateur",
    "amateurish",
    "decent",
    "pretty",
    "lovely",
    "awesome",
    "best",
    "help",
    "do something",
    "do what you can",
    "expensive",
    "high end",
    "premium",
];

/// Every single word of the reading's own lists (generic requests, fixes, keeping), which the
/// spelling corrector knows beside the matcher's ("imporve it" -> "improve").
pub(crate) fn words() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = GENERIC
        .iter()
        .chain(FIX_VERBS)
        .chain(KEEP_WORDS)
        .chain(RESTRAINT)
        .copied()
        .chain(FIX_ASPECTS.iter().map(|(w, _)| *w))
        .chain(KEEP_ASPECTS.iter().map(|(w, _)| *w))
        .flat_map(|p| p.split(' '))
        .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Phrases that say the photo is fine as it is: a generic word beside them ("great",
/// "perfect") is praise, not a request.
const SATISFIED: &[&str] = &[
    "as it is",
    "as is",
    "looks great",
    "looks good",
    "looks perfect",
    "it s perfect",
    "is perfect",
    "love it",
    "leave it",
    "don t change anything",
    "do not change anything",
    "no changes",
    "fine as",
    "not bad",
    "nothing wrong",
];

/// Phrases that ask for restraint over the whole sentence ("brighter, but don't overdo it"):
/// every requested change is one step gentler.
const RESTRAINT: &[&str] = &[
    "don t overdo",
    "do not overdo",
    "not overdo",
    "without overdoing",
    "not overdone",
    "overboard",
    "go too far",
    "too far",
    "not too much",
    "nothing drastic",
    "nothing too drastic",
    "not too strong",
    "keep it natural",
    "keep it realistic",
    "natural looking",
    "natural look",
    "look natural",
    "looks natural",
    "more natural",
    "realistic",
    "tastefully",
    "tasteful",
    "go easy",
    "gently",
    "gentle",
];

/// Verbs that ask to correct an aspect by as much as it needs.
const FIX_VERBS: &[&str] = &[
    "fix",
    "correct",
    "auto",
    "repair",
    "balance",
    "neutralize",
    "neutralise",
    "neutral",
    "normalize",
    "normalise",
    "proper",
    "right",
    "get rid of",
    "remove",
    "adjust",
    "improve",
    "better",
    // A verdict on a named aspect asks to fix it ("the colours look weird", "bad lighting").
    "bad",
    "wrong",
    "weird",
    "strange",
    "terrible",
    "awful",
    "horrible",
    "ugly",
    "fake",
    "unnatural",
    "artificial",
    "not good",
    "not great",
    "isn t good",
    "aren t good",
    "look good",
    "look nice",
    "is off",
    "are off",
    "look off",
    "looks off",
    "seem off",
    "seems off",
];

/// Generic requests made with a phrasal verb (read after [`matcher::normalise`] has moved the
/// particle next to the verb: "clean it up" -> "clean up it").
const GENERIC_PHRASAL: &[&str] = &[
    "touch up",
    "clean up",
    "fix up",
    "tidy up",
    "neaten up",
    "smarten up",
    "spruce up",
    "pretty up",
    "freshen up",
    "brush up",
    "doll up",
];

/// Praise of what a clause names: "the colours are perfect" keeps the colours.
const PRAISE: &[&str] = &[
    "are perfect",
    "is perfect",
    "s perfect",
    "look perfect",
    "looks perfect",
    "are fine",
    "is fine",
    "s fine",
    "look fine",
    "looks fine",
    "are great",
    "is great",
    "s great",
    "look great",
    "looks great",
    "are good",
    "is good",
    "look good",
    "looks good",
    "are ok",
    "is ok",
    "are okay",
    "is okay",
    "spot on",
    "i like",
    "i love",
    "love the",
];

/// A verdict taken back: "nothing wrong with the colours" asks no fix of them.
const NO_VERDICT: &[&str] = &[
    "nothing wrong",
    "not wrong",
    "not bad",
    "nothing bad",
    "isn t bad",
    "aren t bad",
    "not that bad",
    "no problem",
];

/// Verdicts taken back that end in a clause word ("with"): kept whole, so that what they
/// speak of stays in their clause.
const NO_VERDICT_WITH: &[&str] = &["nothing wrong with", "no problem with", "nothing bad with"];

/// Aspect words a fix verb may name.
const FIX_ASPECTS: &[(&str, Aspect)] = &[
    ("white balance", Aspect::WhiteBalance),
    ("color cast", Aspect::WhiteBalance),
    ("colour cast", Aspect::WhiteBalance),
    ("cast", Aspect::WhiteBalance),
    ("tint", Aspect::WhiteBalance),
    ("temperature", Aspect::WhiteBalance),
    ("colors", Aspect::Colour),
    ("color", Aspect::Colour),
    ("exposure", Aspect::Brightness),
    ("brightness", Aspect::Brightness),
    ("lighting", Aspect::Brightness),
    ("levels", Aspect::Contrast),
    ("contrast", Aspect::Contrast),
    ("tone", Aspect::Contrast),
    ("tones", Aspect::Contrast),
    ("saturation", Aspect::Saturation),
];

/// Words to keep, by what they name.
const KEEP_ASPECTS: &[(&str, Aspect)] = &[
    ("white balance", Aspect::WhiteBalance),
    ("temperature", Aspect::WhiteBalance),
    ("warmth", Aspect::WhiteBalance),
    ("tint", Aspect::WhiteBalance),
    ("colors", Aspect::Colour),
    ("color", Aspect::Colour),
    ("hues", Aspect::Colour),
    ("hue", Aspect::Colour),
    ("saturation", Aspect::Saturation),
    ("vibrance", Aspect::Saturation),
    ("colorfulness", Aspect::Saturation),
    ("brightness", Aspect::Brightness),
    ("exposure", Aspect::Brightness),
    ("lightness", Aspect::Brightness),
    ("luminosity", Aspect::Brightness),
    ("light level", Aspect::Brightness),
    ("contrast", Aspect::Contrast),
];

/// Words that carry no request: articles, pronouns, politeness, the photo itself.
const FILLER: &[&str] = &[
    "a",
    "an",
    "the",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "me",
    "my",
    "i",
    "we",
    "our",
    "you",
    "your",
    "please",
    "can",
    "could",
    "would",
    "will",
    "should",
    "to",
    "of",
    "in",
    "on",
    "for",
    "at",
    "by",
    "as",
    "so",
    "just",
    "some",
    "bit",
    "little",
    "look",
    "looks",
    "looking",
    "feel",
    "feels",
    "make",
    "making",
    "getting",
    "photo",
    "photos",
    "picture",
    "pic",
    "image",
    "shot",
    "one",
    "is",
    "are",
    "be",
    "do",
    "does",
    "thanks",
    "thank",
    "hey",
    "hi",
    "ok",
    "okay",
    "and",
    "but",
    "with",
    "or",
    "if",
    "up",
    "down",
    "too",
    "very",
    "much",
    "more",
    "less",
    "like",
    "kind",
    "sort",
    "all",
    "whole",
    "overall",
    "entire",
    "there",
    "here",
    "get",
    "give",
    "want",
    "need",
    "lol",
    "maybe",
    "possible",
    "bit",
    "tad",
    "touch",
    "way",
    "lot",
    "really",
    "also",
    "then",
    "yet",
    "only",
    "now",
    "quite",
    "rather",
    "not",
    "no",
    "enough",
    "either",
    "don",
    "t",
    "s",
    "lets",
    "let",
    "some",
    "any",
    "something",
    "thing",
    "area",
    "areas",
    "part",
    "whole",
    "everything",
    "keep",
    "same",
    "alone",
    "leave",
    "as",
    "is",
    "was",
    "has",
    "have",
    "been",
    "them",
    "they",
    "he",
    "she",
    "her",
    "his",
    "him",
    "what",
    "why",
    "which",
    "how",
    "into",
    "from",
    "about",
    "than",
    "well",
    "again",
    "still",
];

/// The clauses of an instruction: split at `,`, `;`, `.`, `!`, `?` and at the words "and",
/// "but", "with", "plus", "then", "while" when two words or more follow before the next such
/// word ("black and white" stays whole); each trimmed, empty ones dropped. "warmer, like a
/// travel magazine" -> ["warmer", "like a travel magazine"].
pub fn clauses(sentence: &str) -> Vec<String> {
    const JOINERS: [&str; 6] = ["and", "but", "with", "plus", "then", "while"];
    let mut out = Vec::new();
    let joiner = |w: &str| JOINERS.contains(&w.to_lowercase().as_str());
    for part in sentence.split([',', ';', '.', '!', '?']) {
        let words: Vec<&str> = part.split_whitespace().collect();
        let mut current: Vec<&str> = Vec::new();
        for (i, &word) in words.iter().enumerate() {
            // Split only before a clause of two words or more: "black and white" stays whole.
            let next = words[i + 1..].iter().take_while(|w| !joiner(w)).count();
            if joiner(word) && next >= 2 {
                if !current.is_empty() {
                    out.push(current.join(" "));
                }
                current.clear();
            } else if !(joiner(word) && current.is_empty()) {
                current.push(word);
            }
        }
        if !current.is_empty() {
            out.push(current.join(" "));
        }
    }
    out.retain(|c| c.chars().any(char::is_alphabetic));
    out
}

fn has_phrase(tokens: &[&str], phrase: &str) -> bool {
    phrase_at(tokens, phrase).is_some()
}

/// Where `phrase` first stands in `tokens`.
fn phrase_at(tokens: &[&str], phrase: &str) -> Option<usize> {
    let p: Vec<&str> = phrase.split(' ').collect();
    tokens.windows(p.len()).position(|w| w == p.as_slice())
}

/// Whether `word` is one of the words of `phrases`.
fn word_of<'a>(phrases: impl IntoIterator<Item = &'a str>, word: &str) -> bool {
    phrases.into_iter().any(|p| p.split(' ').any(|x| x == word))
}

impl Reading {
    /// Read an instruction.
    pub fn new(text: &str) -> Reading {
        let rewritten = language::to_english(text, None);
        let with_settings = slider::rewrite(&rewritten.text);
        // Words of another language that the lexicon does not know are not English
        // misspellings: only English sentences are corrected.
        let (corrected, corrections) = if rewritten.language.is_none() {
            spelling::correct(&with_settings)
        } else {
            (with_settings, Vec::new())
        };
        let english = matcher::normalise(&corrected);
        // Phrases with "and" in them stay whole ("dark and moody", "black and white").
        let mut protected = english.clone();
        for p in matcher::joined_phrases().iter().chain(NO_VERDICT_WITH) {
            protected = protected.replace(p, &p.replace(' ', "\u{1}"));
        }
        let clauses: Vec<String> = clauses(&protected)
            .into_iter()
            .map(|c| c.replace('\u{1}', " "))
            .collect();
        let mut fixes: Vec<Fix> = Vec::new();
        let mut generic = false;
        let mut described: Vec<String> = Vec::new();
        let mut keeping = false;
        // Whether the previous clause asked to fix an aspect ("fix the colours and the
        // lighting": the second clause names one more).
        let mut fixing = false;
        let aspect_words: Vec<&str> = KEEP_ASPECTS
            .iter()
            .flat_map(|(w, _)| w.split(' '))
            .collect();
        // Clauses given to the matcher: all but the fix and generic ones, with their own
        // match and whether they keep something.
        let mut rest: Vec<(String, Match, bool)> = Vec::new();
        for c in &clauses {
            let toks: Vec<&str> = c.split(' ').collect();
            let fix_verb = FIX_VERBS.iter().any(|v| has_phrase(&toks, v))
                && !NO_VERDICT.iter().any(|v| has_phrase(&toks, v));
            let aspects = named_aspects(&toks, FIX_ASPECTS);
            let m = matcher::match_instruction(c);
            let asks = !m.targets.is_empty();
            // What the clause asks in so many words (no scene recipes).
            let explicit = matcher::match_explicit(c);
            // "keep the brightness and the contrast": an aspect named alone after a keep
            // clause is kept too; one with a direction word ("i don't want it grey, i want
            // more colour") is a request.
            let continues_keep = std::mem::take(&mut keeping)
                && KEEP_ASPECTS.iter().any(|(w, _)| has_phrase(&toks, w))
                && m.targets.iter().all(|(_, conf)| *conf < 0.8)
                && toks
                    .iter()
                    .all(|w| aspect_words.contains(w) || FILLER.contains(w) || *w == "also");
            // "don't overdo the saturation" asks for a little of it.
            let overdo = matcher::OVERDO.iter().any(|w| has_phrase(&toks, w));
            let dislike = matcher::DISLIKE.iter().any(|w| has_phrase(&toks, w));
            // "the colours are perfect", "nothing wrong with the contrast": what it praises is
            // kept, and its noun is no request ("the contrast" alone reads as more of it).
            let praised_aspects: Vec<&str> = KEEP_ASPECTS
                .iter()
                .map(|(w, _)| *w)
                .filter(|w| has_phrase(&toks, w))
                .collect();
            let praised = !praised_aspects.is_empty()
                && !["make", "get", "want", "should"]
                    .iter()
                    .any(|w| toks.contains(w))
                && (NO_VERDICT.iter().any(|w| has_phrase(&toks, w))
                    || PRAISE.iter().any(|w| has_phrase(&toks, w)))
                && explicit.targets.iter().all(|(t, _)| {
                    KEEP_ASPECTS
                        .iter()
                        .any(|(w, a)| praised_aspects.contains(w) && a.covers(&t.attr))
                });
            if praised {
                let c = format!("keep the {}", praised_aspects.join(" and the "));
                let m = matcher::match_instruction(&c);
                rest.push((c, m, true));
                continue;
            }
            let is_keep = !m.kept.is_empty()
                || (KEEP_WORDS.iter().any(|w| has_phrase(&toks, w)) && !overdo && !dislike)
                || continues_keep;
            keeping = is_keep;
            if continues_keep {
                // Read as the keep clause it continues: "keep the contrast".
                let c = format!("keep {c}");
                let m = matcher::match_instruction(&c);
                rest.push((c, m, true));
                continue;
            }
            let continues_fix = std::mem::take(&mut fixing)
                && !aspects.is_empty()
                && toks.iter().all(|w| {
                    FILLER.contains(w)
                        || *w == "also"
                        || word_of(FIX_ASPECTS.iter().map(|(p, _)| *p), w)
                });
            if (fix_verb || continues_fix) && !aspects.is_empty() && !is_keep {
                fixing = true;
                // "fix the exposure", "correct the white balance", "remove the blue cast":
                // the matcher gives the direction where the clause names one ("blue cast").
                for a in &aspects {
                    let hint = m
                        .targets
                        .iter()
                        .find(|(t, _)| Aspect::of(&t.attr) == Some(*a) || a.covers(&t.attr))
                        .map(|(t, _)| (t.attr, t.dir));
                    push_fix(&mut fixes, *a, hint);
                }
                if m.targets
                    .iter()
                    .all(|(t, _)| aspects.iter().any(|a| a.covers(&t.attr)))
                {
                    continue;
                }
            }
            // A generic phrasal verb ("clean it up") wins over the scene word in it ("clean"),
            // not over an explicit request ("clean it up and make it warmer").
            let phrasal =
                GENERIC_PHRASAL.iter().any(|g| has_phrase(&toks, g)) && explicit.targets.is_empty();
            if (!asks || phrasal)
                && !is_keep
                && m.content_edits.is_empty()
                && GENERIC.iter().any(|g| has_phrase(&toks, g))
            {
                generic = true;
                continue;
            }
            // "this is my sister at the beach": the photo presented, its scene words not a
            // request ([`description`]).
            if !is_keep
                && m.content_edits.is_empty()
                && description::describes(c, rewritten.language, text)
                && explicit.targets.is_empty()
            {
                described.push(c.clone());
                continue;
            }
            rest.push((c.clone(), m, is_keep));
        }
        // "it looks great as it is", "leave it, it's perfect": praise, not a request to
        // improve it.
        let words_all: Vec<&str> = english.split(' ').collect();
        if SATISFIED.iter().any(|p| has_phrase(&words_all, p)) {
            generic = false;
        }
        let joined: Vec<&str> = rest.iter().map(|(c, _, _)| c.as_str()).collect();
        let matched = matcher::match_instruction(&joined.join(" , "));
        // Named problems: the photo sizes the fix.
        for (t, _) in &matched.targets {
            if matched.problems.contains(&t.attr) && t.region.is_none() {
                if let Some(a) = Aspect::of(&t.attr) {
                    push_fix(&mut fixes, a, Some((t.attr, t.dir)));
                }
            }
        }
        let mut keep: Vec<Aspect> = Vec::new();
        // Attributes the matcher read as requests inside a keep clause ("die Helligkeit
        // beibehalten" -> "brightness keep", verb last): the clause keeps them.
        let mut kept_here: Vec<Attr> = Vec::new();
        for (c, m, is_keep) in &rest {
            if !is_keep {
                continue;
            }
            let toks: Vec<&str> = c.split(' ').collect();
            let mut named = false;
            for (w, a) in KEEP_ASPECTS {
                if has_phrase(&toks, w) {
                    // Only where the keep verb comes after what it keeps ("die Helligkeit
                    // beibehalten", Japanese "明るさは変えずに" -> "brightness without changing").
                    let at = |p: &str| phrase_at(&toks, p);
                    // The keep phrase must end the clause: one followed by what it keeps ("more
                    // contrast without crushing the blacks") keeps that instead.
                    let first_keep = KEEP_WORDS.iter().filter_map(|k| at(k)).min();
                    let verb_last = match (at(w), first_keep) {
                        (Some(aspect_at), Some(keep_at)) => {
                            aspect_at < keep_at
                                && toks[keep_at..].iter().all(|t| {
                                    FILLER.contains(t)
                                        || KEEP_TAIL.contains(t)
                                        || word_of(KEEP_WORDS.iter().copied(), t)
                                })
                        }
                        _ => false,
                    };
                    // An aspect before the keep phrase that does not end the clause is asked
                    // for, not kept ("reduce saturation without darkening" keeps the
                    // brightness, not the saturation).
                    let requested = matches!(
                        (at(w), first_keep),
                        (Some(aspect_at), Some(keep_at)) if aspect_at < keep_at && !verb_last
                    );
                    if requested {
                        continue;
                    }
                    named = true;
                    if !keep.contains(a) {
                        keep.push(*a);
                    }
                    kept_here.extend(
                        m.targets
                            .iter()
                            .filter(|(t, _)| verb_last && t.region.is_none() && a.covers(&t.attr))
                            .map(|(t, _)| t.attr),
                    );
                }
            }
            if !named {
                for attr in &m.kept {
                    if let Some(a) = Aspect::of(attr) {
                        if !keep.contains(&a) {
                            keep.push(a);
                        }
                    }
                }
            }
        }
        // A request in a clause of its own wins over a kept aspect that covers it ("make it
        // greener but keep the white balance" asks for green): that aspect is not enforced.
        // A request inside the keep clause itself ("don't brighten it") the matcher has
        // already turned into a kept attribute.
        let mut matched = matched;
        matched
            .targets
            .retain(|(t, _)| t.region.is_some() || !kept_here.contains(&t.attr));
        // "cooler, but keep the colours" asks for the white balance and keeps the rest of
        // the colour: an aspect a request covers keeps what of it the request leaves.
        let asked: Vec<Attr> = matched.targets.iter().map(|(t, _)| t.attr).collect();
        let mut narrowed: Vec<Aspect> = Vec::new();
        for a in keep.iter().filter_map(|a| a.narrowed(&asked)) {
            if !narrowed.contains(&a) {
                narrowed.push(a);
            }
        }
        let keep = narrowed;
        // A named problem of a whole-photo aspect is sized by the photo, not by the network.
        matched.targets.retain(|(t, _)| {
            t.region.is_some()
                || !(matched.problems.contains(&t.attr)
                    && fixes.iter().any(|f| Aspect::of(&t.attr) == Some(f.aspect)))
        });
        if matched.restrained || RESTRAINT.iter().any(|p| has_phrase(&words_all, p)) {
            for (t, _) in &mut matched.targets {
                t.magnitude = t.magnitude.gentler();
            }
            // Restraint alone ("make it look natural") asks for what the photo needs, no
            // more: the generic request, whose dead zones leave small needs alone.
            if matched.targets.is_empty() && fixes.is_empty() && keep.is_empty() {
                generic = true;
            }
        }
        let requests = matched
            .targets
            .iter()
            .map(|(t, c)| Request {
                target: *t,
                amount: t.dir.sign() * t.magnitude.scale(),
                confidence: *c,
            })
            .collect();
        let presenting: Vec<&str> = described.iter().flat_map(|c| c.split(' ')).collect();
        let mut unread = unread_words(&english, &matched);
        unread.retain(|w| !presenting.contains(&w.as_str()));
        Reading {
            text: text.to_string(),
            language: rewritten.language,
            english,
            translated: rewritten.replaced,
            corrections,
            clauses,
            requests,
            fixes,
            keep,
            generic,
            content_edits: matched.content_edits.clone(),
            contradictions: matched.contradictions.clone(),
            unread,
            matched,
            learned: Vec::new(),
            described,
        }
    }

    /// The clauses the rules could not fully read: those they read nothing in (no request,
    /// fix, generic intent, kept aspect or content edit) and those with words that played
    /// no part in the reading ("gjør bildet mørkere og varmere": "varmere" read, "mørkere"
    /// not): what the learned reader should look at. The whole sentence when it has one
    /// clause. What the learned reader adds for an attribute the rules already set is
    /// dropped ([`Self::absorb`]).
    pub fn unread_clauses(&self) -> Vec<String> {
        let nothing = |r: &Reading| {
            r.is_empty()
                && r.keep.is_empty()
                && r.matched.kept.is_empty()
                && r.content_edits.is_empty()
                && r.described.is_empty()
        };
        // A clause the rules read as a constraint is theirs: "without crushing the blacks"
        // is not a request for deeper blacks, whatever its unread words.
        let partly = |r: &Reading| {
            !r.unread.is_empty()
                && r.content_edits.is_empty()
                && r.keep.is_empty()
                && r.matched.kept.is_empty()
        };
        if !self.text.chars().any(char::is_alphabetic) {
            return Vec::new();
        }
        if clauses(&self.text).len() <= 1 {
            let open = (nothing(self) || partly(self)) && self.learned.is_empty();
            return if open {
                vec![self.text.trim().to_string()]
            } else {
                Vec::new()
            };
        }
        // Clauses of the sentence as given (not of its English rewrite): the learned
        // reader reads any language.
        clauses(&self.text)
            .into_iter()
            .filter(|c| {
                let r = Reading::new(c);
                nothing(&r) || partly(&r)
            })
            .collect()
    }

    /// Add what the learned reader read in one of [`Self::unread_clauses`]: its requests
    /// (unless the sentence already sets or keeps that attribute), fixes, kept aspects and generic
    /// intent; its words no longer count as unread.
    pub fn absorb(&mut self, l: Learned) {
        if l.is_empty() {
            return;
        }
        for r in &l.requests {
            // The rules set it, or kept it ("brighter, not darker", "without crushing the
            // blacks").
            if self
                .matched
                .targets
                .iter()
                .any(|(t, _)| t.attr == r.target.attr)
                || self.matched.kept.contains(&r.target.attr)
            {
                continue;
            }
            // Full strength for the network: the threshold decided that the clause is read,
            // the amount says how strongly (as for the rules' own requests).
            self.matched.targets.push((r.target, 1.0));
            self.requests.push(r.clone());
        }
        for f in &l.fixes {
            // A fix of what the rules already set or kept would undo their direction.
            let set = self
                .matched
                .targets
                .iter()
                .map(|(t, _)| &t.attr)
                .chain(&self.matched.kept)
                .any(|a| f.aspect.covers(a) || Aspect::of(a) == Some(f.aspect));
            if !set {
                push_fix(&mut self.fixes, f.aspect, f.attr.zip(f.hint));
            }
        }
        for k in &l.keep {
            if !self.keep.contains(k) && !self.requests.iter().any(|r| k.covers(&r.target.attr)) {
                self.keep.push(*k);
            }
        }
        self.generic |= l.generic && self.requests.is_empty() && self.fixes.is_empty();
        let words: Vec<String> = matcher::normalise(&language::fold(&l.text))
            .split(' ')
            .map(str::to_string)
            .collect();
        self.unread.retain(|w| !words.contains(w));
        self.learned.push(l);
    }

    /// Whether the sentence asks for nothing this tool does (no change, fix or generic
    /// request; keeping alone changes nothing): "my aunt took this", "keep the colours".
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty() && self.fixes.is_empty() && !self.generic
    }

    /// Whether a clause asks for a look by likeness ("like a 1970s snapshot";
    /// [`crate::likeness`]): such a sentence asks for a change even when nothing in it was
    /// read.
    pub fn likens(&self) -> bool {
        self.clauses.iter().any(|c| crate::likeness::likens(c))
            || crate::likeness::likens(&self.english)
    }

    /// The text the sentence encoder should see: the English the matcher read when the
    /// sentence was rewritten (another language, corrected spelling), else the sentence.
    pub fn encoder_text(&self) -> &str {
        if self.language.is_some() || !self.corrections.is_empty() {
            &self.english
        } else {
            &self.text
        }
    }

    /// What was understood, in plain words: "warmer +1.0, shadows up +0.45; keep brightness".
    /// Restrict every requested change to `region`, a region chosen apart from the sentence
    /// (the web editor's region choice, `retouch edit --region`); a request that names its
    /// own region keeps it. Fixes, generic requests and kept aspects stay whole-photo.
    pub fn restrict_to(&mut self, region: Region) {
        for r in &mut self.requests {
            r.target.region.get_or_insert(region);
        }
        for (t, _) in &mut self.matched.targets {
            t.region.get_or_insert(region);
        }
    }

    /// The reading in plain words, for people: "warmer, lift the shadows ×0.5, keep the
    /// colour" ([`Target::words`]; an amount other than 1 is written as a factor).
    pub fn plain(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.generic {
            parts.push("the corrections this photo needs".into());
        }
        for f in &self.fixes {
            parts.push(format!("fix the {}", f.aspect.name().replace('-', " ")));
        }
        for r in &self.requests {
            let a = r.amount.abs();
            if (a - 1.0).abs() < 0.05 {
                parts.push(r.target.words());
            } else {
                parts.push(format!("{} ×{a:.2}", r.target.words()));
            }
        }
        for k in &self.keep {
            parts.push(format!("keep the {}", k.name().replace('-', " ")));
        }
        if parts.is_empty() {
            "nothing".into()
        } else {
            parts.join(", ")
        }
    }

    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.generic {
            parts.push("a generic request (the photo decides what to correct)".into());
        }
        for f in &self.fixes {
            parts.push(format!(
                "fix {}{}",
                f.aspect.name(),
                match f.hint {
                    Some(Dir::Up) => " (up)",
                    Some(Dir::Down) => " (down)",
                    None => "",
                }
            ));
        }
        for r in &self.requests {
            let learned = self
                .learned
                .iter()
                .any(|l| l.requests.iter().any(|x| x.target == r.target));
            parts.push(format!(
                "{} {:+.2}{}",
                r.target.label(),
                r.amount,
                if learned { " (learned reader)" } else { "" }
            ));
        }
        for k in &self.keep {
            parts.push(format!("keep {}", k.name()));
        }
        if parts.is_empty() {
            "nothing".into()
        } else {
            parts.join(", ")
        }
    }
}

/// Words that mark a clause as a constraint even where the matcher's list misses them.
const KEEP_WORDS: &[&str] = &[
    "keep",
    "keeping",
    "preserve",
    "preserving",
    "maintain",
    "maintaining",
    "leave",
    "unchanged",
    "untouched",
    "same",
    "intact",
    "don t",
    "do not",
    "dont",
    "without",
    "no change",
    "no need",
    "as they are",
    "as it is",
    "stay",
    "stays",
    "remain",
    "remains",
];

/// The aspects `toks` names from `list`, once each, in the list's order; a word inside a
/// longer named phrase ("color" in "color cast") names nothing of its own.
fn named_aspects(toks: &[&str], list: &[(&str, Aspect)]) -> Vec<Aspect> {
    let named: Vec<&str> = list
        .iter()
        .map(|(w, _)| *w)
        .filter(|w| has_phrase(toks, w))
        .collect();
    let mut out: Vec<Aspect> = Vec::new();
    for (w, a) in list {
        let inside_longer = named
            .iter()
            .any(|n| n.len() > w.len() && has_phrase(&n.split(' ').collect::<Vec<_>>(), w));
        if named.contains(w) && !inside_longer && !out.contains(a) {
            out.push(*a);
        }
    }
    out
}

/// Words that may end a keep phrase placed after what it keeps ("brightness without
/// changing", "leave colors as they are").
const KEEP_TAIL: &[&str] = &[
    "changing", "change", "changed", "touching", "touch", "touched", "altering", "alter", "alone",
    "as", "they", "are", "is", "same", "please",
];

fn push_fix(fixes: &mut Vec<Fix>, aspect: Aspect, hint: Option<(Attr, Dir)>) {
    let (attr, dir) = hint.map_or((None, None), |(a, d)| (Some(a), Some(d)));
    match fixes.iter_mut().find(|f| f.aspect == aspect) {
        Some(f) if f.hint.is_none() => {
            f.hint = dir;
            f.attr = attr;
        }
        Some(_) => {}
        None => fixes.push(Fix {
            aspect,
            hint: dir,
            attr,
        }),
    }
}

fn unread_words(english: &str, m: &Match) -> Vec<String> {
    let vocab = matcher::vocabulary();
    let mut out: Vec<String> = Vec::new();
    let _ = m;
    for w in english.split(' ') {
        let alpha = w.chars().any(char::is_alphabetic);
        if !alpha
            || FILLER.contains(&w)
            || vocab.binary_search(&w).is_ok()
            || word_of(
                [GENERIC, FIX_VERBS, NO_VERDICT, PRAISE]
                    .iter()
                    .flat_map(|list| list.iter().copied()),
                w,
            )
            || word_of(FIX_ASPECTS.iter().map(|(p, _)| *p), w)
            || RESTRAINT.iter().any(|p| p.split(' ').any(|x| x == w))
            || [
                "cast", "casts", "tint", "balance", "white", "tones", "tone", "hue", "while",
            ]
            .contains(&w)
        {
            continue;
        }
        if !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    }
    out
}
