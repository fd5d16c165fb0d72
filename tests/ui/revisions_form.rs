// The item form names a static: `static NAME = "folder";`.
retort::revisions!(pub MIGRATIONS = "versions");

// A folder is a string.
static OTHER: retort::Migrations = retort::revisions!(versions);

fn main() {}
