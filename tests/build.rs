// New revision files in the folders compiled by `retort::revisions!` rebuild the crate.
fn main() {
    println!("cargo::rerun-if-changed=../migrations-cli/versions");
    println!("cargo::rerun-if-changed=fixtures");
}
