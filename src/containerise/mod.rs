//! Containerising an app: stack detection and Dockerfile/.dockerignore generation (pure,
//! tested with hadolint), plus the plan for writing them (never overwriting without approval:
//! the preview shows a diff).

pub mod context;
pub mod detect;
pub mod dockerfile;
pub mod review;

use std::path::Path;

pub use detect::{Detection, detect};
pub use dockerfile::{Generated, generate};

use crate::tools::Stack;

/// Detects and generates for a directory.
pub fn containerise(dir: &Path, stack: Stack) -> Result<(Detection, Generated), String> {
    let detection = detect(dir, stack)?;
    let generated = generate(&detection, dir.join("public").is_dir());
    Ok((detection, generated))
}

/// The one-line change that makes a Next.js build standalone: (config file, old, new text).
/// `None` when the config already has it or its shape is not recognised.
pub fn standalone_patch(dir: &Path) -> Option<(String, String, String)> {
    let (file, text) = ["next.config.js", "next.config.mjs", "next.config.ts"]
        .iter()
        .find_map(|f| std::fs::read_to_string(dir.join(f)).ok().map(|t| ((*f).to_string(), t)))?;
    if text.contains("standalone") {
        return None;
    }
    // The object literal that is the config: `const nextConfig = {`, `module.exports = {`,
    // `export default {`, `const config: NextConfig = {`.
    let anchor = ["nextConfig = {", "module.exports = {", "export default {", "NextConfig = {", "config = {"]
        .iter()
        .find_map(|pattern| text.find(pattern).map(|index| index + pattern.len()))?;
    let mut patched = text.clone();
    patched.insert_str(anchor, "\n  output: 'standalone',");
    Some((file, text, patched))
}

/// A minimal line diff (`-`/`+` lines) between an existing file and its replacement.
pub fn diff(old: &str, new: &str) -> String {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    // Longest common subsequence table, small files only.
    let (n, m) = (old_lines.len(), new_lines.len());
    if n * m > 250_000 {
        return format!("(files too large to diff: {n} → {m} lines)\n");
    }
    let mut table = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i][j] = if old_lines[i] == new_lines[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    while i < n || j < m {
        if i < n && j < m && old_lines[i] == new_lines[j] {
            out.push_str(&format!("  {}\n", old_lines[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || table[i][j + 1] >= table[i + 1][j]) {
            out.push_str(&format!("+ {}\n", new_lines[j]));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", old_lines[i]));
            i += 1;
        }
    }
    out
}
