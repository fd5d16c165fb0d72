// The demo binary compiles the revisions of migrations-cli/versions in.
fn main() {
    println!("cargo::rerun-if-changed=../../migrations-cli/versions");
}
