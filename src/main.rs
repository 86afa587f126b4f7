use std::process::ExitCode;

// The check allocates many small model objects per file; mimalloc is measurably faster at that
// than glibc's allocator (bench/scale.py).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // SAFETY: first thing in main; no tree-sitter object exists yet.
    unsafe { gomodfix::alloc::tree_sitter_uses_mimalloc() };
    gomodfix::cli::main()
}
