//! `#[derive(Model)]` errors, pinned: each points at the offending tokens and says
//! how to fix it. The `.stderr` files hold rustc 1.95's wording, which changes
//! between compiler versions, so the test runs on that toolchain only (on any
//! other it is ignored, and says why).

#[rustversion::attr(
    not(stable(1.95)),
    ignore = "tests/ui/*.stderr pin rustc 1.95's messages; regenerate them with TRYBUILD=overwrite on another toolchain"
)]
#[test]
fn derive_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/*.rs");
}
