//! Small helpers the runtime shares: wall-clock time and SHA-1 hex digests.

use sha1::{Digest, Sha1};

/// Unix time in seconds (0 if the clock is before 1970).
pub(crate) fn unix_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Unix time in milliseconds (0 if the clock is before 1970).
pub(crate) fn unix_millis() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

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
