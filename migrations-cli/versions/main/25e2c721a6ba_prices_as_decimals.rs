//! prices as decimals
//!
//! Revision ID: 25e2c721a6ba
//! Revises: ee12ccdbe522
//! Create Date: 2026-11-30 14:34:17 UTC

use retort::migration::prelude::*;

pub const REVISION: Revision = Revision::new(
    "25e2c721a6ba",
    &["ee12ccdbe522"],
    "prices as decimals",
);

pub fn upgrade(op: &mut Operations) -> Result {
    // WARNING: narrows `products.price` from DOUBLE PRECISION to NUMERIC(10,2): values that do not fit are refused or cut
    op.alter_column(
        AlterColumn::new("products", "price")
            .sql_type(SqlType::decimal(10, 2))
            .existing(Column::new("price", SqlType::Double)),
    )?;
    Ok(())
}

pub fn downgrade(op: &mut Operations) -> Result {
    op.alter_column(
        AlterColumn::new("products", "price")
            .sql_type(SqlType::Double)
            .existing(Column::new("price", SqlType::decimal(10, 2))),
    )?;
    Ok(())
}
