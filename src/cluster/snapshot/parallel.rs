//! Reading a large `kubectl get -o yaml` List on several cores. YAML parsing is the cost of
//! loading a snapshot (tens of MB/s), and a List's items are independent, so a big List in
//! kubectl's layout — one document, `items:` at the top level, each item a `- ` line at
//! column 0 — is cut at item starts and the pieces are read in parallel, each into its own
//! objects, then joined in order.
//!
//! Cutting there is sound: in block YAML every line of an item is indented under its `- `,
//! so a line at column 0 that starts with `- ` begins the next item. Anything the cut could
//! break — several documents, anchors and aliases (an alias may point into another piece),
//! tags, flow style at the top — keeps the text on the sequential path, and so does any
//! error, so error messages and line numbers are exactly the sequential ones.

use super::{Limits, document};
use crate::cluster::Objects;
use crate::cluster::model::budget;

/// Texts smaller than this are read in one piece (threads cost more than they save).
const MIN_PARALLEL_BYTES: usize = 4 * 1024 * 1024;

/// The pieces of a kubectl-style List, each a run of whole items, when it can be cut.
pub(super) fn pieces(text: &str, count: usize) -> Option<Vec<&str>> {
    if count < 2 || text.len() < MIN_PARALLEL_BYTES || !plain(text) {
        return None;
    }
    let mut starts = Vec::new();
    let mut offset = 0;
    let mut in_items = false;
    let mut end = None;
    let mut kind_list = false;
    for line in text.split_inclusive('\n') {
        let column_zero = !line.starts_with([' ', '\t', '\n', '\r', '#']);
        if line.starts_with("---") || line.starts_with("...") {
            return None;
        }
        if column_zero {
            if in_items && line.starts_with("- ") {
                starts.push(offset);
            } else if line.trim_end() == "items:" {
                if in_items || end.is_some() {
                    return None;
                }
                in_items = true;
            } else {
                if in_items {
                    end = Some(offset);
                    in_items = false;
                }
                let key = line.trim_end();
                if let Some(kind) = key.strip_prefix("kind: ") {
                    kind_list = kind == "List" || kind.ends_with("List");
                }
            }
        }
        offset += line.len();
    }
    let end = end.unwrap_or(text.len());
    if !kind_list || starts.len() < count * 4 {
        return None;
    }
    let per_piece = starts.len().div_ceil(count);
    let mut pieces = Vec::new();
    for (index, start) in starts.iter().enumerate().step_by(per_piece) {
        let stop = starts.get(index + per_piece).copied().unwrap_or(end);
        pieces.push(&text[*start..stop]);
    }
    Some(pieces)
}

/// No anchors, aliases or tags anywhere (they are rare; a false alarm only costs speed).
fn plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.windows(2).any(|pair| matches!(pair[0], b' ' | b'[' | b'{' | b',') && matches!(pair[1], b'&' | b'*' | b'!'))
}

/// Reads the pieces on their own threads, with the memory they were charged; `None` when
/// any piece fails (the caller then reads the whole text in order, for its exact error).
pub(super) fn read(pieces: &[&str], limits: &Limits, total: usize) -> Option<(Objects, usize)> {
    let results: Vec<Option<(Objects, usize)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = pieces
            .iter()
            .map(|piece| {
                let memory = limits.max_memory.map_or_else(
                    || super::memory_budget(piece.len()),
                    |m| m.saturating_mul(piece.len()) / total.max(1),
                );
                scope.spawn(move || {
                    let _context = document::Context::enter(limits.max_objects);
                    let budget = budget::Scope::enter(memory);
                    let options = super::yaml_options(piece, limits);
                    serde_saphyr::from_str_multiple_with_options::<super::YamlDocument, super::Documents>(
                        piece, options,
                    )
                    .ok()
                    .map(|documents| (documents.0, budget.charged()))
                })
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().ok().flatten()).collect()
    });
    let mut objects = Objects::default();
    let mut charged = 0;
    for result in results {
        let (read, cost) = result?;
        objects.append(read);
        charged += cost;
    }
    (objects.len() <= limits.max_objects).then_some((objects, charged))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: usize) -> String {
        let mut text = String::from("apiVersion: v1\nitems:\n");
        for index in 0..items {
            text.push_str(&format!(
                "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c{index}\n    namespace: n\n  data:\n    key: |\n      - not an item\n      more\n"
            ));
        }
        text.push_str("kind: List\nmetadata:\n  resourceVersion: \"\"\n");
        text
    }

    #[test]
    fn a_kubectl_list_is_cut_at_item_starts_and_reads_the_same() {
        let text = list(60_000);
        assert!(text.len() > MIN_PARALLEL_BYTES);
        let pieces = pieces(&text, 3).unwrap();
        assert_eq!(pieces.len(), 3);
        assert!(pieces.iter().all(|piece| piece.starts_with("- apiVersion: v1\n")));
        let (parallel, charged) = read(&pieces, &Limits::default(), text.len()).unwrap();
        assert!(charged > 0);
        let mut sequential = Objects::default();
        super::super::parse_yaml(&text, &mut sequential, &Limits::default()).unwrap();
        assert_eq!(parallel.config_maps, sequential.config_maps);
        assert_eq!(parallel.config_maps.len(), 60_000);
    }

    #[test]
    fn what_a_cut_could_break_stays_sequential() {
        let text = list(60_000);
        assert!(pieces(&text.replacen("name: c7\n", "name: &a c7\n", 1), 2).is_none(), "an anchor");
        assert!(pieces(&format!("{text}---\n{text}"), 2).is_none(), "several documents");
        assert!(pieces(&text.replace("kind: List\n", "kind: Pod\n"), 2).is_none(), "not a List");
        assert!(pieces(&list(10), 2).is_none(), "small");
        assert!(pieces(&text, 1).is_none(), "one core");
        // An item that fails to read sends the whole text down the sequential path.
        let broken = text.replacen("    name: c9\n", "    name: [c9\n", 1);
        let pieces = pieces(&broken, 2).unwrap();
        assert!(read(&pieces, &Limits::default(), broken.len()).is_none());
    }
}
