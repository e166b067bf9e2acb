//! Reading snapshot documents straight into views: a serde seed that walks a document (an
//! object, a `List`, a sequence of either, or nothing), reads each object's `kind`, and
//! deserializes the rest of that object directly into the kind's view — no intermediate
//! tree of values, and one object at a time however long the list.
//!
//! `kubectl` writes `kind` before `metadata`, `spec` and `status`, and a List's `items`
//! before its `kind`, so the common path never buffers. Fields that come before `kind` (a
//! hand-written file) are buffered as JSON values, charged to the memory budget, and
//! replayed in front of the rest.

use std::cell::Cell;
use std::fmt;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::cluster::model::budget::charge;
use crate::cluster::model::{self, Meta, Objects, Other};

thread_local! {
    /// Objects read so far and the most allowed, for the parse on this thread.
    static COUNT: Cell<(usize, usize)> = const { Cell::new((0, usize::MAX)) };
    /// The typed error of the object that failed, with its kind and name, verbatim.
    static FAILED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// The context of one parse on this thread: the object limit and the first typed error.
pub(super) struct Context {
    previous: (usize, usize),
}

impl Context {
    /// Starts counting objects, allowing at most `max_objects`.
    pub(super) fn enter(max_objects: usize) -> Context {
        let previous = COUNT.with(Cell::get);
        COUNT.with(|c| c.set((0, max_objects)));
        FAILED.with(|f| f.borrow_mut().take());
        Context { previous }
    }

    /// The error of the object that failed to read as its kind (`Pod `web`: …`), if that is
    /// what stopped the parse.
    pub(super) fn typed_error(&self) -> Option<String> {
        FAILED.with(|f| f.borrow_mut().take())
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        COUNT.with(|c| c.set(self.previous));
    }
}

/// The message of the error raised past the object limit.
pub(super) const TOO_MANY: &str = "too many objects";

fn count_one<E: de::Error>() -> Result<(), E> {
    let (count, max) = COUNT.with(Cell::get);
    if count >= max {
        return Err(E::custom(format!("{TOO_MANY} (more than {max})")));
    }
    COUNT.with(|c| c.set((count + 1, max)));
    Ok(())
}

/// One node of a document: an object, a list of them, or null.
pub(super) struct Node<'a> {
    /// Where objects go.
    pub objects: &'a mut Objects,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

fn not_objects<E: de::Error>(found: &str) -> E {
    E::custom(format!("expected Kubernetes objects, found {found}"))
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Kubernetes objects")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(not_objects("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(not_objects("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(not_objects("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(not_objects("a number"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(not_objects("a string"))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(), E> {
        Err(not_objects("bytes"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Node { objects: &mut *self.objects })?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        object(map, self.objects)
    }
}

/// Reads one object (or a List's items) into `objects`.
fn object<'de, A: MapAccess<'de>>(mut map: A, objects: &mut Objects) -> Result<(), A::Error> {
    let mut before_kind: Vec<(String, Value)> = Vec::new();
    let mut kind: Option<String> = None;
    let mut list = false;
    while kind.is_none() {
        let Some(key) = map.next_key::<String>()? else { break };
        match key.as_str() {
            "kind" => {
                let name = map.next_value::<Option<String>>()?.unwrap_or_default();
                charge::<A::Error>(name.len())?;
                kind = Some(name);
            }
            // A List's items (kubectl writes them before `kind: List`): read them as they come.
            "items" => {
                map.next_value_seed(Node { objects: &mut *objects })?;
                list = true;
            }
            _ => {
                charge::<A::Error>(key.len())?;
                let value = map.next_value_seed(Charged)?;
                before_kind.push((key, value));
            }
        }
    }
    let kind = kind.unwrap_or_default();
    if list || kind == "List" || kind.ends_with("List") {
        // The rest of a List (its `metadata`, or `items` after `kind`).
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                map.next_value_seed(Node { objects: &mut *objects })?;
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        return Ok(());
    }
    let rest = Replay { buffered: before_kind.into_iter(), pending: None, live: map };
    if kind.is_empty() {
        let name = Meta::deserialize(MapAccessDeserializer::new(rest)).map(|meta| meta.name).unwrap_or_default();
        let name = if name.is_empty() { "<unnamed>".to_string() } else { name };
        return Err(de::Error::custom(format!("an object without `kind` (`{name}`)")));
    }
    count_one()?;
    let deserializer = MapAccessDeserializer::new(rest);
    let read = match kind.as_str() {
        "Pod" => push(deserializer, &mut objects.pods),
        "Deployment" => push(deserializer, &mut objects.deployments),
        "StatefulSet" => push(deserializer, &mut objects.statefulsets),
        "DaemonSet" => push(deserializer, &mut objects.daemonsets),
        "ReplicaSet" => push(deserializer, &mut objects.replicasets),
        "Event" => push(deserializer, &mut objects.events),
        "HorizontalPodAutoscaler" => push(deserializer, &mut objects.hpas),
        "Service" => push(deserializer, &mut objects.services),
        "Endpoints" => push(deserializer, &mut objects.endpoints),
        "Ingress" => push(deserializer, &mut objects.ingresses),
        "IngressClass" => push(deserializer, &mut objects.ingress_classes),
        "PersistentVolumeClaim" => push(deserializer, &mut objects.claims),
        "StorageClass" => push(deserializer, &mut objects.storage_classes),
        "Node" => push(deserializer, &mut objects.nodes),
        "PodDisruptionBudget" => push(deserializer, &mut objects.budgets),
        "Job" => push(deserializer, &mut objects.jobs),
        "Secret" => push(deserializer, &mut objects.secrets),
        "ConfigMap" => push(deserializer, &mut objects.config_maps),
        _ => {
            #[derive(Deserialize)]
            struct Fields {
                #[serde(default, deserialize_with = "model::metadata")]
                metadata: Meta,
            }
            Fields::deserialize(deserializer)
                .map(|fields| objects.other.push(Other { kind: kind.clone(), metadata: fields.metadata }))
        }
    };
    read.map_err(|error: A::Error| {
        let message = error.to_string();
        if message.contains(crate::cluster::model::budget::EXHAUSTED) || message.contains(TOO_MANY) {
            return error;
        }
        let name = model::take_current_name().unwrap_or_else(|| "<unnamed>".to_string());
        let typed = format!("{kind} `{name}`: {}", without_location(&message));
        FAILED.with(|f| *f.borrow_mut() = Some(typed.clone()));
        de::Error::custom(typed)
    })
}

/// A parser's message without the location it appends (` at line 3, column 7`).
pub(super) fn without_location(message: &str) -> &str {
    let message = match message.find(" (defined at line ") {
        Some(index) => &message[..index],
        None => message,
    };
    match message.rfind(" at line ") {
        Some(index) if message[index..].contains("column") => &message[..index],
        _ => message,
    }
}

fn push<'de, T, D>(deserializer: D, into: &mut Vec<T>) -> Result<(), D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    charge::<D::Error>(std::mem::size_of::<T>())?;
    model::clear_current_name();
    into.push(T::deserialize(deserializer)?);
    Ok(())
}

/// The entries of an object read before its `kind`, then the rest of it from the parser.
struct Replay<A> {
    buffered: std::vec::IntoIter<(String, Value)>,
    pending: Option<Value>,
    live: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        match self.buffered.next() {
            Some((key, value)) => {
                self.pending = Some(value);
                seed.deserialize(IntoDeserializer::<A::Error>::into_deserializer(key)).map(Some)
            }
            None => self.live.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match self.pending.take() {
            Some(value) => seed.deserialize(value).map_err(de::Error::custom),
            None => self.live.next_value_seed(seed),
        }
    }
}

/// A JSON value whose every node is charged to the memory budget as it is read.
struct Charged;

impl<'de> DeserializeSeed<'de> for Charged {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

const VALUE: usize = std::mem::size_of::<Value>();

impl<'de> Visitor<'de> for Charged {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        charge::<E>(value.len())?;
        Ok(Value::String(value.to_string()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            charge::<A::Error>(VALUE)?;
            match seq.next_element_seed(Charged)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = serde_json::Map::new();
        loop {
            charge::<A::Error>(VALUE * 3)?;
            let Some(key) = map.next_key::<String>()? else { return Ok(Value::Object(entries)) };
            charge::<A::Error>(key.len())?;
            let value = map.next_value_seed(Charged)?;
            entries.insert(key, value);
        }
    }
}
