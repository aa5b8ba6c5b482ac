//! Parsing a front-matter block or a whole JSON document into one JSON object, with every
//! parser bounded: YAML by a serde-saphyr budget (events, nodes, depth, aliases), TOML and
//! JSON by their parsers' recursion limits, all of them by the size checks made before.
//!
//! Values come out as `serde_json` values whose depth the parsers have already bounded (YAML
//! 64, TOML about 80, JSON 128), so the recursive code that walks them cannot overflow the
//! stack.

use docnorm_plugin_api::PluginError;
use serde_json::{Map, Value};
use serde_saphyr::options::DuplicateKeyPolicy;

use crate::messages::{json_error, kind};
use crate::split::Block;

/// The deepest nesting accepted in YAML front matter.
pub(crate) const YAML_MAX_DEPTH: usize = 64;

/// Front matter is a handful of keys; these budgets are generous for it and refuse alias
/// bombs (a billion expansions) after a few thousand steps.
const YAML_MAX_ALIASES: usize = 1_000;
const YAML_MAX_REPLAYED_EVENTS: usize = 10_000;
const YAML_MAX_NODES: usize = 200_000;
const YAML_MAX_EVENTS: usize = 500_000;

/// The front-matter block as a JSON object.
pub(crate) fn block(block: Block<'_>) -> Result<Map<String, Value>, PluginError> {
    let value = match block {
        Block::Yaml(text) => yaml(text)?,
        Block::Toml(text) => toml(text)?,
        Block::Json(text) => {
            serde_json::from_str(text).map_err(|e| json_error("JSON front matter", &e))?
        }
    };
    match value {
        Value::Object(map) => Ok(map),
        // `---` followed directly by `---`: front matter with no keys.
        Value::Null => Ok(Map::new()),
        other => Err(PluginError::Invalid(format!(
            "front matter is {} where a mapping of keys was expected",
            kind(&other)
        ))),
    }
}

fn yaml(text: &str) -> Result<Value, PluginError> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = YAML_MAX_DEPTH;
    budget.max_aliases = YAML_MAX_ALIASES;
    budget.max_nodes = YAML_MAX_NODES;
    budget.max_events = YAML_MAX_EVENTS;
    budget.max_documents = 1;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = YAML_MAX_REPLAYED_EVENTS;
    options.alias_limits.max_replay_stack_depth = 16;
    // What most front-matter readers do with a repeated key.
    options.duplicate_keys = DuplicateKeyPolicy::LastWins;
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        // Plain text with the file's line numbers: the block starts on the file's second line.
        let message = e.render_with_options(serde_saphyr::render_options! {
            snippets: serde_saphyr::SnippetMode::Off,
            line_offset: 1,
        });
        let message = message.trim();
        if is_yaml_limit(message) {
            PluginError::Limit(format!(
                "YAML front matter exceeds a parsing budget: {message}"
            ))
        } else {
            PluginError::Invalid(format!("YAML front matter does not parse: {message}"))
        }
    })
}

fn is_yaml_limit(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "budget", "limit", "exceeded", "too many", "too deep", "depth",
    ]
    .iter()
    .any(|word| message.contains(word))
}

fn toml(text: &str) -> Result<Value, PluginError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_owned();
        if message.contains("recursion") || message.contains("recurse") {
            PluginError::Limit(format!("TOML front matter is nested too deeply: {message}"))
        } else {
            PluginError::Invalid(format!("TOML front matter does not parse: {message}"))
        }
    })?;
    Ok(Value::Object(toml_table(table)))
}

fn toml_table(table: toml::Table) -> Map<String, Value> {
    table
        .into_iter()
        .map(|(key, value)| (key, toml_value(value)))
        .collect()
}

/// TOML to JSON; datetimes become their RFC 3339 text (`1979-05-27T07:32:00-08:00`, or a bare
/// date or time when that is all the TOML says). Depth is bounded by the TOML parser.
fn toml_value(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_value).collect()),
        toml::Value::Table(table) => Value::Object(toml_table(table)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn toml_datetimes_become_rfc3339_text() {
        let map = block(Block::Toml(
            "date = 2023-05-01T10:00:00+02:00\nday = 2023-05-01\n[meta]\nn = 1\n",
        ))
        .unwrap();
        assert_eq!(map["date"], "2023-05-01T10:00:00+02:00");
        assert_eq!(map["day"], "2023-05-01");
        assert_eq!(map["meta"], json!({"n": 1}));
    }

    #[test]
    fn yaml_scalars_keep_their_types() {
        let map = block(Block::Yaml(
            "title: \"A: B\"\nn: 3\nflag: true\nwhen: 2021-04-13T17:10:59Z\n",
        ))
        .unwrap();
        assert_eq!(map["title"], "A: B");
        assert_eq!(map["n"], 3);
        assert_eq!(map["flag"], true);
        assert_eq!(map["when"], "2021-04-13T17:10:59Z");
    }

    #[test]
    fn a_yaml_error_names_the_line_in_the_file() {
        let err = block(Block::Yaml("title: ok\nbroken: [unclosed\n")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("invalid input: YAML front matter does not parse"),
            "{message}"
        );
        assert!(message.contains("line 3"), "{message}");
    }

    #[test]
    fn a_yaml_list_is_not_front_matter() {
        let err = block(Block::Yaml("- a\n- b\n")).unwrap_err();
        assert!(err.to_string().contains("a list"), "{err}");
    }

    #[test]
    fn a_yaml_alias_bomb_is_refused_as_a_limit() {
        let err = block(Block::Yaml(&crate::tests::alias_bomb())).unwrap_err();
        assert!(matches!(err, PluginError::Limit(_)), "{err}");
    }

    #[test]
    fn deep_yaml_is_refused_as_a_limit() {
        let deep = format!("a: {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let err = block(Block::Yaml(&deep)).unwrap_err();
        assert!(matches!(err, PluginError::Limit(_)), "{err}");
        let nested: String = (0..200).map(|i| "  ".repeat(i) + "k:\n").collect();
        let err = block(Block::Yaml(&nested)).unwrap_err();
        assert!(matches!(err, PluginError::Limit(_)), "{err}");
    }

    #[test]
    fn deep_toml_is_refused_as_a_limit() {
        let deep = format!("a = {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let err = block(Block::Toml(&deep)).unwrap_err();
        assert!(matches!(err, PluginError::Limit(_)), "{err}");
    }
}
