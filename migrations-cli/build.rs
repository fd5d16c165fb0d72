// A new revision file, or a change to Retort.toml, rebuilds the crate, so
// `retort::project!` compiles it in.
fn main() {
    println!("cargo::rerun-if-changed=Retort.toml");
    println!("cargo::rerun-if-changed=versions");
}
