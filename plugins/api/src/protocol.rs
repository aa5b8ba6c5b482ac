//! The process plugin protocol, `docnorm.plugin-protocol/1`: the plugin contract over JSON Lines
//! on a child process's stdin and stdout, so a plugin can be written in any language and run
//! in a process the host can kill and replace.
//!
//! Every message is one JSON object on one line (UTF-8, ending in `\n`), with a `type`:
//!
//! 1. **Handshake.** The host writes a [`Hello`] (the protocol version, the plugin's name in the
//!    config and its options); the plugin answers with its manifest ([`Answer::Manifest`]), or
//!    with an [`Answer::Error`] when it cannot start (bad options, another major version).
//! 2. **Documents.** For each document the host writes a [`Request`] (an `id`, the document,
//!    exactly the record fields the manifest reads) and the plugin answers with one
//!    [`Answer::Patch`], [`Answer::Decline`] or [`Answer::Error`] carrying the same `id`.
//! 3. **End.** The host closes the plugin's stdin; the plugin exits.
//!
//! Both sides ignore keys they do not know, so a minor version can add some; a major version
//! (the number after `/`) changes what the messages mean, and each side refuses another one.
//! The plugin's stdout carries only protocol lines; what it writes to stderr goes to the host's
//! log. [`serve`] is the plugin side of the protocol, for Rust plugins (and for `docnorm
//! plugin-host`, which runs a native library in its own process); [`schema`] describes every
//! message as a JSON Schema.

use std::borrow::Cow;
use std::io::{self, BufRead, Write};

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::document::Document;
use crate::error::PluginError;
use crate::field::Field;
use crate::format::Format;
use crate::plugin::{Manifest, Outcome, Plugin};
use crate::record::Source;

/// The protocol this crate speaks, as written in [`Hello::protocol`] and
/// [`Answer::Manifest`]'s `protocol`.
pub const PROTOCOL: &str = "docnorm.plugin-protocol/1";

/// The major version of [`PROTOCOL`]: a peer speaking another one is refused.
pub const MAJOR: u32 = 1;

/// The major version in a protocol string `docnorm.plugin-protocol/<major>[.<minor>]`, or
/// `None` when the string is not of that form.
pub fn major_of(protocol: &str) -> Option<u32> {
    let version = protocol.strip_prefix("docnorm.plugin-protocol/")?;
    let major = version.split_once('.').map_or(version, |(major, _)| major);
    major.parse().ok()
}

/// Why a peer's protocol is refused, or `None` when it is this major version.
pub fn refuse(protocol: &str) -> Option<String> {
    match major_of(protocol) {
        Some(MAJOR) => None,
        Some(major) => Some(format!(
            "speaks docnorm.plugin-protocol/{major}, this docnorm speaks {PROTOCOL}: use a plugin (or helper library) made for protocol version {MAJOR}"
        )),
        None => Some(format!(
            "speaks `{protocol}`, not a docnorm plugin protocol (expected {PROTOCOL})"
        )),
    }
}

/// The host's first line: who the plugin is and how it is configured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Hello {
    /// Always `hello`.
    #[serde(rename = "type")]
    pub kind: HelloType,
    /// The host's protocol version, e.g. `docnorm.plugin-protocol/1`.
    pub protocol: String,
    /// The plugin's name in the config: its name in `chain`, in provenance and in errors.
    pub name: String,
    /// The plugin's `options` from the config (`null` when there are none).
    pub options: Value,
}

/// The `type` of a [`Hello`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HelloType {
    /// The handshake.
    Hello,
}

impl Hello {
    /// The hello of this protocol version.
    pub fn new(name: &str, options: &Value) -> Self {
        Self {
            kind: HelloType::Hello,
            protocol: PROTOCOL.to_owned(),
            name: name.to_owned(),
            options: options.clone(),
        }
    }
}

/// One document to process; the plugin answers with the same `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Request<'a> {
    /// Always `process`.
    #[serde(rename = "type")]
    pub kind: RequestType,
    /// The request's number, different for each request to a process; the answer must carry it.
    pub id: u64,
    /// The document.
    pub document: RequestDocument<'a>,
    /// Exactly the record fields the manifest's `reads` names, as the record holds them so far.
    pub fields: Cow<'a, Map<String, Value>>,
}

/// The `type` of a [`Request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestType {
    /// A document to process.
    Process,
}

/// A document as a [`Request`] carries it: the fields of a [`Document`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RequestDocument<'a> {
    /// The path the document was read from, for messages.
    pub path: Cow<'a, str>,
    /// What the content was sniffed as: `frontmatter`, `html`, `json`, `jsonl`, `markdown`,
    /// `text`, `xml` or `binary` (the list can grow).
    pub format: Format,
    /// The content as text (decoded to UTF-8, BOM removed, line ends folded to `\n`), when it is
    /// text; exactly one of `text` and `bytes` is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Cow<'a, str>>,
    /// The content in standard base64 (with padding), when it is not text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<String>,
    /// The record's `source`: file name, size, SHA-256, media type, encoding, format, times.
    #[serde(deserialize_with = "lenient_source")]
    pub source: Cow<'a, Source>,
}

impl<'a> RequestDocument<'a> {
    /// The request form of `doc`, borrowing its text.
    pub fn of(doc: &Document<'a>) -> Self {
        Self {
            path: Cow::Borrowed(doc.path),
            format: doc.format,
            text: doc.text.map(Cow::Borrowed),
            bytes: doc.text.is_none().then(|| base64::encode(doc.bytes)),
            source: Cow::Borrowed(doc.source),
        }
    }
}

/// A plugin's answer: its manifest to a [`Hello`], or one of the other three to a [`Request`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Answer {
    /// The answer to the hello: what the plugin is and which record fields it touches.
    Manifest {
        /// The protocol version the plugin speaks, e.g. `docnorm.plugin-protocol/1`.
        protocol: String,
        /// The plugin's own name (the config's name is used in the chain).
        name: String,
        /// The plugin's version, recorded in `provenance.plugins`.
        version: String,
        /// Top-level record fields the plugin is given, e.g. `title`, `body`.
        reads: Vec<String>,
        /// Top-level record fields the plugin may write, plus `provenance.removed`; a patch
        /// touching anything else fails the document.
        writes: Vec<String>,
    },
    /// A JSON merge patch (RFC 7396) for the record.
    Patch {
        /// The request's `id`.
        id: u64,
        /// The patch: an object merged into the record; `null` deletes a key, `warnings` and
        /// `provenance.removed` are appended to.
        patch: Map<String, Value>,
    },
    /// The document is not the plugin's kind; the record stays as it is.
    Decline {
        /// The request's `id`.
        id: u64,
    },
    /// The plugin cannot handle the document (or, without `id`, cannot start): the document
    /// fails with `message`, the others go on.
    Error {
        /// The request's `id`; absent in answer to the hello.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        /// What went wrong, for the user.
        message: String,
        /// What kind of failure it is.
        #[serde(default)]
        kind: ErrorKind,
    },
}

/// The kind of an [`Answer::Error`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The document is of the plugin's kind but broken.
    Invalid,
    /// The document exceeds a limit the plugin enforces.
    Limit,
    /// Anything else.
    #[default]
    Other,
}

impl Answer {
    /// The manifest answer for `manifest`.
    pub fn manifest(manifest: &Manifest) -> Self {
        Self::Manifest {
            protocol: PROTOCOL.to_owned(),
            name: manifest.name.clone(),
            version: manifest.version.clone(),
            reads: names(&manifest.reads),
            writes: names(&manifest.writes),
        }
    }

    /// The answer to request `id` that carries `result`.
    pub fn of(id: u64, result: Result<Outcome, PluginError>) -> Self {
        let error = |kind, message| Self::Error {
            id: Some(id),
            message,
            kind,
        };
        match result {
            Ok(Outcome::Decline) => Self::Decline { id },
            Ok(Outcome::Patch(patch)) => Self::Patch { id, patch },
            Err(PluginError::Invalid(message)) => error(ErrorKind::Invalid, message),
            Err(PluginError::Limit(message)) => error(ErrorKind::Limit, message),
            Err(other) => error(ErrorKind::Other, other.to_string()),
        }
    }
}

/// Fields by their names, as the protocol writes them.
fn names(fields: &[Field]) -> Vec<String> {
    fields.iter().map(|field| field.name().to_owned()).collect()
}

/// One line of the protocol, in either direction: the root of [`schema`].
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Line<'a> {
    /// The handshake, host to plugin.
    Hello(Hello),
    /// A document, host to plugin.
    Request(Box<Request<'a>>),
    /// An answer, plugin to host.
    Answer(Answer),
}

/// The JSON Schema of a protocol line (a [`Hello`], a [`Request`] or an [`Answer`]).
pub fn schema() -> Value {
    let mut schema = schemars::schema_for!(Line<'static>).to_value();
    if let Value::Object(map) = &mut schema {
        map.insert("title".to_owned(), Value::String(PROTOCOL.to_owned()));
        map.insert(
            "description".to_owned(),
            Value::String(
                "One line of the docnorm process plugin protocol: a hello or a request (host to plugin), or an answer (plugin to host). One JSON object per line; unknown keys are ignored."
                    .to_owned(),
            ),
        );
    }
    schema
}

/// The record's `source`, keeping only the keys this build knows, so that a plugin keeps
/// working when a newer host adds one.
fn lenient_source<'de, 'a, D: Deserializer<'de>>(d: D) -> Result<Cow<'a, Source>, D::Error> {
    let value = Value::deserialize(d)?;
    Source::lenient(value)
        .map(Cow::Owned)
        .map_err(serde::de::Error::custom)
}

/// Runs the plugin side of the protocol over `input` and `output` until `input` ends: reads the
/// hello, makes the plugin with `start(name, options)` (its error is answered to the host),
/// answers the manifest, then answers every request. A panic in the plugin fails that
/// document only.
///
/// A Rust program becomes a process plugin with one call:
///
/// ```no_run
/// # use docnorm_plugin_api::{Plugin, protocol};
/// # fn make(options: serde_json::Value) -> Result<Box<dyn Plugin>, String> { unimplemented!() }
/// fn main() -> std::io::Result<()> {
///     protocol::serve(std::io::stdin().lock(), std::io::stdout().lock(), |_name, options| make(options))
/// }
/// ```
pub fn serve(
    mut input: impl BufRead,
    mut output: impl Write,
    start: impl FnOnce(&str, Value) -> Result<Box<dyn Plugin>, String>,
) -> io::Result<()> {
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        return Ok(());
    }
    let started = serde_json::from_str::<Hello>(&line)
        .map_err(|e| format!("the first line is not a hello: {e}"))
        .and_then(|hello| match refuse(&hello.protocol) {
            Some(reason) => Err(format!("the host {reason}")),
            None => start(&hello.name, hello.options),
        });
    let plugin = match started {
        Ok(plugin) => plugin,
        Err(message) => {
            let refused = Answer::Error {
                id: None,
                message,
                kind: ErrorKind::Other,
            };
            return send(&mut output, &refused);
        }
    };
    send(&mut output, &Answer::manifest(plugin.manifest()))?;
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let answer = match serde_json::from_str::<Request<'_>>(&line) {
            Ok(request) => Answer::of(request.id, process(plugin.as_ref(), &request)),
            Err(e) => Answer::Error {
                id: None,
                message: format!("not a request: {e}"),
                kind: ErrorKind::Other,
            },
        };
        send(&mut output, &answer)?;
    }
}

/// Calls `plugin` on the request's document, catching a panic.
fn process(plugin: &dyn Plugin, request: &Request<'_>) -> Result<Outcome, PluginError> {
    let doc = &request.document;
    let decoded;
    let (bytes, text) = match (&doc.text, &doc.bytes) {
        (Some(text), _) => (text.as_bytes(), Some(text.as_ref())),
        (None, Some(encoded)) => {
            decoded = base64::decode(encoded).map_err(PluginError::Other)?;
            (decoded.as_slice(), None)
        }
        (None, None) => return Err(PluginError::Other("the document has no content".into())),
    };
    let document = Document {
        path: &doc.path,
        bytes,
        text,
        format: doc.format,
        source: &doc.source,
    };
    crate::chain::call(plugin, &document, &request.fields)
}

/// Writes `answer` as one line and flushes it.
fn send(output: &mut impl Write, answer: &Answer) -> io::Result<()> {
    serde_json::to_writer(&mut *output, answer)?;
    output.write_all(b"\n")?;
    output.flush()
}

/// Standard base64 with padding (RFC 4648), for binary documents in a [`Request`].
pub mod base64 {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// Encodes `bytes`.
    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// Decodes `text`, refusing anything but whole groups of the standard alphabet.
    pub fn decode(text: &str) -> Result<Vec<u8>, String> {
        let text = text.as_bytes();
        if !text.len().is_multiple_of(4) {
            return Err("base64 length is not a multiple of 4".to_owned());
        }
        let mut out = Vec::with_capacity(text.len() / 4 * 3);
        for (g, group) in text.chunks(4).enumerate() {
            let last = g + 1 == text.len() / 4;
            let pad = group.iter().rev().take_while(|c| **c == b'=').count();
            if pad > 2 || (pad > 0 && !last) {
                return Err("misplaced base64 padding".to_owned());
            }
            let mut n = 0u32;
            for (i, c) in group[..4 - pad].iter().enumerate() {
                let value = ALPHABET
                    .iter()
                    .position(|a| a == c)
                    .ok_or_else(|| format!("`{}` is not a base64 character", char::from(*c)))?;
                #[allow(clippy::cast_possible_truncation)]
                let value = value as u32;
                n |= value << (18 - 6 * i);
            }
            let bytes = n.to_be_bytes();
            out.extend_from_slice(&bytes[1..4 - pad]);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Upper(Manifest);

    impl Plugin for Upper {
        fn manifest(&self) -> &Manifest {
            &self.0
        }
        fn process(
            &self,
            doc: &Document<'_>,
            fields: &Map<String, Value>,
        ) -> Result<Outcome, PluginError> {
            match doc.text {
                Some("panic") => panic!("asked to"),
                Some("bad") => Err(PluginError::Invalid("bad text".into())),
                Some(text) => Ok(Outcome::patch(
                    json!({ "title": text.to_uppercase(), "seen": fields.len() }),
                )),
                None => Ok(Outcome::patch(json!({ "bytes": doc.bytes.len() }))),
            }
        }
    }

    fn start(options: &Value) -> Result<Box<dyn Plugin>, String> {
        if options.as_str() == Some("refuse") {
            return Err("bad options".to_owned());
        }
        Ok(Box::new(Upper(Manifest::new(
            "upper",
            "1.0",
            &[Field::Title],
            &[Field::Title],
        ))))
    }

    /// Serves `lines` and returns the answers.
    fn answers(lines: &[Value]) -> Vec<Value> {
        let input: String = lines.iter().map(|l| l.to_string() + "\n").collect();
        let mut output = Vec::new();
        serve(input.as_bytes(), &mut output, |_, options| start(&options)).unwrap();
        String::from_utf8(output)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn request(id: u64, doc: &Document<'_>) -> Value {
        let request = Request {
            kind: RequestType::Process,
            id,
            document: RequestDocument::of(doc),
            fields: Cow::Owned(Map::from_iter([("title".to_owned(), Value::Null)])),
        };
        serde_json::to_value(request).unwrap()
    }

    fn hello(options: &Value) -> Value {
        serde_json::to_value(Hello::new("shouty", options)).unwrap()
    }

    #[test]
    fn a_plugin_answers_its_manifest_then_each_request_with_its_id() {
        let binary = Document {
            bytes: &[0, 159, 255, 1],
            text: None,
            format: Format::Binary,
            ..Document::for_text("b.bin", "")
        };
        let answers = answers(&[
            hello(&Value::Null),
            request(7, &Document::for_text("a.txt", "hi")),
            request(8, &Document::for_text("a.txt", "bad")),
            request(9, &Document::for_text("a.txt", "panic")),
            request(10, &binary),
        ]);
        assert_eq!(answers[0]["type"], "manifest");
        assert_eq!(answers[0]["protocol"], PROTOCOL);
        assert_eq!(answers[0]["writes"], json!(["title"]));
        assert_eq!(
            answers[1],
            json!({"type": "patch", "id": 7, "patch": {"title": "HI", "seen": 1}})
        );
        assert_eq!(
            answers[2],
            json!({"type": "error", "id": 8, "message": "bad text", "kind": "invalid"})
        );
        assert_eq!(answers[3]["message"], "panicked: asked to");
        assert_eq!(answers[4]["patch"], json!({"bytes": 4}));
    }

    #[test]
    fn another_major_version_or_bad_options_are_answered_with_an_error() {
        let mut future = hello(&Value::Null);
        future["protocol"] = json!("docnorm.plugin-protocol/2.1");
        let answers = answers(&[future]);
        assert_eq!(answers[0]["type"], "error");
        let message = answers[0]["message"].as_str().unwrap();
        assert!(message.contains("docnorm.plugin-protocol/2,"), "{message}");
        let answers = self::answers(&[hello(&json!("refuse"))]);
        assert_eq!(
            answers[0],
            json!({"type": "error", "message": "bad options", "kind": "other"})
        );
    }

    #[test]
    fn protocol_versions_are_read_by_their_major() {
        assert_eq!(major_of(PROTOCOL), Some(MAJOR));
        assert_eq!(major_of("docnorm.plugin-protocol/1.4"), Some(1));
        assert_eq!(major_of("docnorm.plugin-protocol/x"), None);
        assert!(refuse("docnorm.plugin-protocol/1.9").is_none());
        assert!(
            refuse("other/1")
                .unwrap()
                .contains("not a docnorm plugin protocol")
        );
    }

    #[test]
    fn a_newer_hosts_unknown_keys_are_ignored() {
        let mut line = request(1, &Document::for_text("a.txt", "hi"));
        line["priority"] = json!(3);
        line["document"]["source"]["inode"] = json!(42);
        let answers = answers(&[hello(&Value::Null), line]);
        assert_eq!(answers[1]["type"], "patch");
    }

    #[test]
    fn base64_round_trips_every_length() {
        assert_eq!(base64::encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64::encode(b"fo"), "Zm8=");
        for len in 0..10 {
            let bytes: Vec<u8> = (0..len).map(|i: u8| i.wrapping_mul(37) ^ 0xc8).collect();
            assert_eq!(base64::decode(&base64::encode(&bytes)).unwrap(), bytes);
        }
        assert!(base64::decode("Zm8").is_err());
        assert!(base64::decode("Z=8=").is_err());
        assert!(base64::decode("Zm*=").is_err());
    }

    #[test]
    fn the_schema_describes_every_message() {
        let schema = schema().to_string();
        for needle in ["hello", "process", "manifest", "patch", "decline", "error"] {
            assert!(schema.contains(&format!("\"{needle}\"")), "{needle}");
        }
    }
}
