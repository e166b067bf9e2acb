//! The redactor on arbitrary text: it never panics, and redacting its own output changes
//! nothing. (`redact::json` runs `text` on every string; its own idempotence is a property
//! test in `src/redact/proptests.rs`.)
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let once = todo_ai::redact::text(input);
    assert_eq!(todo_ai::redact::text(&once), once, "not idempotent on {input:?}");
});
