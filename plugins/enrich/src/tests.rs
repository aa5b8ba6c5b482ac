//! Tests of the plugin as the chain runs it: what a user sees in the finished record.

use docnorm_plugin_api::{Chain, Document, Manifest, Outcome, Plugin, PluginError, Record};
use serde_json::{Map, Value, json};

use super::*;

/// Stands in for a format plugin: writes fixed fields and claims the body.
struct Source {
    manifest: Manifest,
    fields: Value,
}

impl Plugin for Source {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }
    fn process(&self, _: &Document<'_>, _: &Map<String, Value>) -> Result<Outcome, PluginError> {
        Ok(Outcome::patch(self.fields.clone()))
    }
}

fn run_at(path: &str, fields: Value) -> Record {
    let source = Source {
        // Writes what the enricher reads.
        manifest: Manifest::new("source", "1", &[], READS),
        fields,
    };
    let enrich = EnrichConfig::default().build().unwrap();
    let chain = Chain::new(vec![Box::new(source), Box::new(enrich)]).unwrap();
    chain.run(&Document::for_text(path, "")).unwrap()
}

fn run(fields: Value) -> Record {
    run_at("doc.txt", fields)
}

const BODY: &str = "President Biden said Thursday that he has no plans to contact Russian \
    President Vladimir Putin but that he would be willing to talk with the Russian leader.\n\n\
    Russia has maintained that it is open to talks with the US and Ukraine about the war, but \
    there is little chance Putin and Biden would be anywhere close on a peace deal.";

#[test]
fn fills_every_field_it_owns() {
    let record = run(json!({"title": "No plans to call Putin", "body": BODY}));
    assert_eq!(record.language.as_deref(), Some("en"));
    assert_eq!(record.stats.paragraphs, 2);
    assert_eq!(record.stats.words, 60);
    assert_eq!(record.stats.reading_minutes, 1);
    assert_eq!(
        record.fingerprints.body_sha256.as_deref(),
        Some(body_sha256(BODY).as_str())
    );
    assert_eq!(
        record.fingerprints.simhash.as_deref(),
        Some(simhash_hex(simhash(BODY)).as_str())
    );
    assert_eq!(record.entities.people, ["Vladimir Putin", "Biden"]);
    assert_eq!(
        record.entities.places,
        ["Russia", "United States", "Ukraine"]
    );
    assert_eq!(record.provenance.fields["entities"], NAME);
    assert!(record.warnings.is_empty(), "{:?}", record.warnings);
}

#[test]
fn the_same_content_under_two_names_gets_the_same_id() {
    let fields = json!({"title": "No plans", "body": BODY, "published": "2023-02-09"});
    let a = run_at("inbox/a.txt", fields.clone());
    let b = run_at("elsewhere/b.md", fields);
    assert_eq!(a.id, b.id);
    let c = run(json!({"title": "No plans", "body": BODY.replace("Thursday", "Friday")}));
    assert_ne!(a.id, c.id);
}

#[test]
fn dates_are_normalized_and_impossible_ones_dropped_with_a_warning() {
    let record = run(json!({
        "body": BODY,
        "published": "2021-04-13T19:10:59+02:00",
        "updated": "2021-02-30",
    }));
    assert_eq!(record.published.as_deref(), Some("2021-04-13T17:10:59Z"));
    assert_eq!(record.updated, None);
    assert_eq!(
        record.warnings,
        ["updated: `2021-02-30` is not a possible date; dropped"]
    );
}

#[test]
fn values_already_normal_keep_their_provenance() {
    let record = run(json!({"body": BODY, "published": "2021-04-13", "language": "en"}));
    assert_eq!(record.provenance.fields["published"], "source");
    assert_eq!(record.provenance.fields["language"], "source");
}

#[test]
fn an_empty_body_reads_title_and_summary_and_has_no_fingerprints() {
    let record = run(json!({
        "title": "Biden proposes meeting with Putin amid rising Ukraine tensions",
        "summary": "President Joe Biden spoke with Russian President Vladimir Putin on Tuesday \
            and proposed a meeting in a third country in the coming months as tensions between \
            Russia and Ukraine rise in eastern Europe.",
        "body": "",
    }));
    assert_eq!(record.language.as_deref(), Some("en"));
    assert_eq!(record.stats, docnorm_plugin_api::Stats::default());
    assert_eq!(record.fingerprints.body_sha256, None);
    assert_eq!(record.fingerprints.simhash, None);
    // Entities come from the title and body only.
    assert!(record.entities.people.is_empty());
    assert_eq!(record.entities.places, ["Ukraine"]);
}

#[test]
fn a_declared_language_the_text_contradicts_is_replaced_with_a_warning() {
    let body = BODY.repeat(3);
    let record = run(json!({"body": body, "language": "de-DE"}));
    assert_eq!(record.language.as_deref(), Some("en"));
    assert_eq!(record.warnings.len(), 1);
    assert!(
        record.warnings[0].starts_with("language: "),
        "{:?}",
        record.warnings
    );
}

#[test]
fn a_short_text_has_no_language() {
    let record = run(json!({"title": "Hi", "body": "Thanks!"}));
    assert_eq!(record.language, None);
    assert_eq!(record.stats.words, 1);
}
