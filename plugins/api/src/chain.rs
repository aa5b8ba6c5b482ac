//! The chain runner: plugins in order, each patch checked against the plugin's manifest and
//! the record's types before it is applied.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::document::Document;
use crate::error::{ChainError, PluginError, panic_message};
use crate::field::Field;
use crate::patch::merge_patch;
use crate::plugin::{Outcome, Plugin};
use crate::record::{PluginRun, Record};

/// An ordered list of plugins that turns a [`Document`] into a [`Record`].
pub struct Chain {
    plugins: Vec<Box<dyn Plugin>>,
}

impl Chain {
    /// Builds a chain, checking that no manifest writes a field of the host's own
    /// ([`Field::HOST`]: `schema`, `id`, `source`, `provenance` but for its `removed` list,
    /// `duplicates`) or reads `provenance.removed`.
    pub fn new(plugins: Vec<Box<dyn Plugin>>) -> Result<Self, ChainError> {
        for plugin in &plugins {
            check_manifest(plugin.as_ref())?;
        }
        Ok(Self { plugins })
    }

    /// The plugins, in order.
    pub fn plugins(&self) -> impl Iterator<Item = &dyn Plugin> {
        self.plugins.iter().map(AsRef::as_ref)
    }

    /// Runs every plugin over `doc` and returns the finished record, its `id` set.
    ///
    /// A document that no plugin gave a `body` fails as unclaimed. A panicking plugin fails
    /// the document, not the process.
    pub fn run(&self, doc: &Document<'_>) -> Result<Record, ChainError> {
        let mut record = Record::new(doc.source.clone());
        let mut value = serde_json::to_value(&record).map_err(|e| ChainError::Patch {
            path: doc.path.to_owned(),
            plugin: "host".to_owned(),
            reason: e.to_string(),
        })?;
        let mut runs = Vec::new();
        for plugin in &self.plugins {
            let manifest = plugin.manifest();
            let fields = pick(&value, &manifest.reads);
            let started = Instant::now();
            let outcome =
                call(plugin.as_ref(), doc, &fields).map_err(|source| ChainError::Plugin {
                    path: doc.path.to_owned(),
                    plugin: manifest.name.clone(),
                    source,
                })?;
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            let Outcome::Patch(patch) = outcome else {
                continue;
            };
            let reject = |reason: String| ChainError::Patch {
                path: doc.path.to_owned(),
                plugin: manifest.name.clone(),
                reason,
            };
            apply(&mut value, patch, &manifest.name, &manifest.writes).map_err(reject)?;
            record = Record::deserialize(&value).map_err(|e| reject(e.to_string()))?;
            runs.push(PluginRun {
                name: manifest.name.clone(),
                version: manifest.version.clone(),
                micros,
            });
        }
        if !record.provenance.fields.contains_key(Field::Body.name()) {
            return Err(ChainError::Unclaimed {
                path: doc.path.to_owned(),
                format: doc.format.to_string(),
            });
        }
        record.provenance.plugins = runs;
        record.id = record.content_id();
        Ok(record)
    }
}

fn check_manifest(plugin: &dyn Plugin) -> Result<(), ChainError> {
    let manifest = plugin.manifest();
    let bad = |reason: String| ChainError::Manifest {
        plugin: manifest.name.clone(),
        reason,
    };
    if manifest.name.is_empty() {
        return Err(bad("empty plugin name".to_owned()));
    }
    if manifest.reads.contains(&Field::Removed) {
        return Err(bad(format!(
            "reads `{}`, which is no record field",
            Field::Removed
        )));
    }
    if let Some(field) = manifest.writes.iter().find(|field| field.is_host_owned()) {
        return Err(bad(format!("may not write `{field}`: the host owns it")));
    }
    Ok(())
}

fn call(
    plugin: &dyn Plugin,
    doc: &Document<'_>,
    fields: &Map<String, Value>,
) -> Result<Outcome, PluginError> {
    catch_unwind(AssertUnwindSafe(|| plugin.process(doc, fields))).unwrap_or_else(|panic| {
        Err(PluginError::Other(format!(
            "panicked: {}",
            panic_message(panic.as_ref())
        )))
    })
}

/// The record fields named in `reads`.
fn pick(record: &Value, reads: &[Field]) -> Map<String, Value> {
    reads
        .iter()
        .filter_map(|field| {
            let name = field.name();
            Some((name.to_owned(), record.get(name)?.clone()))
        })
        .collect()
}

/// Checks `patch` against `writes` and applies it, appending to the log-like fields.
fn apply(
    record: &mut Value,
    patch: Map<String, Value>,
    plugin: &str,
    writes: &[Field],
) -> Result<(), String> {
    let declared = |field: Field| writes.contains(&field);
    for (key, value) in patch {
        let field = Field::from_name(&key).filter(|field| *field != Field::Removed);
        match field {
            Some(Field::Warnings) if declared(Field::Warnings) => {
                append(record, &["warnings"], value, |v| v)?;
            }
            Some(Field::Provenance) if declared(Field::Removed) => {
                let Value::Object(mut inner) = value else {
                    return Err("`provenance` must be an object holding `removed`".to_owned());
                };
                let removed = inner.remove("removed").unwrap_or(Value::Array(Vec::new()));
                if let Some(other) = inner.keys().next() {
                    return Err(format!("writes undeclared field `provenance.{other}`"));
                }
                append(record, &["provenance", "removed"], removed, |mut item| {
                    if let Value::Object(map) = &mut item {
                        map.insert("plugin".to_owned(), Value::String(plugin.to_owned()));
                    }
                    item
                })?;
            }
            Some(field) if declared(field) && !field.is_host_owned() => {
                let slot = record
                    .as_object_mut()
                    .and_then(|map| map.get_mut(&key))
                    .ok_or_else(|| format!("record has no field `{key}`"))?;
                merge_patch(slot, &value);
                if slot.is_null() {
                    // `null` removes a key in a merge patch; these fields always exist.
                    match field {
                        Field::Body => *slot = Value::String(String::new()),
                        Field::Extra => *slot = Value::Object(Map::new()),
                        _ => {}
                    }
                }
                mark(record, &key, plugin);
            }
            _ => return Err(format!("writes undeclared field `{key}`")),
        }
    }
    Ok(())
}

/// Appends the items of the array `value` to the array at `path` in `record`.
fn append(
    record: &mut Value,
    path: &[&str],
    value: Value,
    each: impl Fn(Value) -> Value,
) -> Result<(), String> {
    let Value::Array(items) = value else {
        return Err(format!("`{}` must be an array", path.join(".")));
    };
    let target = path.iter().try_fold(&mut *record, |v, key| v.get_mut(*key));
    let Some(Value::Array(list)) = target else {
        return Err(format!("record has no list `{}`", path.join(".")));
    };
    list.extend(items.into_iter().map(each));
    Ok(())
}

/// Notes in `provenance.fields` that `plugin` wrote `field`.
fn mark(record: &mut Value, field: &str, plugin: &str) {
    if let Some(Value::Object(fields)) = record.pointer_mut("/provenance/fields") {
        fields.insert(field.to_owned(), Value::String(plugin.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::Manifest;
    use serde_json::json;

    struct Fixed {
        manifest: Manifest,
        patch: Value,
    }

    impl Plugin for Fixed {
        fn manifest(&self) -> &Manifest {
            &self.manifest
        }
        fn process(
            &self,
            _: &Document<'_>,
            _: &Map<String, Value>,
        ) -> Result<Outcome, PluginError> {
            assert!(!self.patch.is_null(), "boom");
            Ok(Outcome::patch(self.patch.clone()))
        }
    }

    fn fixed(name: &str, writes: &[Field], patch: Value) -> Box<dyn Plugin> {
        Box::new(Fixed {
            manifest: Manifest::new(name, "1", &[], writes),
            patch,
        })
    }

    fn run(plugins: Vec<Box<dyn Plugin>>) -> Result<Record, ChainError> {
        Chain::new(plugins)?.run(&Document::for_text("doc.txt", "text"))
    }

    #[test]
    fn patches_apply_in_order_and_record_provenance() {
        let record = run(vec![
            fixed(
                "first",
                &[Field::Title, Field::Body, Field::Warnings],
                json!({"title": "A", "body": "x", "warnings": ["w1"]}),
            ),
            fixed(
                "second",
                &[Field::Title, Field::Warnings, Field::Removed],
                json!({
                    "title": "B", "warnings": ["w2"],
                    "provenance": {"removed": [{"text": "Subscribe", "reason": "promotion"}]}
                }),
            ),
        ])
        .unwrap();
        assert_eq!(record.title.as_deref(), Some("B"));
        assert_eq!(record.warnings, ["w1", "w2"]);
        assert_eq!(record.provenance.fields["title"], "second");
        assert_eq!(record.provenance.fields["body"], "first");
        assert_eq!(record.provenance.removed[0].plugin, "second");
        assert_eq!(record.provenance.plugins.len(), 2);
        assert_eq!(record.id.len(), 32);
    }

    #[test]
    fn an_undeclared_write_is_rejected_naming_the_plugin() {
        let err = run(vec![fixed(
            "sneaky",
            &[Field::Body],
            json!({"body": "x", "title": "T"}),
        )])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "doc.txt: plugin sneaky: rejected patch: writes undeclared field `title`"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_rejected() {
        let err = run(vec![fixed(
            "typo",
            &[Field::Body, Field::Authors],
            json!({"body": "x", "authors": "Jane"}),
        )])
        .unwrap_err();
        assert!(
            matches!(err, ChainError::Patch { ref plugin, .. } if plugin == "typo"),
            "{err}"
        );
    }

    #[test]
    fn host_fields_cannot_be_declared() {
        let err = Chain::new(vec![fixed("bad", &[Field::Id], json!({}))])
            .err()
            .unwrap();
        assert!(err.to_string().contains("the host owns it"), "{err}");
    }

    #[test]
    fn a_document_nobody_claims_fails() {
        let err = run(vec![fixed(
            "titler",
            &[Field::Title],
            json!({"title": "T"}),
        )])
        .unwrap_err();
        assert!(matches!(err, ChainError::Unclaimed { .. }), "{err}");
    }

    #[test]
    fn a_panic_fails_only_the_document() {
        let err = run(vec![fixed("panicky", &[Field::Body], Value::Null)]).unwrap_err();
        assert_eq!(err.to_string(), "doc.txt: plugin panicky: panicked: boom");
    }
}
