//! The word data of entity finding, kept out of the code in `data/*.txt` (one word a line,
//! `#` starts a comment) and compiled into the binary: the shapes of organization and place
//! names, the words that tell a headline in title case, and the abbreviations whose period
//! belongs to them. Also what a name is ([`Kind`]) and what the lists say of a word
//! ([`WordInfo`]), shared by the tokenizer, the gazetteer and the entity finder.

use std::sync::LazyLock;

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// A person.
    Person,
    /// A country, region, city or other place.
    Place,
    /// An institution, party, company or news outlet.
    Organization,
}

/// What the word lists say of one token, as it is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // Independent facts about a word, read by name.
pub(crate) struct WordInfo {
    /// A common word (`the`, `Tuesday`, `Russian`).
    pub common: bool,
    /// An honorific or role (`Mr.`, `President`, `spokesperson`).
    pub role: bool,
    /// The first token of a gazetteer alias (`New`, `U.S.`).
    pub starts_name: bool,
    /// A given name (`Vladimir`).
    pub given_name: bool,
    /// A word that is lower case in prose and capitalized in a headline (`with`, `Says`).
    pub tell: bool,
}

/// The short word lists, each as its file lists it.
pub(crate) struct Words {
    /// `University`, `Ministry`: `of` and a name after them continue an organization.
    pub organization_heads: Vec<&'static str>,
    /// `Republic`, `Gulf`: `of` and a name after them continue a place.
    pub place_heads: Vec<&'static str>,
    /// `Inc`, `Party`, `University`: a capitalized phrase ending so is an organization.
    pub organization_ends: Vec<&'static str>,
    /// `County`, `River`: a capitalized phrase ending so is a place.
    pub place_ends: Vec<&'static str>,
    /// `Mount`, `Lake`: a capitalized phrase starting so is a place.
    pub place_starts: Vec<&'static str>,
    /// `with`, `says`: lower case in prose, capitalized in a headline (lower case, ASCII, at
    /// most 7 letters).
    pub title_case_tells: Vec<&'static str>,
    /// `Mr`, `Sen`: their period belongs to them and the name runs on (`Mr. Putin`).
    pub name_abbreviations: Vec<&'static str>,
    /// `Inc`, `Jr`: their period belongs to them but closes the phrase (`Acme Inc.`).
    pub closing_abbreviations: Vec<&'static str>,
}

/// The lists, read on first use.
pub(crate) static WORDS: LazyLock<Words> = LazyLock::new(|| Words {
    organization_heads: lines(include_str!("../data/organization_heads.txt")).collect(),
    place_heads: lines(include_str!("../data/place_heads.txt")).collect(),
    organization_ends: lines(include_str!("../data/organization_ends.txt")).collect(),
    place_ends: lines(include_str!("../data/place_ends.txt")).collect(),
    place_starts: lines(include_str!("../data/place_starts.txt")).collect(),
    title_case_tells: lines(include_str!("../data/title_case_tells.txt")).collect(),
    name_abbreviations: lines(include_str!("../data/name_abbreviations.txt")).collect(),
    closing_abbreviations: lines(include_str!("../data/closing_abbreviations.txt")).collect(),
});

/// The entries of a word list file: trimmed lines, without blank and `#` comment lines.
pub(crate) fn lines(file: &'static str) -> impl Iterator<Item = &'static str> {
    file.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_loads_and_the_tells_fit_their_rule() {
        let words = &*WORDS;
        for list in [
            &words.organization_heads,
            &words.place_heads,
            &words.organization_ends,
            &words.place_ends,
            &words.place_starts,
            &words.title_case_tells,
            &words.name_abbreviations,
            &words.closing_abbreviations,
        ] {
            assert!(!list.is_empty());
        }
        assert!(words.organization_heads.contains(&"University"));
        assert!(words.closing_abbreviations.contains(&"p.m"));
        for tell in &words.title_case_tells {
            assert!(
                tell.len() <= 7 && tell.bytes().all(|b| b.is_ascii_lowercase()),
                "{tell}"
            );
        }
    }
}
