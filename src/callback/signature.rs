//! The two callback signatures: `signature` = SHA-1 hex of the sorted token, timestamp and
//! nonce concatenated; `msg_signature` the same with the `Encrypt` value as a fourth part.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// SHA-1 hex (lowercase) of `parts` sorted bytewise and concatenated.
pub fn sign(parts: &[&str]) -> String {
    let mut sorted: [&str; 4] = [""; 4];
    let n = parts.len().min(4);
    sorted[..n].copy_from_slice(&parts[..n]);
    let sorted = &mut sorted[..n];
    sorted.sort_unstable();
    let mut h = Sha1::new();
    for p in sorted.iter() {
        h.update(p.as_bytes());
    }
    for p in parts.iter().skip(4) {
        h.update(p.as_bytes());
    }
    hex(&h.finalize())
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
    if expected.len() != received.len() {
        return false;
    }
    let mut buf = [0u8; 40];
    if received.len() != 40 {
        return expected.as_bytes().ct_eq(received.as_bytes()).into();
    }
    for (b, r) in buf.iter_mut().zip(received.bytes()) {
        *b = r.to_ascii_lowercase();
    }
    expected.as_bytes().ct_eq(&buf).into()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
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
