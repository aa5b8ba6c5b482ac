//! The headers of a file's message: what the edge says about a file, and what the worker and
//! the sink read back.
//!
//! File names are untrusted: in a header value, control characters and `%` are written as
//! `%XX`, so a name with a line end cannot break the message apart.

use async_nats::HeaderMap;

/// The message id the server de-duplicates by.
pub const MESSAGE_ID: &str = "Nats-Msg-Id";
/// The file's name in the inbox.
pub const NAME: &str = "Docnorm-Name";
/// Where the file was dropped, as the edge saw it (becomes `source.path`).
pub const PATH: &str = "Docnorm-Path";
/// The file's size in bytes.
pub const SIZE: &str = "Docnorm-Size";
/// The SHA-256 of the file's bytes, in hex.
pub const SHA256: &str = "Docnorm-Sha256";
/// The file's modification time (RFC 3339), when known.
pub const MODIFIED: &str = "Docnorm-Modified";
/// The file's name in the edge's work folder: `<claim id>-<name>`, unique per claim.
pub const CLAIM: &str = "Docnorm-Claim";
/// Set when the bytes are in the object store rather than in the message: the object's name.
pub const OBJECT: &str = "Docnorm-Object";

/// A file as its message describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The message id: `<sha256>-<claim id>`.
    pub id: String,
    /// Its name in the inbox.
    pub name: String,
    /// Where it was dropped.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of its bytes, in hex.
    pub sha256: String,
    /// Modification time (RFC 3339).
    pub modified: Option<String>,
    /// Its claim name at the edge.
    pub claim: String,
    /// The object holding its bytes, when they are not in the message.
    pub object: Option<String>,
}

impl Input {
    /// The message id of a file: derived from its content and its claim, so publishing the
    /// same claimed file again (after a crash of the edge) is dropped by the server.
    pub fn message_id(sha256: &str, claim: &str) -> String {
        let claim_id = claim.split_once('-').map_or(claim, |(id, _)| id);
        format!("{sha256}-{claim_id}")
    }

    /// The headers of its message.
    pub fn to_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(MESSAGE_ID, self.id.as_str());
        headers.insert(NAME, escape(&self.name).as_str());
        headers.insert(PATH, escape(&self.path).as_str());
        headers.insert(SIZE, self.size.to_string().as_str());
        headers.insert(SHA256, self.sha256.as_str());
        headers.insert(CLAIM, escape(&self.claim).as_str());
        if let Some(modified) = &self.modified {
            headers.insert(MODIFIED, modified.as_str());
        }
        if let Some(object) = &self.object {
            headers.insert(OBJECT, object.as_str());
        }
        headers
    }

    /// Reads a message's headers; the error names the first one missing or malformed.
    pub fn from_headers(headers: Option<&HeaderMap>) -> Result<Self, String> {
        let get = |name: &str| {
            headers
                .and_then(|h| h.get(name))
                .map(|v| unescape(v.as_str()))
        };
        let need = |name: &str| get(name).ok_or_else(|| format!("the message has no {name}"));
        let size = need(SIZE)?;
        let claim = need(CLAIM)?;
        if claim.is_empty() || claim.starts_with('.') || claim.contains('/') {
            return Err(format!("the message's {CLAIM} is not a file name"));
        }
        Ok(Self {
            id: need(MESSAGE_ID)?,
            name: need(NAME)?,
            path: need(PATH)?,
            size: size
                .parse()
                .map_err(|_| format!("the message's {SIZE} is not a number"))?,
            sha256: need(SHA256)?,
            modified: get(MODIFIED),
            claim,
            object: get(OBJECT),
        })
    }
}

/// `text` with control characters and `%` written as `%XX`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_control() || c == '%' {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[(c as usize) >> 4]));
            out.push(char::from(b"0123456789ABCDEF"[(c as usize) & 15]));
        } else {
            out.push(c);
        }
    }
    out
}

/// The inverse of [`escape`]; a `%` not followed by two hex digits stays as it is.
pub fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> Input {
        Input {
            id: Input::message_id("ab12", "0000000000000001-a\nb%.txt"),
            name: "a\nb%.txt".to_owned(),
            path: "/in/a\nb%.txt".to_owned(),
            size: 12,
            sha256: "ab12".to_owned(),
            modified: Some("2026-01-01T00:00:00Z".to_owned()),
            claim: "0000000000000001-a\nb%.txt".to_owned(),
            object: None,
        }
    }

    #[test]
    fn a_file_name_with_a_line_end_survives_the_headers() {
        let headers = input().to_headers();
        assert_eq!(headers.get(NAME).unwrap().as_str(), "a%0Ab%25.txt");
        assert_eq!(Input::from_headers(Some(&headers)).unwrap(), input());
    }

    #[test]
    fn the_message_id_is_the_content_and_the_claim() {
        assert_eq!(input().id, "ab12-0000000000000001");
    }

    #[test]
    fn a_message_without_the_headers_is_named_as_such() {
        let err = Input::from_headers(None).unwrap_err();
        assert_eq!(err, "the message has no Docnorm-Size");
        let mut headers = input().to_headers();
        headers.insert(CLAIM, "../x");
        assert!(Input::from_headers(Some(&headers)).is_err());
    }

    #[test]
    fn a_lone_percent_stays() {
        assert_eq!(unescape("100%"), "100%");
        assert_eq!(unescape("%zz%41"), "%zzA");
    }
}
