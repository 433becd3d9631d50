//! The JSON Schema of the spec format (`spec/schema.json`), derived from the model types so
//! it can never disagree with what the generator accepts.

use crate::model::{AreaFile, ErrorsFile, ExamplesFile};

/// The schema for area files, pretty-printed, with a trailing newline.
pub fn area_schema() -> String {
    let schema = schemars::schema_for!(AreaFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema for `errors.yaml`.
pub fn errors_schema() -> String {
    let schema = schemars::schema_for!(ErrorsFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema for `examples/<area>.yaml` (`spec/examples/schema.json`).
pub fn examples_schema() -> String {
    let schema = schemars::schema_for!(ExamplesFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
