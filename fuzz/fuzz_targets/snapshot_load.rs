//! The snapshot loader on arbitrary bytes: it may reject them, never panic, and within tight
//! limits what it keeps stays within them (objects counted, memory charged as it is read).
#![no_main]

use libfuzzer_sys::fuzz_target;
use todo_ai::cluster::{Objects, snapshot};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = snapshot::parse(text, &mut Objects::default());
        let limits = snapshot::Limits { max_memory: Some(65_536), max_objects: 32, ..snapshot::Limits::default() };
        let mut objects = Objects::default();
        if let Ok(stats) = snapshot::parse_into(text, &mut objects, &limits) {
            assert!(stats.objects <= 32 && stats.charged <= 65_536 && stats.objects == objects.len());
        }
    }
});
