//! Allocation: the binary's global allocator is mimalloc (src/main.rs); tree-sitter's C code,
//! which allocates every tree node, is pointed at the same allocator here.

use std::ffi::c_void;

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

/// Make tree-sitter allocate with mimalloc (measurably faster than glibc's malloc for its many
/// small nodes; bench/scale.py).
///
/// # Safety
/// Call first thing in `main`, before any parser, tree or query exists: memory must be freed by
/// the allocator that made it.
pub unsafe fn tree_sitter_uses_mimalloc() {
    unsafe {
        tree_sitter::set_allocator(
            Some(ts_malloc),
            Some(ts_calloc),
            Some(ts_realloc),
            Some(ts_free),
        )
    };
}
