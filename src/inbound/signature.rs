//! The two callback signatures: `signature` = SHA-1 hex of the sorted token, timestamp and
//! nonce concatenated; `msg_signature` the same with the `Encrypt` value as a fourth part.

use subtle::ConstantTimeEq;

/// SHA-1 hex (lowercase) of `parts` sorted bytewise and concatenated.
pub fn sign(parts: &[&str]) -> String {
    crate::signing::sha1_hex_of_sorted(parts)
}

/// `signature` for plain-mode pushes and the URL check.
pub fn signature(token: &str, timestamp: &str, nonce: &str) -> String {
    sign(&[token, timestamp, nonce])
}

/// `msg_signature` for encrypted pushes.
pub fn msg_signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    sign(&[token, timestamp, nonce, encrypt])
}

/// Compares a received hex signature with the expected one in constant time (ASCII case
/// of the received value is ignored).
pub fn matches(expected: &str, received: &str) -> bool {
    let mut lower = [0u8; 40];
    if expected.len() != lower.len() || received.len() != lower.len() {
        return false;
    }
    for (l, r) in lower.iter_mut().zip(received.bytes()) {
        *l = r.to_ascii_lowercase();
    }
    expected.as_bytes().ct_eq(&lower).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_of_parts_does_not_matter_and_case_is_ignored() {
        let a = signature("tok", "1409659813", "1372623149");
        assert_eq!(a, sign(&["1372623149", "tok", "1409659813"]));
        assert_eq!(a.len(), 40);
        assert!(matches(&a, &a.to_uppercase()));
        assert!(!matches(&a, &"0".repeat(40)));
        assert!(!matches(&a, "short"));
    }
}
