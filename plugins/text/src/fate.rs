//! What becomes of each line of a page copy: kept in the body, taken for a header field, or
//! removed with a [`Reason`] that `provenance.removed` and `docnorm explain` show.

/// Why a line was left out of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// Before or after the article's run of prose: menus, footers, sidebars.
    OutsideArticle,
    /// Page chrome: subscribe, share, sign in, cookies and the like.
    Chrome,
    /// A promotion addressing the reader, next to other chrome.
    Promotion,
    /// The same line occurs more than once in the page.
    Repeated,
    /// A copyright or rights line.
    Copyright,
    /// A photo caption or credit.
    Credit,
    /// A line of punctuation only.
    Separator,
    /// A short line (label, menu entry, heading) not between paragraphs.
    Short,
    /// A list item that is not part of the prose.
    ListItem,
}

impl Reason {
    /// The reason as written to `provenance.removed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OutsideArticle => "outside the article",
            Self::Chrome => "page chrome",
            Self::Promotion => "promotion",
            Self::Repeated => "repeated line",
            Self::Copyright => "copyright line",
            Self::Credit => "caption or credit",
            Self::Separator => "separator",
            Self::Short => "short line outside the prose",
            Self::ListItem => "list item outside the prose",
        }
    }
}

/// What became of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fate {
    /// An empty line.
    Blank,
    /// Part of the body.
    Kept,
    /// The headline.
    Title,
    /// The standfirst.
    Subtitle,
    /// A byline, a name line or an author bio.
    Author,
    /// The date line.
    Date,
    /// Part of a teaser for another article.
    Related,
    /// Left out, for this reason.
    Removed(Reason),
}

impl Fate {
    /// A short label for `docnorm explain`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Blank => "blank",
            Self::Kept => "kept",
            Self::Title => "title",
            Self::Subtitle => "subtitle",
            Self::Author => "author",
            Self::Date => "date",
            Self::Related => "related",
            Self::Removed(_) => "removed",
        }
    }
}

/// One line of the document and its fate.
#[derive(Debug, Clone)]
pub struct LineFate<'a> {
    /// The line number, from 1.
    pub number: usize,
    /// The line without surrounding whitespace.
    pub text: &'a str,
    /// What became of it.
    pub fate: Fate,
}
