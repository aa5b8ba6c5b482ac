//! Word lists of the text plugin: function words (prose has many of them, menus few) and the
//! vocabulary of page chrome (subscribe, share, cookies, all rights reserved…) in English,
//! German, French and Spanish. Lookups are one hash lookup per word in a table built once
//! from the sorted lists below.

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

/// Weekdays, months and other calendar words that are never a name in a byline.
const CALENDAR_WORDS: &[&str] = &[
    "april",
    "august",
    "christmas",
    "december",
    "early",
    "february",
    "friday",
    "january",
    "july",
    "june",
    "last",
    "late",
    "march",
    "may",
    "monday",
    "next",
    "night",
    "november",
    "october",
    "saturday",
    "september",
    "sunday",
    "this",
    "thursday",
    "today",
    "tomorrow",
    "tonight",
    "tuesday",
    "wednesday",
    "yesterday",
];

/// What a lowercase word is, as bit flags; one hash lookup answers every list at once.
pub mod kind {
    /// A function word.
    pub const STOP: u8 = 1;
    /// Chrome vocabulary.
    pub const UI: u8 = 2;
    /// Addresses the reader.
    pub const SECOND_PERSON: u8 = 4;
    /// A journalistic role.
    pub const ROLE: u8 = 8;
    /// Opens a caption or credit.
    pub const CREDIT: u8 = 16;
    /// A calendar word.
    pub const CALENDAR: u8 = 32;
    /// The first word of a chrome phrase.
    pub const PHRASE_START: u8 = 64;
    /// A capitalized word that is never part of a person's name in a byline
    /// ([`crate::names::DESK_WORDS`] and [`crate::names::CHROME_WORDS`]), found here rather
    /// than by a scan of those lists.
    pub const NOT_NAME: u8 = 128;
}

/// The longest word in any list, in bytes; longer words are in none.
const MAX_WORD: usize = 16;

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

/// An open-addressing table from a word packed into a `u128` (words are at most
/// [`MAX_WORD`] bytes) to its kind flags: no string compares and no allocation per lookup.
/// Keys and flags sit in separate arrays, 17 KB in all, so the table stays in the L1 cache.
struct Table {
    keys: Vec<u128>,
    flags: Vec<u8>,
    mask: usize,
}

impl Table {
    /// Slots: a power of two, over twice the number of words in the lists.
    const SLOTS: usize = 4096;

    fn slot(&self, key: u128) -> usize {
        let [lo, hi] =
            [key, key >> 64].map(|half| u64::try_from(half & u128::from(u64::MAX)).unwrap_or(0));
        let folded = lo ^ hi.rotate_left(29);
        let h = folded.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        // Keeping the high bits of the product, as Fibonacci hashing does.
        usize::try_from(h >> (64 - Self::SLOTS.trailing_zeros())).unwrap_or(0) & self.mask
    }

    fn insert(&mut self, key: u128, flag: u8) {
        let mut i = self.slot(key);
        loop {
            let k = &mut self.keys[i];
            if *k == 0 || *k == key {
                *k = key;
                self.flags[i] |= flag;
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    fn get(&self, key: u128) -> u8 {
        let mut i = self.slot(key);
        loop {
            let k = self.keys[i];
            if k == key {
                return self.flags[i];
            }
            if k == 0 {
                return 0;
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// The word's bytes as one number; `None` when it is too long to be in any list.
fn pack(word: &str) -> Option<u128> {
    pack_bytes(word.as_bytes(), false)
}

/// [`pack`] of raw bytes, ASCII letters lower-cased first when `fold` is set.
fn pack_bytes(bytes: &[u8], fold: bool) -> Option<u128> {
    if bytes.is_empty() || bytes.len() > MAX_WORD {
        return None;
    }
    let mut buf = [0u8; MAX_WORD];
    buf[..bytes.len()].copy_from_slice(bytes);
    if fold {
        // The zero padding stays zero.
        buf.make_ascii_lowercase();
    }
    Some(u128::from_le_bytes(buf))
}

fn table() -> &'static Table {
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Table {
            keys: vec![0; Table::SLOTS],
            flags: vec![0; Table::SLOTS],
            mask: Table::SLOTS - 1,
        };
        let lists: [(&[&'static str], u8); 8] = [
            (STOPWORDS, kind::STOP),
            (UI_WORDS, kind::UI),
            (SECOND_PERSON, kind::SECOND_PERSON),
            (ROLE_WORDS, kind::ROLE),
            (CREDIT_WORDS, kind::CREDIT),
            (CALENDAR_WORDS, kind::CALENDAR),
            (crate::names::DESK_WORDS, kind::NOT_NAME),
            (crate::names::CHROME_WORDS, kind::NOT_NAME),
        ];
        for (list, flag) in lists {
            for w in list {
                if let Some(key) = pack(w) {
                    t.insert(key, flag);
                }
            }
        }
        for p in UI_PHRASES {
            let first = p.split([' ', '\'']).next().unwrap_or(p);
            if let Some(key) = pack(first) {
                t.insert(key, kind::PHRASE_START);
            }
        }
        t
    })
}

/// The [`kind`] flags of a lowercase word (0 when it is in no list).
pub fn kind_of(word: &str) -> u8 {
    pack(word).map_or(0, |key| table().get(key))
}

/// The [`kind`] flags of the lowercase word `line[start..end]`, read straight from the line
/// in 8-byte loads when the line is long enough (no copy through a buffer).
#[inline]
pub fn kind_at(line: &[u8], start: usize, end: usize) -> u8 {
    let len = end - start;
    if len == 0 || len > MAX_WORD {
        return 0;
    }
    let key = if let Some(chunk) = line.get(start..start + 16) {
        // One bounds check for both loads.
        let lo = u64::from_le_bytes(chunk[..8].try_into().unwrap_or([0; 8]));
        let hi = u64::from_le_bytes(chunk[8..].try_into().unwrap_or([0; 8]));
        let (lo, hi) = if len >= 8 {
            (lo, hi & low_bytes(len - 8))
        } else {
            (lo & low_bytes(len), 0)
        };
        u128::from(lo) | (u128::from(hi) << 64)
    } else {
        match pack_bytes(&line[start..end], false) {
            Some(key) => key,
            None => return 0,
        }
    };
    table().get(key)
}

/// A mask keeping the lowest `n` bytes (`n` up to 8) of a number.
fn low_bytes(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    }
}

/// Whether a lowercase word is a function word.
pub fn is_stopword(word: &str) -> bool {
    kind_of(word) & kind::STOP != 0
}

/// Whether a word in any case is a function word.
pub fn is_stopword_any_case(word: &str) -> bool {
    if word.len() > MAX_WORD {
        return false;
    }
    if word.is_ascii() {
        // Lower-casing ASCII keeps the length, so a longer word is no function word.
        if word.is_empty() || word.len() > MAX_STOPWORD {
            return false;
        }
        // Function words fit in eight bytes: the key is built in one register, as `pack`
        // would build it (little-endian, zero padded).
        let key = word
            .bytes()
            .rev()
            .fold(0u64, |k, b| k << 8 | u64::from(b.to_ascii_lowercase()));
        return table().get(u128::from(key)) & kind::STOP != 0;
    }
    let mut buf = [0u8; MAX_WORD * 2];
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
    kind_of(word) & kind::CALENDAR != 0
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
            crate::names::DESK_WORDS,
            crate::names::CHROME_WORDS,
        ] {
            assert!(list.iter().all(|w| w.len() <= MAX_WORD));
        }
        assert!(
            crate::names::DESK_WORDS
                .iter()
                .chain(crate::names::CHROME_WORDS)
                .all(|w| kind_of(w) & kind::NOT_NAME != 0)
        );
        assert!(kind_of("sign") & kind::PHRASE_START != 0);
        assert!(kind_of("s") & kind::PHRASE_START != 0, "s'abonner");
    }

    #[test]
    fn lookups() {
        assert!(is_stopword("the") && is_stopword("und") && is_stopword("les"));
        assert!(!is_stopword("subscribe"));
        assert!(kind_of("abonnieren") & kind::UI != 0 && kind_of("suscríbete") & kind::UI != 0);
        assert!(kind_of("your") & kind::SECOND_PERSON != 0);
        assert!(kind_of("photo") & kind::CREDIT != 0);
        assert!(ui_phrase_at("please sign up now", 7));
        assert!(!ui_phrase_at("please sign upstairs", 7));
    }

    #[test]
    fn words_read_in_place_match_words_looked_up_alone() {
        // Every listed word, at every length up to MAX_WORD, inside a line long enough
        // for the 8-byte loads, gives the same flags as a lookup of the word alone.
        for word in STOPWORDS.iter().chain(UI_WORDS).chain(CALENDAR_WORDS) {
            let line = format!("{word} and some more words after it");
            assert_eq!(
                kind_at(line.as_bytes(), 0, word.len()),
                kind_of(word),
                "{word}"
            );
        }
        let line = b"abcdefghijklmnop and more words after it";
        assert_eq!(kind_at(line, 0, MAX_WORD), 0, "a 16-byte word in no list");
        assert_eq!(low_bytes(0), 0);
        assert_eq!(low_bytes(3), 0xff_ffff);
        assert_eq!(low_bytes(8), u64::MAX);
    }
}
