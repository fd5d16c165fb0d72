//! `#[derive(Model)]` errors, pinned: each points at the offending tokens and says
//! how to fix it. The messages depend on the compiler version, so the test runs on
//! the toolchain the workspace is developed with.

#[test]
fn derive_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/*.rs");
}
