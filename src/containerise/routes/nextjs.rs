//! Next.js routes from the file system, the way Next.js maps files to URLs: App Router
//! handlers `app/**/route.{ts,js,…}` and Pages Router API files `pages/api/**.{ts,js,…}`
//! (each also under `src/`); route groups `(name)` add no segment, private `_name` folders
//! and parallel `@slot` folders are not routes, dynamic `[id]` segments never make a health
//! path; everything sits under the config's `basePath`.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::containerise::files;

/// The most directory entries looked at.
const MAX_ENTRIES: usize = 20_000;

/// The deepest route folder followed.
const MAX_DEPTH: usize = 10;

const EXTENSIONS: [&str; 6] = ["ts", "tsx", "js", "jsx", "mjs", "cjs"];

/// The URL paths of the app's route handlers and API routes (without `basePath`).
pub fn routes(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut budget = MAX_ENTRIES;
    for root in ["app", "src/app"] {
        if files::is_directory(dir, root) {
            walk(dir, root, Vec::new(), true, &mut found, &mut budget);
        }
    }
    for root in ["pages/api", "src/pages/api"] {
        if files::is_directory(dir, root) {
            walk(dir, root, vec!["api".to_string()], false, &mut found, &mut budget);
        }
    }
    found.sort();
    found.dedup();
    found
}

fn walk(
    dir: &Path,
    relative: &str,
    segments: Vec<String>,
    app_router: bool,
    found: &mut Vec<String>,
    budget: &mut usize,
) {
    let Ok(entries) = std::fs::read_dir(dir.join(relative)) else { return };
    for entry in entries.flatten() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let name = entry.file_name().to_string_lossy().to_string();
        // The entry's own type: links are not followed.
        let Ok(kind) = entry.file_type() else { continue };
        let child = format!("{relative}/{name}");
        if kind.is_dir() {
            if segments.len() >= MAX_DEPTH || name.starts_with(['_', '@', '.']) || name == "node_modules" {
                continue;
            }
            let mut next = segments.clone();
            if !(name.starts_with('(') && name.ends_with(')')) {
                next.push(name);
            }
            walk(dir, &child, next, app_router, found, budget);
        } else if kind.is_file() {
            let Some((stem, extension)) = name.rsplit_once('.') else { continue };
            if !EXTENSIONS.contains(&extension) {
                continue;
            }
            let mut path = segments.clone();
            if app_router {
                if stem != "route" {
                    continue;
                }
            } else if stem != "index" {
                path.push(stem.to_string());
            }
            found.push(format!("/{}", path.join("/")));
        }
    }
}

/// The `basePath` a Next.js config sets, when it is a plain string literal.
pub fn base_path(config: &str) -> Option<String> {
    static BASE_PATH: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#"basePath\s*:\s*['"`](/[^'"`\s]{0,200})['"`]"#).ok());
    BASE_PATH.as_ref()?.captures(config)?.get(1).map(|m| m.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_system_routes_map_like_next() {
        let dir = tempfile::tempdir().unwrap();
        for file in [
            "src/app/(ops)/api/healthz/route.ts",
            "src/app/api/items/[id]/route.ts",
            "src/app/_lib/route.ts",
            "src/app/page.tsx",
            "pages/api/ping.js",
            "pages/api/status/index.ts",
        ] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "export {}").unwrap();
        }
        assert_eq!(routes(dir.path()), vec!["/api/healthz", "/api/items/[id]", "/api/ping", "/api/status"]);
        assert_eq!(
            base_path("module.exports = { basePath: '/shop/', output: 'standalone' }").as_deref(),
            Some("/shop")
        );
        assert_eq!(base_path("const x = 1"), None);
    }
}
