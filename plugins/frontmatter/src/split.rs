//! Finding the front-matter block at the start of a document and the body after it, within
//! the size limit and without copying: the block and the body are slices of the text.

use docnorm_plugin_api::PluginError;

/// The language a front-matter block is written in, with its text (delimiters excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Block<'a> {
    /// Between `---` and `---` (or `...`).
    Yaml(&'a str),
    /// Between `+++` and `+++`.
    Toml(&'a str),
    /// One JSON object at the very start.
    Json(&'a str),
}

/// A document cut into its front matter and its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Split<'a> {
    pub block: Block<'a>,
    pub body: &'a str,
}

/// Cuts `text` into front matter and body.
///
/// Fails with [`PluginError::Limit`] as soon as the block grows past `max_block_bytes`, having
/// looked at no more than that many bytes, and with [`PluginError::Invalid`] when the text
/// does not open with a complete block.
pub(crate) fn split(text: &str, max_block_bytes: usize) -> Result<Split<'_>, PluginError> {
    let text = text.trim_start_matches('\u{feff}');
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    match first.trim_end() {
        "---" => delimited(rest, &["---", "..."], max_block_bytes).map(|(block, body)| Split {
            block: Block::Yaml(block),
            body,
        }),
        "+++" => delimited(rest, &["+++"], max_block_bytes).map(|(block, body)| Split {
            block: Block::Toml(block),
            body,
        }),
        _ if text.trim_start().starts_with('{') => json_object(text.trim_start(), max_block_bytes),
        _ => Err(PluginError::Invalid(
            "no front matter: the document does not open with `---`, `+++` or `{`".to_owned(),
        )),
    }
}

/// The lines of `rest` up to the first line that is one of `closers`, and what follows it.
fn delimited<'a>(
    rest: &'a str,
    closers: &[&str],
    max_block_bytes: usize,
) -> Result<(&'a str, &'a str), PluginError> {
    // A closing line is short: the search never needs to look far past the limit.
    let window = rest.len().min(max_block_bytes.saturating_add(64));
    let mut start = 0;
    while start < rest.len() {
        if start > max_block_bytes {
            return Err(too_large(max_block_bytes));
        }
        let end = match rest.as_bytes()[start..window]
            .iter()
            .position(|&b| b == b'\n')
        {
            Some(i) => start + i,
            None if window < rest.len() => return Err(too_large(max_block_bytes)),
            None => rest.len(),
        };
        if closers.contains(&rest[start..end].trim_end()) {
            let body = rest.get(end + 1..).unwrap_or_default();
            return Ok((&rest[..start], body));
        }
        start = end + 1;
    }
    Err(PluginError::Invalid(format!(
        "front matter opened with `{}` is never closed",
        closers[0]
    )))
}

/// A JSON object at the start of `text`, and the text after the line it ends on.
fn json_object(text: &str, max_block_bytes: usize) -> Result<Split<'_>, PluginError> {
    // Parse at most one byte more than the limit, so a huge object costs no more than that.
    let mut window = text.len().min(max_block_bytes.saturating_add(1));
    while !text.is_char_boundary(window) {
        window -= 1;
    }
    let truncated = window < text.len();
    let mut stream =
        serde_json::Deserializer::from_str(&text[..window]).into_iter::<serde::de::IgnoredAny>();
    match stream.next() {
        Some(Ok(_)) => {}
        Some(Err(e)) if e.is_eof() && truncated => return Err(too_large(max_block_bytes)),
        Some(Err(e)) => return Err(crate::messages::json_error("JSON front matter", &e)),
        None => return Err(PluginError::Invalid("empty JSON front matter".to_owned())),
    }
    let end = stream.byte_offset();
    let rest = &text[end..];
    // The body starts on the line after the object.
    let body = rest.split_once('\n').map_or(
        "",
        |(line, body)| {
            if line.trim().is_empty() { body } else { rest }
        },
    );
    Ok(Split {
        block: Block::Json(&text[..end]),
        body,
    })
}

fn too_large(max_block_bytes: usize) -> PluginError {
    PluginError::Limit(format!(
        "front matter block is larger than {max_block_bytes} bytes (plugins.frontmatter.max_block_bytes); not parsed"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_closes_with_dashes_or_dots() {
        let doc = split("---\ntitle: A\n---\nBody\n", 100).unwrap();
        assert_eq!(doc.block, Block::Yaml("title: A\n"));
        assert_eq!(doc.body, "Body\n");
        let doc = split("---  \ntitle: A\n...\n", 100).unwrap();
        assert_eq!(doc.block, Block::Yaml("title: A\n"));
        assert_eq!(doc.body, "");
    }

    #[test]
    fn toml_is_between_pluses() {
        let doc = split("+++\ntitle = \"A\"\n+++\n\nBody", 100).unwrap();
        assert_eq!(doc.block, Block::Toml("title = \"A\"\n"));
        assert_eq!(doc.body, "\nBody");
    }

    #[test]
    fn json_object_then_body() {
        let doc = split("{\"title\": \"A\"}\n\nBody", 100).unwrap();
        assert_eq!(doc.block, Block::Json("{\"title\": \"A\"}"));
        assert_eq!(doc.body, "\nBody");
    }

    #[test]
    fn an_unclosed_block_is_invalid() {
        let err = split("---\ntitle: A\nBody\n", 100).unwrap_err();
        assert!(matches!(err, PluginError::Invalid(_)), "{err}");
    }

    #[test]
    fn a_block_past_the_limit_is_refused_without_reading_further() {
        let big = format!("---\n{}---\nBody", "key: value\n".repeat(100));
        let err = split(&big, 64).unwrap_err();
        assert!(matches!(err, PluginError::Limit(_)), "{err}");
        assert!(err.to_string().contains("max_block_bytes"), "{err}");
        let big_json = format!("{{\"a\": \"{}\"}}\nBody", "x".repeat(100));
        let err = split(&big_json, 64).unwrap_err();
        assert!(matches!(err, PluginError::Limit(_)), "{err}");
    }
}
