//! initial schema
//!
//! Revision ID: e0bf0e82c5f9
//! Revises: <base>
//! Create Date: 2026-11-25 09:09:28 UTC

use retort::migration::prelude::*;

pub const REVISION: Revision = Revision::new("e0bf0e82c5f9", &[], "initial schema");

pub fn upgrade(op: &mut Operations) -> Result {
    op.create_table(
        Table::new("users")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("username", SqlType::Varchar(50)))
            .column(Column::new("email", SqlType::Varchar(100)))
            .column(
                Column::new("created_at", SqlType::Timestamp)
                    .nullable()
                    .default(ServerDefault::CurrentTimestamp),
            )
            .primary_key(["id"])
            .unique(Unique::new("uq_users_username", ["username"]))
            .unique(Unique::new("uq_users_email", ["email"])),
    )?;
    op.create_table(
        Table::new("products")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("name", SqlType::Varchar(200)))
            .column(Column::new("price", SqlType::Double))
            .column(
                Column::new("stock", SqlType::Integer)
                    .nullable()
                    .default(ServerDefault::number(0)),
            )
            .primary_key(["id"]),
    )?;
    op.create_table(
        Table::new("orders")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("user_id", SqlType::Integer))
            .column(Column::new("product_id", SqlType::Integer))
            .column(Column::new("quantity", SqlType::Integer))
            .column(
                Column::new("order_date", SqlType::Timestamp)
                    .nullable()
                    .default(ServerDefault::CurrentTimestamp),
            )
            .primary_key(["id"])
            .foreign_key(ForeignKey::new(
                "fk_orders_user_id_users",
                ["user_id"],
                "users",
                ["id"],
            ))
            .foreign_key(ForeignKey::new(
                "fk_orders_product_id_products",
                ["product_id"],
                "products",
                ["id"],
            )),
    )?;
    Ok(())
}

pub fn downgrade(op: &mut Operations) -> Result {
    op.drop_table("orders")?;
    op.drop_table("products")?;
    op.drop_table("users")?;
    Ok(())
}
