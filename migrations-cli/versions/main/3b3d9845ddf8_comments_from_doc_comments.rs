//! comments from doc comments
//!
//! Revision ID: 3b3d9845ddf8
//! Revises: 29f001f70eea
//! Create Date: 2026-11-30 20:48:44 UTC

use retort::migration::prelude::*;

pub const REVISION: Revision = Revision::new(
    "3b3d9845ddf8",
    &["29f001f70eea"],
    "comments from doc comments",
);

pub fn upgrade(op: &mut Operations) -> Result {
    op.comment_table("orders", Some("One product bought by one user."))?;
    op.comment_column("orders", "id", Some("Key."))?;
    op.comment_column("orders", "user_id", Some("Who ordered."))?;
    op.comment_column("orders", "product_id", Some("What was ordered."))?;
    op.comment_column("orders", "quantity", Some("How many."))?;
    op.comment_column("orders", "order_date", Some("When."))?;
    op.comment_column("orders", "status", Some("Where the order is in its life."))?;
    op.comment_table("products", Some("Something for sale."))?;
    op.comment_column("products", "id", Some("Key."))?;
    op.comment_column("products", "name", Some("Name shown in the shop."))?;
    op.comment_column(
        "products",
        "price",
        Some("Unit price, exact to the cent (the seed's `Numeric(10, 2)`)."),
    )?;
    op.comment_column("products", "stock", Some("Units in stock."))?;
    op.comment_column(
        "products",
        "description",
        Some("Longer text for the product page."),
    )?;
    op.comment_table("users", Some("Someone who places orders."))?;
    op.comment_column("users", "id", Some("Key."))?;
    op.comment_column("users", "username", Some("Login name."))?;
    op.comment_column("users", "email", Some("Contact address."))?;
    op.comment_column("users", "created_at", Some("When the account was created."))?;
    Ok(())
}

pub fn downgrade(op: &mut Operations) -> Result {
    op.comment_column("users", "created_at", None)?;
    op.comment_column("users", "email", None)?;
    op.comment_column("users", "username", None)?;
    op.comment_column("users", "id", None)?;
    op.comment_table("users", None)?;
    op.comment_column("products", "description", None)?;
    op.comment_column("products", "stock", None)?;
    op.comment_column("products", "price", None)?;
    op.comment_column("products", "name", None)?;
    op.comment_column("products", "id", None)?;
    op.comment_table("products", None)?;
    op.comment_column("orders", "status", None)?;
    op.comment_column("orders", "order_date", None)?;
    op.comment_column("orders", "quantity", None)?;
    op.comment_column("orders", "product_id", None)?;
    op.comment_column("orders", "user_id", None)?;
    op.comment_column("orders", "id", None)?;
    op.comment_table("orders", None)?;
    Ok(())
}
