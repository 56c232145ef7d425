//! Rebuilds when a file of the web page is added or removed: the page is embedded by `rust-embed`, whose
//! `include_bytes!` only tracks files that already existed at the last build.
fn main() {
    println!("cargo:rerun-if-changed=ui");
}
