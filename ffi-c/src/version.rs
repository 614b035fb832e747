//! The library's version: `pleo_version()` at run time, `PLEO_VERSION_*` in the header at
//! compile time. The constants are written out for cbindgen (the header derives
//! `PLEO_VERSION_STRING` and `PLEO_VERSION_NUMBER` from them), and the build fails when they
//! disagree with the crate's version (the workspace's one version).

use std::ffi::c_char;

/// The major version of the header, e.g. `0` in `0.1.0`; a library of another major
/// version is not compatible with it.
pub const PLEO_VERSION_MAJOR: u32 = 0;
/// The minor version of the header, e.g. `1` in `0.1.0`.
pub const PLEO_VERSION_MINOR: u32 = 1;
/// The patch version of the header, e.g. `0` in `0.1.0`.
pub const PLEO_VERSION_PATCH: u32 = 0;

/// The number a decimal string spells (a version part cargo sets, all digits).
const fn number(digits: &str) -> u32 {
    let bytes = digits.as_bytes();
    let mut value = 0;
    let mut i = 0;
    while i < bytes.len() {
        value = value * 10 + (bytes[i] - b'0') as u32;
        i += 1;
    }
    value
}

/// Whether two byte strings are equal, at compile time.
const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The library's version, e.g. `"0.1.0"` (equal to the `PLEO_VERSION_STRING` of the header
/// it was built with): a static string, never free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn pleo_version() -> *const c_char {
    // Evaluated at compile time (inside a function, so cbindgen does not look at it).
    const {
        assert!(
            PLEO_VERSION_MAJOR == number(env!("CARGO_PKG_VERSION_MAJOR"))
                && PLEO_VERSION_MINOR == number(env!("CARGO_PKG_VERSION_MINOR"))
                && PLEO_VERSION_PATCH == number(env!("CARGO_PKG_VERSION_PATCH"))
                // The header spells PLEO_VERSION_STRING from the three numbers alone.
                && same(env!("CARGO_PKG_VERSION_PRE").as_bytes(), b""),
            "ffi-c/src/version.rs states another version than Cargo.toml: update it, then `make header-c`"
        )
    };
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
