//! `docnorm explain FILE`: shows what the `text` plugin's heuristics make of a page copy, line
//! by line — kept in the body, used as title, standfirst, author, date or teaser, or removed
//! and why — followed by the fields it read. This is how users and developers debug the
//! heuristics.
//!
//! The file is read exactly as the pipeline reads it (size limits, decompression, decoding);
//! every piece of document text is printed escaped, since it is untrusted.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use docnorm_plugin_api::Format;
use docnorm_text::{Analysis, Fate};

use super::{EX_CONFIG, fatal};
use crate::config::Config;
use crate::logging::Escaped;
use crate::read::read_file;

/// The exit codes of `docnorm explain`, as `--help` lists them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0   success
  1   the file cannot be read or is not text, or the explanation could not be written
  2   usage error
  78  bad config (EX_CONFIG)";

/// Arguments of `docnorm explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Config file (YAML), for the read limits; the embedded defaults when omitted.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// The document to explain.
    pub file: PathBuf,
}

/// Runs `docnorm explain`, writing the explanation to `out`.
pub fn run(args: &Args, out: &mut dyn Write) -> u8 {
    let config = match Config::load_or_default(args.config.as_deref()) {
        Ok(config) => config,
        Err(err) => return fatal(&anyhow::Error::from(err), EX_CONFIG),
    };
    let loaded = match read_file(&args.file, &config.read)
        .with_context(|| format!("{}: cannot read", args.file.display()))
    {
        Ok(loaded) => loaded,
        Err(err) => return fatal(&err, 1),
    };
    let doc = loaded.document();
    let Some(text) = doc.text else {
        let err = anyhow::anyhow!(
            "{}: plugin text: not a text document (sniffed as {})",
            args.file.display(),
            doc.format
        );
        return fatal(&err, 1);
    };
    let analysis = docnorm_text::analyze(text);
    let written = write_explanation(doc.format, &analysis, out)
        .with_context(|| format!("{}: cannot write the explanation", args.file.display()));
    match written {
        Ok(()) => 0,
        Err(err) => fatal(&err, 1),
    }
}

fn write_explanation(
    format: Format,
    analysis: &Analysis<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if format != Format::Text {
        writeln!(
            out,
            "note: sniffed as {format}; in the pipeline the text plugin declines it"
        )?;
    }
    for line in &analysis.lines {
        match line.fate {
            Fate::Blank => writeln!(out, "{:>5}", line.number)?,
            Fate::Removed(reason) => writeln!(
                out,
                "{:>5}  removed ({})  {}",
                line.number,
                reason.as_str(),
                Escaped(line.text)
            )?,
            fate => writeln!(
                out,
                "{:>5}  {}  {}",
                line.number,
                fate.label(),
                Escaped(line.text)
            )?,
        }
    }
    writeln!(out)?;
    let field = |out: &mut dyn Write, name: &str, value: Option<&str>| {
        writeln!(out, "{name}: {}", Escaped(value.unwrap_or("(none)")))
    };
    field(out, "title", analysis.title.as_deref())?;
    field(out, "subtitle", analysis.subtitle.as_deref())?;
    let authors: Vec<&str> = analysis.authors.iter().map(|a| a.name.as_str()).collect();
    let authors = authors.join(", ");
    field(
        out,
        "authors",
        (!authors.is_empty()).then_some(authors.as_str()),
    )?;
    field(out, "published", analysis.published.as_deref())?;
    field(out, "updated", analysis.updated.as_deref())?;
    field(out, "publisher", analysis.publisher.as_deref())?;
    for teaser in &analysis.related {
        field(out, "related", Some(teaser.title.as_str()))?;
    }
    for warning in &analysis.warnings {
        field(out, "warning", Some(warning.as_str()))?;
    }
    let paragraphs = analysis
        .lines
        .iter()
        .filter(|l| l.fate == Fate::Kept)
        .count();
    writeln!(
        out,
        "body: {paragraphs} paragraphs, {} bytes",
        analysis.body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_is_listed_with_its_fate() {
        let text = "Home\n\nRiver floods the old town\n\nBy Jane Doe\n\n\
            The river burst its banks on Monday night and flooded the streets of the old town.\n\
            Shop owners spent the morning clearing mud and counting the cost of the damage.\n\
            Evil \u{1b}[31m line\n";
        let analysis = docnorm_text::analyze(text);
        let mut out = Vec::new();
        write_explanation(Format::Text, &analysis, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("    3  title  River floods the old town"),
            "{out}"
        );
        assert!(out.contains("    5  author  By Jane Doe"), "{out}");
        assert!(out.contains("    7  kept  The river burst"), "{out}");
        assert!(
            out.contains("    1  removed (outside the article)  Home"),
            "{out}"
        );
        assert!(out.contains("authors: Jane Doe"), "{out}");
        assert!(!out.contains('\u{1b}'), "escape sequences are escaped");
    }
}
