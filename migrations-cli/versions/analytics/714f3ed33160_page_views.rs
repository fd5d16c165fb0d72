//! page views
//!
//! Revision ID: 714f3ed33160
//! Revises: <base>
//! Create Date: 2026-11-25 10:14:31 UTC

use retort::migration::prelude::*;

pub const REVISION: Revision = Revision::new("714f3ed33160", &[], "page views");

pub fn upgrade(op: &mut Operations) -> Result {
    op.create_table(
        Table::new("page_views")
            .column(Column::new("id", SqlType::BigInt).autoincrement())
            .column(Column::new("path", SqlType::Varchar(500)))
            .column(Column::new("user_id", SqlType::Integer).nullable())
            .column(
                Column::new("viewed_at", SqlType::Timestamp)
                    .nullable()
                    .default(ServerDefault::CurrentTimestamp),
            )
            .primary_key(["id"]),
    )?;
    op.create_index(
        "page_views",
        Index::new("ix_page_views_path_viewed_at", ["path", "viewed_at"]),
    )?;
    Ok(())
}

pub fn downgrade(op: &mut Operations) -> Result {
    op.drop_index("page_views", "ix_page_views_path_viewed_at")?;
    op.drop_table("page_views")?;
    Ok(())
}
