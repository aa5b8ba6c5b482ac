//! Markdown to plain text: the words a reader sees, paragraphs separated by a blank line.
//!
//! Headings, paragraphs, block quotes and code blocks become paragraphs; emphasis and links
//! become their text; list items and table rows become lines of one paragraph; images and raw
//! HTML tags (including comments such as `<!--more-->`) leave nothing behind, though the text
//! inside an HTML block is kept, its block elements as paragraphs (see [`crate::html`]).
//! A level-1 heading that opens the document is set apart: it is usually the title.

use docnorm_plugin_api::deadline::Ticker;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A Markdown document as plain text.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Rendered {
    /// The text of the level-1 heading the document opens with, if it does.
    pub heading: Option<String>,
    /// The rest: paragraphs separated by a blank line.
    pub text: String,
}

/// The plain text of the Markdown `text`.
pub(crate) fn render(text: &str) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let mut out = Renderer::default();
    let mut ticker = Ticker::default();
    for event in Parser::new_ext(text, options) {
        if ticker.expired() {
            // Past the plugin call's time limit: the plugin reports it, this is dropped.
            break;
        }
        out.event(event);
    }
    out.flush();
    Rendered {
        heading: out.heading,
        text: out.text,
    }
}

/// The text built so far and the state of the block being read.
#[derive(Default)]
struct Renderer {
    /// The opening level-1 heading, once read.
    heading: Option<String>,
    /// Reading the opening level-1 heading.
    in_heading: bool,
    /// Finished blocks.
    text: String,
    /// The block being read.
    line: String,
    /// Raw HTML of the HTML block being read.
    html: String,
    /// Nesting of lists and tables, whose items and rows are lines of one paragraph.
    lines_depth: usize,
    /// Which list or table the current lines belong to.
    group: usize,
    /// The group of the last block written, when it was a line of a list or table.
    last_group: Option<usize>,
    /// Nesting of images, whose alt text is left out.
    image_depth: usize,
    /// Nesting of block quotes and footnote definitions: a heading inside one is no title.
    quote_depth: usize,
    /// Cells already in the current table row.
    cells: usize,
    /// Inside a code block, whose spacing is kept as written.
    code: bool,
}

impl Renderer {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(&tag),
            Event::End(tag) => self.end(tag),
            Event::Text(s) | Event::Code(s) if self.image_depth == 0 => self.line.push_str(&s),
            Event::Html(s) => self.html.push_str(&s),
            Event::SoftBreak if self.image_depth == 0 => self.line.push(' '),
            Event::HardBreak if self.image_depth == 0 => self.line.push('\n'),
            Event::Rule => self.flush(),
            _ => {}
        }
    }

    fn start(&mut self, tag: &Tag<'_>) {
        match tag {
            Tag::List(_) | Tag::Table(_) => {
                self.flush();
                if self.lines_depth == 0 {
                    self.group += 1;
                }
                self.lines_depth += 1;
            }
            Tag::TableHead | Tag::TableRow => {
                self.flush();
                self.cells = 0;
            }
            Tag::TableCell => {
                if self.cells > 0 {
                    self.line.push_str(" | ");
                }
                self.cells += 1;
            }
            Tag::Heading {
                level: HeadingLevel::H1,
                ..
            } => {
                self.flush();
                // Only the document's first block is its title: not a heading after text, nor
                // one inside a list item or a block quote.
                self.in_heading = self.text.is_empty()
                    && self.heading.is_none()
                    && self.lines_depth == 0
                    && self.quote_depth == 0;
            }
            Tag::Image { .. } => self.image_depth += 1,
            Tag::CodeBlock(_) => {
                self.flush();
                self.code = true;
            }
            Tag::BlockQuote(_) | Tag::FootnoteDefinition(_) => {
                self.flush();
                self.quote_depth += 1;
            }
            Tag::Paragraph | Tag::Heading { .. } | Tag::HtmlBlock | Tag::Item => self.flush(),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::List(_) | TagEnd::Table => {
                self.flush();
                self.lines_depth = self.lines_depth.saturating_sub(1);
            }
            TagEnd::Heading(_) if self.in_heading => {
                self.in_heading = false;
                let heading = collapse_spaces(&self.line).trim().to_owned();
                self.line.clear();
                self.heading = Some(heading).filter(|h| !h.is_empty());
            }
            TagEnd::Image => self.image_depth = self.image_depth.saturating_sub(1),
            TagEnd::CodeBlock => {
                self.flush();
                self.code = false;
            }
            TagEnd::HtmlBlock => {
                let html = std::mem::take(&mut self.html);
                self.line.push_str(&crate::html::to_text(&html));
                self.flush();
            }
            TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition => {
                self.flush();
                self.quote_depth = self.quote_depth.saturating_sub(1);
            }
            TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::Item
            | TagEnd::TableHead
            | TagEnd::TableRow => self.flush(),
            _ => {}
        }
    }

    /// Ends the current block: a line of the current list or table, or a paragraph.
    fn flush(&mut self) {
        if !self.code {
            // Removed markup (an inline comment, an image) leaves doubled spaces behind.
            self.line = collapse_spaces(&self.line);
        }
        let block = self.line.trim_matches('\n').trim_end();
        let block = block.trim_start_matches([' ', '\t']);
        if !block.is_empty() {
            let group = (self.lines_depth > 0).then_some(self.group);
            if !self.text.is_empty() {
                let same_list = group.is_some() && group == self.last_group;
                self.text.push_str(if same_list { "\n" } else { "\n\n" });
            }
            self.text.push_str(block);
            self.last_group = group;
        }
        self.line.clear();
    }
}

/// `text` with each run of spaces and tabs written as one space.
fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c == ' ' || c == '\t' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Rendered, render};

    fn to_text(md: &str) -> String {
        let rendered = render(md);
        assert_eq!(rendered.heading, None, "{md}");
        rendered.text
    }

    #[test]
    fn inline_markup_becomes_its_text() {
        let md = "## A *big* heading\n\nSome **bold** and [a link](https://x.invalid) and `code`.\nSame paragraph.\n\n![alt text](img.png)\n\nLast.";
        assert_eq!(
            to_text(md),
            "A big heading\n\nSome bold and a link and code. Same paragraph.\n\nLast."
        );
    }

    #[test]
    fn lists_are_lines_of_one_paragraph() {
        let md = "Intro:\n\n- one\n- two\n  - nested\n\n1. first\n\n2. second\n\nAfter.";
        assert_eq!(
            to_text(md),
            "Intro:\n\none\ntwo\nnested\n\nfirst\nsecond\n\nAfter."
        );
    }

    #[test]
    fn html_comments_and_tags_leave_nothing() {
        let md = "Teaser text.\n\n<!--more-->\n\nRest <span>inline</span> here.\n\n<div class=\"x\">\nBlock text\n</div>\n\n<p>One &amp; only.</p>\n<p>Two.</p>\n";
        assert_eq!(
            to_text(md),
            "Teaser text.\n\nRest inline here.\n\nBlock text\n\nOne & only.\n\nTwo."
        );
    }

    #[test]
    fn code_blocks_and_quotes_are_paragraphs() {
        let md = "> quoted\n> words\n\n```\nlet x = 1;\nlet y = 2;\n```\n";
        assert_eq!(to_text(md), "quoted words\n\nlet x = 1;\nlet y = 2;");
    }

    /// Nesting that would overflow a recursive renderer, run on a test thread's small stack.
    #[test]
    fn pathological_nesting_is_rendered_without_overflow() {
        let quotes = format!("{}deep", "> ".repeat(50_000));
        assert_eq!(to_text(&quotes), "deep");
        let lists = format!("{}item", "- ".repeat(20_000));
        assert_eq!(to_text(&lists), "item");
        let brackets = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(to_text(&brackets).len(), 200_000);
        let stars = "*a".repeat(50_000);
        assert!(to_text(&stars).contains('a'));
    }

    #[test]
    fn empty_input_gives_empty_text() {
        assert_eq!(to_text(""), "");
        assert_eq!(to_text("\n\n  \n"), "");
    }

    #[test]
    fn an_opening_level_one_heading_is_set_apart() {
        assert_eq!(
            render("<!-- draft -->\n\n# The *real* title\n\nBody.\n\n# Another\n"),
            Rendered {
                heading: Some("The real title".to_owned()),
                text: "Body.\n\nAnother".to_owned(),
            }
        );
        assert_eq!(
            render("Title\n=====\n\nBody.").heading.as_deref(),
            Some("Title")
        );
        assert_eq!(
            to_text("Intro.\n\n# Later heading\n"),
            "Intro.\n\nLater heading"
        );
    }

    #[test]
    fn a_heading_inside_a_list_item_or_quote_is_no_title() {
        assert_eq!(to_text("- intro\n  # Heading\n"), "intro\nHeading");
        assert_eq!(to_text("- # Heading\n- two\n"), "Heading\ntwo");
        assert_eq!(to_text("> # Quoted\n>\n> Words.\n"), "Quoted\n\nWords.");
        assert_eq!(
            render("> Quote.\n\n# Title\n").heading,
            None,
            "a heading after a quote is not the first block"
        );
    }
}
