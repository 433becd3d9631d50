//! Arbitrary bytes through every decode entry point of the inbound callback path; the first
//! byte picks the mode (see `wechat_oa_fuzz::Mode`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Panics (and the harness's own consistency asserts) are the findings; Ok and Err are both fine.
    let _ = wechat_oa_fuzz::run(data);
});
