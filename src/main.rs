use std::process::ExitCode;

// The check allocates many small model objects per file; mimalloc is measurably faster at that
// than glibc's allocator (bench/scale.py).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A closed pipe (`gomodfix --show-contexts | head`) ends the process quietly, as it does for
/// other command-line tools, instead of a panic in `println!`: Rust ignores SIGPIPE by default.
#[cfg(unix)]
fn default_sigpipe() {
    unsafe extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
    }
    const SIGPIPE: i32 = 13;
    const SIG_DFL: usize = 0;
    // SAFETY: restoring the default action of one signal before any thread exists.
    unsafe {
        signal(SIGPIPE, SIG_DFL);
    }
}

fn main() -> ExitCode {
    // SAFETY: first thing in main; no tree-sitter object exists yet.
    unsafe { gomodfix::alloc::tree_sitter_uses_mimalloc() };
    #[cfg(unix)]
    default_sigpipe();
    gomodfix::app::main()
}
