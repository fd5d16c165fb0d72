//! cancelled orders
//!
//! Revision ID: 29f001f70eea
//! Revises: c33039b01667
//! Create Date: 2026-11-30 17:44:10 UTC

use retort::migration::prelude::*;

pub const REVISION: Revision = Revision::new(
    "29f001f70eea",
    &["c33039b01667"],
    "cancelled orders",
);

pub fn upgrade(op: &mut Operations) -> Result {
    op.alter_enum(
        AlterEnum::new("order_status", ["pending", "paid", "shipped", "cancelled"])
            .existing(["pending", "paid", "shipped"])
            .column("orders", "status"),
    )?;
    Ok(())
}

pub fn downgrade(op: &mut Operations) -> Result {
    op.alter_enum(
        AlterEnum::new("order_status", ["pending", "paid", "shipped"])
            .existing(["pending", "paid", "shipped", "cancelled"])
            .column("orders", "status"),
    )?;
    Ok(())
}
