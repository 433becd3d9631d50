//! Doc comments from spec text: fenced and indented so nothing becomes a doctest or broken
//! Markdown.

use proc_macro2::TokenStream;
use quote::quote;

/// Turns spec text into doc lines: indentation is dropped (an indented line would be a
/// code block, hence a doctest) and code fences are marked `text`.
pub fn doc_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.trim_end().lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("```") {
            if in_fence {
                out.push("```".to_string());
            } else {
                let lang = rest.trim();
                out.push(if lang.is_empty() || lang == "rust" {
                    "```text".to_string()
                } else {
                    format!("```{lang},ignore")
                });
            }
            in_fence = !in_fence;
            continue;
        }
        out.push(if in_fence { line.to_string() } else { t.to_string() });
    }
    if in_fence {
        out.push("```".to_string());
    }
    out
}

/// `#[doc = ".."]` attributes for each line of each non-empty paragraph, separated by
/// blank doc lines.
pub fn doc_attrs(paragraphs: &[Option<&str>]) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    for p in paragraphs.iter().flatten() {
        if p.trim().is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(doc_lines(p));
    }
    let attrs = lines.iter().map(|l| {
        let l = if l.is_empty() { String::new() } else { format!(" {l}") };
        quote!(#[doc = #l])
    });
    quote!(#(#attrs)*)
}

/// Module-level `//!` lines.
pub fn inner_doc_attrs(paragraphs: &[Option<&str>]) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    for p in paragraphs.iter().flatten() {
        if p.trim().is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(doc_lines(p));
    }
    let attrs = lines.iter().map(|l| {
        let l = if l.is_empty() { String::new() } else { format!(" {l}") };
        quote!(#![doc = #l])
    });
    quote!(#(#attrs)*)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indented_text_and_fences_never_become_doctests() {
        let lines = doc_lines("Intro\n    indented\n```\nlet x = 1;\n```");
        assert_eq!(lines, vec!["Intro", "indented", "```text", "let x = 1;", "```"]);
    }

    #[test]
    fn an_unclosed_fence_is_closed() {
        assert_eq!(doc_lines("```json\n{}"), vec!["```json,ignore", "{}", "```"]);
    }
}
