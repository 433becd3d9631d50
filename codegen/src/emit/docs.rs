//! Doc comments from [`Doc`] paragraphs. Spec text is escaped so rustdoc reads it as plain
//! prose: no doctest, no HTML tag, no bare URL, no intra-doc link. Generator text is trusted
//! Markdown and only gets the same line handling.
//!
//! What happens to spec text:
//! - leading indentation is dropped (an indented line would be a code block, hence a doctest);
//! - a ```` ``` ```` fence stays a fence, marked `text` (or `<lang>,ignore`), its lines kept as
//!   they are, and an unclosed fence is closed;
//! - outside fences and inline code spans, `<`, `>` and `&` become `&lt;`, `&gt;`, `&amp;`,
//!   `[`, `]` and `\` are backslash-escaped, and an unmatched backtick is escaped;
//! - a bare `http://` / `https://` URL becomes an autolink `<…>`; an autolink already written
//!   as `<https://…>` is kept.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Doc, Para};

/// The fence line that opens a code block whose info string was `lang`.
fn open_fence(lang: &str) -> String {
    const RUSTDOC_WORDS: &[&str] =
        &["rust", "ignore", "should_panic", "no_run", "compile_fail", "test_harness", "standalone_crate"];
    let rusty = lang
        .split(|c: char| c == ',' || c.is_whitespace())
        .any(|t| RUSTDOC_WORDS.contains(&t) || t.starts_with("edition") || t.starts_with('{'));
    if lang.is_empty() || rusty || !lang.chars().all(|c| c.is_ascii_alphanumeric() || "_-+.".contains(c)) {
        "```text".to_string()
    } else {
        format!("```{lang},ignore")
    }
}

/// Splits text into doc lines: indentation outside fences is dropped and fences are marked
/// so they never become doctests. `prose` is applied to each run of lines outside fences.
fn lines_with(text: &str, prose: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    let mut pending: Vec<&str> = Vec::new();
    let flush = |pending: &mut Vec<&str>, out: &mut Vec<String>| {
        if !pending.is_empty() {
            out.extend(prose(&pending.join("\n")).split('\n').map(str::to_string));
            pending.clear();
        }
    };
    for line in text.trim_end().lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("```") {
            flush(&mut pending, &mut out);
            out.push(if in_fence { "```".to_string() } else { open_fence(rest.trim()) });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.trim_end().to_string());
        } else {
            pending.push(t);
        }
    }
    flush(&mut pending, &mut out);
    if in_fence {
        out.push("```".to_string());
    }
    out
}

/// Doc lines of trusted (generator) text.
pub fn doc_lines(text: &str) -> Vec<String> {
    lines_with(text, &|s| s.to_string())
}

/// Doc lines of spec text, escaped.
pub fn spec_doc_lines(text: &str) -> Vec<String> {
    lines_with(text, &escape_prose)
}

/// Characters a URL may contain (ASCII, no spaces, no angle brackets or quotes).
fn url_char(c: char) -> bool {
    c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '`')
}

/// The length of a bare URL starting at `s`, trailing punctuation excluded.
fn bare_url_len(s: &str) -> Option<usize> {
    if !(s.starts_with("https://") || s.starts_with("http://")) {
        return None;
    }
    let mut end = s.find(|c: char| !url_char(c)).unwrap_or(s.len());
    loop {
        let url = &s[..end];
        let last = url.chars().last()?;
        let unbalanced_paren = last == ')' && url.matches(')').count() > url.matches('(').count();
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | ']') || unbalanced_paren {
            end -= 1;
        } else {
            break;
        }
    }
    (end > "https://".len()).then_some(end)
}

/// Escapes prose (text outside fences) for rustdoc Markdown.
pub fn escape_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut i = 0;
    let prev_alnum = |out: &str| out.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    while i < text.len() {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        match c {
            '`' => {
                let run = rest.len() - rest.trim_start_matches('`').len();
                let fence = &rest[..run];
                // The closing run must be exactly as long.
                let mut search = run;
                let mut close = None;
                while let Some(pos) = rest[search..].find(fence) {
                    let at = search + pos;
                    let len = rest[at..].len() - rest[at..].trim_start_matches('`').len();
                    if len == run {
                        close = Some(at);
                        break;
                    }
                    search = at + len;
                }
                match close {
                    Some(at) => {
                        out.push_str(&rest[..at + run]);
                        i += at + run;
                    }
                    None => {
                        for _ in 0..run {
                            out.push_str("\\`");
                        }
                        i += run;
                    }
                }
            }
            '<' => {
                let autolink = bare_url_len(&rest[1..]).filter(|&n| rest[1 + n..].starts_with('>'));
                match autolink {
                    Some(n) => {
                        out.push_str(&rest[..n + 2]);
                        i += n + 2;
                    }
                    None => {
                        out.push_str("&lt;");
                        i += 1;
                    }
                }
            }
            'h' if !prev_alnum(&out) && bare_url_len(rest).is_some() => {
                let n = bare_url_len(rest).unwrap_or(0);
                out.push('<');
                out.push_str(&rest[..n]);
                out.push('>');
                i += n;
            }
            '>' => {
                out.push_str("&gt;");
                i += 1;
            }
            '&' => {
                out.push_str("&amp;");
                i += 1;
            }
            '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
                i += 1;
            }
            _ => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

fn lines(doc: &Doc) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for p in &doc.0 {
        let (text, spec) = match p {
            Para::Spec(t) => (t, true),
            Para::Generated(t) => (t, false),
        };
        if text.trim().is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(if spec { spec_doc_lines(text) } else { doc_lines(text) });
    }
    lines.into_iter().map(|l| if l.is_empty() { l } else { format!(" {l}") }).collect()
}

/// `#[doc = ".."]` attributes for each line of each non-empty paragraph, separated by
/// blank doc lines.
pub fn doc_attrs(doc: &Doc) -> TokenStream {
    let attrs = lines(doc).into_iter().map(|l| quote!(#[doc = #l]));
    quote!(#(#attrs)*)
}

/// Module-level `//!` lines.
pub fn inner_doc_attrs(doc: &Doc) -> TokenStream {
    let attrs = lines(doc).into_iter().map(|l| quote!(#![doc = #l]));
    quote!(#(#attrs)*)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indented_text_and_fences_never_become_doctests() {
        let lines = spec_doc_lines("Intro\n    indented\n```\nlet x = 1;\n```");
        assert_eq!(lines, vec!["Intro", "indented", "```text", "let x = 1;", "```"]);
    }

    #[test]
    fn an_unclosed_fence_is_closed() {
        assert_eq!(spec_doc_lines("```json\n{}"), vec!["```json,ignore", "{}", "```"]);
    }

    #[test]
    fn rustdoc_words_in_a_fence_make_it_text() {
        assert_eq!(spec_doc_lines("```rust,no_run\nx\n```")[0], "```text");
        assert_eq!(spec_doc_lines("```should_panic\nx\n```")[0], "```text");
    }

    #[test]
    fn html_and_ampersands_are_escaped_outside_code() {
        assert_eq!(escape_prose("may contain <a href> & `<b>`"), "may contain &lt;a href&gt; &amp; `<b>`");
    }

    #[test]
    fn brackets_and_backslashes_are_escaped() {
        assert_eq!(escape_prose(r"see [x] and a\b"), r"see \[x\] and a\\b");
    }

    #[test]
    fn bare_urls_become_autolinks_and_autolinks_stay() {
        assert_eq!(
            escape_prose("at https://a.example/x?y=1&z=2. or <https://b.example>"),
            "at <https://a.example/x?y=1&z=2>. or <https://b.example>"
        );
        assert_eq!(escape_prose("(https://a.example/p)"), "(<https://a.example/p>)");
        assert_eq!(escape_prose("链接https://a.example/p。"), "链接<https://a.example/p>。");
    }

    #[test]
    fn an_unmatched_backtick_is_escaped_and_code_spans_may_span_lines() {
        assert_eq!(escape_prose("a ` b"), "a \\` b");
        assert_eq!(escape_prose("``a ` b`` <"), "``a ` b`` &lt;");
        assert_eq!(spec_doc_lines("`x\n<y>`"), vec!["`x", "<y>`"]);
    }

    #[test]
    fn generator_text_is_not_escaped() {
        let doc = Doc::default().generated("Response of [`UserApi::info`].").spec(Some("[x]"));
        assert_eq!(lines(&doc), vec![" Response of [`UserApi::info`].", "", r" \[x\]"]);
    }
}
