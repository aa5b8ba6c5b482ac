//! End-to-end tests of the `html` plugin through the read stage (issue 6): pages as they sit
//! on disk, in a legacy encoding or gzipped, become records with their text and metadata.

mod util;

use std::io::Write;

use flate2::{Compression, write::GzEncoder};
use util::record_of;

/// Article paragraphs long enough for the content extraction to take them as the article.
const PARAGRAPHS: &str = "<p>The harbour closed on Tuesday after a storm brought heavy rain and \
    strong winds to the coast, flooding streets near the sea front and cutting power.</p>\
    <p>Officials said the water would take several days to recede, and asked residents to stay \
    away from the sea wall while engineers inspected the damage done overnight.</p>";

#[test]
fn a_windows_1252_page_declaring_its_charset_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.html");
    let mut bytes: Vec<u8> = b"<html><head><meta charset=\"windows-1252\">\
        <title>Caf\xe9 owners \x93relieved\x94 | Le Quotidien</title>\
        <meta property=\"og:site_name\" content=\"Le Quotidien\"></head><body><article>\
        <p>Le caf\xe9 a rouvert ses portes \x96 enfin.</p>"
        .to_vec();
    bytes.extend_from_slice(PARAGRAPHS.as_bytes());
    bytes.extend_from_slice(b"</article></body></html>");
    std::fs::write(&path, bytes).unwrap();
    let record = record_of(&path);
    assert_eq!(record["source"]["encoding"], "windows-1252");
    assert_eq!(record["title"], "Caf\u{e9} owners \u{201c}relieved\u{201d}");
    let body = record["body"].as_str().unwrap();
    assert!(
        body.contains("Le caf\u{e9} a rouvert ses portes \u{2013} enfin."),
        "{body}"
    );
}

#[test]
fn a_gzipped_page_is_read_as_html() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.html.gz");
    let html = format!(
        "<!DOCTYPE html><html lang=\"en-US\"><head><title>Storm closes the harbour</title>\
         <meta name=\"author\" content=\"Lois Lane\"></head>\
         <body><article>{PARAGRAPHS}</article></body></html>"
    );
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(html.as_bytes()).unwrap();
    std::fs::write(&path, encoder.finish().unwrap()).unwrap();
    let record = record_of(&path);
    assert_eq!(record["source"]["format"], "html");
    assert_eq!(record["title"], "Storm closes the harbour");
    assert_eq!(record["authors"][0]["name"], "Lois Lane");
    assert_eq!(record["language"], "en");
    assert!(
        record["body"]
            .as_str()
            .unwrap()
            .starts_with("The harbour closed on Tuesday")
    );
}

/// Issue 19: the parser's remarks about the markup ("foster parenting not implemented" for
/// text inside a table) are debug messages, not warnings on stderr.
#[test]
fn parser_remarks_are_not_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.html");
    let html = format!(
        "<html><head><title>Tables</title></head><body><table>stray text<tr><td>cell</td></tr>\
         </table><article>{PARAGRAPHS}</article></body></html>"
    );
    std::fs::write(&path, html).unwrap();
    let out = dir.path().join("out");
    let run = util::docnorm()
        .env_remove("RUST_LOG")
        .env_remove("DOCNORM_LOG")
        .arg("process")
        .arg("--output")
        .arg(&out)
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(!stderr.contains("foster parenting"), "{stderr}");
    let debug = util::docnorm()
        .env("DOCNORM_LOG", "debug")
        .arg("process")
        .arg("--output")
        .arg(dir.path().join("out2"))
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&debug.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("foster parenting"))
        .unwrap_or_else(|| panic!("no parser remark at debug level: {stderr}"));
    assert!(line.contains("DEBUG"), "{line}");
}

/// Issue 19: soft hyphens, zero-width spaces, word joiners and byte-order marks are removed
/// from every text field of an HTML page's record.
#[test]
fn invisible_characters_are_removed_from_every_text_field() {
    let record = record_of(&util::fixture("html/invisible_characters.html"));
    assert_eq!(record["title"], "Harbourside flooding closes the ferry");
    let body = record["body"].as_str().unwrap();
    assert!(body.contains("The harbourside closed"), "{body}");
    assert!(body.contains("asked residents"), "{body}");
    let text = record.to_string();
    for invisible in ['\u{ad}', '\u{200b}', '\u{2060}', '\u{feff}'] {
        assert!(!text.contains(invisible), "{invisible:?} left in {text}");
    }
}

/// Issue 19: the blocks the HTML plugin removes are in `provenance.removed` with why, and
/// `docnorm explain` lists the blocks kept and removed.
#[test]
fn removed_blocks_are_recorded_and_explained() {
    let path = util::fixture("html/furniture_blocks.html");
    let record = record_of(&path);
    let removed: Vec<(String, String, String)> = record["provenance"]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let field = |k: &str| r[k].as_str().unwrap().to_owned();
            (field("text"), field("reason"), field("plugin"))
        })
        .collect();
    let has = |text: &str, reason: &str| {
        removed
            .iter()
            .any(|(t, r, p)| t == text && r == reason && p == "html")
    };
    assert!(has("Home News Sport", "<nav> block"), "{removed:?}");
    assert!(
        has("Share on Twitter", "class or id `share`"),
        "{removed:?}"
    );
    assert!(
        has("This story has an older version.", "hidden block"),
        "{removed:?}"
    );
    assert!(
        has("Copyright The Daily Planet", "<footer> block"),
        "{removed:?}"
    );
    assert!(has("Advertisement", "label"), "{removed:?}");
    let body = record["body"].as_str().unwrap();
    assert!(
        !body.contains("Most read") && !body.contains("Advertisement"),
        "{body}"
    );

    let out = util::docnorm().arg("explain").arg(&path).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("html plugin, line by line:"), "{text}");
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not in {text}"))
    };
    assert!(text.contains("title  Storm closes the harbour"), "{text}");
    assert!(
        text.contains("removed (<nav> block)  Home News Sport"),
        "{text}"
    );
    assert!(
        text.contains("kept  The harbour closed on Tuesday"),
        "{text}"
    );
    assert!(text.contains("removed (label)  Advertisement"), "{text}");
    // The line removed from the article sits between the paragraphs around it.
    assert!(line_of("kept  The harbour closed") < line_of("removed (label)  Advertisement"));
    assert!(line_of("removed (label)  Advertisement") < line_of("kept  Officials said"));
}
