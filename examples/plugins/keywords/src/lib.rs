//! `keywords`: a docnorm plugin that tags each document with the topics of a watch list.
//!
//! The options map each tag to the words or phrases that signal it; the plugin counts their
//! whole-word, case-insensitive mentions in the title and body and writes the tags mentioned
//! often enough to `extra.keywords`, as `{tag: mentions}`.

use std::collections::{BTreeMap, HashMap};

use docnorm_plugin_api::native::NativePlugin;
use docnorm_plugin_api::serde_json::{Map, Value, json};
use docnorm_plugin_api::{Document, Field, Manifest, Outcome, Plugin, PluginError};

docnorm_plugin_api::export_plugin!(Keywords);

/// The running plugin: phrases indexed by their first word.
pub struct Keywords {
    manifest: Manifest,
    /// First word of a phrase → (tag, the phrase's words).
    phrases: HashMap<String, Vec<(String, Vec<String>)>>,
    /// Mentions a tag needs before it is written.
    min_mentions: u64,
}

impl NativePlugin for Keywords {
    fn declare() -> Manifest {
        Manifest::new(
            "keywords",
            env!("CARGO_PKG_VERSION"),
            &[Field::Title, Field::Body],
            &[Field::Extra],
        )
    }

    /// Options: `{"tags": {"tag": ["word", "a phrase"]}, "min_mentions": 1}`.
    fn new(options: Value) -> Result<Self, String> {
        let Value::Object(mut options) = options else {
            return Err("options must be an object holding `tags`".to_owned());
        };
        let min_mentions = match options.remove("min_mentions") {
            None => 1,
            Some(n) => n.as_u64().ok_or("`min_mentions` must be a whole number")?,
        };
        let Some(Value::Object(tags)) = options.remove("tags") else {
            return Err("`tags` must map each tag to a list of words or phrases".to_owned());
        };
        if let Some(unknown) = options.keys().next() {
            return Err(format!("unknown option `{unknown}`"));
        }
        let mut phrases: HashMap<String, Vec<(String, Vec<String>)>> = HashMap::new();
        for (tag, list) in tags {
            let Value::Array(list) = list else {
                return Err(format!("tag `{tag}`: expected a list of words or phrases"));
            };
            for phrase in list {
                let words = phrase.as_str().map(words).unwrap_or_default();
                let Some(first) = words.first().cloned() else {
                    return Err(format!("tag `{tag}`: {phrase} is not a word or phrase"));
                };
                phrases.entry(first).or_default().push((tag.clone(), words));
            }
        }
        Ok(Self {
            manifest: Self::declare(),
            phrases,
            min_mentions,
        })
    }
}

impl Plugin for Keywords {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn process(
        &self,
        _doc: &Document<'_>,
        fields: &Map<String, Value>,
    ) -> Result<Outcome, PluginError> {
        let title = fields
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let body = fields
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if title.is_empty() && body.is_empty() {
            return Ok(Outcome::Decline);
        }
        let text = words(&format!("{title}\n{body}"));
        let mut mentions: BTreeMap<&str, u64> = BTreeMap::new();
        for (i, word) in text.iter().enumerate() {
            for (tag, phrase) in self.phrases.get(word).into_iter().flatten() {
                if text[i..].starts_with(phrase) {
                    *mentions.entry(tag).or_default() += 1;
                }
            }
        }
        mentions.retain(|_, n| *n >= self.min_mentions);
        // A merge patch: only `extra.keywords` changes, the rest of `extra` stays.
        Ok(Outcome::patch(json!({ "extra": { "keywords": mentions } })))
    }
}

/// The lower-cased words of `text`: runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use docnorm_plugin_api::testing::Harness;

    use super::*;

    fn tagger() -> Harness {
        let options = json!({
            "tags": {
                "climate": ["climate", "carbon emissions"],
                "energy": ["oil", "gas"],
            },
        });
        Harness::new::<Keywords>(&options).unwrap()
    }

    #[test]
    fn counts_whole_words_and_phrases_in_title_and_body() {
        let fields = json!({
            "title": "Climate talks stall",
            "body": "Carbon emissions rose. Gas prices fell; the gasket held.",
        });
        let outcome = tagger().process_text("", fields).unwrap();
        let expected = json!({ "extra": { "keywords": { "climate": 2, "energy": 1 } } });
        assert_eq!(outcome, Outcome::patch(expected));
    }

    #[test]
    fn declines_a_document_without_text() {
        let outcome = tagger()
            .process_text("", json!({ "title": null, "body": "" }))
            .unwrap();
        assert_eq!(outcome, Outcome::Decline);
    }

    #[test]
    fn a_misspelled_option_is_refused() {
        let err = Harness::new::<Keywords>(&json!({ "tags": {}, "min_mention": 2 })).unwrap_err();
        assert!(
            err.to_string().contains("unknown option `min_mention`"),
            "{err}"
        );
    }
}
