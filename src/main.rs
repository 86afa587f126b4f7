use std::process::ExitCode;

// The check allocates many small model objects per file; mimalloc is measurably faster at that
// than glibc's allocator (bench/scale.py).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    gomodfix::cli::main()
}
