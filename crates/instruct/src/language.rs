//! Instructions in other languages: which language a sentence is in, and its retouching words
//! rewritten into the English vocabulary the matcher reads ("rends-la plus chaude" -> "make it
//! warmer"). This is a lexicon, not a translator: it knows the words of photo retouching
//! (directions, attributes, tonal ranges, regions, amounts, negation, keep, generic requests,
//! looks and scene words) in French, German, Spanish, Italian, Portuguese, Russian, Chinese,
//! Japanese, Dutch, Swedish, Polish, Czech, Turkish, Indonesian, Vietnamese, Korean, Greek,
//! Arabic, Hindi, Hebrew, Norwegian, Danish, Finnish, Romanian and Hungarian, and leaves every other word as it is (the reading reports those as unread).
//!
//! Tables are written once per language (`data/lexicon-*.txt`, one `foreign = english` entry
//! per line); keys are matched accent-folded and case-folded, longest first, at word
//! boundaries (anywhere, for Chinese and Japanese, which do not separate words); a key ending
//! in `*` matches any word that starts with it (inflected forms: "теплее", "контрастнее").

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A language the lexicon knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    English,
    French,
    German,
    Spanish,
    Italian,
    Portuguese,
    Russian,
    Chinese,
    Japanese,
    Dutch,
    Swedish,
    Polish,
    Czech,
    Turkish,
    Indonesian,
    Vietnamese,
    Korean,
    Greek,
    Arabic,
    Hindi,
    Hebrew,
    Norwegian,
    Danish,
    Finnish,
    Romanian,
    Hungarian,
}

impl Language {
    pub const FOREIGN: [Language; 25] = [
        Language::French,
        Language::German,
        Language::Spanish,
        Language::Italian,
        Language::Portuguese,
        Language::Russian,
        Language::Chinese,
        Language::Japanese,
        Language::Dutch,
        Language::Swedish,
        Language::Polish,
        Language::Czech,
        Language::Turkish,
        Language::Indonesian,
        Language::Vietnamese,
        Language::Korean,
        Language::Greek,
        Language::Arabic,
        Language::Hindi,
        Language::Hebrew,
        Language::Norwegian,
        Language::Danish,
        Language::Finnish,
        Language::Romanian,
        Language::Hungarian,
    ];

    /// ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
            Language::German => "de",
            Language::Spanish => "es",
            Language::Italian => "it",
            Language::Portuguese => "pt",
            Language::Russian => "ru",
            Language::Chinese => "zh",
            Language::Japanese => "ja",
            Language::Dutch => "nl",
            Language::Swedish => "sv",
            Language::Polish => "pl",
            Language::Czech => "cs",
            Language::Turkish => "tr",
            Language::Indonesian => "id",
            Language::Vietnamese => "vi",
            Language::Korean => "ko",
            Language::Greek => "el",
            Language::Arabic => "ar",
            Language::Hindi => "hi",
            Language::Hebrew => "he",
            Language::Norwegian => "nb",
            Language::Danish => "da",
            Language::Finnish => "fi",
            Language::Romanian => "ro",
            Language::Hungarian => "hu",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        std::iter::once(Language::English)
            .chain(Language::FOREIGN)
            .find(|l| l.code() == code)
    }

    /// Whether [`detect`] tells it by its script alone (not by its table's words).
    fn by_script(self) -> bool {
        matches!(
            self,
            Language::Russian
                | Language::Chinese
                | Language::Japanese
                | Language::Korean
                | Language::Greek
                | Language::Arabic
                | Language::Hindi
                | Language::Hebrew
        )
    }

    /// Whether the language writes words without spaces between them.
    fn unspaced(self) -> bool {
        matches!(self, Language::Chinese | Language::Japanese)
    }

    /// The lexicon's entries as written (foreign phrase, English), whole-word entries only
    /// (prefix entries ending in `*` are left out): ready-made short instructions in this
    /// language, for the learned reader's corpus.
    pub fn phrases(self) -> Vec<(&'static str, &'static str)> {
        self.table_text()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (k, e) = l.split_once('=')?;
                let k = k.trim();
                (!k.is_empty() && !k.ends_with('*')).then(|| (k, e.trim()))
            })
            .collect()
    }

    fn table_text(self) -> &'static str {
        match self {
            Language::English => "",
            Language::French => include_str!("../data/lexicon-fr.txt"),
            Language::German => include_str!("../data/lexicon-de.txt"),
            Language::Spanish => include_str!("../data/lexicon-es.txt"),
            Language::Italian => include_str!("../data/lexicon-it.txt"),
            Language::Portuguese => include_str!("../data/lexicon-pt.txt"),
            Language::Russian => include_str!("../data/lexicon-ru.txt"),
            Language::Chinese => include_str!("../data/lexicon-zh.txt"),
            Language::Japanese => include_str!("../data/lexicon-ja.txt"),
            Language::Dutch => include_str!("../data/lexicon-nl.txt"),
            Language::Swedish => include_str!("../data/lexicon-sv.txt"),
            Language::Polish => include_str!("../data/lexicon-pl.txt"),
            Language::Czech => include_str!("../data/lexicon-cs.txt"),
            Language::Turkish => include_str!("../data/lexicon-tr.txt"),
            Language::Indonesian => include_str!("../data/lexicon-id.txt"),
            Language::Vietnamese => include_str!("../data/lexicon-vi.txt"),
            Language::Korean => include_str!("../data/lexicon-ko.txt"),
            Language::Greek => include_str!("../data/lexicon-el.txt"),
            Language::Arabic => include_str!("../data/lexicon-ar.txt"),
            Language::Hindi => include_str!("../data/lexicon-hi.txt"),
            Language::Hebrew => include_str!("../data/lexicon-he.txt"),
            Language::Norwegian => include_str!("../data/lexicon-nb.txt"),
            Language::Danish => include_str!("../data/lexicon-da.txt"),
            Language::Finnish => include_str!("../data/lexicon-fi.txt"),
            Language::Romanian => include_str!("../data/lexicon-ro.txt"),
            Language::Hungarian => include_str!("../data/lexicon-hu.txt"),
        }
    }
}

/// Lower-case and strip Latin diacritics ("Éclaircir" -> "eclaircir", "wärmer" -> "warmer",
/// "ß" -> "ss"); other scripts are left as they are (Cyrillic "ё" becomes "е").
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars().flat_map(char::to_lowercase) {
        let r = match ch {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' => "a",
            'ą' => "a",
            'ç' | 'ć' | 'č' => "c",
            'ď' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'ğ' => "g",
            'ì' | 'í' | 'î' | 'ï' | 'ı' => "i",
            'ł' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'ř' => "r",
            'ś' | 'š' | 'ş' | 'ș' => "s",
            'ť' | 'ț' | 'ţ' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            // Greek accents (tonos, dialytika).
            'ά' => "α",
            'έ' => "ε",
            'ή' => "η",
            'ί' | 'ϊ' | 'ΐ' => "ι",
            'ό' => "ο",
            'ύ' | 'ϋ' | 'ΰ' => "υ",
            'ώ' => "ω",
            'ß' => "ss",
            'œ' => "oe",
            'æ' => "ae",
            'ё' => "е",
            // Arabic: one alef, final ya and ta marbuta as typed without dots, no vowel marks
            // or tatweel; its comma, semicolon and question mark.
            'أ' | 'إ' | 'آ' | 'ٱ' => "ا",
            'ى' => "ي",
            'ة' => "ه",
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => "",
            '،' => ",",
            '؛' => ";",
            '؟' => "?",
            // Devanagari: without nukta ("ज़्यादा" = "ज्यादा"), chandrabindu as anusvara, the
            // danda a full stop.
            '\u{093C}' => "",
            '\u{0901}' => "\u{0902}",
            '।' => ".",
            // Hebrew: no vowel points or cantillation; geresh as an apostrophe.
            '\u{0591}'..='\u{05C7}' => "",
            '׳' => "'",
            // Full-width and ideographic punctuation.
            '，' | '、' => ",",
            '。' | '．' => ".",
            '！' => "!",
            '？' => "?",
            '；' => ";",
            '：' => ":",
            '（' => "(",
            '）' => ")",
            '　' => " ",
            '’' | '‘' | '`' | '´' => "'",
            _ => {
                out.push(ch);
                continue;
            }
        };
        out.push_str(r);
    }
    out
}

struct Entry {
    /// Folded words of the key (one "word" for unspaced languages: the whole key).
    key: Vec<String>,
    /// The last word is a prefix.
    prefix: bool,
    english: String,
}

struct Table {
    lang: Language,
    entries: Vec<Entry>,
    /// Every word of every key (prefix keys' last words apart, in `prefixes`).
    words: std::collections::HashSet<String>,
    prefixes: Vec<String>,
}

impl Table {
    /// A word with what Arabic and Hebrew write onto it: a conjunction as its own word ("و"
    /// and, "ف" so; "ו" and, "ש" that), then an article or preposition left off ("ال", "بال",
    /// "ب", "ل"; "ה", "ב", "ל", "מ", "כ") and a pronoun ending ("ها", "ه") left off, when what
    /// remains is a word the table knows ("والسطوع" -> "و", "سطوع"; "והשמיים" -> "ו",
    /// "שמיים"). Unknown words stay whole.
    fn clitics(&self, lang: Language, word: String) -> Vec<String> {
        let (conjunctions, prefixes, suffixes): (&[char], &[&str], &[&str]) = match lang {
            Language::Arabic => (
                &['و', 'ف'],
                &["بال", "وال", "فال", "لل", "ال", "ب", "ل"],
                &["ها", "ه"],
            ),
            Language::Hebrew => (&['ו', 'ש'], &["ה", "ב", "ל", "מ", "כ"], &[]),
            _ => return vec![word],
        };
        let long = |w: &str| w.chars().count() >= 2;
        let (conj, rest) = match conjunctions
            .iter()
            .find_map(|c| word.strip_prefix(*c).filter(|r| long(r)).map(|r| (c, r)))
        {
            Some((c, r)) => (Some(c.to_string()), r.to_string()),
            None => (None, word.clone()),
        };
        let mut stems = vec![rest.clone()];
        for p in prefixes {
            if let Some(r) = rest.strip_prefix(p).filter(|r| long(r)) {
                stems.push(r.to_string());
            }
        }
        for st in stems.clone() {
            for suffix in suffixes {
                if let Some(r) = st.strip_suffix(suffix).filter(|r| long(r)) {
                    stems.push(r.to_string());
                }
            }
        }
        match stems.into_iter().find(|st| self.knows(st)) {
            Some(st) => conj.into_iter().chain(std::iter::once(st)).collect(),
            None => vec![word],
        }
    }

    /// Whether some key has this word in it.
    fn knows(&self, word: &str) -> bool {
        self.words.contains(word) || self.prefixes.iter().any(|p| word.starts_with(p.as_str()))
    }

    /// A word the table does not know, in the form its keys are written in, when a regular
    /// inflection leads there: plurals ("calde" -> "calda", "saturadas" -> "saturada"), the
    /// colloquial Russian comparative ("потеплее" -> "теплее"), and hyphenated verb-pronoun
    /// pairs ("donne-lui" -> "donne", "lui"). Words it knows, or cannot lead anywhere, stay.
    fn base_form(&self, lang: Language, word: String) -> Vec<String> {
        if self.knows(&word) {
            return vec![word];
        }
        if word.contains('-') {
            let parts: Vec<String> = word
                .split('-')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            if parts.iter().any(|p| self.knows(p)) {
                return parts;
            }
        }
        let n = word.chars().count();
        let stem = |k: usize| {
            word.char_indices()
                .nth(n.saturating_sub(k))
                .map(|(i, _)| &word[..i])
        };
        if matches!(lang, Language::Arabic | Language::Hebrew) {
            return self.clitics(lang, word);
        }
        let candidates: Vec<String> = match lang {
            Language::Russian => word
                .strip_prefix("по")
                .filter(|r| r.chars().count() >= 3)
                .map(|r| vec![r.to_string()])
                .unwrap_or_default(),
            Language::Spanish | Language::Portuguese | Language::French if n >= 4 => {
                let mut v = Vec::new();
                if let Some(s) = word.strip_suffix('s').or_else(|| word.strip_suffix('x')) {
                    v.push(s.to_string());
                }
                if let Some(s) = word.strip_suffix("es") {
                    v.push(s.to_string());
                }
                v
            }
            Language::Italian if n >= 4 => {
                let s = stem(1).unwrap_or_default();
                match word.chars().last() {
                    Some('i') => vec![format!("{s}o"), format!("{s}a"), format!("{s}e")],
                    Some('e') => vec![format!("{s}a"), format!("{s}o")],
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        };
        match candidates.into_iter().find(|c| self.knows(c)) {
            Some(c) => vec![c],
            None => vec![word],
        }
    }
}

fn tables() -> &'static [Table] {
    static T: OnceLock<Vec<Table>> = OnceLock::new();
    T.get_or_init(|| {
        Language::FOREIGN
            .iter()
            .map(|&lang| {
                let mut entries: Vec<Entry> = lang
                    .table_text()
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .filter_map(|l| {
                        let (k, e) = l.split_once('=')?;
                        let k = fold(k.trim());
                        let (k, prefix) = match k.strip_suffix('*') {
                            Some(k) => (k.to_string(), true),
                            None => (k, false),
                        };
                        let key = if lang.unspaced() {
                            vec![k.replace(' ', "")]
                        } else {
                            k.split_whitespace().map(str::to_string).collect()
                        };
                        (!key.is_empty() && !key[0].is_empty()).then(|| Entry {
                            key,
                            prefix,
                            english: e.trim().to_string(),
                        })
                    })
                    .collect();
                // Longest key first.
                entries.sort_by_key(|e| {
                    std::cmp::Reverse((e.key.len(), e.key.iter().map(|w| w.len()).sum::<usize>()))
                });
                let mut words = std::collections::HashSet::new();
                let mut prefixes = Vec::new();
                for e in &entries {
                    let last = e.key.len() - 1;
                    for (j, w) in e.key.iter().enumerate() {
                        if e.prefix && j == last {
                            prefixes.push(w.clone());
                        } else {
                            words.insert(w.clone());
                        }
                    }
                }
                Table {
                    lang,
                    entries,
                    words,
                    prefixes,
                }
            })
            .collect()
    })
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xff66..=0xff9f)
}

fn is_kana(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30ff | 0xff66..=0xff9f)
}

fn is_cyrillic(c: char) -> bool {
    matches!(c as u32, 0x0400..=0x04ff)
}

fn is_hangul(c: char) -> bool {
    matches!(c as u32, 0xac00..=0xd7a3 | 0x1100..=0x11ff | 0x3130..=0x318f)
}

fn is_greek(c: char) -> bool {
    matches!(c as u32, 0x0370..=0x03ff | 0x1f00..=0x1fff)
}

fn is_hebrew(c: char) -> bool {
    matches!(c as u32, 0x05d0..=0x05ea | 0xfb1d..=0xfb4f)
}

fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06ff | 0x0750..=0x077f | 0xfb50..=0xfdff | 0xfe70..=0xfeff)
}

/// Devanagari, its vowel signs and virama included (a virama is not alphabetic).
fn is_devanagari(c: char) -> bool {
    matches!(c as u32, 0x0900..=0x097f)
}

/// Split folded text into words and punctuation marks, each its own token.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() || ch == '\'' || ch == '-' || is_devanagari(ch) {
            cur.push(ch);
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if !ch.is_whitespace() {
                out.push(ch.to_string());
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    // Elisions split after the apostrophe ("l'image" -> "l'", "image"); hyphens stay inside
    // a word ("rends-la", "sous-exposee").
    let mut split = Vec::with_capacity(out.len());
    for t in out {
        let mut rest = t.trim_matches(|c| c == '\'' || c == '-');
        while let Some(p) = rest.find('\'') {
            split.push(rest[..=p].to_string());
            rest = &rest[p + 1..];
        }
        if !rest.is_empty() {
            split.push(rest.to_string());
        }
    }
    split
}

fn english_words() -> &'static std::collections::HashSet<&'static str> {
    static W: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    W.get_or_init(|| {
        include_str!("../data/english-words.txt")
            .lines()
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// The English word list (lower-case), for corpora that need ordinary words.
pub fn english_word_list() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = english_words().iter().copied().collect();
    v.sort_unstable();
    v
}

/// Whether `word` (lower-case) is an English word (the text encoder's vocabulary).
pub fn is_english_word(word: &str) -> bool {
    word.chars().count() <= 1 || english_words().contains(word)
}

/// A sentence's language: Chinese or Japanese by script (any kana: Japanese), Korean by
/// Hangul, Russian by Cyrillic letters, Greek, Arabic, Hindi and Hebrew by their scripts
/// (Devanagari for Hindi), otherwise the language whose lexicon knows most of the sentence's words
/// that are not English words (ties: English unless a table word is found; then the first
/// language in [`Language::FOREIGN`] order among the best).
pub fn detect(text: &str) -> Language {
    let folded = fold(text);
    if folded.chars().any(is_kana) {
        return Language::Japanese;
    }
    if folded.chars().any(is_cjk) {
        return Language::Chinese;
    }
    if folded.chars().any(is_hangul) {
        return Language::Korean;
    }
    let letters = folded.chars().filter(|c| c.is_alphabetic()).count();
    let cyr = folded.chars().filter(|c| is_cyrillic(*c)).count();
    if cyr * 2 > letters && cyr > 0 {
        return Language::Russian;
    }
    for (is, lang) in [
        (is_greek as fn(char) -> bool, Language::Greek),
        (is_arabic, Language::Arabic),
        (is_devanagari, Language::Hindi),
        (is_hebrew, Language::Hebrew),
    ] {
        let n = folded.chars().filter(|c| is(*c)).count();
        if n * 2 > letters && n > 0 {
            return lang;
        }
    }
    let raw = tokens(&folded);
    let vocab = crate::matcher::vocabulary();
    let mut best = (0usize, Language::English);
    for t in tables().iter() {
        if t.lang.by_script() {
            continue;
        }
        let toks: Vec<String> = raw
            .iter()
            .flat_map(|w| t.base_form(t.lang, w.clone()))
            .collect();
        // English evidence: the matcher's own words where this table reads none.
        let mut english_score = 0;
        let mut score = 0;
        let mut i = 0;
        while i < toks.len() {
            match longest(&t.entries, &toks, i) {
                Some((e, n)) => {
                    // Table words that are also English ("plus", "no", "fade") count only
                    // when they are part of a longer key.
                    // and entries that are the same word in English ("magenta", "retro").
                    let english = (n == 1 && !e.prefix && is_english_word(&e.key[0]))
                        || e.key.join(" ") == e.english;
                    if !english {
                        score += n;
                    }
                    i += n;
                }
                None => {
                    let t = toks[i].as_str();
                    let noun = ["photo", "photos", "image", "picture"].contains(&t);
                    if !noun && vocab.binary_search(&t).is_ok() {
                        english_score += 1;
                    }
                    i += 1;
                }
            }
        }
        if score > english_score && score > best.0 {
            best = (score, t.lang);
        }
    }
    best.1
}

fn entry_matches(e: &Entry, toks: &[String], at: usize) -> bool {
    let n = e.key.len();
    if at + n > toks.len() {
        return false;
    }
    e.key.iter().enumerate().all(|(j, k)| {
        let t = &toks[at + j];
        if e.prefix && j + 1 == n {
            t.starts_with(k.as_str())
        } else {
            t == k
        }
    })
}

fn longest<'a>(entries: &'a [Entry], toks: &[String], at: usize) -> Option<(&'a Entry, usize)> {
    entries
        .iter()
        .find(|e| entry_matches(e, toks, at))
        .map(|e| (e, e.key.len()))
}

/// German puts "aber" / "jedoch" after a clause's first words ("die Farben aber nicht
/// anfassen"): moved to the front of the clause ("aber die Farben nicht anfassen"), where the
/// matcher splits clauses, so what is kept stays with its verb.
fn but_first(toks: &mut Vec<String>) {
    let mut start = 0;
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i].as_str();
        if [",", ".", ";", "und"].contains(&t) {
            start = i + 1;
        } else if (t == "aber" || t == "jedoch") && (start + 1..=start + 3).contains(&i) {
            let w = toks.remove(i);
            toks.insert(start, w);
            start = i + 1;
        }
        i += 1;
    }
}

/// What [`to_english`] did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rewritten {
    /// The sentence with the lexicon's words in English (lower case, accent-folded).
    pub text: String,
    pub language: Option<Language>,
    /// (foreign words, English) pairs that were rewritten, in order.
    pub replaced: Vec<(String, String)>,
}

/// Rewrite a sentence's retouching words into English; an English sentence comes back folded
/// and otherwise unchanged. `language` forces the table (else [`detect`]).
pub fn to_english(text: &str, language: Option<Language>) -> Rewritten {
    let lang = language.unwrap_or_else(|| detect(text));
    let folded = fold(text);
    if lang == Language::English {
        return Rewritten {
            text: folded,
            language: None,
            replaced: Vec::new(),
        };
    }
    let Some(table) = tables().iter().find(|t| t.lang == lang) else {
        return Rewritten {
            text: folded,
            language: Some(lang),
            replaced: Vec::new(),
        };
    };
    let mut replaced = Vec::new();
    let text = if lang.unspaced() {
        // Longest key first at each position of the character string.
        let chars: Vec<char> = folded.chars().collect();
        let keys: Vec<(Vec<char>, &Entry)> = table
            .entries
            .iter()
            .map(|e| (e.key[0].chars().collect(), e))
            .collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            let hit = keys
                .iter()
                .filter(|(k, _)| chars[i..].starts_with(k))
                .max_by_key(|(k, _)| k.len());
            match hit {
                Some((k, e)) => {
                    out.push(' ');
                    out.push_str(&e.english);
                    out.push(' ');
                    replaced.push((k.iter().collect(), e.english.clone()));
                    i += k.len();
                }
                None => {
                    let c = chars[i];
                    if is_cjk(c) {
                        // An unknown character is its own word.
                        out.push(' ');
                        out.push(c);
                        out.push(' ');
                    } else {
                        out.push(c);
                    }
                    i += 1;
                }
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        let mut toks: Vec<String> = tokens(&folded)
            .into_iter()
            .flat_map(|t| table.base_form(lang, t))
            .collect();
        if lang == Language::German {
            but_first(&mut toks);
        }
        let mut out: Vec<String> = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            match longest(&table.entries, &toks, i) {
                Some((e, n)) => {
                    replaced.push((toks[i..i + n].join(" "), e.english.clone()));
                    if !e.english.is_empty() {
                        out.push(e.english.clone());
                    }
                    i += n;
                }
                None => {
                    out.push(toks[i].clone());
                    i += 1;
                }
            }
        }
        out.join(" ")
    };
    Rewritten {
        text,
        language: Some(lang),
        replaced,
    }
}
