//! The `todo-ai` binary: everything lives in the library; see `commands::main`.

fn main() -> std::process::ExitCode {
    todo_ai::commands::main()
}
