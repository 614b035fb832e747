//! Gives the shared library a soname carrying the major version, so that programs linked
//! against `libpleo_installations.so.0` keep loading compatible builds.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the version");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libpleo_installations.so.{major}");
}
