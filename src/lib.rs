//! todo-ai: a command-line agent that deploys and operates a containerised app on Kubernetes
//! from plain language, through a vetted set of typed tools, with or without an LLM.
//!
//! The binary is a thin shell over this library; see `ARCHITECTURE.md` for the map.

pub mod approval;
pub mod audit;
pub mod bounded;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod containerise;
pub mod diagnose;
pub mod docker;
pub mod engine;
pub mod error;
pub mod exec;
pub mod executor;
pub mod helm;
pub mod llm;
pub mod mcp;
pub mod planner;
pub mod prompts;
pub mod quantity;
pub mod redact;
pub mod repl;
pub mod sanitize;
pub mod settings;
pub mod tools;
pub mod validate;
