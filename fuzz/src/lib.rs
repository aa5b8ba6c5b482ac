//! Fuzz targets for docnorm's parsers, one per parser, run with `cargo fuzz` on stable Rust
//! (`--sanitizer none`). Each takes arbitrary bytes, the first of which picks a variant (a
//! file name, a format), and checks what must hold for any input:
//!
//! - `read`: the read stage (gzip, charset sniffing and decoding, line ends) and the format
//!   sniffer, then the JSON Lines / JSON list splitter: text comes out as UTF-8 without a
//!   carriage return;
//! - `frontmatter`, `html`, `text`: the built-in plugin through a chain of its own, as in the
//!   daemon: no panic (libfuzzer-sys aborts on any panic, even one the chain would catch), and
//!   no patch that the chain rejects, since a built-in plugin must keep to its manifest.
//!
//! The seed inputs in `fuzz/seeds/<target>/` follow the same layout (a leading byte for `read`
//! and `frontmatter`). Every target must also stay within libFuzzer's time and memory limits. A crash found here
//! becomes a regression test in the crate that owns the parser.

use std::path::Path;

use docnorm::read::{ReadConfig, decode};
use docnorm::split;
use docnorm_plugin_api::{Chain, ChainError, Document, Format, Plugin, Source};

/// The names a `read` input may carry: the sniffer uses the name when the content leaves the
/// format open, and `.gz` is tried as gzip.
const NAMES: [&str; 8] = [
    "doc.txt",
    "doc.html",
    "doc.md",
    "doc.json",
    "doc.jsonl",
    "doc.txt.gz",
    "doc",
    "doc.xml",
];

/// The read stage, the sniffer and the splitter over one file's bytes.
pub fn read(data: &[u8]) {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let limits = ReadConfig {
        max_decompressed_bytes: 1 << 20,
        ..ReadConfig::default()
    };
    let Ok(loaded) = decode(Path::new(name), content.to_vec(), &limits) else {
        return;
    };
    let doc = loaded.document();
    if !loaded.is_text {
        assert_eq!(doc.format, Format::Binary, "content that is not text");
        return;
    }
    let text = doc.text.expect("decoded content is UTF-8");
    assert!(!text.contains('\r'), "line ends are folded to \\n");
    let _ = split::parts(text, doc.format);
}

/// The `frontmatter` plugin over text taken as front matter, JSON, JSON Lines or Markdown.
pub fn frontmatter(data: &[u8]) {
    let formats = [
        Format::Frontmatter,
        Format::Json,
        Format::Jsonl,
        Format::Markdown,
    ];
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let plugin = docnorm_frontmatter::FrontmatterConfig::default()
        .build()
        .expect("the default config is valid");
    run(
        Box::new(plugin),
        formats[usize::from(pick) % formats.len()],
        content,
    );
}

/// The `html` plugin over a page.
pub fn html(data: &[u8]) {
    let plugin = docnorm_html::HtmlConfig::default()
        .build()
        .expect("the default config is valid");
    run(Box::new(plugin), Format::Html, data);
}

/// The `text` plugin over a page copy.
pub fn text(data: &[u8]) {
    let plugin = docnorm_text::TextConfig::default()
        .build()
        .expect("the default config is valid");
    run(Box::new(plugin), Format::Text, data);
}

/// Runs `plugin` alone in a chain over `content` (made UTF-8, as the read stage would) sniffed
/// as `format`; a rejected patch is a bug of the plugin.
fn run(plugin: Box<dyn Plugin>, format: Format, content: &[u8]) {
    let text = String::from_utf8_lossy(content);
    let source = Source {
        path: "fuzz".to_owned(),
        name: "fuzz".to_owned(),
        format,
        ..Source::default()
    };
    let doc = Document {
        path: "fuzz",
        bytes: text.as_bytes(),
        text: Some(&text),
        format,
        source: &source,
    };
    let chain = Chain::new(vec![plugin]).expect("a built-in manifest is valid");
    if let Err(err @ ChainError::Patch { .. }) = chain.run(&doc) {
        panic!("{err}");
    }
}
