//! order status
//!
//! Revision ID: c33039b01667
//! Revises: 25e2c721a6ba
//! Create Date: 2026-11-30 17:44:00 UTC

use retort::migration::prelude::*;

pub const REVISION: Revision = Revision::new(
    "c33039b01667",
    &["25e2c721a6ba"],
    "order status",
);

pub fn upgrade(op: &mut Operations) -> Result {
    op.create_enum("order_status", ["pending", "paid", "shipped"])?;
    op.add_column(
        "orders",
        Column::new(
                "status",
                SqlType::enumeration("order_status", ["pending", "paid", "shipped"]),
            )
            .default(ServerDefault::text("pending")),
    )?;
    Ok(())
}

pub fn downgrade(op: &mut Operations) -> Result {
    op.drop_column("orders", "status")?;
    op.drop_enum("order_status")?;
    Ok(())
}
