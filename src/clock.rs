//! Wall-clock time as WeChat counts it (Unix seconds and milliseconds). A leaf module.

/// Unix time in seconds (0 if the clock is before 1970).
pub(crate) fn unix_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Unix time in milliseconds (0 if the clock is before 1970).
pub(crate) fn unix_millis() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}
