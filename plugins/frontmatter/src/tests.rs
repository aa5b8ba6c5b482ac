//! Behaviour of the `frontmatter` plugin as a user sees it: small hand-written documents run
//! through a chain holding only this plugin, checked field by field.

use std::fmt::Write;

use docnorm_plugin_api::{
    Chain, ChainError, Document, EMPTY_BODY_WARNING, Format, Outcome, Plugin, Record,
};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::FrontmatterConfig;

/// A YAML alias bomb: nine levels, each a list of nine aliases of the level below, which
/// would expand to 9⁹ (387 million) strings.
pub(crate) fn alias_bomb() -> String {
    let mut yaml = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (below, level) in ('a'..='h').zip('b'..='i') {
        let aliases = vec![format!("*{below}"); 9].join(",");
        writeln!(yaml, "{level}: &{level} [{aliases}]").unwrap();
    }
    yaml
}

fn run(text: &str, format: Format) -> Result<Record, ChainError> {
    let plugin = FrontmatterConfig::default().build().unwrap();
    let chain = Chain::new(vec![Box::new(plugin)]).unwrap();
    chain.run(&Document::for_text("doc.md", text).with_format(format))
}

fn front(text: &str) -> Record {
    run(text, Format::Frontmatter).unwrap()
}

fn names(record: &Record) -> Vec<&str> {
    record.authors.iter().map(|a| a.name.as_str()).collect()
}

// Acceptance 2 of issue 4, point by point.

#[test]
fn toml_front_matter_with_a_native_datetime_at_plus_two() {
    let record = front(
        "+++\ntitle = \"Release notes\"\ndate = 2023-05-01T10:00:00+02:00\ntags = [\"rust\"]\n\
         [params]\nweight = 3\n+++\n\nThe *body*.\n",
    );
    assert_eq!(record.title.as_deref(), Some("Release notes"));
    assert_eq!(record.published.as_deref(), Some("2023-05-01T08:00:00Z"));
    assert_eq!(record.topics, ["rust"]);
    assert_eq!(record.extra["params"], json!({"weight": 3}));
    assert_eq!(record.body, "The body.");
}

#[test]
fn jekyll_style_yaml_date_with_offset() {
    let record = front("---\nlayout: post\ndate: 2022-11-30 14:05:00 -0500\n---\nHi\n");
    assert_eq!(record.published.as_deref(), Some("2022-11-30T19:05:00Z"));
    assert_eq!(record.extra["layout"], "post");
}

#[test]
fn quoted_title_with_colon_space() {
    let record = front("---\ntitle: \"Rust: a language: for everyone\"\n---\n");
    assert_eq!(
        record.title.as_deref(),
        Some("Rust: a language: for everyone")
    );
}

#[test]
fn author_as_string_list_and_object() {
    let record = front("---\ntitle: T\nauthor: By Jane Doe\n---\n");
    assert_eq!(names(&record), ["Jane Doe"]);

    let record = front("---\ntitle: T\nauthors:\n  - Jane Doe\n  - by John Roe\n---\n");
    assert_eq!(names(&record), ["Jane Doe", "John Roe"]);

    let record = front(
        "---\ntitle: T\nauthor:\n  name: Jane Doe\n  url: https://example.org/jane\n  twitter: \"@jane\"\n---\n",
    );
    assert_eq!(names(&record), ["Jane Doe"]);
    assert_eq!(
        record.authors[0].url.as_deref(),
        Some("https://example.org/jane")
    );
    // The part of the author the record has no place for is kept.
    assert_eq!(record.extra["author"], json!({"twitter": "@jane"}));

    let record = front(
        "---\ntitle: T\nauthors:\n  - name: Jane Doe\n  - name: John Roe\n    bio: Writes.\n---\n",
    );
    assert_eq!(names(&record), ["Jane Doe", "John Roe"]);
    assert_eq!(record.authors[1].bio.as_deref(), Some("Writes."));
    assert!(!record.extra.contains_key("authors"));
}

#[test]
fn keywords_as_a_comma_separated_string() {
    let record = front("---\ntitle: T\nkeywords: \"economy, trade ,  , tariffs\"\n---\n");
    assert_eq!(record.topics, ["economy", "trade", "tariffs"]);
}

#[test]
fn json_front_matter_block() {
    let record = front(
        "{\n  \"title\": \"From JSON\",\n  \"date\": \"2024-02-03\",\n  \"draft\": false\n}\n\nBody *text*.\n",
    );
    assert_eq!(record.title.as_deref(), Some("From JSON"));
    assert_eq!(record.published.as_deref(), Some("2024-02-03"));
    assert_eq!(record.extra["draft"], false);
    assert_eq!(record.body, "Body text.");
}

#[test]
fn schema_org_news_article_json_file() {
    let article = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Markets rally",
        "alternativeHeadline": "Stocks rise for a third day",
        "articleBody": "First paragraph.\n\nSecond paragraph.\n",
        "datePublished": "2024-03-01T09:30:00+01:00",
        "dateModified": "2024-03-01T12:00:00+01:00",
        "author": [
            {"@type": "Person", "name": "Jane Doe", "url": "https://news.example/jane"},
            {"@type": "Person", "name": "John Roe"}
        ],
        "publisher": {"@type": "Organization", "name": "Example News", "url": "https://www.news.example/"},
        "keywords": ["markets", "stocks"],
        "image": {"@type": "ImageObject", "url": "https://news.example/a.jpg", "width": 1200, "height": "675"},
        "inLanguage": "en-GB",
        "mainEntityOfPage": "https://news.example/markets"
    });
    let record = run(&article.to_string(), Format::Json).unwrap();
    assert_eq!(record.title.as_deref(), Some("Markets rally"));
    assert_eq!(
        record.subtitle.as_deref(),
        Some("Stocks rise for a third day")
    );
    assert_eq!(record.body, "First paragraph.\n\nSecond paragraph.");
    assert_eq!(record.published.as_deref(), Some("2024-03-01T08:30:00Z"));
    assert_eq!(record.updated.as_deref(), Some("2024-03-01T11:00:00Z"));
    assert_eq!(names(&record), ["Jane Doe", "John Roe"]);
    let publisher = record.publisher.as_ref().unwrap();
    assert_eq!(publisher.name, "Example News");
    assert_eq!(publisher.domain.as_deref(), Some("news.example"));
    assert_eq!(record.topics, ["markets", "stocks"]);
    assert_eq!(record.images[0].url, "https://news.example/a.jpg");
    assert_eq!(record.images[0].width, Some(1200));
    assert_eq!(record.images[0].height, Some(675));
    assert_eq!(record.language.as_deref(), Some("en"));
    assert_eq!(record.extra["@type"], "NewsArticle");
    assert_eq!(
        record.extra["mainEntityOfPage"],
        "https://news.example/markets"
    );
    assert_eq!(
        record.extra["author"],
        json!([{"@type": "Person"}, {"@type": "Person"}])
    );
    assert_eq!(record.extra["publisher"], json!({"@type": "Organization"}));
}

#[test]
fn unknown_nested_key_kept_in_extra() {
    let record = front(
        "---\ntitle: T\nseo:\n  robots: [noindex, nofollow]\n  meta:\n    og: {type: article}\n---\n",
    );
    assert_eq!(
        record.extra["seo"],
        json!({"robots": ["noindex", "nofollow"], "meta": {"og": {"type": "article"}}})
    );
}

// The seed 003 traps, in a small hand-written document.

#[test]
fn aggregator_front_matter_like_seed_003() {
    let record = front(
        r#"---
category: news
title: "A headline"
excerpt: "The excerpt.\n    \n"
publishedDateTime: 2021-04-13T17:10:59Z
originalUrl: "http://feeds.example/a"
webUrl: "http://feeds.example/a-web"
type: article
published: true
provider:
  name: Example
  domain: example.com
  images:
    - url: "https://example.com/logo.jpg"
topics:
  - Election
  - Democratic Voice
images:
  - url: "https://example.com/a.jpg"
    width: 1100
    height: 619
    isCached: true
related:
  - title: "Other story"
    excerpt: "Its teaser.\n"
    publishedDateTime: 2021-04-06T10:09:48Z
    webUrl: "http://feeds.example/b"
    type: article
  - "not an item"
---
"#,
    );
    assert_eq!(record.title.as_deref(), Some("A headline"));
    assert_eq!(record.summary.as_deref(), Some("The excerpt."));
    assert_eq!(record.published.as_deref(), Some("2021-04-13T17:10:59Z"));
    assert_eq!(record.url.as_deref(), Some("http://feeds.example/a"));
    let publisher = record.publisher.as_ref().unwrap();
    assert_eq!(
        (publisher.name.as_str(), publisher.domain.as_deref()),
        ("Example", Some("example.com"))
    );
    assert_eq!(record.topics, ["Election", "Democratic Voice"]);
    assert_eq!(
        (
            record.images[0].url.as_str(),
            record.images[0].width,
            record.images[0].height
        ),
        ("https://example.com/a.jpg", Some(1100), Some(619))
    );
    let related = &record.related[0];
    assert_eq!(related.title, "Other story");
    assert_eq!(related.summary.as_deref(), Some("Its teaser."));
    assert_eq!(related.url.as_deref(), Some("http://feeds.example/b"));
    assert_eq!(related.published.as_deref(), Some("2021-04-06T10:09:48Z"));
    assert_eq!(record.related.len(), 1);
    assert_eq!(record.body, "");
    // Nothing is dropped: the flag, the losing URL, unused parts of mapped values.
    assert_eq!(record.extra["published"], true);
    assert_eq!(record.extra["webUrl"], "http://feeds.example/a-web");
    assert_eq!(record.extra["category"], "news");
    assert_eq!(record.extra["type"], "article");
    assert_eq!(
        record.extra["provider"],
        json!({"images": [{"url": "https://example.com/logo.jpg"}]})
    );
    assert_eq!(record.extra["images"], json!([{"isCached": true}]));
    assert_eq!(
        record.extra["related"],
        json!([{"type": "article"}, "not an item"])
    );
    // Front matter alone: nothing but the host's note that the body is empty.
    assert_eq!(record.warnings, [EMPTY_BODY_WARNING]);
}

#[test]
fn the_highest_ranked_date_wins_and_the_others_stay() {
    let record = front(
        "---\ndate: 2020-01-01\npublishedDateTime: 2021-04-13T17:10:59Z\npubDate: Tue, 13 Apr 2021 17:10:59 GMT\n---\n",
    );
    assert_eq!(record.published.as_deref(), Some("2021-04-13T17:10:59Z"));
    assert_eq!(record.extra["date"], "2020-01-01");
    assert!(record.extra.contains_key("pubDate"));
}

#[test]
fn an_unparseable_date_is_kept_with_a_warning_and_the_next_key_wins() {
    let record = front("---\ndatePublished: next tuesday\ndate: 2020-01-01\n---\n");
    assert_eq!(record.published.as_deref(), Some("2020-01-01"));
    assert_eq!(record.extra["datePublished"], "next tuesday");
    assert_eq!(
        record.warnings,
        [
            "frontmatter: `datePublished`: unparseable date \"next tuesday\"; kept in extra",
            EMPTY_BODY_WARNING
        ]
    );
}

#[test]
fn unix_seconds_in_json_are_a_moment_in_utc() {
    let record = run(
        r#"{"title": "T", "body": "Text", "published": 1618333859, "updated": 2021}"#,
        Format::Json,
    )
    .unwrap();
    assert_eq!(record.published.as_deref(), Some("2021-04-13T17:10:59Z"));
    assert_eq!(record.updated, None);
    assert_eq!(record.extra["updated"], 2021);
    assert_eq!(
        record.warnings,
        ["frontmatter: `updated`: a number is not a date; kept in extra"]
    );
}

#[test]
fn a_value_of_the_wrong_shape_is_kept_with_a_warning() {
    let record = front("---\ntitle: T\nimages: 3\nlanguage: English\n---\n");
    assert!(record.images.is_empty());
    assert_eq!(record.extra["images"], 3);
    assert_eq!(record.extra["language"], "English");
    assert_eq!(record.language, None);
    assert_eq!(record.warnings.len(), 3, "{:?}", record.warnings);
    assert!(
        record
            .warnings
            .iter()
            .any(|w| w.contains("`images`: a number is not an image")),
        "{:?}",
        record.warnings
    );
}

#[test]
fn language_tags_become_iso_639_1() {
    assert_eq!(
        front("---\nlang: en-US\n---\n").language.as_deref(),
        Some("en")
    );
    assert_eq!(
        front("---\nlocale: pt_BR\n---\n").language.as_deref(),
        Some("pt")
    );
}

#[test]
fn publisher_from_a_name_or_an_object_with_a_url() {
    let record = front("---\nsite_name: The Paper\n---\n");
    assert_eq!(record.publisher.unwrap().name, "The Paper");
    let record =
        front("---\npublisher:\n  name: Paper\n  url: https://www.paper.example/about\n---\n");
    let publisher = record.publisher.unwrap();
    assert_eq!(publisher.domain.as_deref(), Some("paper.example"));
    assert!(!record.extra.contains_key("publisher"));
}

#[test]
fn topics_and_images_from_several_keys_are_merged() {
    let record = front(
        "---\ntags: [a, B]\ncategories: [b, c]\ncover: https://x.example/c.jpg\nimage: {src: https://x.example/c.jpg, alt: Cover}\n---\n",
    );
    assert_eq!(record.topics, ["a", "B", "c"]);
    assert_eq!(record.images.len(), 1);
    assert_eq!(record.images[0].url, "https://x.example/c.jpg");
}

#[test]
fn thousands_of_tags_are_merged_in_linear_time() {
    let tags: Vec<String> = (0..100_000).map(|i| format!("t{}", i % 50_000)).collect();
    let record = front(&format!("---\ntags: [{}]\n---\n", tags.join(", ")));
    assert_eq!(record.topics.len(), 50_000);
}

#[test]
fn markdown_without_front_matter_takes_its_opening_heading_as_title() {
    let record = run("# Title\n\nText <!--more--> here.\n", Format::Markdown).unwrap();
    assert_eq!(record.body, "Text here.");
    assert_eq!(record.title.as_deref(), Some("Title"));
    let record = run("Text first.\n\n# Heading\n", Format::Markdown).unwrap();
    assert_eq!(record.body, "Text first.\n\nHeading");
    assert_eq!(record.title, None);
}

#[test]
fn an_opening_heading_that_repeats_the_front_matter_title_leaves_the_body() {
    assert_eq!(
        front("---\ntitle: Same\n---\n# Same\n\nBody.\n").body,
        "Body."
    );
    let record = front("---\ntitle: Post\n---\n# Part one\n\nBody.\n");
    assert_eq!(record.title.as_deref(), Some("Post"));
    assert_eq!(record.body, "Part one\n\nBody.");
}

#[test]
fn a_json_body_has_one_paragraph_per_line() {
    let record = run(
        "{\"headline\": \"H\", \"articleBody\": \" One.\\nTwo.\\n\\n\\nThree. \"}",
        Format::Json,
    )
    .unwrap();
    assert_eq!(record.body, "One.\n\nTwo.\n\nThree.");
}

#[test]
fn a_json_list_of_several_articles_given_whole_is_refused() {
    let err = run("[{\"title\": \"A\"}, {\"title\": \"B\"}]", Format::Json).unwrap_err();
    assert_eq!(
        err.to_string(),
        "doc.md: plugin frontmatter: invalid input: a JSON list of 2 objects is several documents (the docnorm host gives plugins one object at a time)"
    );
    let record = run("[{\"title\": \"A\"}]", Format::Json).unwrap();
    assert_eq!(record.title.as_deref(), Some("A"));
}

#[test]
fn markdown_opening_with_a_horizontal_rule_is_all_body() {
    let record = run("---\n\nJust a paragraph after a rule.\n", Format::Markdown).unwrap();
    assert_eq!(record.body, "Just a paragraph after a rule.");
    assert!(record.extra.is_empty());
}

#[test]
fn a_broken_yaml_block_fails_with_its_line() {
    let err = run(
        "---\ntitle: A\ntags: [a, b\n---\nBody\n",
        Format::Frontmatter,
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(
            "doc.md: plugin frontmatter: invalid input: YAML front matter does not parse"
        ),
        "{message}"
    );
}

/// Issue 20: a document taken for front matter or JSON by its first bytes alone, its name
/// saying nothing of the kind, is left unclaimed with a warning when it does not parse.
#[test]
fn issue_20_a_copy_that_only_opens_like_front_matter_is_left_with_a_warning() {
    let plugin = FrontmatterConfig::default().build().unwrap();
    let chain = Chain::new(vec![Box::new(plugin)]).unwrap();
    let cases = [
        (
            "---\ntitle: A\ntags: [a, b\n---\nBody\n",
            Format::Frontmatter,
        ),
        ("+++\ntitle = \n+++\nBody\n", Format::Frontmatter),
        ("[ Home ] [ Products ]\nBody\n", Format::Json),
    ];
    for (text, format) in cases {
        let doc = Document::for_text("page.txt", text).with_format(format);
        let Err(ChainError::Unclaimed { .. }) = chain.run(&doc) else {
            panic!("{text:?} was claimed or failed otherwise");
        };
        let plugin = FrontmatterConfig::default().build().unwrap();
        let Outcome::Patch(patch) = plugin.process(&doc, &serde_json::Map::new()).unwrap() else {
            panic!("{text:?}: declined without a warning");
        };
        let warning = patch["warnings"][0].as_str().unwrap();
        assert!(warning.starts_with("frontmatter: opens like "), "{warning}");
        assert!(
            warning.ends_with("left to the next plugin as plain text"),
            "{warning}"
        );
        assert!(!patch.contains_key("body"));
    }
}

#[test]
fn json_lines_with_one_object_is_an_article() {
    let record = run(
        "{\"title\": \"One\", \"text\": \"Words.\"}\n",
        Format::Jsonl,
    )
    .unwrap();
    assert_eq!(record.title.as_deref(), Some("One"));
    assert_eq!(record.body, "Words.");
}

#[test]
fn json_lines_with_several_objects_given_whole_are_refused() {
    let err = run(
        "{\"title\": \"One\"}\n{\"title\": \"Two\"}\n{}\n",
        Format::Jsonl,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "doc.md: plugin frontmatter: invalid input: JSON Lines with 3 objects are several documents (the docnorm host gives plugins one object at a time)"
    );
}

#[test]
fn other_formats_are_declined() {
    let plugin = FrontmatterConfig::default().build().unwrap();
    for format in [Format::Text, Format::Html, Format::Binary] {
        let doc = Document::for_text("a.txt", "---\ntitle: A\n---\n").with_format(format);
        assert_eq!(plugin.process(&doc, &Map::new()).unwrap(), Outcome::Decline);
    }
}

#[test]
fn a_zero_limit_is_a_config_error() {
    let config = FrontmatterConfig {
        max_block_bytes: 0,
        ..FrontmatterConfig::default()
    };
    let err = config.build().err().unwrap();
    assert_eq!(
        err.to_string(),
        "plugins.frontmatter: max_block_bytes must be at least 1"
    );
}

// Acceptance 3 of issue 4: hostile input is refused with an error naming file and plugin.
// (How fast, and in how much memory, is measured with the release binary, not here.)

#[test]
fn a_yaml_alias_bomb_is_refused() {
    let err = run(&format!("---\n{}---\n", alias_bomb()), Format::Frontmatter).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("doc.md: plugin frontmatter: limit exceeded: YAML front matter"),
        "{message}"
    );
}

#[test]
fn json_nested_100000_levels_is_refused() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let err = run(&deep, Format::Json).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("doc.md: plugin frontmatter: limit exceeded: JSON document is nested more than 128 levels deep"),
        "{err}"
    );
    let deep_object = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    let err = run(&format!("{deep_object}\nBody"), Format::Frontmatter).unwrap_err();
    assert!(err.to_string().contains("limit exceeded"), "{err}");
}

#[test]
fn a_50_mb_front_matter_block_is_refused_before_parsing() {
    let line = "key: value value value value value value value value value\n";
    let block = line.repeat(50_000_000 / line.len());
    let err = run(&format!("---\n{block}---\nBody\n"), Format::Frontmatter).unwrap_err();
    assert_eq!(
        err.to_string(),
        "doc.md: plugin frontmatter: limit exceeded: front matter block is larger than 1048576 bytes (plugins.frontmatter.max_block_bytes); not parsed"
    );
}

// Acceptance 4 of issue 4: whatever the alias table does not map survives into `extra`.

fn unmapped_key() -> impl Strategy<Value = String> {
    "[a-zA-Z@$][a-zA-Z0-9_ -]{0,15}".prop_filter("mapped by the alias table", |key| {
        crate::aliases::lookup(key).is_none()
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn patch_of(text: &str, format: Format) -> Map<String, Value> {
    let plugin = FrontmatterConfig::default().build().unwrap();
    let doc = Document::for_text("doc", text).with_format(format);
    match plugin.process(&doc, &Map::new()).unwrap() {
        Outcome::Patch(patch) => patch,
        Outcome::Decline => panic!("declined"),
    }
}

proptest! {
    #[test]
    fn unmapped_keys_survive_into_extra(
        entries in prop::collection::btree_map(unmapped_key(), json_value(), 1..8),
        title in "\\PC{0,30}",
    ) {
        let mut object: Map<String, Value> = entries.clone().into_iter().collect();
        object.insert("title".to_owned(), Value::String(title));
        let object = Value::Object(object);
        // The same object as a whole JSON article and as JSON front matter.
        for (text, format) in [
            (object.to_string(), Format::Json),
            (format!("{object}\n\nBody"), Format::Frontmatter),
        ] {
            let patch = patch_of(&text, format);
            let extra = patch.get("extra").and_then(Value::as_object).cloned().unwrap_or_default();
            for (key, value) in &entries {
                prop_assert_eq!(extra.get(key), Some(value), "key {:?}", key);
            }
        }
    }

    #[test]
    fn unmapped_yaml_keys_survive_into_extra(
        entries in prop::collection::btree_map(unmapped_key(), json_value(), 1..8),
    ) {
        // JSON is YAML too: written in flow style, the same keys and values as YAML front matter.
        let object = Value::Object(entries.clone().into_iter().collect());
        let patch = patch_of(&format!("---\n{object}\n---\nBody"), Format::Frontmatter);
        let extra = patch.get("extra").and_then(Value::as_object).cloned().unwrap_or_default();
        for (key, value) in &entries {
            prop_assert_eq!(extra.get(key), Some(value), "key {:?}", key);
        }
    }
}

#[test]
fn a_cms_export_with_wrapped_html_values_gives_plain_text() {
    let record = run(
        r#"{"id": 123, "date": "2024-03-07T10:00:00Z", "link": "https://example.org/story/",
            "title": {"rendered": "The mayor&#8217;s budget"},
            "content": {"rendered": "<p>The council voted <b>7&ndash;2</b>.</p>\n<p>It passed.</p>", "protected": false},
            "excerpt": {"rendered": "<p>Council approves budget.</p>\n"},
            "author": 5, "categories": [3, 7], "tags": ["budget", 12]}"#,
        Format::Json,
    )
    .unwrap();
    assert_eq!(record.title.as_deref(), Some("The mayor\u{2019}s budget"));
    assert_eq!(record.body, "The council voted 7\u{2013}2.\n\nIt passed.");
    assert_eq!(record.summary.as_deref(), Some("Council approves budget."));
    assert_eq!(record.topics, ["budget"]);
    assert_eq!(
        record.extra["content"],
        serde_json::json!({"protected": false})
    );
    assert_eq!(record.extra["tags"], serde_json::json!([null, 12]));
    assert_eq!(record.extra["categories"], serde_json::json!([3, 7]));
    assert!(
        record.warnings.iter().all(|w| !w.contains("categories")),
        "{:?}",
        record.warnings
    );
}

#[test]
fn a_plain_text_json_body_with_a_character_reference_keeps_its_paragraphs() {
    let record = run(
        r#"{"headline": "Q&amp;A", "articleBody": "Tom &amp; Jerry met.\nThey talked.\n\nIt&#8217;s over."}"#,
        Format::Json,
    )
    .unwrap();
    assert_eq!(record.title.as_deref(), Some("Q&A"));
    assert_eq!(
        record.body,
        "Tom & Jerry met.\n\nThey talked.\n\nIt\u{2019}s over."
    );
}

#[test]
fn a_front_matter_title_with_angle_brackets_is_kept_whole() {
    let record = front(
        "---\ntitle: \"Using Option<T> in Rust\"\nsummary: \"Why <script> tags block &amp; what to do\"\n---\nBody.\n",
    );
    assert_eq!(record.title.as_deref(), Some("Using Option<T> in Rust"));
    assert_eq!(
        record.summary.as_deref(),
        Some("Why <script> tags block & what to do")
    );
}

#[test]
fn a_rendered_wrapper_is_html_and_its_blocks_are_paragraphs() {
    let record = run(
        r#"{"title": {"rendered": "A &amp; B"}, "content": {"rendered": "<p>A</p><p>B</p>"}}"#,
        Format::Json,
    )
    .unwrap();
    assert_eq!(record.title.as_deref(), Some("A & B"));
    assert_eq!(record.body, "A\n\nB");
}
