//! Problems found in the spec, each with its place: file, then endpoint/type and field.

use std::fmt;

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `spec/user.yaml`
    pub file: String,
    /// `endpoint info: query field lang`, or empty for the whole file.
    pub place: String,
    /// What is wrong, and where possible what would be right.
    pub message: String,
}

impl Diagnostic {
    /// A problem at `place` in `file`.
    pub fn new(file: impl Into<String>, place: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { file: file.into(), place: place.into(), message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.place.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.place, self.message)
        }
    }
}

/// All problems found in one pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// A list of one.
    pub fn one(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
    /// Adds a problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// No problems?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(value)` when there is no problem.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
