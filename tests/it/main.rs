//! The integration suite: one binary, one module per concern.
//!
//! - `adversarial`: one test per finding of the hostile-input review (REPL context, modes, escapes)
//! - `adversarial_up`: `up` on a hostile tree (a `.env` FIFO or link, a looping chart, a huge file)
//! - `adversarial_redact`: one test per secret-leak class (log lines, tokens, keys, PEM blocks,
//!   plans, Helm `--set` values on argv, previews, questions and the audit log)
//! - `approvals`: the policy table over every tool × mode × terminal, and the executor with a
//!   recording tool (nothing changes without approval; the audit log is written)
//! - `chart`: the Helm chart: helm lint --strict, the rendered contract, the strict values schema,
//!   kubernetes-validate, checkov
//! - `cli`: the binary end to end (exit codes, refusals, no hang without a terminal, REPL)
//! - `deploy`: helm_install/helm_rollback and `up`/`down` against fake helm, minikube, kubectl, docker
//! - `diagnose`: known-fault scenarios (recall, no false positives, no leaks), exit codes, reports
//! - `containerise`: stack detection, Dockerfile rules, hadolint over every generated file
//! - `docker`: `build_image` against a fake Engine API, fake minikube, and a real engine (gated)
//! - `corpus`: the planner against the intent corpora in `tests/fixtures/`
//! - `llm`: the LLM planner against a scripted OpenAI mock (tool calls, repairs, retries, fallbacks,
//!   injection, streaming); a real server when TODO_AI_TEST_OPENAI_BASE_URL is set
//! - `llm_limits`: hostile LLM servers and environments (huge indexes, size caps, endless
//!   streams, the API key over plain http, oversized variables): bounded, one note, offline
//! - `llm_properties`: property tests of the reply and stream parsers and of JSON mode
//! - `guard`: guarded changes (undo on a regression, kept when healthy, audit chain) and `fix` on the fake API
//! - `fake_api` + `kube_live`: the Kubernetes tools through a kube::Client and a fake API server
//! - `mcp`: `todo-ai mcp` driven by an MCP client (stdio, in process): tool list, reads,
//!   refusals, elicitation, dry runs, redaction and caps, audit
//! - `mcp_http`: `todo-ai mcp --http` under attack: bearer token, Origin and Host checks, the
//!   token file's life, remote listening
//! - `snapshot_cli`: the binary against the bundled example snapshot
//! - `real_lab`: the real-cluster harness (scratch namespaces, tool calls, bounded polling)
//! - `real_cluster`: every Kubernetes tool against pods that really run (ignored; needs
//!   TODO_AI_TEST_KUBECONFIG: the lab, `../shared/lab/lab.sh up --node`)
//! - `real_diagnose`: faults made by a real kubelet, diagnosed live with exact codes (ignored; same)
//! - `real_helm`: the chart with locally built images on the node, `helm test`, rollback, and
//!   `up` end to end with a load command (ignored; also needs TODO_AI_TEST_DOCKER_HOST)
//! - `real_images`: the sample apps' generated Dockerfiles built, run and health-checked on a real
//!   Docker Engine (ignored; needs TODO_AI_TEST_DOCKER_HOST, base images and the sample apps)
//! - `schemas`: `tools/*.schema.json` are generated and fresh; `tools --json` is valid
//! - `snapshots`: what users see (help, tool table, plans, prompts, errors)
//! - `up_context`: `up` on a cluster that is not minikube, against fakes: `--load-command`
//!   (argv, no shell), `--registry` (docker push), refusals before anything runs

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod adversarial;
mod adversarial_redact;
mod adversarial_up;
mod approvals;
mod chart;
mod cli;
mod containerise;
mod corpus;
mod deploy;
mod diagnose;
mod docker;
mod fake_api;
mod gate;
mod guard;
mod guard_helm;
mod kube_live;
mod llm;
mod llm_limits;
mod llm_properties;
mod mcp;
mod mcp_http;
mod real_cluster;
mod real_diagnose;
mod real_fix;
mod real_helm;
mod real_images;
mod real_lab;
mod schemas;
mod snapshot_cli;
mod snapshots;
mod support;
mod up_context;
