//! The calendar's words: month and weekday names as pages write them, shared by the date
//! policy and by the plugins' rules that tell a date line or a calendar word from a name.

/// The English month names, January first.
pub const ENGLISH_MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The English month abbreviations (`may` is a full name).
pub const ENGLISH_MONTH_ABBREVIATIONS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];

/// The English weekday names, Monday first.
pub const ENGLISH_WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The English weekday abbreviations.
pub const ENGLISH_WEEKDAY_ABBREVIATIONS: [&str; 10] = [
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
];

/// Weekday names in German, French and Spanish.
const OTHER_WEEKDAYS: [&str; 22] = [
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonnabend",
    "sonntag",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];

/// Whether a lower-case word is a weekday name or abbreviation in English, German, French or
/// Spanish.
pub fn is_weekday(word: &str) -> bool {
    ENGLISH_WEEKDAYS.contains(&word)
        || ENGLISH_WEEKDAY_ABBREVIATIONS.contains(&word)
        || OTHER_WEEKDAYS.contains(&word)
}

/// The month a lower-case month name or abbreviation stands for, in English, German, French
/// or Spanish.
pub fn month_number(word: &str) -> Option<u8> {
    let m = match word {
        "january" | "jan" | "januar" | "jänner" | "janvier" | "janv" | "enero" | "ene" => 1,
        "february" | "feb" | "febr" | "februar" | "février" | "fevrier" | "févr" | "fevr"
        | "febrero" => 2,
        "march" | "mar" | "märz" | "maerz" | "mär" | "mars" | "marzo" => 3,
        "april" | "apr" | "avril" | "avr" | "abril" | "abr" => 4,
        "may" | "mai" | "mayo" | "may." => 5,
        "june" | "jun" | "juni" | "juin" | "junio" => 6,
        "july" | "jul" | "juli" | "juillet" | "juil" | "julio" => 7,
        "august" | "aug" | "août" | "aout" | "agosto" | "ago" => 8,
        "september" | "sep" | "sept" | "septembre" | "septiembre" | "setiembre" | "set" => 9,
        "october" | "oct" | "oktober" | "okt" | "octobre" | "octubre" => 10,
        "november" | "nov" | "novembre" | "noviembre" => 11,
        "december" | "dec" | "dezember" | "dez" | "décembre" | "decembre" | "déc" | "dic"
        | "diciembre" => 12,
        _ => return None,
    };
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_names_and_abbreviations_are_months_in_order() {
        for (i, name) in ENGLISH_MONTHS.iter().enumerate() {
            assert_eq!(month_number(name).map(usize::from), Some(i + 1), "{name}");
        }
        for name in ENGLISH_MONTH_ABBREVIATIONS {
            assert!(month_number(name).is_some(), "{name}");
        }
        for name in ENGLISH_WEEKDAYS
            .iter()
            .chain(&ENGLISH_WEEKDAY_ABBREVIATIONS)
        {
            assert!(is_weekday(name) && month_number(name).is_none(), "{name}");
        }
    }
}
