use std::ffi::c_void;
use std::process::ExitCode;

// The check allocates many small model objects per file; mimalloc is measurably faster at that
// than glibc's allocator (bench/scale.py).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" fn ts_malloc(size: usize) -> *mut c_void {
    unsafe { libmimalloc_sys::mi_malloc(size) }
}

unsafe extern "C" fn ts_calloc(count: usize, size: usize) -> *mut c_void {
    match count.checked_mul(size) {
        Some(total) => unsafe { libmimalloc_sys::mi_zalloc(total) },
        None => std::ptr::null_mut(),
    }
}

unsafe extern "C" fn ts_realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    unsafe { libmimalloc_sys::mi_realloc(ptr, size) }
}

unsafe extern "C" fn ts_free(ptr: *mut c_void) {
    unsafe { libmimalloc_sys::mi_free(ptr) }
}

fn main() -> ExitCode {
    // tree-sitter's C code allocates every tree node; it uses mimalloc too. Set before any
    // parser, tree or query exists, so nothing is freed by an allocator that did not make it.
    unsafe {
        tree_sitter::set_allocator(
            Some(ts_malloc),
            Some(ts_calloc),
            Some(ts_realloc),
            Some(ts_free),
        )
    };
    gomodfix::cli::main()
}
