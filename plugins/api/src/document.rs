//! What a plugin is handed: one document's content, as the read stage decoded it.

use crate::format::Format;
use crate::record::Source;

/// One document on its way through the chain.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// The path the document was read from, for messages.
    pub path: &'a str,
    /// The content after decompression: UTF-8 text when `text` is set (decoded, BOM removed,
    /// line ends folded to `\n`), the raw bytes otherwise.
    pub bytes: &'a [u8],
    /// The content as text, when it is text.
    pub text: Option<&'a str>,
    /// What the content was sniffed as.
    pub format: Format,
    /// How the document was read; becomes `record.source`.
    pub source: &'a Source,
}

impl<'a> Document<'a> {
    /// A text document with a minimal source, for tests and examples.
    pub fn for_text(path: &'a str, text: &'a str) -> Self {
        static SOURCE: std::sync::OnceLock<Source> = std::sync::OnceLock::new();
        Self {
            path,
            bytes: text.as_bytes(),
            text: Some(text),
            format: Format::Text,
            source: SOURCE.get_or_init(|| Source {
                format: Format::Text,
                media_type: Format::Text.media_type().to_owned(),
                encoding: Some("UTF-8".to_owned()),
                ..Source::default()
            }),
        }
    }

    /// The same document, sniffed as another format.
    #[must_use]
    pub fn with_format(self, format: Format) -> Self {
        Self { format, ..self }
    }
}
