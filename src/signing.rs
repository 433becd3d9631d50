//! WeChat's signatures: lower-case hex and the SHA-1 of sorted, concatenated parts (callback
//! `signature` / `msg_signature`, JS-SDK `signature`, card `cardSign`). A leaf module.

use sha1::{Digest, Sha1};

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Lower-case hex SHA-1 of `parts` sorted bytewise and concatenated: the callback
/// `signature`/`msg_signature` and the card `cardSign` are all this.
pub(crate) fn sha1_hex_of_sorted(parts: &[&str]) -> String {
    let mut small = [""; 8];
    let mut large;
    let sorted: &mut [&str] = if parts.len() <= small.len() {
        small[..parts.len()].copy_from_slice(parts);
        &mut small[..parts.len()]
    } else {
        large = parts.to_vec();
        &mut large
    };
    sorted.sort_unstable();
    let mut h = Sha1::new();
    for p in sorted.iter() {
        h.update(p.as_bytes());
    }
    hex(&h.finalize())
}
