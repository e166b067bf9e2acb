//! The LLM planner: configuration (which planner is active and why, every setting bounded),
//! the chat client (async-openai's provider configuration over a retrying HTTP exchange), the
//! bounded reply and stream readers, and the agent loop that plans and runs tool
//! calls through the same registry checks, approval policy and executor as everything else.
//! The model is untrusted: it proposes, the registry validates, the policy decides.

pub mod agent;
pub mod client;
pub mod config;
pub mod stream;

pub use client::{LlmClient, LlmError};
pub use config::LlmConfig;
