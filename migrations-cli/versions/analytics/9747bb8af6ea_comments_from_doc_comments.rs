//! comments from doc comments
//!
//! Revision ID: 9747bb8af6ea
//! Revises: 714f3ed33160
//! Create Date: 2026-11-30 20:48:45 UTC

use retort::migration::prelude::*;

pub const REVISION: Revision = Revision::new(
    "9747bb8af6ea",
    &["714f3ed33160"],
    "comments from doc comments",
);

pub fn upgrade(op: &mut Operations) -> Result {
    op.comment_table(
        "page_views",
        Some(
            "A page someone looked at: kept in the `analytics` database, apart from the\nshop's tables (so it cannot reference them with a foreign key).",
        ),
    )?;
    op.comment_column("page_views", "id", Some("Key."))?;
    op.comment_column("page_views", "path", Some("The page."))?;
    op.comment_column(
        "page_views",
        "user_id",
        Some("Who looked, when known (a `users.id` of the main database)."),
    )?;
    op.comment_column("page_views", "viewed_at", Some("When."))?;
    Ok(())
}

pub fn downgrade(op: &mut Operations) -> Result {
    op.comment_column("page_views", "viewed_at", None)?;
    op.comment_column("page_views", "user_id", None)?;
    op.comment_column("page_views", "path", None)?;
    op.comment_column("page_views", "id", None)?;
    op.comment_table("page_views", None)?;
    Ok(())
}
