//! Traffic views: Services (selector, ports, target ports), Endpoints (how many ready
//! addresses), Ingresses (class, backends, TLS Secrets) and IngressClasses.

use serde::{Deserialize, Deserializer};

use super::budget::{list, optional_text, pairs, text};
use super::{IntOrString, Meta, nullable};

/// A Service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Service {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Spec.
    #[serde(deserialize_with = "nullable")]
    pub spec: ServiceSpec,
}

/// A Service's spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceSpec {
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`.
    #[serde(rename = "type", deserialize_with = "optional_text")]
    pub type_: Option<String>,
    /// The pods it sends traffic to, in the order written (empty: endpoints are managed by
    /// hand).
    #[serde(deserialize_with = "pairs")]
    pub selector: Vec<(String, String)>,
    /// Its ports.
    #[serde(deserialize_with = "list")]
    pub ports: Vec<ServicePort>,
}

/// A Service port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServicePort {
    /// Its name.
    #[serde(deserialize_with = "optional_text")]
    pub name: Option<String>,
    /// The port clients connect to.
    pub port: Option<i64>,
    /// The pod port (number or container port name); `port` when unset.
    pub target_port: Option<IntOrString>,
}

/// Endpoints: how many addresses are ready behind a Service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Endpoints {
    /// Metadata (same name as the Service).
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Ready addresses over all subsets (the addresses themselves are not kept).
    #[serde(rename = "subsets", deserialize_with = "ready_addresses")]
    pub ready_addresses: usize,
}

fn ready_addresses<'de, D: Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Subset {
        #[serde(deserialize_with = "count")]
        addresses: usize,
    }
    let subsets: Vec<Subset> = list(deserializer)?;
    Ok(subsets.iter().map(|s| s.addresses).sum())
}

/// The length of a list, without building its elements.
fn count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    // Zero-sized elements: counting them allocates nothing.
    let items: Vec<serde::de::IgnoredAny> = nullable(deserializer)?;
    Ok(items.len())
}

/// An Ingress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Ingress {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
    /// Spec.
    #[serde(deserialize_with = "nullable")]
    pub spec: IngressSpec,
}

/// An Ingress's spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IngressSpec {
    /// The IngressClass that should serve it.
    #[serde(deserialize_with = "optional_text")]
    pub ingress_class_name: Option<String>,
    /// Where unmatched requests go.
    pub default_backend: Option<Backend>,
    /// Host and path rules.
    #[serde(deserialize_with = "list")]
    pub rules: Vec<IngressRule>,
    /// TLS Secrets.
    #[serde(deserialize_with = "list")]
    pub tls: Vec<IngressTls>,
}

/// One host rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IngressRule {
    /// The host, if any.
    #[serde(deserialize_with = "optional_text")]
    pub host: Option<String>,
    /// Its HTTP paths.
    pub http: Option<HttpRule>,
}

/// A rule's HTTP paths.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HttpRule {
    /// Paths.
    #[serde(deserialize_with = "list")]
    pub paths: Vec<IngressPath>,
}

/// One path and its backend.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IngressPath {
    /// The path.
    #[serde(deserialize_with = "optional_text")]
    pub path: Option<String>,
    /// Where it goes.
    #[serde(deserialize_with = "nullable")]
    pub backend: Backend,
}

/// An Ingress backend.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Backend {
    /// A Service backend (the other kind, `resource`, is not checked).
    pub service: Option<ServiceBackend>,
}

/// A Service backend.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceBackend {
    /// The Service.
    #[serde(deserialize_with = "text")]
    pub name: String,
    /// Its port.
    pub port: Option<ServiceBackendPort>,
}

/// A Service backend port: a number or a port name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceBackendPort {
    /// By number.
    pub number: Option<i64>,
    /// By name.
    #[serde(deserialize_with = "optional_text")]
    pub name: Option<String>,
}

/// TLS for some hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IngressTls {
    /// The Secret with the certificate.
    #[serde(deserialize_with = "optional_text")]
    pub secret_name: Option<String>,
}

/// An IngressClass: a controller that serves Ingresses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IngressClass {
    /// Metadata.
    #[serde(deserialize_with = "super::metadata")]
    pub metadata: Meta,
}
