//! JSON schemas for tool arguments, generated from the argument types.
//!
//! The same schema is sent to Anthropic (`input_schema`) and to
//! OpenAI-compatible servers (`parameters`), and validates the arguments the
//! model sends back, so what the model is told and what is enforced can never
//! drift apart.

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::transform::RestrictFormats;
use schemars::{JsonSchema, Schema};
use serde_json::Value;
use thiserror::Error;

/// The generated schema does not describe a JSON object, which both provider
/// APIs require at the top level.
#[derive(Debug, Error)]
#[error("arguments of tool {tool} must be a struct (a JSON object), got schema type {found}")]
pub struct SchemaError {
    pub tool: String,
    pub found: String,
}

/// Formats both provider APIs understand; schemars' own (`uint32`, `int64`…)
/// are dropped because strict validators reject unknown formats.
const PORTABLE_FORMATS: &[&str] = &["date-time", "date", "time", "email", "uri", "uuid"];

/// The normalised JSON schema of `T`: a top-level object, subschemas inlined
/// (no `$ref`/`$defs`), no `$schema`, no `title`, only portable formats.
pub fn tool_schema<T: JsonSchema>(tool: &str) -> Result<Value, SchemaError> {
    let mut restrict = RestrictFormats::default();
    restrict.infer_from_meta_schema = false;
    restrict.allowed_formats = PORTABLE_FORMATS.iter().map(|f| Cow::Borrowed(*f)).collect();
    let generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.meta_schema = None;
            s.inline_subschemas = true;
        })
        .with_transform(restrict)
        .into_generator();
    let schema: Schema = generator.into_root_schema_for::<T>();
    let mut value = schema.to_value();
    let Some(object) = value.as_object_mut() else {
        return Err(SchemaError {
            tool: tool.to_owned(),
            found: value.to_string(),
        });
    };
    object.remove("title");
    object.remove("$schema");
    match object.get("type").and_then(Value::as_str) {
        Some("object") => {}
        other => {
            return Err(SchemaError {
                tool: tool.to_owned(),
                found: other.unwrap_or("none").to_owned(),
            });
        }
    }
    object
        .entry("properties")
        .or_insert_with(|| Value::Object(Default::default()));
    Ok(value)
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use schemars::JsonSchema;
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        /// A code.
        code: String,
    }

    #[derive(Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    /// Some arguments.
    struct Args {
        /// How many. Example: 3
        #[schemars(range(min = 1, max = 10))]
        count: u32,
        inner: Option<Inner>,
    }

    #[test]
    fn schema_is_an_inlined_object_without_meta_keys() {
        let schema = tool_schema::<Args>("t").unwrap();
        let text = schema.to_string();
        assert!(!text.contains("$ref"), "{text}");
        assert!(!text.contains("$defs"), "{text}");
        assert!(!text.contains("$schema"), "{text}");
        assert!(!text.contains("uint32"), "{text}");
        assert_eq!(schema.get("title"), None);
        assert_eq!(schema["type"], json!("object"));
        assert_eq!(schema["required"], json!(["count"]));
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(schema["properties"]["count"]["maximum"], json!(10));
        assert_eq!(
            schema["properties"]["inner"]["properties"]["code"]["type"],
            json!("string")
        );
    }

    #[test]
    fn non_object_arguments_are_rejected() {
        let err = tool_schema::<u32>("numbers").unwrap_err();
        assert_eq!(err.tool, "numbers");
        assert!(err.to_string().contains("must be a struct"));
    }
}
