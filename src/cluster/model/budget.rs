//! A memory budget for building views from untrusted input (snapshot files, API responses).
//!
//! Strings in a view are copies of input bytes, so their total is bounded by the input
//! size. What is not bounded by it is the per-element cost of collections: `containers:
//! [{},{},…]` is three bytes of YAML per element but a few hundred bytes of `Container`. So
//! every kept list element, map entry and top-level object is charged, *while* it is being
//! read, to the budget of the current thread; reading fails once the budget is spent, before
//! the memory is. With no budget active (tests, tools that build views themselves) charging
//! only counts.
//!
//! The budget is per thread because serde gives deserializers no context; parsing is
//! synchronous, so a [`Scope`] around one parse owns the thread for exactly that parse.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// What a map entry costs besides its strings' bytes: the B-tree node share and two
/// `String` headers.
const MAP_ENTRY: usize = 64 + 2 * std::mem::size_of::<String>();

thread_local! {
    /// Bytes charged in the current scope.
    static CHARGED: Cell<usize> = const { Cell::new(0) };
    /// The most that may be charged in the current scope (`usize::MAX`: no limit).
    static LIMIT: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// One budgeted parse on this thread: sets the limit and resets the count; the previous
/// scope (if any) is restored on drop, so scopes nest.
pub struct Scope {
    previous: (usize, usize),
}

impl Scope {
    /// Starts a scope allowing `limit` bytes of collection overhead.
    pub fn enter(limit: usize) -> Scope {
        let previous = (CHARGED.with(Cell::get), LIMIT.with(Cell::get));
        CHARGED.with(|c| c.set(0));
        LIMIT.with(|l| l.set(limit));
        Scope { previous }
    }

    /// Bytes charged so far in this scope.
    pub fn charged(&self) -> usize {
        CHARGED.with(Cell::get)
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        CHARGED.with(|c| c.set(self.previous.0));
        LIMIT.with(|l| l.set(self.previous.1));
    }
}

/// The message of the error raised when the budget is spent (the loader recognises it).
pub const EXHAUSTED: &str = "needs more memory than its budget allows";

/// Charges `bytes`; an error once the current scope's limit is passed.
pub fn charge<E: de::Error>(bytes: usize) -> Result<(), E> {
    let total = CHARGED.with(|c| {
        let total = c.get().saturating_add(bytes);
        c.set(total);
        total
    });
    if total > LIMIT.with(Cell::get) { Err(E::custom(EXHAUSTED)) } else { Ok(()) }
}

/// A string field: absent or `null` is empty; its bytes are charged (a YAML alias can
/// repeat one long scalar many times, so strings are not bounded by the input size alone).
pub(crate) fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?.unwrap_or_default();
    charge::<D::Error>(text.len())?;
    Ok(text)
}

/// An optional string field, charged like [`text`].
pub(crate) fn optional_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    charge::<D::Error>(text.as_ref().map_or(0, String::len))?;
    Ok(text)
}

/// A list field: absent or `null` is empty; each element is charged as it is read.
pub(crate) fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: de::Deserialize<'de>,
{
    struct List<T>(PhantomData<T>);
    impl<'de, T: de::Deserialize<'de>> Visitor<'de> for List<T> {
        type Value = Vec<T>;
        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter.write_str("a list")
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
            deserializer.deserialize_seq(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::new();
            loop {
                charge::<A::Error>(std::mem::size_of::<T>())?;
                match seq.next_element()? {
                    Some(item) => items.push(item),
                    None => return Ok(items),
                }
            }
        }
    }
    deserializer.deserialize_option(List(PhantomData))
}

/// A string map field (labels, annotations, selectors, resources): absent or `null` is
/// empty; each entry is charged as it is read.
pub(crate) fn map<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Map;
    impl<'de> Visitor<'de> for Map {
        type Value = BTreeMap<String, String>;
        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter.write_str("a map of strings")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_map(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut map = BTreeMap::new();
            loop {
                charge::<A::Error>(MAP_ENTRY)?;
                match access.next_entry::<String, String>()? {
                    Some((key, value)) => {
                        charge::<A::Error>(key.len() + value.len())?;
                        map.insert(key, value);
                    }
                    None => return Ok(map),
                }
            }
        }
    }
    deserializer.deserialize_option(Map)
}

/// A string map field in the order written (a Service selector, quoted in evidence as it
/// appears): absent or `null` is empty; each entry is charged as it is read.
pub(crate) fn pairs<'de, D>(deserializer: D) -> Result<Vec<(String, String)>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Pairs;
    impl<'de> Visitor<'de> for Pairs {
        type Value = Vec<(String, String)>;
        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter.write_str("a map of strings")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_map(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut pairs = Vec::new();
            loop {
                charge::<A::Error>(MAP_ENTRY)?;
                match access.next_entry::<String, String>()? {
                    Some((key, value)) => {
                        charge::<A::Error>(key.len() + value.len())?;
                        pairs.push((key, value));
                    }
                    None => return Ok(pairs),
                }
            }
        }
    }
    deserializer.deserialize_option(Pairs)
}

/// The keys of a map, its values skipped unread (Secret data): `None` when absent.
pub(crate) fn keys<'de, D>(deserializer: D) -> Result<Option<std::collections::BTreeSet<String>>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = Option<std::collections::BTreeSet<String>>;
        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter.write_str("a map")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_map(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut keys = std::collections::BTreeSet::new();
            loop {
                charge::<A::Error>(MAP_ENTRY)?;
                match access.next_entry::<String, de::IgnoredAny>()? {
                    Some((key, _)) => {
                        charge::<A::Error>(key.len())?;
                        keys.insert(key);
                    }
                    None => return Ok(Some(keys)),
                }
            }
        }
    }
    deserializer.deserialize_option(Keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Holder {
        #[serde(deserialize_with = "list", default)]
        items: Vec<[u64; 16]>,
        #[serde(deserialize_with = "map", default)]
        labels: BTreeMap<String, String>,
    }

    #[test]
    fn a_spent_budget_stops_reading_before_the_memory_is_used() {
        let many = format!("{{\"items\": [{}]}}", vec!["[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]"; 1000].join(","));
        let scope = Scope::enter(10_000);
        let error = serde_json::from_str::<Holder>(&many).unwrap_err();
        assert!(error.to_string().contains(EXHAUSTED), "{error}");
        assert!(scope.charged() <= 10_000 + 128 + MAP_ENTRY, "{}", scope.charged());
        drop(scope);
        // Without a scope it only counts; nulls are empty.
        let holder: Holder = serde_json::from_str(&many).unwrap();
        assert_eq!(holder.items.len(), 1000);
        let holder: Holder = serde_json::from_str(r#"{"items": null, "labels": {"a": "b"}}"#).unwrap();
        assert!(holder.items.is_empty());
        assert_eq!(holder.labels.len(), 1);
    }

    #[test]
    fn scopes_nest_and_restore() {
        let outer = Scope::enter(1_000);
        charge::<serde_json::Error>(100).unwrap();
        {
            let inner = Scope::enter(10);
            assert!(charge::<serde_json::Error>(11).is_err());
            drop(inner);
        }
        assert_eq!(outer.charged(), 100);
        assert!(charge::<serde_json::Error>(901).is_err());
    }
}
