//! How the plugin names what it met in its errors and warnings: a JSON parse failure (a
//! limit when nesting went past the parser's recursion limit) and the type of a value.

use docnorm_plugin_api::PluginError;
use serde_json::Value;

/// Describes a JSON parse failure, telling nesting past the recursion limit apart.
pub(crate) fn json_error(what: &str, err: &serde_json::Error) -> PluginError {
    if err.to_string().starts_with("recursion limit exceeded") {
        PluginError::Limit(format!(
            "{what} is nested more than 128 levels deep ({err}); refused"
        ))
    } else {
        PluginError::Invalid(format!("{what} does not parse: {err}"))
    }
}

/// A short name for the type of `value`, for messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}
