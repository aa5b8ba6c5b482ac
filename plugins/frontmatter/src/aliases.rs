//! The alias table: which source keys fill which record field, in order of precedence.
//!
//! One table serves YAML, TOML and JSON front matter, whole-JSON articles and the items of a
//! `related` list. It is documented, row for row, in the crate docs; a test keeps the two in
//! step.

/// A record field, or a field of a related item, that source keys map onto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Field {
    Title,
    Subtitle,
    Summary,
    Body,
    Authors,
    Published,
    Updated,
    Publisher,
    Url,
    Language,
    Topics,
    Images,
    Related,
    Section,
}

/// Where a mapping of source keys sits, which decides the fields it can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    /// Front matter: the body is what follows the block, so body keys stay in `extra`.
    FrontMatter,
    /// A whole JSON document: the article text is one of its keys.
    WholeJson,
    /// One item of a `related` list.
    Related,
}

use Field::{
    Authors, Body, Images, Language, Published, Publisher, Related, Section, Subtitle, Summary,
    Title, Topics, Updated, Url,
};
use docnorm_plugin_api::{Patch, slot};
use serde_json::Value;

/// Source key → field. Keys match ignoring case, `_`, `-` and `:` (`site_name`, `siteName` and
/// `site-name` are one key). For a field several keys can fill, the earlier row wins; the
/// others stay in `extra`. `topics` and `images` are the exception: every key's values are
/// merged, in this order, without duplicates.
pub(crate) const ALIASES: &[(&str, Field)] = &[
    ("title", Title),
    ("headline", Title),
    ("name", Title),
    ("subtitle", Subtitle),
    ("alternativeHeadline", Subtitle),
    ("dek", Subtitle),
    ("standfirst", Subtitle),
    ("summary", Summary),
    ("excerpt", Summary),
    ("description", Summary),
    ("abstract", Summary),
    ("articleBody", Body),
    ("body", Body),
    ("content", Body),
    ("text", Body),
    ("authors", Authors),
    ("author", Authors),
    ("byline", Authors),
    ("creator", Authors),
    ("datePublished", Published),
    ("publishedDateTime", Published),
    ("publishDate", Published),
    ("published", Published),
    ("pubDate", Published),
    ("date", Published),
    ("dateModified", Updated),
    ("lastmod", Updated),
    ("updated", Updated),
    ("modified", Updated),
    ("publisher", Publisher),
    ("provider", Publisher),
    ("source", Publisher),
    ("site_name", Publisher),
    ("canonical_url", Url),
    ("canonical", Url),
    ("url", Url),
    ("originalUrl", Url),
    ("permalink", Url),
    ("webUrl", Url),
    ("link", Url),
    ("inLanguage", Language),
    ("language", Language),
    ("lang", Language),
    ("locale", Language),
    ("topics", Topics),
    ("tags", Topics),
    ("categories", Topics),
    ("keywords", Topics),
    ("images", Images),
    ("image", Images),
    ("cover", Images),
    ("og_image", Images),
    ("related", Related),
    ("section", Section),
    ("articleSection", Section),
];

impl Field {
    /// The name of the field in the record (or in a related item).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Title => "title",
            Subtitle => "subtitle",
            Summary => "summary",
            Body => "body",
            Authors => "authors",
            Published => "published",
            Updated => "updated",
            Publisher => "publisher",
            Url => "url",
            Language => "language",
            Topics => "topics",
            Images => "images",
            Related => "related",
            Section => "section",
        }
    }

    /// Writes `value`, shaped for this field, into `patch`. A related item's `section` has no
    /// record field: [`Context::fills`] keeps it to related items, so it never comes here.
    pub(crate) fn write(self, patch: &mut Patch, value: Value) {
        match self {
            Title => patch.set_json(slot::TITLE, value),
            Subtitle => patch.set_json(slot::SUBTITLE, value),
            Summary => patch.set_json(slot::SUMMARY, value),
            Body => patch.set_json(slot::BODY, value),
            Authors => patch.set_json(slot::AUTHORS, value),
            Published => patch.set_json(slot::PUBLISHED, value),
            Updated => patch.set_json(slot::UPDATED, value),
            Publisher => patch.set_json(slot::PUBLISHER, value),
            Url => patch.set_json(slot::URL, value),
            Language => patch.set_json(slot::LANGUAGE, value),
            Topics => patch.set_json(slot::TOPICS, value),
            Images => patch.set_json(slot::IMAGES, value),
            Related => patch.set_json(slot::RELATED, value),
            Section => patch,
        };
    }

    /// Whether every key's values are merged rather than the first key winning.
    pub(crate) fn merges(self) -> bool {
        matches!(self, Topics | Images)
    }
}

impl Context {
    /// Whether keys mapping to `field` are mapped here, or stay in `extra`.
    pub(crate) fn fills(self, field: Field) -> bool {
        match self {
            Self::FrontMatter => !matches!(field, Body | Section),
            Self::WholeJson => field != Section,
            Self::Related => matches!(field, Title | Url | Summary | Section | Authors | Published),
        }
    }
}

/// The field `key` maps to and its rank (lower wins), if the table has it.
pub(crate) fn lookup(key: &str) -> Option<(Field, usize)> {
    if key.len() > 64 {
        return None;
    }
    ALIASES
        .iter()
        .enumerate()
        .find(|(_, (alias, _))| same_key(alias, key))
        .map(|(rank, (_, field))| (*field, rank))
}

/// Two keys are the same when they differ only in case and in `_`, `-` and `:`.
fn same_key(a: &str, b: &str) -> bool {
    folded(a).eq(folded(b))
}

fn folded(key: &str) -> impl Iterator<Item = char> + '_ {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-' | ':'))
        .flat_map(char::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_across_spellings() {
        assert_eq!(lookup("site_name").map(|(f, _)| f), Some(Publisher));
        assert_eq!(lookup("siteName").map(|(f, _)| f), Some(Publisher));
        assert_eq!(lookup("og:image").map(|(f, _)| f), Some(Images));
        assert_eq!(lookup("DatePublished").map(|(f, _)| f), Some(Published));
        assert_eq!(lookup("category"), None);
        assert_eq!(lookup("type"), None);
    }

    #[test]
    fn earlier_rows_outrank_later_ones() {
        let rank = |key| lookup(key).unwrap().1;
        assert!(rank("publishedDateTime") < rank("date"));
        assert!(rank("publishedDateTime") < rank("published"));
        assert!(rank("dateModified") < rank("modified"));
    }

    /// The crate docs list the table row for row: a changed row must change the docs.
    #[test]
    fn the_crate_docs_show_the_table() {
        let docs = include_str!("lib.rs");
        let mut fields: Vec<Field> = ALIASES.iter().map(|(_, f)| *f).collect();
        fields.dedup();
        for field in fields {
            let keys: Vec<String> = ALIASES
                .iter()
                .filter(|(_, f)| *f == field)
                .map(|(key, _)| format!("`{key}`"))
                .collect();
            let row = format!("| `{}` | {} |", field.name(), keys.join(", "));
            assert!(docs.contains(&row), "crate docs lack the row {row}");
        }
    }
}
