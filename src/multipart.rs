//! The parts of a multipart/form-data request body (media and material uploads), built by the
//! generated code and sent by `http`.

use serde::Serialize;

use crate::error::Error;
use crate::files::Upload;

/// One multipart part.
pub(crate) enum Part {
    /// A file.
    File {
        /// Form field name.
        name: &'static str,
        /// The file.
        upload: Upload,
    },
    /// A text field.
    Text {
        /// Form field name.
        name: &'static str,
        /// The value.
        value: String,
    },
}

impl Part {
    /// A file part.
    pub(crate) fn file(name: &'static str, upload: Upload) -> Part {
        Part::File { name, upload }
    }

    /// A text part: strings as they are, anything else as JSON. `endpoint` names the call in
    /// the error.
    pub(crate) fn field<T: Serialize>(endpoint: &'static str, name: &'static str, value: &T) -> Result<Part, Error> {
        let v = serde_json::to_value(value)
            .map_err(|e| Error::InvalidRequest { endpoint, message: format!("part `{name}`: {e}") })?;
        let value = match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        Ok(Part::Text { name, value })
    }
}
