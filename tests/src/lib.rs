//! Helpers for the integration tests: a fresh SQLite file per test.
