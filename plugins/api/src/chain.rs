//! The chain runner: plugins in order, each patch checked against the plugin's manifest, its
//! size bound and the record's types before it is applied.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::deadline;
use crate::document::Document;
use crate::error::{ChainError, PluginError, panic_message};
use crate::field::Field;
use crate::patch::merge_patch;
use crate::plugin::{Manifest, Outcome, Plugin};
use crate::record::{PluginRun, Record};

/// The warning of a record whose body is empty although its document is not blank: every
/// line was removed, or the document holds no body text, and a user should know.
pub const EMPTY_BODY_WARNING: &str = "the body is empty although the document is not";

/// The bound on a plugin's patch for an empty document, in JSON values (every string,
/// number, boolean, null, list and object counts one); each two bytes of the document allow
/// one value more. Past it, or past [`MAX_PATCH_BYTES`], the patch is rejected naming the
/// plugin: what a plugin makes of a document is bounded by the document.
pub const MAX_PATCH_VALUES: usize = 100_000;

/// The bound on a plugin's patch for an empty document, in bytes of strings (keys and
/// values, before JSON escaping); each byte of the document allows four bytes more.
pub const MAX_PATCH_BYTES: usize = 16 << 20;

/// An ordered list of plugins that turns a [`Document`] into a [`Record`].
pub struct Chain {
    plugins: Vec<Box<dyn Plugin>>,
    time_limit: Option<Duration>,
}

impl Chain {
    /// Builds a chain, checking that no manifest writes a field of the host's own
    /// ([`Field::HOST`]: `schema`, `id`, `source`, `provenance` but for its `removed` list,
    /// `duplicates`) or reads `provenance.removed`.
    pub fn new(plugins: Vec<Box<dyn Plugin>>) -> Result<Self, ChainError> {
        for plugin in &plugins {
            check_manifest(plugin.as_ref())?;
        }
        Ok(Self {
            plugins,
            time_limit: None,
        })
    }

    /// Gives every plugin call `limit` to finish: the chain sets the [`deadline`] of the
    /// thread before each call, so a plugin that checks it stops soon after the limit with
    /// an error naming it. Without this nothing expires.
    #[must_use]
    pub fn with_time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = Some(limit);
        self
    }

    /// The plugins, in order.
    pub fn plugins(&self) -> impl Iterator<Item = &dyn Plugin> {
        self.plugins.iter().map(AsRef::as_ref)
    }

    /// Runs every plugin over `doc` and returns the finished record, its `id` set.
    ///
    /// A document that no plugin gave a `body` fails as unclaimed. A panicking plugin fails
    /// the document, not the process. Control characters other than tabs and line breaks are
    /// removed from every string a plugin writes (carriage returns, vertical tabs and form
    /// feeds become line breaks), and a record whose body is empty although its document is
    /// not blank gets the warning [`EMPTY_BODY_WARNING`].
    pub fn run(&self, doc: &Document<'_>) -> Result<Record, ChainError> {
        self.run_observed(doc, &mut |_| {})
    }

    /// Runs the chain like [`run`](Self::run), telling `on_call` which plugin is about to be
    /// called before each call (a host that limits each call's time starts its clock there).
    pub fn run_observed(
        &self,
        doc: &Document<'_>,
        on_call: &mut dyn FnMut(&Manifest),
    ) -> Result<Record, ChainError> {
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
            on_call(manifest);
            let started = Instant::now();
            let outcome = {
                let _deadline = deadline::enter(self.time_limit);
                call(plugin.as_ref(), doc, &fields)
            }
            .map_err(|source| ChainError::Plugin {
                path: doc.path.to_owned(),
                plugin: manifest.name.clone(),
                source,
            })?;
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            let Outcome::Patch(mut patch) = outcome else {
                continue;
            };
            let reject = |reason: String| ChainError::Patch {
                path: doc.path.to_owned(),
                plugin: manifest.name.clone(),
                reason,
            };
            bound_and_clean(&mut patch, doc.bytes.len()).map_err(reject)?;
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
        if record.body.trim().is_empty() && !blank(doc) {
            record.warnings.push(EMPTY_BODY_WARNING.to_owned());
        }
        record.provenance.plugins = runs;
        record.id = record.content_id();
        Ok(record)
    }
}

/// Whether the document holds nothing but whitespace.
fn blank(doc: &Document<'_>) -> bool {
    match doc.text {
        Some(text) => text.trim().is_empty(),
        None => doc.bytes.is_empty(),
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

/// Calls `plugin`, turning a panic into a [`PluginError`].
pub(crate) fn call(
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

/// Checks that `patch` stays within the bounds of a document of `document_bytes` (see
/// [`MAX_PATCH_VALUES`] and [`MAX_PATCH_BYTES`]) and removes control characters from its strings.
///
/// One pass over the values, without recursion (a patch may nest deeply), stopping as soon as
/// a bound is passed.
fn bound_and_clean(patch: &mut Map<String, Value>, document_bytes: usize) -> Result<(), String> {
    let max_values = MAX_PATCH_VALUES.saturating_add(document_bytes / 2);
    let max_bytes = MAX_PATCH_BYTES.saturating_add(document_bytes.saturating_mul(4));
    let too_large = |what: String| {
        format!(
            "the patch holds more than {what}, the bound for a document of {document_bytes} bytes"
        )
    };
    let (mut values, mut bytes) = (0usize, 0usize);
    let mut pending: Vec<&mut Value> = Vec::new();
    for (key, value) in patch.iter_mut() {
        bytes += key.len();
        pending.push(value);
    }
    while let Some(value) = pending.pop() {
        values += 1;
        if values > max_values {
            return Err(too_large(format!("{max_values} JSON values")));
        }
        if bytes > max_bytes {
            return Err(too_large(format!("{max_bytes} bytes of strings")));
        }
        match value {
            Value::String(s) => {
                bytes += s.len();
                clean_controls(s);
            }
            Value::Array(items) => pending.extend(items.iter_mut()),
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    bytes += key.len();
                    pending.push(value);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    if bytes > max_bytes {
        return Err(too_large(format!("{max_bytes} bytes of strings")));
    }
    Ok(())
}

/// Removes the control characters that are not text (NUL and the other C0 controls but tab
/// and line feed) from `s`; a carriage return, vertical tab or form feed becomes a line feed
/// (a carriage return before a line feed just goes).
fn clean_controls(s: &mut String) {
    let stray = |b: u8| b < 0x20 && b != b'\n' && b != b'\t';
    if !s.bytes().any(stray) {
        return;
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\u{b}' | '\u{c}' => out.push('\n'),
            '\t' | '\n' => out.push(c),
            c if c < ' ' => {}
            c => out.push(c),
        }
    }
    *s = out;
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
    fn a_patch_out_of_proportion_to_the_document_is_rejected() {
        let big = "x".repeat(MAX_PATCH_BYTES + 100);
        let Err(err) = run(vec![fixed("bloat", &[Field::Body], json!({ "body": big }))]) else {
            panic!("a patch of 16 MiB for a document of 4 bytes was accepted");
        };
        assert!(
            matches!(err, ChainError::Patch { ref plugin, .. } if plugin == "bloat"),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "doc.txt: plugin bloat: rejected patch: the patch holds more than 16777232 bytes of \
             strings, the bound for a document of 4 bytes"
        );

        let keys: Map<String, Value> = (0..=MAX_PATCH_VALUES)
            .map(|i| (i.to_string(), Value::Null))
            .collect();
        let Err(err) = run(vec![fixed(
            "many",
            &[Field::Body, Field::Extra],
            json!({ "body": "x", "extra": keys }),
        )]) else {
            panic!("a patch of 100,001 values for a document of 4 bytes was accepted");
        };
        assert!(
            err.to_string().contains("more than 100002 JSON values"),
            "{err}"
        );
    }

    #[test]
    fn control_characters_are_removed_from_every_string() {
        let record = run(vec![fixed(
            "raw",
            &[Field::Title, Field::Body, Field::Extra],
            json!({
                "title": "A\u{0}B", "body": "one\r\ntwo\rthree\u{c}four\tfive\u{7}",
                "extra": {"list": ["x\u{1b}y"]}
            }),
        )])
        .unwrap();
        assert_eq!(record.title.as_deref(), Some("AB"));
        assert_eq!(record.body, "one\ntwo\nthree\nfour\tfive");
        assert_eq!(record.extra["list"][0], "xy");
    }

    #[test]
    fn an_empty_body_from_a_document_with_text_is_warned_about() {
        let record = run(vec![fixed("eraser", &[Field::Body], json!({ "body": "" }))]).unwrap();
        assert_eq!(record.warnings, [EMPTY_BODY_WARNING]);
        let record = Chain::new(vec![fixed("eraser", &[Field::Body], json!({ "body": "" }))])
            .unwrap()
            .run(&Document::for_text("blank.txt", " \n"))
            .unwrap();
        assert!(record.warnings.is_empty());
    }

    /// Loops until the deadline passes, as the built-in plugins' long loops do.
    struct Spin(Manifest);

    impl Plugin for Spin {
        fn manifest(&self) -> &Manifest {
            &self.0
        }
        fn process(
            &self,
            _: &Document<'_>,
            _: &Map<String, Value>,
        ) -> Result<Outcome, PluginError> {
            let mut ticker = deadline::Ticker::default();
            loop {
                ticker.tick()?;
                std::hint::spin_loop();
            }
        }
    }

    #[test]
    fn a_plugin_that_checks_the_deadline_stops_at_the_time_limit() {
        let spin = Box::new(Spin(Manifest::new("spin", "1", &[], &[Field::Body])));
        let chain = Chain::new(vec![spin])
            .unwrap()
            .with_time_limit(Duration::from_millis(50));
        let started = Instant::now();
        let err = chain
            .run(&Document::for_text("doc.txt", "text"))
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(
            err.to_string(),
            "doc.txt: plugin spin: limit exceeded: the plugin call ran past its time limit of 50 ms and was stopped"
        );
        assert!(!deadline::expired(), "the deadline ends with the call");
    }

    #[test]
    fn a_panic_fails_only_the_document() {
        let err = run(vec![fixed("panicky", &[Field::Body], Value::Null)]).unwrap_err();
        assert_eq!(err.to_string(), "doc.txt: plugin panicky: panicked: boom");
    }
}
