use std::process::ExitCode;

fn main() -> ExitCode {
    gomodfix::cli::main()
}
