// A new file in versions/ rebuilds the crate, so `retort::revisions!` sees it.
fn main() {
    println!("cargo::rerun-if-changed=versions");
}
