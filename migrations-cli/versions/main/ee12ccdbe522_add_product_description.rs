//! add product description
//!
//! Revision ID: ee12ccdbe522
//! Revises: e0bf0e82c5f9
//! Create Date: 2026-11-25 09:09:32 UTC

use retort::migration::prelude::*;

pub const REVISION: Revision =
    Revision::new("ee12ccdbe522", &["e0bf0e82c5f9"], "add product description");

pub fn upgrade(op: &mut Operations) -> Result {
    op.add_column(
        "products",
        Column::new("description", SqlType::Text).nullable(),
    )?;
    Ok(())
}

pub fn downgrade(op: &mut Operations) -> Result {
    op.drop_column("products", "description")?;
    Ok(())
}
