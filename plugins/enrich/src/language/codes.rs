//! Language codes: the ISO 639-1 code of a language `whatlang` detects, and of a tag a
//! source declares (`en`, `en-US`, `EN_gb`, `eng`, `fra`).

use whatlang::Lang;

/// The ISO 639-1 code of a declared language tag (`en`, `en-US`, `EN_gb`, `eng`, `fra`).
pub(super) fn iso639_1(tag: &str) -> Option<&'static str> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.len() {
        2 => Lang::all()
            .iter()
            .map(|&lang| lang_code(lang))
            .chain(EXTRA_639_1.iter().copied())
            .find(|code| *code == primary),
        3 => Lang::from_code(primary.as_str())
            .map(lang_code)
            .or(match primary.as_str() {
                // ISO 639-2/B codes whatlang does not know.
                "ger" => Some("de"),
                "fre" => Some("fr"),
                "dut" => Some("nl"),
                "chi" | "zho" => Some("zh"),
                "per" | "fas" => Some("fa"),
                "cze" => Some("cs"),
                "gre" => Some("el"),
                _ => None,
            }),
        _ => None,
    }
}

/// Common ISO 639-1 codes that a source may declare although whatlang cannot detect them.
const EXTRA_639_1: &[&str] = &[
    "ga", "gd", "eu", "gl", "is", "mt", "lb", "sq", "bs", "ms", "sw", "no", "nn", "fy", "br", "kk",
    "ky", "mn", "ps", "so", "ha", "yo", "ig", "xh", "st", "tn", "mg", "mi", "sm", "to", "fj", "ku",
    "sd", "ti", "ug", "tt", "ba", "cv", "os", "co", "oc", "sc", "rm", "wa", "li", "fo", "kl", "se",
    "iu", "qu", "ay", "gn", "ht", "eo", "la",
];

/// The ISO 639-1 code of a language whatlang detects.
pub(super) fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        Lang::Cym => "cy",
    }
}
