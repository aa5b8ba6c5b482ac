//! Word lists of the text plugin: function words (prose has many of them, menus few) and the
//! vocabulary of page chrome (subscribe, share, cookies, all rights reserved…) in English,
//! German, French and Spanish, and the words never part of a name in a byline. Lookups are
//! one lookup per word in a word table (`docnorm_toolkit::words`) built once from the sorted
//! lists below.

use docnorm_toolkit::dates::calendar;
use docnorm_toolkit::words::{WordKey, WordTable};

/// Function words in EN, DE, FR and ES (and the commonest of PT, IT, NL, ID), lowercase, sorted (checked by a test).
const STOPWORDS: &[&str] = &[
    "a", "about", "adalah", "after", "akan", "al", "alla", "als", "also", "am", "an", "anche",
    "and", "any", "ao", "are", "as", "at", "au", "auch", "auf", "aus", "aux", "be", "been", "bei",
    "but", "by", "can", "ce", "ces", "che", "com", "como", "con", "could", "d", "dalam", "dan",
    "dans", "dari", "das", "dass", "de", "dei", "del", "della", "dem", "den", "dengan", "der",
    "des", "did", "die", "do", "du", "durch", "déjà", "e", "een", "ein", "eine", "einem", "einen",
    "einer", "el", "ella", "elle", "em", "en", "entre", "er", "es", "est", "esta", "este", "et",
    "foi", "for", "from", "für", "gli", "had", "has", "hat", "have", "he", "her", "het", "his",
    "how", "i", "if", "il", "ils", "im", "in", "ini", "into", "is", "ist", "it", "its", "itu",
    "je", "ke", "kein", "l", "la", "las", "le", "les", "leur", "lo", "los", "maar", "mais", "mas",
    "mit", "more", "most", "más", "n", "na", "nach", "nas", "ne", "nel", "nicht", "niet", "no",
    "noch", "non", "nos", "not", "nous", "não", "o", "of", "on", "one", "only", "ook", "op", "or",
    "os", "other", "ou", "our", "pada", "par", "para", "pas", "pela", "pelo", "per", "pero",
    "plus", "por", "pour", "qu", "que", "questo", "qui", "s", "sa", "said", "se", "sein", "ser",
    "ses", "she", "sich", "sie", "sin", "sind", "so", "sobre", "some", "son", "sono", "such",
    "sur", "são", "t", "também", "te", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "tidak", "to", "um", "uma", "un", "una", "und", "une", "uno",
    "untuk", "up", "us", "van", "von", "voor", "vor", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "will", "with", "would", "y", "ya", "yang", "you", "zijn", "zu",
    "zum", "zur", "è", "é", "über",
];

/// Single words that mark page chrome when they dominate a short line.
const UI_WORDS: &[&str] = &[
    "abmelden",
    "abonnement",
    "abonnez",
    "abonnieren",
    "accueil",
    "advertisement",
    "advertising",
    "anmelden",
    "anuncio",
    "anzeige",
    "bookmark",
    "buscar",
    "comentarios",
    "comment",
    "commentaires",
    "comments",
    "compartir",
    "connexion",
    "cookie",
    "cookies",
    "copyright",
    "datenschutz",
    "download",
    "email",
    "feedback",
    "follow",
    "impressum",
    "inicio",
    "login",
    "logout",
    "menu",
    "menú",
    "newsletter",
    "newsletters",
    "partager",
    "podcast",
    "podcasts",
    "print",
    "privacy",
    "publicidad",
    "publicité",
    "rechercher",
    "register",
    "registrieren",
    "reply",
    "search",
    "share",
    "shares",
    "sharing",
    "signup",
    "sponsored",
    "startseite",
    "subscribe",
    "subscriber",
    "subscribers",
    "subscribing",
    "subscription",
    "suche",
    "suscripción",
    "suscríbete",
    "teilen",
    "tweet",
    "unsubscribe",
    "werbung",
];

/// Multi-word chrome phrases, lowercase, with single spaces.
const UI_PHRASES: &[&str] = &[
    "a lire aussi",
    "all rights reserved",
    "alle rechte vorbehalten",
    "also read",
    "back to top",
    "click here",
    "continue reading",
    "create account",
    "create an account",
    "derechos reservados",
    "droits réservés",
    "follow us",
    "for more information",
    "get the app",
    "iniciar sesión",
    "lea también",
    "lee también",
    "leer más",
    "lesen sie auch",
    "lire aussi",
    "lire la suite",
    "log in",
    "mehr zum thema",
    "mentions légales",
    "more from",
    "most popular",
    "most read",
    "más leídas",
    "privacy policy",
    "read more",
    "read next",
    "recommended for you",
    "related articles",
    "related stories",
    "s'abonner",
    "se connecter",
    "sign in",
    "sign up",
    "skip to",
    "te puede interesar",
    "terms of service",
    "terms of use",
    "you may also like",
    "à lire aussi",
];

/// Words that address the reader, common in promotions.
const SECOND_PERSON: &[&str] = &[
    "deine", "dich", "dir", "du", "euch", "ihr", "te", "tu", "tus", "tú", "usted", "vos", "votre",
    "vous", "you", "your", "yours",
];

/// Words of a bio that say what the person does.
const ROLE_WORDS: &[&str] = &[
    "auteur",
    "author",
    "autor",
    "autora",
    "autorin",
    "chroniqueur",
    "columnist",
    "contributor",
    "correspondant",
    "correspondante",
    "correspondent",
    "corresponsal",
    "editor",
    "editora",
    "freelance",
    "freelancer",
    "journalist",
    "journaliste",
    "journalistin",
    "korrespondent",
    "korrespondentin",
    "periodista",
    "redactor",
    "redactora",
    "redakteur",
    "redakteurin",
    "reporter",
    "reporterin",
    "rédacteur",
    "rédactrice",
    "writer",
    "writes",
    "wrote",
];

/// Words that open a line that is a photo caption or credit.
const CREDIT_WORDS: &[&str] = &[
    "bild",
    "credit",
    "credits",
    "crédit",
    "crédito",
    "foto",
    "fotos",
    "illustration",
    "image",
    "images",
    "photo",
    "photograph",
    "photographs",
    "photos",
    "quelle",
    "source",
];

/// Capitalized words that are never part of a person's name in a byline, though a desk or an
/// outlet credited in one may hold them ("Staff Reports", "Associated Press").
pub(crate) const DESK_WORDS: &[&str] = &[
    "associate",
    "associated",
    "chief",
    "contributing",
    "deputy",
    "editorial",
    "guest",
    "international",
    "local",
    "news",
    "opinion",
    "political",
    "press",
    "senior",
    "special",
    "sports",
    "staff",
    "team",
    "updated",
    "published",
];

/// Buttons, credits and navigation labels that sit next to bylines and look like two
/// capitalized words ("Order Reprints", "Getty Images", "Previous Post", "Car Reviews"): never
/// a name, a desk or an outlet.
pub(crate) const CHROME_WORDS: &[&str] = &[
    "article",
    "articles",
    "image",
    "images",
    "more",
    "order",
    "photo",
    "photos",
    "print",
    "reprints",
    "video",
    "view",
    "archive",
    "archives",
    "blog",
    "categories",
    "category",
    "comments",
    "home",
    "latest",
    "popular",
    "post",
    "posts",
    "previous",
    "related",
    "review",
    "reviews",
    "section",
    "sections",
    "stories",
    "story",
    "tags",
    "topics",
];

/// Calendar words beside the English month and weekday names (`docnorm_toolkit::dates::
/// calendar`) that are never a name in a byline.
const CALENDAR_WORDS: &[&str] = &[
    "christmas",
    "early",
    "last",
    "late",
    "next",
    "night",
    "this",
    "today",
    "tomorrow",
    "tonight",
    "yesterday",
];

docnorm_toolkit::flags! {
    /// What a lower-case word is; one lookup answers every list at once.
    pub struct Kind: u8 {
        /// A function word.
        const STOP = 1;
        /// Chrome vocabulary.
        const UI = 2;
        /// Addresses the reader.
        const SECOND_PERSON = 4;
        /// A journalistic role.
        const ROLE = 8;
        /// Opens a caption or credit.
        const CREDIT = 16;
        /// A calendar word.
        const CALENDAR = 32;
        /// The first word of a chrome phrase.
        const PHRASE_START = 64;
        /// A capitalized word that is never part of a person's name in a byline
        /// ([`DESK_WORDS`] and [`CHROME_WORDS`]), found here rather than by a scan of those
        /// lists.
        const NOT_NAME = 128;
    }
}

/// Bytes in the longest function word (eight at most, for [`is_stopword_any_case`]).
const MAX_STOPWORD: usize = {
    let mut max = 0;
    let mut i = 0;
    while i < STOPWORDS.len() {
        if STOPWORDS[i].len() > max {
            max = STOPWORDS[i].len();
        }
        i += 1;
    }
    assert!(max <= 8);
    max
};

/// Every list in one table, built on first use: about 460 words, in 1,024 slots of 9 bytes for
/// the words of up to seven bytes and 256 of 17 bytes for the longer ones, 13 KiB in all.
fn table() -> &'static WordTable<Kind> {
    static TABLE: std::sync::OnceLock<WordTable<Kind>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = WordTable::default();
        let lists: [(&[&'static str], Kind); 8] = [
            (STOPWORDS, Kind::STOP),
            (UI_WORDS, Kind::UI),
            (SECOND_PERSON, Kind::SECOND_PERSON),
            (ROLE_WORDS, Kind::ROLE),
            (CREDIT_WORDS, Kind::CREDIT),
            (CALENDAR_WORDS, Kind::CALENDAR),
            (DESK_WORDS, Kind::NOT_NAME),
            (CHROME_WORDS, Kind::NOT_NAME),
        ];
        for (list, kind) in lists {
            for word in list {
                *table.entry(word) |= kind;
            }
        }
        for word in calendar::ENGLISH_MONTHS
            .iter()
            .chain(&calendar::ENGLISH_WEEKDAYS)
        {
            *table.entry(word) |= Kind::CALENDAR;
        }
        for phrase in UI_PHRASES {
            let first = phrase.split([' ', '\'']).next().unwrap_or(phrase);
            *table.entry(first) |= Kind::PHRASE_START;
        }
        table
    })
}

/// The [`Kind`] of a lowercase word (empty when it is in no list).
pub fn kind_of(word: &str) -> Kind {
    table().get(word.as_bytes())
}

/// The [`Kind`] of the lowercase word `line[start..end]`, read straight from the line in
/// 8-byte loads where the line is long enough (no copy through a buffer).
#[inline]
pub fn kind_at(line: &[u8], start: usize, end: usize) -> Kind {
    WordKey::at(line, start, end, 0).map_or(Kind::NONE, |key| table().get_by_key(key))
}

/// Whether a lowercase word is a function word.
pub fn is_stopword(word: &str) -> bool {
    kind_of(word).contains(Kind::STOP)
}

/// Whether a word in any case is a function word.
pub fn is_stopword_any_case(word: &str) -> bool {
    if word.is_ascii() {
        // Lower-casing ASCII keeps the length, so a longer word is no function word.
        if word.len() > MAX_STOPWORD {
            return false;
        }
        return WordKey::mapped(word.as_bytes(), |b| b.to_ascii_lowercase())
            .is_some_and(|key| table().get_by_key(key).contains(Kind::STOP));
    }
    let mut buf = [0u8; WordKey::MAX_BYTES * 2];
    let mut len = 0;
    for c in word.chars().flat_map(char::to_lowercase) {
        let n = c.len_utf8();
        if len + n > buf.len() {
            return false;
        }
        c.encode_utf8(&mut buf[len..]);
        len += n;
    }
    std::str::from_utf8(&buf[..len]).is_ok_and(is_stopword)
}

/// Whether a lowercase word is a calendar word (never part of a name).
pub fn is_calendar_word(word: &str) -> bool {
    kind_of(word).contains(Kind::CALENDAR)
}

/// Whether a short line mentions comments (a comment section's heading or counter).
pub fn names_comments(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric()).any(|w| {
        matches!(
            w.to_lowercase().as_str(),
            "comment"
                | "comments"
                | "kommentare"
                | "kommentar"
                | "commentaires"
                | "commentaire"
                | "comentarios"
                | "comentario"
                | "responses"
                | "replies"
        )
    })
}

/// Whether the lowercase line `lower` has a chrome phrase starting at byte `at`.
pub fn ui_phrase_at(lower: &str, at: usize) -> bool {
    let rest = &lower[at..];
    let first = rest.as_bytes().first().copied().unwrap_or(0);
    // The list is sorted: only the phrases opening with the same byte are compared.
    let from = UI_PHRASES.partition_point(|p| p.as_bytes()[0] < first);
    UI_PHRASES[from..]
        .iter()
        .take_while(|p| p.as_bytes()[0] == first)
        .any(|p| {
            rest.starts_with(p)
                && rest[p.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_for_binary_search() {
        for list in [
            STOPWORDS,
            UI_WORDS,
            UI_PHRASES,
            SECOND_PERSON,
            ROLE_WORDS,
            CREDIT_WORDS,
            CALENDAR_WORDS,
        ] {
            for pair in list.windows(2) {
                assert!(pair[0] < pair[1], "{} before {}", pair[0], pair[1]);
            }
        }
    }

    #[test]
    fn longest_word_fits() {
        for list in [
            STOPWORDS,
            UI_WORDS,
            SECOND_PERSON,
            ROLE_WORDS,
            CREDIT_WORDS,
            CALENDAR_WORDS,
            DESK_WORDS,
            CHROME_WORDS,
        ] {
            // Every listed word has a key (a longer one would cost a hash-map lookup).
            assert!(list.iter().all(|w| WordKey::new(w.as_bytes()).is_some()));
        }
        assert!(
            DESK_WORDS
                .iter()
                .chain(CHROME_WORDS)
                .all(|w| kind_of(w).contains(Kind::NOT_NAME))
        );
        assert!(kind_of("sign").contains(Kind::PHRASE_START));
        assert!(kind_of("s").contains(Kind::PHRASE_START), "s'abonner");
    }

    #[test]
    fn lookups() {
        assert!(is_stopword("the") && is_stopword("und") && is_stopword("les"));
        assert!(!is_stopword("subscribe"));
        assert!(kind_of("abonnieren").contains(Kind::UI));
        assert!(kind_of("suscríbete").contains(Kind::UI));
        assert!(kind_of("your").contains(Kind::SECOND_PERSON));
        assert!(kind_of("photo").contains(Kind::CREDIT));
        assert!(ui_phrase_at("please sign up now", 7));
        assert!(!ui_phrase_at("please sign upstairs", 7));
    }

    #[test]
    fn words_read_in_place_match_words_looked_up_alone() {
        // Every listed word, inside a line long enough for the 8-byte loads and at its end,
        // gives the same flags as a lookup of the word alone.
        for word in STOPWORDS.iter().chain(UI_WORDS).chain(CALENDAR_WORDS) {
            let line = format!("{word} and some more words after it");
            assert_eq!(
                kind_at(line.as_bytes(), 0, word.len()),
                kind_of(word),
                "{word}"
            );
        }
        for word in STOPWORDS.iter().chain(ROLE_WORDS) {
            let line = format!("at the end: {word}");
            let start = line.len() - word.len();
            assert_eq!(
                kind_at(line.as_bytes(), start, line.len()),
                kind_of(word),
                "{word}"
            );
        }
        let line = b"abcdefghijklmnop and more words after it";
        assert!(kind_at(line, 0, 16).is_empty(), "a 16-byte word in no list");
    }

    #[test]
    fn any_case_lookups_match_lower_case_ones() {
        for word in [
            "The",
            "UND",
            "les",
            "Über",
            "ÜBER",
            "über",
            "Subscribe",
            "x",
            "",
        ] {
            assert_eq!(
                is_stopword_any_case(word),
                is_stopword(&word.to_lowercase()),
                "{word}"
            );
        }
    }
}
