//! The read stage: bytes on disk to a decoded document.
//!
//! Only a regular file is read (a FIFO, socket or device is refused before it can block), within
//! a size limit; gzip (recognised by its magic bytes) is decompressed within a second limit so
//! a gzip bomb stops early, the text is decoded (see [`decode`]) and its line ends folded to
//! `\n`. Content that is not text is kept as bytes and sniffed as binary, for custom plugins to
//! claim.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use docnorm_plugin_api::{Document, Format, Source};
use encoding_rs::{Encoding, UTF_8};
use flate2::read::MultiGzDecoder;
use schemars::JsonSchema;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::logging::os_text;
use crate::sniff;

/// Limits of the read stage, under `read` in the config.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReadConfig {
    /// Largest file accepted, as stored on disk.
    pub max_bytes: u64,
    /// Largest content accepted after gzip decompression.
    pub max_decompressed_bytes: u64,
    /// Most documents one file may hold (objects of a JSON Lines file or a JSON list): every
    /// record of a file is held until the file is finished, so this bounds a worker's memory.
    pub max_documents: usize,
}

impl Default for ReadConfig {
    fn default() -> Self {
        Self {
            max_bytes: 64 << 20,
            max_decompressed_bytes: 64 << 20,
            max_documents: 10_000,
        }
    }
}

/// Why a file could not be read; the message is what the user sees after the file's path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read file: {0}")]
    Io(#[from] io::Error),
    /// The path names a FIFO, socket, device or folder, not a regular file.
    #[error("not a regular file but a {0}; only regular files are read")]
    NotAFile(&'static str),
    /// The file has no content.
    #[error("empty file")]
    Empty,
    /// The file is larger than `read.max_bytes`.
    #[error("file is larger than the limit of {limit} bytes (read.max_bytes)")]
    TooLarge {
        /// The limit in force.
        limit: u64,
    },
    /// The gzip stream inflates past `read.max_decompressed_bytes`.
    #[error(
        "gzip content inflates past the limit of {limit} bytes (read.max_decompressed_bytes); refusing a possible gzip bomb"
    )]
    GzipTooLarge {
        /// The limit in force.
        limit: u64,
    },
    /// The gzip stream is cut short or corrupt.
    #[error("truncated or corrupt gzip data: {0}")]
    Gzip(io::Error),
}

/// A document as read from disk, owning its content.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// How it was read; becomes `record.source`.
    pub source: Source,
    /// The content: decoded UTF-8 when `is_text`, raw (decompressed) bytes otherwise.
    pub content: Vec<u8>,
    /// Whether `content` holds decoded text.
    pub is_text: bool,
    /// What the content was sniffed as.
    pub format: Format,
    /// What the user should know about the reading (bytes replaced, a declared encoding not
    /// followed): the host adds these to each record's `warnings`.
    pub warnings: Vec<String>,
}

impl Loaded {
    /// The document to hand the chain.
    pub fn document(&self) -> Document<'_> {
        Document {
            path: &self.source.path,
            bytes: &self.content,
            // Set only when `content` was produced by decoding into a `String`.
            text: if self.is_text {
                std::str::from_utf8(&self.content).ok()
            } else {
                None
            },
            format: self.format,
            source: &self.source,
        }
    }
}

/// Reads and decodes the file at `path`, which must be a regular file.
pub fn read_file(path: &Path, limits: &ReadConfig) -> Result<Loaded, ReadError> {
    let file = open_regular(path)?;
    let meta = file.metadata()?;
    if meta.len() > limits.max_bytes {
        return Err(ReadError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    let mut raw = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limits.max_bytes + 1).read_to_end(&mut raw)?;
    if raw.len() as u64 > limits.max_bytes {
        return Err(ReadError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok());
    let mut loaded = decode(path, raw, limits)?;
    loaded.source.modified = modified.map(|t| t.to_string());
    loaded.source.received = Some(jiff::Timestamp::now().to_string());
    Ok(loaded)
}

/// Opens `path` for reading if it is a regular file. A FIFO would block `open` until a writer
/// came along, so the file type is checked first and the file opened without blocking; the
/// type is checked again on what was opened, in case the path changed in between.
fn open_regular(path: &Path) -> Result<File, ReadError> {
    not_a_file(std::fs::metadata(path)?.file_type())?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    not_a_file(file.metadata()?.file_type())?;
    Ok(file)
}

/// `Err` naming the kind of anything but a regular file.
fn not_a_file(kind: std::fs::FileType) -> Result<(), ReadError> {
    let name = if kind.is_file() {
        return Ok(());
    } else if kind.is_dir() {
        "folder"
    } else if kind.is_fifo() {
        "FIFO"
    } else if kind.is_socket() {
        "socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "device"
    } else {
        "special file"
    };
    Err(ReadError::NotAFile(name))
}

/// Decodes file content already in memory; `path` names it in `source`.
///
/// Text is decoded by its byte-order mark (UTF-8, UTF-16), as UTF-8 when it is valid UTF-8,
/// or else in the charset an HTML or XML document declares, or else guessed among legacy
/// 8-bit encodings by `chardetng`. Text that is UTF-8 but for a few bad bytes stays UTF-8:
/// when at least as many of its non-ASCII characters are valid UTF-8 as there are invalid
/// byte sequences (or, for a document that declares UTF-8, when any of them is), each invalid
/// sequence becomes U+FFFD and a warning counts them. A legacy file has almost no valid UTF-8
/// sequences (its accented letters are single bytes), and a file of ASCII plus a few other
/// bytes gives no sign of UTF-8 at all, so those are still guessed; a declared UTF-8 the bytes
/// contradict so is named in a warning.
pub fn decode(path: &Path, raw: Vec<u8>, limits: &ReadConfig) -> Result<Loaded, ReadError> {
    if raw.is_empty() {
        return Err(ReadError::Empty);
    }
    let mut source = Source {
        path: os_text(path.as_os_str()).into_owned(),
        name: os_text(path.file_name().unwrap_or_default()).into_owned(),
        bytes: raw.len() as u64,
        sha256: hex(&Sha256::digest(&raw)),
        ..Source::default()
    };
    let content = if raw.starts_with(&[0x1f, 0x8b]) {
        gunzip(&raw, limits.max_decompressed_bytes)?
    } else {
        raw
    };
    if content.is_empty() {
        return Err(ReadError::Empty);
    }
    let name = source
        .name
        .strip_suffix(".gz")
        .unwrap_or(&source.name)
        .to_owned();
    let mut warnings = Vec::new();
    let (content, is_text, format) = match decode_text(content) {
        Ok(decoded) => {
            source.encoding = Some(decoded.encoding.name().to_owned());
            warnings.extend(decoded.warning);
            let sniffed = sniff::sniff_noted(&decoded.text, &name);
            warnings.extend(sniffed.note);
            (decoded.text.into_bytes(), true, sniffed.format)
        }
        Err(bytes) => (bytes, false, Format::Binary),
    };
    source.format = format;
    format.media_type().clone_into(&mut source.media_type);
    Ok(Loaded {
        source,
        content,
        is_text,
        format,
        warnings,
    })
}

fn gunzip(raw: &[u8], limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut out = Vec::new();
    MultiGzDecoder::new(raw)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(ReadError::Gzip)?;
    if out.len() as u64 > limit {
        return Err(ReadError::GzipTooLarge { limit });
    }
    Ok(out)
}

/// Text decoded by [`decode_text`].
struct Decoded {
    text: String,
    encoding: &'static Encoding,
    /// What was replaced or not followed, for the record's `warnings`.
    warning: Option<String>,
}

/// Decodes `bytes` to text with folded line ends, or hands them back when they are not text.
///
/// Valid UTF-8 without a BOM (the common case) becomes the `String` in place, so a large
/// file is never held twice.
fn decode_text(bytes: Vec<u8>) -> Result<Decoded, Vec<u8>> {
    let decoded = if let Some((encoding, bom_len)) = Encoding::for_bom(&bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors && encoding != UTF_8 {
            return Err(bytes);
        }
        let warning = had_errors.then(|| replaced(invalid_utf8(&bytes[bom_len..]).invalid));
        Decoded {
            text: text.into_owned(),
            encoding,
            warning,
        }
    } else if looks_binary(&bytes) {
        return Err(bytes);
    } else {
        match String::from_utf8(bytes) {
            Ok(text) => Decoded {
                text,
                encoding: UTF_8,
                warning: None,
            },
            Err(err) => decode_invalid_utf8(&err.into_bytes()),
        }
    };
    if looks_binary(decoded.text.as_bytes()) {
        return Err(decoded.text.into_bytes());
    }
    Ok(Decoded {
        text: fold_line_ends(decoded.text),
        ..decoded
    })
}

/// Decodes text that is not valid UTF-8: as UTF-8 with the bad bytes replaced when it is
/// mostly UTF-8, else in its declared or guessed legacy encoding (see [`decode`]).
fn decode_invalid_utf8(bytes: &[u8]) -> Decoded {
    let declared = declared_charset(bytes);
    let counts = invalid_utf8(bytes);
    let utf8 = match declared {
        Some(encoding) if encoding == UTF_8 => counts.valid > 0,
        Some(_) => false,
        None => counts.valid > 0 && counts.valid >= counts.invalid,
    };
    if utf8 {
        return Decoded {
            text: String::from_utf8_lossy(bytes).into_owned(),
            encoding: UTF_8,
            warning: Some(replaced(counts.invalid)),
        };
    }
    let encoding = declared
        .filter(|e| *e != UTF_8)
        .unwrap_or_else(|| guess(bytes));
    let (text, _, _) = encoding.decode(bytes);
    let warning = (declared == Some(UTF_8)).then(|| {
        format!(
            "the document declares UTF-8 but none of its {} non-ASCII byte sequences is UTF-8; \
             decoded as {} (guessed)",
            counts.invalid,
            encoding.name()
        )
    });
    Decoded {
        text: text.into_owned(),
        encoding,
        warning,
    }
}

/// The warning for text decoded as UTF-8 with `invalid` byte sequences replaced.
fn replaced(invalid: usize) -> String {
    format!(
        "{invalid} byte sequence{} that {} not valid UTF-8 replaced with U+FFFD; the rest of the \
         text is UTF-8",
        if invalid == 1 { "" } else { "s" },
        if invalid == 1 { "is" } else { "are" }
    )
}

/// Non-ASCII characters of a text that are valid UTF-8, against its invalid byte sequences
/// (each of which decoding replaces with one U+FFFD).
struct Utf8Counts {
    valid: usize,
    invalid: usize,
}

fn invalid_utf8(bytes: &[u8]) -> Utf8Counts {
    let mut counts = Utf8Counts {
        valid: 0,
        invalid: 0,
    };
    for chunk in bytes.utf8_chunks() {
        // Lead bytes of multi-byte characters.
        counts.valid += chunk.valid().bytes().filter(|&b| b >= 0xC0).count();
        counts.invalid += usize::from(!chunk.invalid().is_empty());
    }
    counts
}

/// True when the bytes hold NULs or many control characters, which text never does.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let control = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)))
        .count();
    head.contains(&0) || control * 100 > head.len().max(1)
}

/// The encoding an HTML or XML document declares in its first kilobytes.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower = head.to_ascii_lowercase();
    let at = lower.windows(8).position(|w| w == b"charset=")? + 8;
    let label: Vec<u8> = lower[at..]
        .iter()
        .skip_while(|b| matches!(b, b'"' | b'\''))
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
        .copied()
        .collect();
    // As browsers do, a declared UTF-16 in a document readable as ASCII means UTF-8.
    Encoding::for_label(&label).map(Encoding::output_encoding)
}

fn guess(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, chardetng::Utf8Detection::Deny)
}

/// Folds CRLF and lone CR line ends to LF, copying only when there is something to fold.
fn fold_line_ends(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    fn text_of(raw: Vec<u8>) -> (String, String) {
        let loaded = decode(Path::new("doc.txt"), raw, &ReadConfig::default()).unwrap();
        let text = String::from_utf8(loaded.content).unwrap();
        (text, loaded.source.encoding.unwrap())
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn windows_1252_is_detected_and_decoded() {
        let raw =
            b"Caf\xe9 cr\xe8me \x93quoted\x94 \x96 na\xefve r\xe9sum\xe9 d\xe9j\xe0 vu".to_vec();
        let (text, encoding) = text_of(raw);
        assert_eq!(text, "Café crème “quoted” – naïve résumé déjà vu");
        assert_eq!(encoding, "windows-1252");
    }

    #[test]
    fn utf16_le_with_bom_is_decoded() {
        let mut raw = vec![0xff, 0xfe];
        raw.extend(
            "Grüße\r\nzweite Zeile"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        assert_eq!(
            text_of(raw),
            ("Grüße\nzweite Zeile".to_owned(), "UTF-16LE".to_owned())
        );
    }

    #[test]
    fn utf16_be_with_bom_is_decoded() {
        let mut raw = vec![0xfe, 0xff];
        raw.extend("naïve".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(text_of(raw), ("naïve".to_owned(), "UTF-16BE".to_owned()));
    }

    #[test]
    fn utf8_bom_is_removed() {
        let raw = b"\xef\xbb\xbfTitle\n\nBody".to_vec();
        assert_eq!(
            text_of(raw),
            ("Title\n\nBody".to_owned(), "UTF-8".to_owned())
        );
    }

    #[test]
    fn crlf_and_cr_are_folded() {
        let (text, _) = text_of(b"one\r\ntwo\rthree\n".to_vec());
        assert_eq!(text, "one\ntwo\nthree\n");
    }

    #[test]
    fn gzip_is_decompressed_and_sniffed_again() {
        let loaded = decode(
            Path::new("page.html.gz"),
            gzip(b"<!doctype html><p>Hi"),
            &ReadConfig::default(),
        )
        .unwrap();
        assert_eq!(loaded.content, b"<!doctype html><p>Hi");
        assert_eq!(loaded.format, Format::Html);
    }

    #[test]
    fn html_meta_charset_wins_over_guessing() {
        let raw =
            b"<html><head><meta charset=\"iso-8859-15\"></head><body>\xa4 5</body></html>".to_vec();
        let (text, encoding) = text_of(raw);
        assert!(text.contains("€ 5"), "{text}");
        assert_eq!(encoding, "ISO-8859-15");
    }

    fn warnings_of(raw: &[u8]) -> (String, String, Vec<String>) {
        let loaded = decode(Path::new("doc.txt"), raw.to_vec(), &ReadConfig::default()).unwrap();
        let text = String::from_utf8(loaded.content).unwrap();
        (text, loaded.source.encoding.unwrap(), loaded.warnings)
    }

    #[test]
    fn utf8_with_a_stray_byte_stays_utf8_and_says_so() {
        let (text, encoding, warnings) = warnings_of(b"\xc2\xa9 2024 caf\xc3\xa9 \xff end");
        assert_eq!(text, "© 2024 café \u{fffd} end");
        assert_eq!(encoding, "UTF-8");
        assert_eq!(
            warnings,
            [
                "1 byte sequence that is not valid UTF-8 replaced with U+FFFD; the rest of the text is UTF-8"
            ]
        );
    }

    #[test]
    fn a_declared_utf8_the_bytes_contradict_is_named_and_the_text_guessed() {
        let (text, encoding, warnings) =
            warnings_of(b"<meta charset=\"utf-8\"><p>coverage\x92s and caf\xe9</p>");
        assert!(text.contains("coverage’s and café"), "{text}");
        assert_eq!(encoding, "windows-1252");
        assert_eq!(
            warnings,
            [
                "the document declares UTF-8 but none of its 2 non-ASCII byte sequences is UTF-8; decoded as windows-1252 (guessed)"
            ]
        );
    }

    #[test]
    fn legacy_text_without_a_declaration_is_still_guessed() {
        let (text, encoding, warnings) = warnings_of(b"Caf\xe9 cr\xe8me na\xefve \xe9t\xe9");
        assert_eq!(text, "Café crème naïve été");
        assert_eq!(encoding, "windows-1252");
        assert!(warnings.is_empty());
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let err = read_file(&fifo, &ReadConfig::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not a regular file but a FIFO; only regular files are read"
        );
        let err = read_file(dir.path(), &ReadConfig::default()).unwrap_err();
        assert!(err.to_string().contains("a folder"), "{err}");
    }

    #[test]
    fn gzip_bomb_is_stopped_at_the_limit() {
        let bomb = gzip(&vec![0u8; 4 << 20]);
        let limits = ReadConfig {
            max_decompressed_bytes: 1 << 20,
            ..ReadConfig::default()
        };
        let err = decode(Path::new("bomb.gz"), bomb, &limits).unwrap_err();
        assert!(matches!(err, ReadError::GzipTooLarge { .. }), "{err}");
    }

    #[test]
    fn truncated_gzip_is_an_error() {
        let mut data = gzip("a long enough text to compress ".repeat(100).as_bytes());
        data.truncate(data.len() / 2);
        let err = decode(Path::new("cut.gz"), data, &ReadConfig::default()).unwrap_err();
        assert!(matches!(err, ReadError::Gzip(_)), "{err}");
    }

    #[test]
    fn binary_junk_is_not_text() {
        let junk: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0])
            .collect();
        let loaded = decode(Path::new("junk.bin"), junk, &ReadConfig::default()).unwrap();
        assert_eq!(loaded.format, Format::Binary);
        assert!(loaded.document().text.is_none());
    }

    #[test]
    fn empty_file_is_an_error() {
        assert!(matches!(
            decode(Path::new("e.txt"), Vec::new(), &ReadConfig::default()),
            Err(ReadError::Empty)
        ));
    }
}
