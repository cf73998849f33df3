//! `nhilint server`: the language server (LSP over stdio).

/// Run the language server on stdin/stdout until `exit`.
pub fn run() -> i32 {
    eprintln!("nhilint server: not implemented yet");
    2
}
