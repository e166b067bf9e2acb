//! The offline planner on arbitrary text: always a plan, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = todo_ai::planner::offline::plan(text);
    }
});
