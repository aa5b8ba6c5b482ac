//! The record's fields by name: what manifests declare, what the chain checks patches
//! against, and the typed slots a [`Patch`](crate::Patch) is built from.

use std::fmt;
use std::marker::PhantomData;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::record::{Author, Entities, Fingerprints, Image, Publisher, Related, Stats};

/// A top-level field of the [`Record`](crate::Record), or `provenance.removed`, the one
/// nested list a plugin may write to (text it removed).
///
/// Written as the field's name in manifests and on the native ABI's wire
/// (`"published"`, `"provenance.removed"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
#[non_exhaustive]
pub enum Field {
    /// `schema` (the host's).
    Schema,
    /// `id` (the host's).
    Id,
    /// `source` (the host's).
    Source,
    /// `title`.
    Title,
    /// `subtitle`.
    Subtitle,
    /// `summary`.
    Summary,
    /// `body`.
    Body,
    /// `authors`.
    Authors,
    /// `published`.
    Published,
    /// `updated`.
    Updated,
    /// `publisher`.
    Publisher,
    /// `url`.
    Url,
    /// `language`.
    Language,
    /// `topics`.
    Topics,
    /// `images`.
    Images,
    /// `related`.
    Related,
    /// `stats`.
    Stats,
    /// `fingerprints`.
    Fingerprints,
    /// `entities`.
    Entities,
    /// `duplicates` (the host's).
    Duplicates,
    /// `extra`.
    Extra,
    /// `provenance` (the host's, but for `provenance.removed`).
    Provenance,
    /// `warnings`.
    Warnings,
    /// `provenance.removed`: text a plugin removed, appended to by the chain.
    Removed,
}

impl Field {
    /// The record's top-level fields, in the order records are written.
    pub const RECORD: [Field; 23] = [
        Self::Schema,
        Self::Id,
        Self::Source,
        Self::Title,
        Self::Subtitle,
        Self::Summary,
        Self::Body,
        Self::Authors,
        Self::Published,
        Self::Updated,
        Self::Publisher,
        Self::Url,
        Self::Language,
        Self::Topics,
        Self::Images,
        Self::Related,
        Self::Stats,
        Self::Fingerprints,
        Self::Entities,
        Self::Duplicates,
        Self::Extra,
        Self::Provenance,
        Self::Warnings,
    ];

    /// The fields only the host writes: a manifest may read them, never write them.
    pub const HOST: [Field; 5] = [
        Self::Schema,
        Self::Id,
        Self::Source,
        Self::Provenance,
        Self::Duplicates,
    ];

    /// The field's name in the record (`provenance.removed` for [`Field::Removed`]).
    pub fn name(self) -> &'static str {
        match self {
            Self::Schema => "schema",
            Self::Id => "id",
            Self::Source => "source",
            Self::Title => "title",
            Self::Subtitle => "subtitle",
            Self::Summary => "summary",
            Self::Body => "body",
            Self::Authors => "authors",
            Self::Published => "published",
            Self::Updated => "updated",
            Self::Publisher => "publisher",
            Self::Url => "url",
            Self::Language => "language",
            Self::Topics => "topics",
            Self::Images => "images",
            Self::Related => "related",
            Self::Stats => "stats",
            Self::Fingerprints => "fingerprints",
            Self::Entities => "entities",
            Self::Duplicates => "duplicates",
            Self::Extra => "extra",
            Self::Provenance => "provenance",
            Self::Warnings => "warnings",
            Self::Removed => "provenance.removed",
        }
    }

    /// The field named `name`, if the record has one (or it is `provenance.removed`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::RECORD
            .into_iter()
            .chain([Self::Removed])
            .find(|field| field.name() == name)
    }

    /// The names of `fields` joined by `separator`, as a manifest's reads or writes are shown.
    pub fn join(fields: &[Field], separator: &str) -> String {
        let names: Vec<&str> = fields.iter().map(|field| field.name()).collect();
        names.join(separator)
    }

    /// Whether only the host writes the field.
    pub fn is_host_owned(self) -> bool {
        Self::HOST.contains(&self)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<Field> for &'static str {
    fn from(field: Field) -> Self {
        field.name()
    }
}

impl TryFrom<String> for Field {
    type Error = UnknownField;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        Self::from_name(&name).ok_or(UnknownField(name))
    }
}

/// A name that is no record field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown record field `{0}`")]
pub struct UnknownField(pub String);

/// A field a plugin may write, with the type of its value: the slots of a
/// [`Patch`](crate::Patch). There is none for the host's fields, so a plugin cannot build a
/// patch that writes one; whether the manifest declares the field is still checked by the
/// chain.
pub struct Slot<T> {
    field: Field,
    value: PhantomData<fn(T)>,
}

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Slot<T> {}

impl<T> Slot<T> {
    const fn new(field: Field) -> Self {
        Self {
            field,
            value: PhantomData,
        }
    }

    /// The field this slot writes.
    pub fn field(self) -> Field {
        self.field
    }
}

/// The typed slots of the fields a plugin may write.
pub mod slot {
    use super::{
        Author, Entities, Field, Fingerprints, Image, Map, Publisher, Related, Slot, Stats, Value,
    };

    /// `title`.
    pub const TITLE: Slot<String> = Slot::new(Field::Title);
    /// `subtitle`.
    pub const SUBTITLE: Slot<String> = Slot::new(Field::Subtitle);
    /// `summary`.
    pub const SUMMARY: Slot<String> = Slot::new(Field::Summary);
    /// `body`.
    pub const BODY: Slot<String> = Slot::new(Field::Body);
    /// `authors`.
    pub const AUTHORS: Slot<Vec<Author>> = Slot::new(Field::Authors);
    /// `published`, in the form of [`Record::published`](crate::Record::published).
    pub const PUBLISHED: Slot<String> = Slot::new(Field::Published);
    /// `updated`, in the same form.
    pub const UPDATED: Slot<String> = Slot::new(Field::Updated);
    /// `publisher`.
    pub const PUBLISHER: Slot<Publisher> = Slot::new(Field::Publisher);
    /// `url`.
    pub const URL: Slot<String> = Slot::new(Field::Url);
    /// `language`: an ISO 639-1 code.
    pub const LANGUAGE: Slot<String> = Slot::new(Field::Language);
    /// `topics`.
    pub const TOPICS: Slot<Vec<String>> = Slot::new(Field::Topics);
    /// `images`.
    pub const IMAGES: Slot<Vec<Image>> = Slot::new(Field::Images);
    /// `related`.
    pub const RELATED: Slot<Vec<Related>> = Slot::new(Field::Related);
    /// `stats`.
    pub const STATS: Slot<Stats> = Slot::new(Field::Stats);
    /// `fingerprints`.
    pub const FINGERPRINTS: Slot<Fingerprints> = Slot::new(Field::Fingerprints);
    /// `entities`.
    pub const ENTITIES: Slot<Entities> = Slot::new(Field::Entities);
    /// `extra`: merged into the record's `extra` key by key.
    pub const EXTRA: Slot<Map<String, Value>> = Slot::new(Field::Extra);
    /// `warnings`: appended to the record's.
    pub const WARNINGS: Slot<Vec<String>> = Slot::new(Field::Warnings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_as_their_field() {
        for field in Field::RECORD.into_iter().chain([Field::Removed]) {
            assert_eq!(Field::from_name(field.name()), Some(field));
            let json = serde_json::to_string(&field).unwrap();
            assert_eq!(json, format!("\"{}\"", field.name()));
            assert_eq!(serde_json::from_str::<Field>(&json).unwrap(), field);
        }
        let err = serde_json::from_str::<Field>("\"headline\"").unwrap_err();
        assert!(
            err.to_string().contains("unknown record field `headline`"),
            "{err}"
        );
    }

    #[test]
    fn the_host_owns_what_no_slot_writes() {
        let slots = [
            slot::TITLE.field(),
            slot::SUBTITLE.field(),
            slot::SUMMARY.field(),
            slot::BODY.field(),
            slot::AUTHORS.field(),
            slot::PUBLISHED.field(),
            slot::UPDATED.field(),
            slot::PUBLISHER.field(),
            slot::URL.field(),
            slot::LANGUAGE.field(),
            slot::TOPICS.field(),
            slot::IMAGES.field(),
            slot::RELATED.field(),
            slot::STATS.field(),
            slot::FINGERPRINTS.field(),
            slot::ENTITIES.field(),
            slot::EXTRA.field(),
            slot::WARNINGS.field(),
        ];
        for field in Field::RECORD {
            assert_eq!(field.is_host_owned(), !slots.contains(&field), "{field}");
        }
    }
}
