//! Containerising an app: stack detection (with the app's routes resolved through their
//! prefixes) and Dockerfile/.dockerignore generation (pure, tested with hadolint), the build
//! context, and the plan for writing the files (never without approval: the question shows a
//! new file whole and a changed one as a diff). The app directory is untrusted input: reads are
//! bounded regular files, values pass a grammar, writes never follow links.

pub mod context;
pub mod detect;
pub mod dockerfile;
pub mod files;
pub mod glob;
pub mod ignore;
pub mod review;
pub mod routes;
pub mod values;

use std::path::Path;

pub use detect::{Detection, detect};
pub use dockerfile::{Generated, Options, generate};

use crate::tools::Stack;

/// Detects and generates for a directory, with the default options.
pub fn containerise(dir: &Path, stack: Stack) -> Result<(Detection, Generated), String> {
    containerise_with(dir, stack, false)
}

/// Detects and generates for a directory; `syntax_directive` adds the `# syntax=` line.
pub fn containerise_with(dir: &Path, stack: Stack, syntax_directive: bool) -> Result<(Detection, Generated), String> {
    let detection = detect(dir, stack)?;
    let generated = generate(&detection, options(dir, syntax_directive));
    Ok((detection, generated))
}

/// The generation options for `dir`.
pub fn options(dir: &Path, syntax_directive: bool) -> Options {
    Options { syntax_directive, has_public: files::is_directory(dir, "public") }
}

/// The one-line change that makes a Next.js build standalone: (config file, old, new text).
/// `None` when the config already has it or its shape is not recognised.
pub fn standalone_patch(dir: &Path) -> Option<(String, String, String)> {
    let (file, text) = ["next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"]
        .iter()
        .find_map(|f| files::read_optional(dir, f, files::MAX_SOURCE_BYTES).map(|t| ((*f).to_string(), t)))?;
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

/// A minimal line diff (`-`/`+` lines, unchanged lines indented) between an existing file
/// and its replacement. The common head and tail are matched first, so a small change in a
/// large file (a rendered Helm manifest) costs little; the rest is a longest-common-subsequence
/// table, bounded.
pub fn diff(old: &str, new: &str) -> String {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let head = old_lines.iter().zip(&new_lines).take_while(|(a, b)| a == b).count();
    let tail = old_lines[head..].iter().rev().zip(new_lines[head..].iter().rev()).take_while(|(a, b)| a == b).count();
    let old_mid = &old_lines[head..old_lines.len() - tail];
    let new_mid = &new_lines[head..new_lines.len() - tail];
    let (n, m) = (old_mid.len(), new_mid.len());
    let mut out = String::new();
    for line in &old_lines[..head] {
        out.push_str(&format!("  {line}\n"));
    }
    if n.saturating_mul(m) > 4_000_000 {
        // Too large for the table: show the middle as removed, then added.
        old_mid.iter().for_each(|line| out.push_str(&format!("- {line}\n")));
        new_mid.iter().for_each(|line| out.push_str(&format!("+ {line}\n")));
    } else {
        let width = m + 1;
        let mut table = vec![0u32; (n + 1) * width];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                table[i * width + j] = if old_mid[i] == new_mid[j] {
                    table[(i + 1) * width + j + 1] + 1
                } else {
                    table[(i + 1) * width + j].max(table[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && old_mid[i] == new_mid[j] {
                out.push_str(&format!("  {}\n", old_mid[i]));
                i += 1;
                j += 1;
            } else if i < n && (j == m || table[(i + 1) * width + j] >= table[i * width + j + 1]) {
                // Removals before additions, as `diff -u` shows them.
                out.push_str(&format!("- {}\n", old_mid[i]));
                i += 1;
            } else {
                out.push_str(&format!("+ {}\n", new_mid[j]));
                j += 1;
            }
        }
    }
    for line in &old_lines[old_lines.len() - tail..] {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

/// [`diff`] with only the changed lines and `context` lines around them; runs of unchanged
/// lines in between become `…`.
pub fn diff_compact(old: &str, new: &str, context: usize) -> String {
    // Mark which lines to keep in one pass: a window around every changed line.
    let full = diff(old, new);
    let lines: Vec<&str> = full.lines().collect();
    let changed: Vec<usize> =
        lines.iter().enumerate().filter(|(_, line)| !line.starts_with("  ")).map(|(index, _)| index).collect();
    if changed.is_empty() {
        return String::new();
    }
    let mut kept = vec![false; lines.len()];
    for &c in &changed {
        kept[c.saturating_sub(context)..(c + context + 1).min(lines.len())].iter_mut().for_each(|k| *k = true);
    }
    let keep = |index: usize| kept[index];
    let mut out = String::new();
    let mut skipped = false;
    for (index, line) in lines.iter().enumerate() {
        if keep(index) {
            if skipped {
                out.push_str("  …\n");
                skipped = false;
            }
            out.push_str(line);
            out.push('\n');
        } else {
            skipped = true;
        }
    }
    if skipped {
        out.push_str("  …\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_small_changes_in_large_files_and_compacts_them() {
        let old: String = (0..3000).map(|n| format!("line {n}\n")).collect();
        let new = old.replace("line 1500\n", "line 1500 changed\n");
        let full = diff(&old, &new);
        assert_eq!(full.lines().count(), 3001);
        assert!(full.contains("- line 1500\n+ line 1500 changed\n"));
        let compact = diff_compact(&old, &new, 2);
        assert_eq!(
            compact,
            "  …\n  line 1498\n  line 1499\n- line 1500\n+ line 1500 changed\n  line 1501\n  line 1502\n  …\n"
        );
        assert_eq!(diff_compact(&old, &old, 2), "");
        assert_eq!(diff("a\nb\n", "a\nc\nb\n"), "  a\n+ c\n  b\n");
    }
}
