//! The snapshot loader on arbitrary bytes: it may reject them, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use todo_ai::cluster::{Objects, snapshot};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = snapshot::parse(text, &mut Objects::default());
    }
});
