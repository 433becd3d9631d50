//! Reading `spec/`: YAML text -> model, with errors that say where.
//!
//! This is the only place that knows the YAML library (serde_yaml is archived upstream; a
//! maintained fork can replace it here alone). A shape error is located down to the endpoint,
//! type and field it is in, so a maintainer reads `spec/user.yaml: endpoint info: query field
//! lang: unknown field `typ`` rather than a bare line number.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_yaml::Value;

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{AreaFile, CallbacksFile, Endpoint, ErrorsFile, ExamplesFile, Field, TypeDef};

/// Name of the error-code file.
pub const ERRORS_FILE: &str = "errors.yaml";

/// Name of the inbound-callback file.
pub const CALLBACKS_FILE: &str = "callbacks.yaml";

/// The folder (inside the spec folder) of the official examples, one file per area.
pub const EXAMPLES_DIR: &str = "examples";

/// One area file as read.
#[derive(Debug, Clone)]
pub struct LoadedArea {
    /// Display path, e.g. `spec/user.yaml`.
    pub file: String,
    /// The file's stem, e.g. `user`.
    pub stem: String,
    /// Its content.
    pub model: AreaFile,
}

/// Everything in `spec/`.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    /// Area files, sorted by file name.
    pub areas: Vec<LoadedArea>,
    /// `errors.yaml`, if present.
    pub errors: Option<(String, ErrorsFile)>,
    /// `callbacks.yaml`, if present.
    pub callbacks: Option<(String, CallbacksFile)>,
    /// `examples/<area>.yaml` by area stem: (display path, content).
    pub examples: std::collections::BTreeMap<String, (String, ExamplesFile)>,
}

/// A spec source: file name and text. Keeping I/O out lets tests feed fixtures from memory.
pub struct Source {
    /// File name inside the spec folder (`user.yaml`).
    pub name: String,
    /// YAML text.
    pub text: String,
}

/// Reads every `*.yaml` file of `dir` (sorted by name).
pub fn read_dir(dir: &Path) -> Result<Vec<Source>, Diagnostics> {
    let display = dir_display(dir);
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Diagnostics::one(Diagnostic::new(&display, "", format!("cannot read the spec folder: {e}"))))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| {
            Diagnostics::one(Diagnostic::new(&display, "", format!("cannot list the spec folder: {e}")))
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".yaml") {
            names.push(name);
        }
    }
    // `examples/<area>.yaml`, named with their folder.
    if let Ok(entries) = std::fs::read_dir(dir.join(EXAMPLES_DIR)) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".yaml") {
                names.push(format!("{EXAMPLES_DIR}/{name}"));
            }
        }
    }
    names.sort();
    let mut sources = Vec::new();
    let mut diags = Diagnostics::default();
    for name in names {
        match std::fs::read_to_string(dir.join(&name)) {
            Ok(text) => sources.push(Source { name, text }),
            Err(e) => diags.push(Diagnostic::new(format!("{display}/{name}"), "", format!("cannot read: {e}"))),
        }
    }
    diags.into_result(sources)
}

/// The folder as shown in messages (`spec`).
pub fn dir_display(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| dir.display().to_string())
}

/// Parses sources into the model. `folder` is how the folder is shown in messages.
pub fn load_spec(folder: &str, sources: &[Source]) -> Result<Spec, Diagnostics> {
    let mut spec = Spec::default();
    let mut diags = Diagnostics::default();
    for source in sources {
        let file = format!("{folder}/{}", source.name);
        let value: Value = match serde_yaml::from_str(&source.text) {
            Ok(v) => v,
            Err(e) => {
                diags.push(Diagnostic::new(&file, "", format!("not valid YAML: {e}")));
                continue;
            }
        };
        if source.name == ERRORS_FILE {
            match serde_yaml::from_value::<ErrorsFile>(value) {
                Ok(m) => spec.errors = Some((file, m)),
                Err(e) => diags.push(Diagnostic::new(&file, "", e.to_string())),
            }
            continue;
        }
        if let Some(stem) = source
            .name
            .strip_prefix(EXAMPLES_DIR)
            .and_then(|r| r.strip_prefix('/'))
            .and_then(|r| r.strip_suffix(".yaml"))
        {
            match serde_yaml::from_value::<ExamplesFile>(value) {
                Ok(m) => {
                    spec.examples.insert(stem.to_string(), (file, m));
                }
                Err(e) => diags.push(Diagnostic::new(&file, "", e.to_string())),
            }
            continue;
        }
        if source.name == CALLBACKS_FILE {
            match serde_yaml::from_value::<CallbacksFile>(value.clone()) {
                Ok(m) => spec.callbacks = Some((file, m)),
                Err(e) => locate_callbacks_error(&file, &value, e, &mut diags),
            }
            continue;
        }
        match serde_yaml::from_value::<AreaFile>(value.clone()) {
            Ok(model) => {
                spec.areas.push(LoadedArea { file, stem: source.name.trim_end_matches(".yaml").to_string(), model })
            }
            Err(e) => locate_area_error(&file, &value, e, &mut diags),
        }
    }
    diags.into_result(spec)
}

/// An area file failed to deserialize: find the endpoint/type/field it failed in.
fn locate_area_error(file: &str, value: &Value, whole: serde_yaml::Error, diags: &mut Diagnostics) {
    let before = diags.len();
    for item in seq(value, "endpoints") {
        let place = format!("endpoint {}", name_of(item));
        if let Err(e) = from::<Endpoint>(item) {
            let n = diags.len();
            for (list, label) in [
                (seq(item, "query"), "query field"),
                (seq(get(item, "body"), "fields"), "body field"),
                (seq(get(item, "response"), "fields"), "response field"),
            ] {
                locate_fields(file, &place, label, list, diags);
            }
            if diags.len() == n {
                diags.push(Diagnostic::new(file, &place, e.to_string()));
            }
        }
    }
    for item in seq(value, "types") {
        let place = format!("type {}", name_of(item));
        if let Err(e) = from::<TypeDef>(item) {
            let n = diags.len();
            locate_fields(file, &place, "field", seq(item, "fields"), diags);
            if diags.len() == n {
                diags.push(Diagnostic::new(file, &place, e.to_string()));
            }
        }
    }
    if diags.len() == before {
        diags.push(Diagnostic::new(file, "", whole.to_string()));
    }
}

/// `callbacks.yaml` failed to deserialize: find the message/event/reply and field.
fn locate_callbacks_error(file: &str, value: &Value, whole: serde_yaml::Error, diags: &mut Diagnostics) {
    let before = diags.len();
    for (list, label) in [
        ("messages", "message"),
        ("events", "event"),
        ("replies", "reply"),
        ("component", "component"),
        ("types", "type"),
    ] {
        for item in seq(value, list) {
            let place = format!("{label} {}", name_of(item));
            let n = diags.len();
            locate_fields(file, &place, "field", seq(item, "fields"), diags);
            let shape = if list == "types" {
                from::<TypeDef>(item).err()
            } else {
                from::<crate::model::CallbackDef>(item).err()
            };
            if let (Some(e), true) = (shape, diags.len() == n) {
                diags.push(Diagnostic::new(file, &place, e.to_string()));
            }
        }
    }
    if diags.len() == before {
        diags.push(Diagnostic::new(file, "", whole.to_string()));
    }
}

fn locate_fields(file: &str, place: &str, label: &str, list: &[Value], diags: &mut Diagnostics) {
    for field in list {
        if let Err(e) = from::<Field>(field) {
            diags.push(Diagnostic::new(file, format!("{place}: {label} {}", name_of(field)), e.to_string()));
        }
    }
}

fn from<T: DeserializeOwned>(value: &Value) -> Result<T, serde_yaml::Error> {
    serde_yaml::from_value(value.clone())
}

fn get<'a>(value: &'a Value, key: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    value.get(key).unwrap_or(&NULL)
}

fn seq<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    get(value, key).as_sequence().map(Vec::as_slice).unwrap_or(&[])
}

fn name_of(value: &Value) -> String {
    match value.get("name") {
        Some(Value::String(s)) => s.clone(),
        _ => "<unnamed>".to_string(),
    }
}
