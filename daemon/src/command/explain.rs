//! `docnorm explain FILE`: shows how the chain reads a document, line by line — kept in the
//! body, used as title, standfirst, author, date or teaser, or removed and why — as the first
//! plugin of the chain that explains itself tells it (see `Plugin::explain`; the text plugin
//! does for page copies, the html plugin block by block for web pages), followed by the
//! fields of the record the whole chain makes. This is how users and developers debug the
//! heuristics.
//!
//! The file is read exactly as the pipeline reads it (size limits, decompression, decoding);
//! every piece of document text is printed escaped, since it is untrusted.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use docnorm_plugin_api::{Explanation, Record};

use super::{EX_CONFIG, fatal};
use crate::config::Config;
use crate::logging::Escaped;
use crate::pipeline::Pipeline;
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
    /// Config file (YAML), for the chain and the read limits; the embedded defaults when
    /// omitted.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// The document to explain.
    pub file: PathBuf,
}

/// Runs `docnorm explain`, writing the explanation to `out`.
pub fn run(args: &Args, out: &mut dyn Write) -> u8 {
    let pipeline = match Config::load_or_default(args.config.as_deref())
        .map_err(anyhow::Error::from)
        .and_then(|config| Ok((Pipeline::new(&config)?, config)))
    {
        Ok(built) => built,
        Err(err) => return fatal(&err, EX_CONFIG),
    };
    let (pipeline, config) = pipeline;
    let loaded = match read_file(&args.file, &config.read)
        .with_context(|| format!("{}: cannot read", args.file.display()))
    {
        Ok(loaded) => loaded,
        Err(err) => return fatal(&err, 1),
    };
    let doc = loaded.document();
    let explained = pipeline
        .plugins()
        .find_map(|plugin| Some((plugin.manifest().name.clone(), plugin.explain(&doc)?)));
    let record = pipeline.process(&args.file).into_iter().next();
    let written = write_explanation(&doc.format.to_string(), explained.as_ref(), record, out)
        .with_context(|| format!("{}: cannot write the explanation", args.file.display()));
    match written {
        Ok(()) => 0,
        Err(err) => fatal(&err, 1),
    }
}

fn write_explanation(
    format: &str,
    explained: Option<&(String, Explanation)>,
    record: Option<Result<Record, crate::pipeline::DocError>>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match explained {
        Some((plugin, explanation)) => {
            writeln!(out, "{plugin} plugin, line by line:")?;
            for line in &explanation.lines {
                let role = match &line.reason {
                    Some(reason) => format!("{} ({reason})", line.role),
                    None => line.role.clone(),
                };
                if role.is_empty() {
                    writeln!(out, "{:>5}", line.number)?;
                } else {
                    writeln!(out, "{:>5}  {role}  {}", line.number, Escaped(&line.text))?;
                }
            }
        }
        None => writeln!(
            out,
            "no plugin of the chain explains a document sniffed as {format} line by line"
        )?,
    }
    writeln!(out)?;
    let record = match record {
        Some(Ok(record)) => record,
        Some(Err(err)) => return writeln!(out, "no record: {}", Escaped(&err.to_string())),
        None => return writeln!(out, "no record"),
    };
    let field = |out: &mut dyn Write, name: &str, value: Option<&str>| {
        writeln!(out, "{name}: {}", Escaped(value.unwrap_or("(none)")))
    };
    field(out, "title", record.title.as_deref())?;
    field(out, "subtitle", record.subtitle.as_deref())?;
    let authors: Vec<&str> = record.authors.iter().map(|a| a.name.as_str()).collect();
    let authors = authors.join(", ");
    field(
        out,
        "authors",
        (!authors.is_empty()).then_some(authors.as_str()),
    )?;
    field(out, "published", record.published.as_deref())?;
    field(out, "updated", record.updated.as_deref())?;
    field(
        out,
        "publisher",
        record.publisher.as_ref().map(|p| p.name.as_str()),
    )?;
    for teaser in &record.related {
        field(out, "related", Some(teaser.title.as_str()))?;
    }
    for warning in &record.warnings {
        field(out, "warning", Some(warning.as_str()))?;
    }
    writeln!(
        out,
        "body: {} paragraphs, {} bytes",
        record.stats.paragraphs,
        record.body.len()
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
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.txt");
        std::fs::write(&path, text).unwrap();
        let args = Args {
            config: None,
            file: path,
        };
        let mut out = Vec::new();
        assert_eq!(run(&args, &mut out), 0);
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("text plugin, line by line:"), "{out}");
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
        assert!(
            out.contains("\n    2\n"),
            "a blank line shows its number alone: {out}"
        );
        assert!(out.contains("authors: Jane Doe"), "{out}");
        assert!(!out.contains('\u{1b}'), "escape sequences are escaped");
    }

    #[test]
    fn an_html_page_is_explained_block_by_block_without_markup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.html");
        std::fs::write(
            &path,
            "<html><head><title>Floods</title></head><body><nav>Home News</nav><article><p>The \
             river burst its banks on Monday night and flooded the streets of the old town.</p>\
             </article></body></html>",
        )
        .unwrap();
        let out = explain(path);
        assert!(out.starts_with("html plugin, line by line:"), "{out}");
        assert!(out.contains("removed (<nav> block)  Home News"), "{out}");
        assert!(out.contains("kept  The river burst its banks"), "{out}");
        assert!(out.contains("title: Floods"), "{out}");
        assert!(!out.contains("<p>"), "no raw markup: {out}");
    }

    #[test]
    fn a_document_no_plugin_explains_says_so_and_still_shows_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        std::fs::write(
            &path,
            r#"{"title": "Floods", "body": "The river burst its banks."}"#,
        )
        .unwrap();
        let out = explain(path);
        assert!(
            out.starts_with("no plugin of the chain explains a document sniffed as json"),
            "{out}"
        );
        assert!(out.contains("body: "), "{out}");
    }

    fn explain(file: PathBuf) -> String {
        let args = Args { config: None, file };
        let mut out = Vec::new();
        assert_eq!(run(&args, &mut out), 0);
        String::from_utf8(out).unwrap()
    }
}
