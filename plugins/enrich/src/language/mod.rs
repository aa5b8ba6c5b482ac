//! Language: the ISO 639-1 code of the record's text, detected with `whatlang`, reconciled
//! with the language the source declared.
//!
//! Detection reads the body; when the body is shorter than [`MIN_BODY_CHARS`] letters it
//! reads title, subtitle, summary and body together. The answer is `null` unless `whatlang`
//! calls its guess reliable and the text holds at least [`MIN_LETTERS`] letters: a short
//! string gives no language rather than a wrong one. A language the source declared (an
//! `<html lang>`, a front-matter `language` key) wins, unless the text is long enough
//! ([`MIN_LETTERS_TO_OVERRULE`]) and reliably in another language: then the detected one is
//! used and a warning says so. A declared language with a text too short to overrule it is
//! kept without running detection at all.
//!
//! Before asking `whatlang`, whose fixed cost is larger than the rest of the enricher, a text
//! that is unmistakably English, German, French, Spanish, Italian, Portuguese or Dutch by its
//! function words is answered directly (see [`by_function_words`]); the test suite checks that
//! this shortcut agrees with `whatlang` on every benchmark text it answers.

mod codes;

use whatlang::Detector;

use docnorm_toolkit::chars::{self, Class};

use codes::{iso639_1, lang_code};
use docnorm_toolkit::words::{WordKey, WordTable};

/// Bodies with fewer letters than this are read together with title, subtitle and summary.
pub const MIN_BODY_CHARS: usize = 200;

/// Texts with fewer letters than this get no language.
pub const MIN_LETTERS: usize = 40;

/// Detection reads at most this many bytes of the text: more costs time and changes nothing.
pub const MAX_DETECT_BYTES: usize = 4096;

/// A declared language is overruled only by a text at least this long.
pub const MIN_LETTERS_TO_OVERRULE: usize = 250;

/// What the record's text says about its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    /// The ISO 639-1 code, or `None` when unknown.
    pub code: Option<String>,
    /// Why the declared language was not kept, if it was not.
    pub warning: Option<String>,
}

/// The text fields detection reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct Texts<'a> {
    /// The headline.
    pub title: Option<&'a str>,
    /// The standfirst.
    pub subtitle: Option<&'a str>,
    /// The source's excerpt.
    pub summary: Option<&'a str>,
    /// The article text.
    pub body: &'a str,
}

/// Detects the language of `texts`, keeping `declared` unless the text clearly disagrees.
pub fn resolve(texts: Texts<'_>, declared: Option<&str>) -> Language {
    let sample = Sample::of(texts);
    let Some(declared) = declared.map(str::trim).filter(|d| !d.is_empty()) else {
        return Language {
            code: sample.detect().map(|d| d.code.to_owned()),
            warning: None,
        };
    };
    let Some(code) = iso639_1(declared) else {
        return Language {
            code: sample.detect().map(|d| d.code.to_owned()),
            warning: Some(format!(
                "language: the source declares `{declared}`, which is not a language code; \
                 using the detected language instead"
            )),
        };
    };
    // A text too short to overrule the declaration is not worth detecting.
    let detected = if sample.letters >= MIN_LETTERS_TO_OVERRULE {
        sample.detect()
    } else {
        None
    };
    match detected {
        Some(found) if found.code != code => Language {
            code: Some(found.code.to_owned()),
            warning: Some(format!(
                "language: the source declares `{code}` but the text reads as `{}`; \
                     using `{}`",
                found.code, found.code
            )),
        },
        _ => Language {
            code: Some(code.to_owned()),
            warning: None,
        },
    }
}

/// A reliable detection.
#[derive(Debug, Clone, Copy)]
struct Detected {
    code: &'static str,
}

/// The text detection reads, and what one pass over it found.
struct Sample<'a> {
    text: std::borrow::Cow<'a, str>,
    scan: Scan,
    letters: usize,
}

impl<'a> Sample<'a> {
    fn of(texts: Texts<'a>) -> Self {
        let body = prefix(texts.body, MAX_DETECT_BYTES);
        let scan = Scan::of(body);
        let long_body = scan.letters >= MIN_BODY_CHARS
            || (body.len() < texts.body.len() && letters(texts.body) >= MIN_BODY_CHARS);
        if long_body {
            return Self {
                text: body.into(),
                letters: scan.letters,
                scan,
            };
        }
        let joined = [texts.title, texts.subtitle, texts.summary, Some(texts.body)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n");
        let text = prefix(&joined, MAX_DETECT_BYTES);
        let scan = Scan::of(text);
        Self {
            letters: scan.letters,
            scan,
            text: text.to_owned().into(),
        }
    }

    fn detect(&self) -> Option<Detected> {
        if self.letters < MIN_LETTERS {
            return None;
        }
        let code = self.scan.language().or_else(|| by_whatlang(&self.text))?;
        Some(Detected { code })
    }
}

/// The language `whatlang` reliably detects in `text`.
fn by_whatlang(text: &str) -> Option<&'static str> {
    let info = Detector::new().detect(text)?;
    info.is_reliable().then(|| lang_code(info.lang()))
}

/// The language of a text that is unmistakably in one of the languages of
/// [`FUNCTION_WORDS`], or `None` to ask `whatlang`.
///
/// `whatlang` compares the text with the trigram profile of every language of its script, a
/// fixed cost of about 0.1 ms per call whatever the text's length: more than the rest of the
/// enricher together. Most documents are in a handful of languages, and there the share of
/// each language's most frequent function words decides at once: at least
/// [`MIN_FUNCTION_WORDS`] words read, a fifth of them function words of one language and four
/// times as many as of any other. On the 181 reference bodies of the article-extraction
/// benchmark this answers for 152 texts and agrees with `whatlang` on every one
/// (`tests/language.rs` checks it).
pub fn by_function_words(text: &str) -> Option<&'static str> {
    Scan::of(text).language()
}

/// What one pass over a text finds: its letters, its words and its function words.
struct Scan {
    /// Alphabetic characters.
    letters: usize,
    /// Runs of alphabetic characters.
    words: usize,
    /// Function words per language of [`FUNCTION_WORDS`].
    counts: [usize; FUNCTION_WORDS.len()],
}

impl Scan {
    fn of(text: &str) -> Self {
        let index = &*FUNCTION_WORD_INDEX;
        let mut scan = Self {
            letters: 0,
            words: 0,
            counts: [0; FUNCTION_WORDS.len()],
        };
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let (class, len) = chars::class_at(text, at);
            if !class.contains(Class::ALPHABETIC) {
                at += len;
                continue;
            }
            // A run of letters: a word.
            let start = at;
            let mut ascii = true;
            loop {
                // ASCII letters (most of a word) in a loop of their own; the rest by class.
                while at < bytes.len() && bytes[at].is_ascii_alphabetic() {
                    at += 1;
                }
                if at == bytes.len() {
                    break;
                }
                let (class, len) = chars::class_at(text, at);
                if !class.contains(Class::ALPHABETIC) {
                    break;
                }
                ascii &= len == 1;
                at += len;
            }
            let word = &text[start..at];
            scan.words += 1;
            let language = if ascii {
                scan.letters += word.len();
                // Most words: too long to be a function word, or lower-cased as they are
                // packed into a key (OR-ing 0x20 lower-cases an ASCII letter).
                if word.len() > index.longest {
                    continue;
                }
                WordKey::at(bytes, start, at, 0x20).and_then(|key| index.words.get_by_key(key))
            } else {
                scan.letters += word.chars().count();
                if word.chars().any(char::is_uppercase) {
                    index.words.get(word.to_lowercase().as_bytes())
                } else {
                    index.words.get(word.as_bytes())
                }
            };
            if let Some(language) = language {
                scan.counts[usize::from(language)] += 1;
            }
        }
        scan
    }

    /// The language the function words decide for, if they do.
    fn language(&self) -> Option<&'static str> {
        if self.words < MIN_FUNCTION_WORDS {
            return None;
        }
        let counts = &self.counts;
        let (best, &top) = counts.iter().enumerate().max_by_key(|(_, count)| **count)?;
        let runner_up = counts
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != best)
            .map(|(_, count)| *count)
            .max()
            .unwrap_or(0);
        (top * 5 >= self.words && top >= runner_up * 4).then_some(FUNCTION_WORDS[best].0)
    }
}

/// Texts with fewer words than this always go to `whatlang`.
pub const MIN_FUNCTION_WORDS: usize = 30;

/// Frequent function words that belong to one language only among these (`de`, `la`, `en`,
/// `die`, `que` are left out for being common in several).
pub const FUNCTION_WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "of", "to", "that", "with", "for", "this", "from", "have", "has",
            "which", "would", "were", "been", "their", "they", "said", "not", "but", "are", "it",
            "its", "he", "she", "about", "who", "on", "at", "by", "be", "had", "or", "his", "her",
            "we", "you", "can",
        ],
    ),
    (
        "de",
        &[
            "der", "und", "das", "ist", "nicht", "mit", "sich", "auf", "dem", "den", "ein", "eine",
            "auch", "sie", "wird", "wurde", "von", "zu", "bei", "aus", "nach", "oder", "werden",
            "noch", "über", "wie", "im", "für", "sind", "hat", "dass", "einer",
        ],
    ),
    (
        "fr",
        &[
            "le", "les", "et", "est", "dans", "une", "pour", "qui", "pas", "sur", "au", "avec",
            "ce", "sont", "mais", "par", "plus", "ont", "été", "aux", "cette", "leur", "nous",
            "je", "elle",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "y", "más", "pero", "fue", "sus", "también", "muy", "hay", "ya",
            "sin",
        ],
    ),
    (
        "it",
        &[
            "di", "che", "della", "è", "sono", "gli", "delle", "alla", "nel", "anche", "questo",
            "più", "dei", "degli", "ed", "nella", "dalla", "essere", "stato", "ci", "loro",
            "perché", "però",
        ],
    ),
    (
        "pt",
        &[
            "os", "não", "em", "um", "uma", "é", "com", "ao", "foi", "pelo", "pela", "seu", "sua",
            "são", "também", "isso", "mas", "ele", "ela", "já",
        ],
    ),
    (
        "nl",
        &[
            "het", "een", "van", "niet", "zijn", "op", "voor", "ook", "wordt", "naar", "bij",
            "maar", "nog", "aan", "deze", "dan", "heeft", "hij", "wij", "werd", "kan", "geen",
            "omdat",
        ],
    ),
];

/// The function words, looked up by their lower-case form.
struct FunctionWordIndex {
    /// Function word → index of its language in [`FUNCTION_WORDS`].
    words: WordTable<Option<u8>>,
    /// The longest function word, in bytes.
    longest: usize,
}

/// Room for the longest function word: a longer ASCII word is never looked up. Every
/// function word has a [`WordKey`], so this is at most [`WordKey::MAX_BYTES`].
const MAX_FUNCTION_WORD_BYTES: usize = WordKey::MAX_BYTES;

static FUNCTION_WORD_INDEX: std::sync::LazyLock<FunctionWordIndex> =
    std::sync::LazyLock::new(|| {
        let mut words = WordTable::default();
        for (language, (_, list)) in FUNCTION_WORDS.iter().enumerate() {
            for word in *list {
                *words.entry(word) = u8::try_from(language).ok();
            }
        }
        // No function word is longer (a test checks it).
        let longest = FUNCTION_WORDS
            .iter()
            .flat_map(|(_, list)| list.iter())
            .map(|w| w.len())
            .max()
            .unwrap_or(0)
            .min(MAX_FUNCTION_WORD_BYTES);
        FunctionWordIndex { words, longest }
    });

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn letters(text: &str) -> usize {
    if text.is_ascii() {
        return text.bytes().filter(u8::is_ascii_alphabetic).count();
    }
    text.chars().filter(|c| c.is_alphabetic()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The detected language, after checking that `whatlang` and the function-word shortcut
    /// (when it answers) agree.
    fn body(body: &str) -> Option<String> {
        if letters(body) >= MIN_LETTERS
            && let Some(quick) = by_function_words(body)
        {
            assert_eq!(by_whatlang(body), Some(quick), "{body}");
        }
        resolve(
            Texts {
                body,
                ..Texts::default()
            },
            None,
        )
        .code
    }

    #[test]
    fn german() {
        let text = "Die Bundesregierung hat am Dienstag ein neues Gesetz zur Förderung der \
            erneuerbaren Energien beschlossen. Nach Angaben des Ministeriums sollen damit in den \
            kommenden Jahren deutlich mehr Windräder und Solaranlagen gebaut werden können.";
        assert_eq!(body(text).as_deref(), Some("de"));
    }

    #[test]
    fn french() {
        let text = "Le gouvernement a présenté mardi un nouveau projet de loi destiné à soutenir \
            les énergies renouvelables. Selon le ministère, il doit permettre de construire \
            beaucoup plus d'éoliennes et de panneaux solaires au cours des prochaines années.";
        assert_eq!(body(text).as_deref(), Some("fr"));
    }

    #[test]
    fn spanish() {
        let text = "El gobierno presentó el martes un nuevo proyecto de ley para apoyar las \
            energías renovables. Según el ministerio, permitirá construir muchos más \
            aerogeneradores y paneles solares durante los próximos años en todo el país.";
        assert_eq!(body(text).as_deref(), Some("es"));
    }

    #[test]
    fn english() {
        let text = "The government unveiled a new bill on Tuesday to support renewable energy. \
            According to the ministry, it should allow many more wind turbines and solar panels \
            to be built over the coming years across the whole country.";
        assert_eq!(body(text).as_deref(), Some("en"));
    }

    #[test]
    fn no_function_word_belongs_to_two_languages() {
        let mut seen = std::collections::HashMap::new();
        for (language, words) in FUNCTION_WORDS {
            for word in *words {
                if let Some(other) = seen.insert(*word, *language) {
                    panic!("`{word}` is listed for {other} and {language}");
                }
            }
        }
    }

    /// Where the maximal runs of alphabetic characters of `text` start and end.
    fn alphabetic_runs(text: &str) -> Vec<(usize, usize)> {
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for (at, ch) in text.char_indices() {
            if !ch.is_alphabetic() {
                continue;
            }
            let end = at + ch.len_utf8();
            match runs.last_mut() {
                Some(run) if run.1 == at => run.1 = end,
                _ => runs.push((at, end)),
            }
        }
        runs
    }

    #[test]
    fn the_scan_counts_the_words_split_the_slow_way() {
        for text in [
            "l'été 12and3 ÜBER—x",
            "Die Bundesregierung hat am Dienstag ein Gesetz über Windräder beschlossen.",
            include_str!("../../tests/fixtures/004_body.txt"),
        ] {
            assert_eq!(Scan::of(text).words, alphabetic_runs(text).len(), "{text}");
        }
    }

    #[test]
    fn the_function_word_scan_counts_every_letter() {
        for text in [
            "",
            "12 -- 34",
            "Die Bundesregierung hat am Dienstag ein Gesetz über Windräder beschlossen.",
            "l'été ÉTÉ, İstanbul ǅemal 3a4b",
            include_str!("../../tests/fixtures/004_body.txt"),
        ] {
            assert_eq!(Scan::of(text).letters, letters(text), "{text}");
        }
    }

    #[test]
    fn every_function_word_fits_the_lookup_buffer() {
        for (_, words) in FUNCTION_WORDS {
            for word in *words {
                assert!(
                    word.len() <= MAX_FUNCTION_WORD_BYTES,
                    "`{word}` is too long"
                );
            }
        }
    }

    #[test]
    fn function_words_are_counted_in_any_case_between_any_separators() {
        let text = "l'été 12and3 ÜBER—x";
        let runs: Vec<&str> = alphabetic_runs(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect();
        assert_eq!(runs, ["l", "été", "and", "ÜBER", "x"]);
        // 48 words, 36 of them German function words and 6 French: German.
        let text = "Der, der—DER 1über2 Über: ÜBER l'été ".repeat(6);
        assert_eq!(by_function_words(&text), Some("de"));
    }

    #[test]
    fn languages_without_function_words_go_to_whatlang() {
        let polish = "Rząd przedstawił we wtorek nowy projekt ustawy wspierającej odnawialne \
            źródła energii. Według ministerstwa pozwoli on w najbliższych latach zbudować \
            znacznie więcej turbin wiatrowych i paneli słonecznych w całym kraju.";
        assert_eq!(by_function_words(polish), None);
        assert_eq!(body(polish).as_deref(), Some("pl"));
    }

    #[test]
    fn too_short_text_has_no_language() {
        assert_eq!(body("Hello there"), None);
        assert_eq!(body("Ja"), None);
        assert_eq!(body(""), None);
    }

    #[test]
    fn a_short_body_falls_back_to_title_and_summary() {
        let texts = Texts {
            title: Some("Biden proposes meeting with Putin amid rising Ukraine tensions"),
            summary: Some(
                "President Joe Biden spoke with Russian President Vladimir Putin on Tuesday and \
                 proposed a meeting in a third country in the coming months as tensions between \
                 Russia and Ukraine rise in eastern Europe.",
            ),
            ..Texts::default()
        };
        assert_eq!(resolve(texts, None).code.as_deref(), Some("en"));
    }

    #[test]
    fn a_declared_language_wins_over_a_short_text() {
        let texts = Texts {
            body: "Merci beaucoup",
            ..Texts::default()
        };
        let language = resolve(texts, Some("fr-FR"));
        assert_eq!(language.code.as_deref(), Some("fr"));
        assert_eq!(language.warning, None);
        assert_eq!(resolve(texts, Some("FRA")).code.as_deref(), Some("fr"));
    }

    #[test]
    fn a_long_text_in_another_language_overrules_the_declaration_with_a_warning() {
        let text = "The government unveiled a new bill on Tuesday to support renewable energy. \
            According to the ministry, it should allow many more wind turbines and solar panels \
            to be built over the coming years across the whole country. Critics said the plan \
            was too timid, while industry groups welcomed it as a first step. The bill now goes \
            to parliament, where the ruling coalition holds a narrow majority and is expected \
            to pass it before the summer recess.";
        let language = resolve(
            Texts {
                body: text,
                ..Texts::default()
            },
            Some("de"),
        );
        assert_eq!(language.code.as_deref(), Some("en"));
        assert!(language.warning.unwrap().contains("declares `de`"));
    }

    #[test]
    fn a_declared_value_that_is_no_language_is_replaced_with_a_warning() {
        let text = "The government unveiled a new bill on Tuesday to support renewable energy.";
        let language = resolve(
            Texts {
                body: text,
                ..Texts::default()
            },
            Some("klingon"),
        );
        assert_eq!(language.code.as_deref(), Some("en"));
        assert!(language.warning.is_some());
    }
}
