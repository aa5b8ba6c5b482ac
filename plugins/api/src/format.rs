//! What a document was sniffed as: its [`Format`], recorded in `source.format`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The kind of content a document was sniffed as, from its bytes first and its name second.
///
/// Format plugins decline documents that are not their kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Format {
    /// YAML (`---`), TOML (`+++`) or JSON front matter followed by a body.
    Frontmatter,
    /// An HTML page.
    Html,
    /// One JSON object (or an array of them).
    Json,
    /// JSON Lines: one JSON object per line.
    Jsonl,
    /// Markdown without front matter.
    Markdown,
    /// Plain text, such as the visible text of a web page.
    Text,
    /// XML that is not XHTML (a feed, a sitemap, an export); no built-in plugin claims it.
    Xml,
    /// Content that is not text; only custom plugins can claim it. What a document is until
    /// it has been read.
    #[default]
    Binary,
}

impl Format {
    /// The name used in `source.format` and in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Frontmatter => "frontmatter",
            Self::Html => "html",
            Self::Json => "json",
            Self::Jsonl => "jsonl",
            Self::Markdown => "markdown",
            Self::Text => "text",
            Self::Xml => "xml",
            Self::Binary => "binary",
        }
    }

    /// The media type recorded in `source.media_type` for this format.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Frontmatter | Self::Markdown => "text/markdown",
            Self::Html => "text/html",
            Self::Json => "application/json",
            Self::Jsonl => "application/jsonl",
            Self::Text => "text/plain",
            Self::Xml => "application/xml",
            Self::Binary => "application/octet-stream",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
