//! JSON merge patch (RFC 7396), and [`Patch`], the typed way for a plugin to build one.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::field::{Field, Slot};
use crate::plugin::Outcome;

/// A merge patch built field by field, each value of its field's type, so a plugin cannot
/// write a host field or a value of the wrong shape. Whether the manifest declares each field
/// is still checked by the chain, at run time.
///
/// ```
/// use docnorm_plugin_api::{Author, Outcome, Patch, slot};
///
/// let mut patch = Patch::new();
/// patch
///     .set_text(slot::TITLE, "River floods the old town")
///     .set(slot::AUTHORS, &vec![Author { name: "Jane Doe".into(), bio: None, url: None }])
///     .removed([("Subscribe now", "promotion")]);
/// let Outcome::Patch(map) = Outcome::from(patch) else { unreachable!() };
/// assert_eq!(map["authors"][0]["name"], "Jane Doe");
/// assert_eq!(map["provenance"]["removed"][0]["reason"], "promotion");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Patch(Map<String, Value>);

impl Patch {
    /// An empty patch: it changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the field of `slot` to `value`.
    pub fn set<T: Serialize>(&mut self, slot: Slot<T>, value: &T) -> &mut Self {
        let value = serde_json::to_value(value)
            .expect("record values serialize: their maps have string keys");
        self.set_json(slot, value)
    }

    /// Sets a text field to `value`, without going through the serializer.
    pub fn set_text(&mut self, slot: Slot<String>, value: impl Into<String>) -> &mut Self {
        self.set_json(slot, Value::String(value.into()))
    }

    /// Sets a list of texts, without going through the serializer.
    pub fn set_texts<'a>(
        &mut self,
        slot: Slot<Vec<String>>,
        values: impl IntoIterator<Item = &'a str>,
    ) -> &mut Self {
        let values = values
            .into_iter()
            .map(|v| Value::String(v.to_owned()))
            .collect();
        self.set_json(slot, Value::Array(values))
    }

    /// Makes the field of `slot` unknown again (`null`, or empty for a list).
    pub fn clear<T>(&mut self, slot: Slot<T>) -> &mut Self {
        self.set_json(slot, Value::Null)
    }

    /// Sets the field of `slot` to a JSON value built elsewhere (a source's own JSON, already
    /// shaped); the chain checks its type.
    pub fn set_json<T>(&mut self, slot: Slot<T>, value: Value) -> &mut Self {
        self.0.insert(slot.field().name().to_owned(), value);
        self
    }

    /// Lists lines the plugin removed from the document, each with the reason; the chain
    /// adds the plugin's name and appends them to `provenance.removed`.
    pub fn removed<'a>(
        &mut self,
        lines: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> &mut Self {
        let items = lines.into_iter().map(|(text, reason)| {
            let mut item = Map::new();
            item.insert("text".to_owned(), Value::String(text.to_owned()));
            item.insert("reason".to_owned(), Value::String(reason.to_owned()));
            Value::Object(item)
        });
        self.removed_entries(items)
    }

    /// Lists `provenance.removed` entries built elsewhere (by [`RemovedLines`], which joins
    /// runs of lines removed for one reason); the chain adds the plugin's name and checks
    /// their shape. No entries leave the patch without `provenance`.
    ///
    /// [`RemovedLines`]: crate::RemovedLines
    pub fn removed_entries(&mut self, entries: impl IntoIterator<Item = Value>) -> &mut Self {
        let mut entries = entries.into_iter().peekable();
        if entries.peek().is_none() {
            return self;
        }
        let provenance = self
            .0
            .entry(Field::Provenance.name())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(provenance) = provenance {
            let removed = provenance
                .entry("removed")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(removed) = removed {
                removed.extend(entries);
            }
        }
        self
    }

    /// The patch as a JSON object.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

impl From<Patch> for Outcome {
    fn from(patch: Patch) -> Self {
        Self::Patch(patch.0)
    }
}

/// Applies `patch` to `target` as RFC 7396 describes: objects merge key by key, `null` removes
/// a key, anything else replaces the target value.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(map) = target else {
        unreachable!("made an object just above")
    };
    for (key, value) in patch {
        if value.is_null() {
            map.remove(key);
        } else {
            merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The examples of RFC 7396, appendix A.
    #[test]
    fn rfc_7396_examples() {
        let cases = [
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (
                json!({"a":"b","b":"c"}),
                json!({"a":null}),
                json!({"b":"c"}),
            ),
            (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
            (
                json!({"a":{"b":"c"}}),
                json!({"a":{"b":"d","c":null}}),
                json!({"a":{"b":"d"}}),
            ),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a":"b"}), json!(["c"]), json!(["c"])),
            (json!({"a":"foo"}), json!(null), json!(null)),
            (json!({"a":"foo"}), json!("bar"), json!("bar")),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
            (
                json!({}),
                json!({"a":{"bb":{"ccc":null}}}),
                json!({"a":{"bb":{}}}),
            ),
        ];
        for (mut target, patch, expected) in cases {
            merge_patch(&mut target, &patch);
            assert_eq!(target, expected, "patch {patch}");
        }
    }
}
