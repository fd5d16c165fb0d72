//! Bounded fuzzing (proptest) of the database URL parser: any text is accepted or
//! refused with a message, never a panic, and a password never shows.
//! `PROPTEST_CASES` raises the count (default 2,000 here).

use proptest::prelude::*;
use retort::DatabaseUrl;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(2_000),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_is_accepted_or_refused_with_a_message(url in any::<String>()) {
        match DatabaseUrl::parse(&url) {
            Ok(parsed) => prop_assert!(!parsed.display.is_empty() || url.is_empty()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn a_password_never_shows(
        scheme in prop::sample::select(vec!["postgres", "postgresql", "mysql", "mariadb"]),
        user in "[a-z]{1,8}",
        password in "[A-Za-z0-9@:/#%?!~*'()\\[\\]]{6,16}",
        host in "[a-z]{1,10}(\\.[a-z]{2,5})?",
    ) {
        // Something distinctive enough to look for.
        let password = format!("Zq{password}");
        let url = format!("{scheme}://{user}:{password}@{host}/db");
        let shown = match DatabaseUrl::parse(&url) {
            Ok(parsed) => {
                let debug = format!("{:?}", parsed);
                prop_assert!(!debug.contains(&password));
                prop_assert_eq!(parsed.scrub(&format!("driver said {password}")), "driver said ***");
                parsed.display
            }
            Err(e) => e.to_string(),
        };
        prop_assert!(!shown.contains(&password), "{}", shown);
    }
}
