//! Word lists of the text plugin: function words (prose has many of them, menus few) and the
//! vocabulary of page chrome (subscribe, share, cookies, all rights reserved…) in English,
//! German, French and Spanish. Lookups are binary searches over sorted static arrays, so
//! nothing is built per call.

/// Function words in EN, DE, FR and ES (and the commonest of PT, IT, NL, ID), lowercase, sorted (checked by a test).
const STOPWORDS: &[&str] = &[
    "a", "about", "adalah", "after", "akan", "al", "alla", "als", "also", "am", "an", "anche",
    "and", "any", "ao", "are", "as", "at", "au", "auch", "auf", "aus", "aux", "be", "been",
    "bei", "but", "by", "can", "ce", "ces", "che", "com", "como", "con", "could", "d", "dalam",
    "dan", "dans", "dari", "das", "dass", "de", "dei", "del", "della", "dem", "den", "dengan",
    "der", "des", "did", "die", "do", "du", "durch", "déjà", "e", "een", "ein", "eine", "einem",
    "einen", "einer", "el", "ella", "elle", "em", "en", "entre", "er", "es", "est", "esta",
    "este", "et", "foi", "for", "from", "für", "gli", "had", "has", "hat", "have", "he", "her",
    "het", "his", "how", "i", "if", "il", "ils", "im", "in", "ini", "into", "is", "ist", "it",
    "its", "itu", "je", "ke", "kein", "l", "la", "las", "le", "les", "leur", "lo", "los",
    "maar", "mais", "mas", "mit", "more", "most", "más", "n", "na", "nach", "nas", "ne", "nel",
    "nicht", "niet", "no", "noch", "non", "nos", "not", "nous", "não", "o", "of", "on", "one",
    "only", "ook", "op", "or", "os", "other", "ou", "our", "pada", "par", "para", "pas", "pela",
    "pelo", "per", "pero", "plus", "por", "pour", "qu", "que", "questo", "qui", "s", "sa",
    "said", "se", "sein", "ser", "ses", "she", "sich", "sie", "sin", "sind", "so", "sobre",
    "some", "son", "sono", "such", "sur", "são", "t", "também", "te", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "tidak", "to", "um",
    "uma", "un", "una", "und", "une", "uno", "untuk", "up", "us", "van", "von", "voor", "vor",
    "was", "we", "were", "what", "when", "where", "which", "while", "who", "will", "with",
    "would", "y", "ya", "yang", "you", "zijn", "zu", "zum", "zur", "è", "é", "über",
];

/// Single words that mark page chrome when they dominate a short line.
const UI_WORDS: &[&str] = &[
    "abmelden", "abonnement", "abonnez", "abonnieren", "accueil", "advertisement",
    "advertising", "anmelden", "anuncio", "anzeige", "bookmark", "buscar", "comentarios",
    "comment", "commentaires", "comments", "compartir", "connexion", "cookie", "cookies",
    "copyright", "datenschutz", "download", "email", "feedback", "follow", "impressum",
    "inicio", "login", "logout", "menu", "menú", "newsletter", "newsletters", "partager",
    "podcast", "podcasts", "print", "privacy", "publicidad", "publicité", "rechercher",
    "register", "registrieren", "reply", "search", "share", "shares", "sharing", "signup",
    "sponsored", "startseite", "subscribe", "subscriber", "subscribers", "subscribing",
    "subscription", "suche", "suscripción", "suscríbete", "teilen", "tweet", "unsubscribe",
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
    "deine", "dich", "dir", "du", "euch", "ihr", "te", "tu", "tus", "tú", "usted", "vos",
    "votre", "vous", "you", "your", "yours",
];

/// Words of a bio that say what the person does.
const ROLE_WORDS: &[&str] = &[
    "auteur", "author", "autor", "autora", "autorin", "chroniqueur", "columnist", "contributor",
    "correspondant", "correspondante", "correspondent", "corresponsal", "editor", "editora",
    "freelance", "freelancer", "journalist", "journaliste", "journalistin", "korrespondent",
    "korrespondentin", "periodista", "redactor", "redactora", "redakteur", "redakteurin",
    "reporter", "reporterin", "rédacteur", "rédactrice", "writer", "writes", "wrote",
];

/// Words that open a line that is a photo caption or credit.
const CREDIT_WORDS: &[&str] = &[
    "bild", "credit", "credits", "crédit", "crédito", "foto", "fotos", "illustration", "image",
    "images", "photo", "photograph", "photographs", "photos", "quelle", "source",
];

/// Weekdays, months and other calendar words that are never a name in a byline.
const CALENDAR_WORDS: &[&str] = &[
    "april", "august", "christmas", "december", "early", "february", "friday", "january",
    "july", "june", "last", "late", "march", "may", "monday", "next", "night", "november",
    "october", "saturday", "september", "sunday", "this", "thursday", "today", "tomorrow",
    "tonight", "tuesday", "wednesday", "yesterday",
];

/// Whether a lowercase word is a function word.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// Whether a lowercase word is chrome vocabulary.
pub fn is_ui_word(word: &str) -> bool {
    UI_WORDS.binary_search(&word).is_ok()
}

/// Whether a lowercase word addresses the reader.
pub fn is_second_person(word: &str) -> bool {
    SECOND_PERSON.binary_search(&word).is_ok()
}

/// Whether a lowercase word names a journalistic role.
pub fn is_role_word(word: &str) -> bool {
    ROLE_WORDS.binary_search(&word).is_ok()
}

/// Whether a lowercase word opens a caption or credit line.
pub fn is_credit_word(word: &str) -> bool {
    CREDIT_WORDS.binary_search(&word).is_ok()
}

/// Whether a lowercase word is a calendar word (never part of a name).
pub fn is_calendar_word(word: &str) -> bool {
    CALENDAR_WORDS.binary_search(&word).is_ok()
}

/// Whether a short line mentions comments (a comment section's heading or counter).
pub fn names_comments(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric()).any(|w| {
        matches!(
            w.to_lowercase().as_str(),
            "comment" | "comments" | "kommentare" | "kommentar" | "commentaires" | "commentaire"
                | "comentarios" | "comentario" | "responses" | "replies"
        )
    })
}

/// Whether the lowercase line `lower` has a chrome phrase starting at byte `at`.
pub fn ui_phrase_at(lower: &str, at: usize) -> bool {
    let rest = &lower[at..];
    let first = rest.as_bytes().first().copied().unwrap_or(0);
    UI_PHRASES.iter().any(|p| {
        p.as_bytes()[0] == first
            && rest.starts_with(p)
            && rest[p.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric())
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
    fn lookups() {
        assert!(is_stopword("the") && is_stopword("und") && is_stopword("les"));
        assert!(!is_stopword("subscribe"));
        assert!(is_ui_word("abonnieren") && is_ui_word("suscríbete"));
        assert!(ui_phrase_at("please sign up now", 7));
        assert!(!ui_phrase_at("please sign upstairs", 7));
    }
}
