//! Keeping credentials out of output: [`Redacted`] stands in for a secret in `Debug`, and
//! [`redact_secrets`] removes credentials from text before it reaches an error message or a
//! log line. A leaf module.

/// Shown in `Debug` output in place of a secret.
pub(crate) struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Query keys whose values are credentials.
const SECRET_KEYS: &[&str] = &[
    "access_token",
    "secret",
    "appsecret",
    "refresh_token",
    "code",
    "ticket",
    "jsapi_ticket",
    "component_access_token",
    "component_appsecret",
    "component_secret",
    "component_verify_ticket",
    "authorizer_access_token",
    "authorizer_refresh_token",
    "pre_auth_code",
    "auth_code",
    "authorization_code",
];

/// Replaces the value of every `key=value` pair with a secret key by `<redacted>`.
pub(crate) fn redact_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'outer: while !rest.is_empty() {
        for key in SECRET_KEYS {
            if let Some(after) = rest.strip_prefix(key).and_then(|r| r.strip_prefix('=')) {
                let boundary = out.chars().last().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
                if boundary {
                    out.push_str(key);
                    out.push_str("=<redacted>");
                    let end = after
                        .find(|c: char| c == '&' || c == '#' || c == '"' || c == '\'' || c.is_whitespace() || c == ')')
                        .unwrap_or(after.len());
                    rest = &after[end..];
                    continue 'outer;
                }
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_urls_are_replaced() {
        let s = "error sending request for url (http://h/api/x?access_token=ABC.def&openid=o&secret=S3)";
        let r = redact_secrets(s);
        assert!(!r.contains("ABC") && !r.contains("S3"), "{r}");
        assert!(r.contains("openid=o"));
    }

    #[test]
    fn keys_inside_other_words_are_left_alone() {
        assert_eq!(redact_secrets("unicode=1"), "unicode=1");
    }
}
