//! `.dockerignore` parsing and matching on arbitrary input: never a panic, and the matching
//! work stays within the linear bound (the property tests check the same on stable Rust).
#![no_main]

use libfuzzer_sys::fuzz_target;
use todo_ai::containerise::glob::Pattern;
use todo_ai::containerise::ignore::Ignore;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (rules, path) = text.split_once('\0').unwrap_or((text, "a/b/c"));
    if let Ok(ignore) = Ignore::parse(rules) {
        let _ = ignore.excluded(path);
    }
    for line in rules.lines() {
        if let Ok(pattern) = Pattern::compile(line) {
            let mut steps = 0;
            pattern.run(path, &mut steps);
            let bound = (path.chars().count() as u64 + 1) * 2 * pattern.len() as u64;
            assert!(steps <= bound, "{steps} steps > {bound}");
        }
    }
});
