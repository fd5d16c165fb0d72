//! The models of the seed tutorial's "Complete Example": users, products and the
//! orders that link them. Each `#[derive(Model)]` also emits the diesel `table!`
//! (`users`, `products`, `orders`) and the joins along the foreign keys, so the
//! queries in [`demo`] need no hand-kept `schema.rs`.

use bigdecimal::BigDecimal;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use retort::{DbEnum, Model};

/// Someone who places orders.
#[derive(Debug, Clone, PartialEq, Model, Queryable, Selectable)]
#[model(table = "users")]
#[diesel(table_name = users)]
pub struct User {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// Login name.
    #[model(max_length = 50, unique)]
    pub username: String,
    /// Contact address.
    #[model(max_length = 100, unique)]
    pub email: String,
    /// When the account was created.
    #[model(default = "now()")]
    pub created_at: Option<NaiveDateTime>,
}

/// Something for sale.
#[derive(Debug, Clone, PartialEq, Model, Queryable, Selectable)]
#[model(table = "products")]
#[diesel(table_name = products)]
pub struct Product {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// Name shown in the shop.
    #[model(max_length = 200)]
    pub name: String,
    /// Unit price, exact to the cent (the seed's `Numeric(10, 2)`).
    #[model(precision = 10, scale = 2)]
    pub price: BigDecimal,
    /// Units in stock.
    #[model(default = 0)]
    pub stock: Option<i32>,
    /// Longer text for the product page.
    pub description: Option<String>,
}

/// One product bought by one user.
#[derive(Debug, Clone, PartialEq, Model, Queryable, Selectable)]
#[model(table = "orders")]
#[diesel(table_name = orders)]
pub struct Order {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// Who ordered.
    #[model(references = User)]
    pub user_id: i32,
    /// What was ordered.
    #[model(references = Product)]
    pub product_id: i32,
    /// How many.
    pub quantity: i32,
    /// When.
    #[model(default = "now()")]
    pub order_date: Option<NaiveDateTime>,
    /// Where the order is in its life.
    #[model(default = OrderStatus::Pending)]
    pub status: OrderStatus,
}

/// Where an order is in its life: PostgreSQL's enum type `order_status`, MySQL's
/// `ENUM(…)`, checked text on SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DbEnum)]
#[db_enum(name = "order_status")]
pub enum OrderStatus {
    /// Placed, not paid yet.
    Pending,
    /// Paid, waiting to ship.
    Paid,
    /// On its way.
    Shipped,
    /// Called off (added later: an `alter_enum` revision).
    Cancelled,
}

/// A page someone looked at: kept in the `analytics` database, apart from the
/// shop's tables (so it cannot reference them with a foreign key).
#[derive(Debug, Clone, PartialEq, Model, Queryable, Selectable)]
#[model(
    table = "page_views",
    database = "analytics",
    index(columns(path, viewed_at))
)]
#[diesel(table_name = page_views)]
pub struct PageView {
    /// Key.
    #[model(primary_key)]
    pub id: i64,
    /// The page.
    #[model(max_length = 500)]
    pub path: String,
    /// Who looked, when known (a `users.id` of the main database).
    pub user_id: Option<i32>,
    /// When.
    #[model(default = "now()")]
    pub viewed_at: Option<NaiveDateTime>,
}

// The derives join orders with users and with products; a query that joins all
// three also has users and products in one FROM clause, which diesel wants said.
diesel::allow_tables_to_appear_in_same_query!(users, products);

/// A user to insert (the database fills `id` and `created_at`).
#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    /// Login name.
    pub username: &'a str,
    /// Contact address.
    pub email: &'a str,
}

/// A product to insert.
#[derive(Insertable)]
#[diesel(table_name = products)]
pub struct NewProduct<'a> {
    /// Name.
    pub name: &'a str,
    /// Unit price.
    pub price: BigDecimal,
    /// Units in stock.
    pub stock: Option<i32>,
    /// Description.
    pub description: Option<&'a str>,
}

/// An order to insert.
#[derive(Insertable)]
#[diesel(table_name = orders)]
pub struct NewOrder {
    /// Who.
    pub user_id: i32,
    /// What.
    pub product_id: i32,
    /// How many.
    pub quantity: i32,
}

/// What [`demo`] read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// `(username, product, quantity)` of every order, by order id.
    pub orders: Vec<(String, String, i32)>,
    /// The stock of "tea" after the update.
    pub tea_stock: Option<i32>,
    /// `(order id, status)` of every order, by id: the tea order shipped, the others
    /// still pending (the database's default).
    pub statuses: Vec<(i32, OrderStatus)>,
    /// The users, by id.
    pub users: Vec<User>,
}

/// Inserts users, products and orders, joins them, updates a product: the
/// diesel DSL on the tables the models emitted. The database must be at head.
macro_rules! demo_on {
    ($(#[$attr:meta])* $name:ident, $conn:ty) => {
        $(#[$attr])*
        pub fn $name(conn: &mut $conn) -> QueryResult<Report> {
            diesel::insert_into(users::table)
                .values(&[
                    NewUser { username: "ada", email: "ada@example.com" },
                    NewUser { username: "grace", email: "grace@example.com" },
                ])
                .execute(conn)?;
            diesel::insert_into(products::table)
                .values(&[
                    NewProduct { name: "tea", price: BigDecimal::from(5) / 2, stock: Some(10), description: Some("green") },
                    NewProduct { name: "cup", price: BigDecimal::from(4), stock: None, description: None },
                ])
                .execute(conn)?;
            let ada: i32 = users::table.filter(users::username.eq("ada")).select(users::id).first(conn)?;
            let grace: i32 = users::table.filter(users::username.eq("grace")).select(users::id).first(conn)?;
            let tea: i32 = products::table.filter(products::name.eq("tea")).select(products::id).first(conn)?;
            let cup: i32 = products::table.filter(products::name.eq("cup")).select(products::id).first(conn)?;
            diesel::insert_into(orders::table)
                .values(&[
                    NewOrder { user_id: ada, product_id: tea, quantity: 3 },
                    NewOrder { user_id: grace, product_id: cup, quantity: 1 },
                    NewOrder { user_id: ada, product_id: cup, quantity: 2 },
                ])
                .execute(conn)?;
            // Sold three teas.
            diesel::update(products::table.filter(products::id.eq(tea)))
                .set(products::stock.eq(products::stock - 3))
                .execute(conn)?;
            let orders = orders::table
                .inner_join(users::table)
                .inner_join(products::table)
                .order(orders::id)
                .select((users::username, products::name, orders::quantity))
                .load(conn)?;
            let tea_stock = products::table.filter(products::id.eq(tea)).select(products::stock).first(conn)?;
            // The tea order ships: an enum column compared and set through diesel.
            diesel::update(orders::table.filter(orders::product_id.eq(tea)).filter(orders::status.eq(OrderStatus::Pending)))
                .set(orders::status.eq(OrderStatus::Shipped))
                .execute(conn)?;
            let statuses = orders::table.order(orders::id).select((orders::id, orders::status)).load(conn)?;
            let users = users::table.order(users::id).select(User::as_select()).load(conn)?;
            Ok(Report { orders, tea_stock, statuses, users })
        }
    };
}

demo_on!(
    /// The demo on SQLite.
    #[cfg(feature = "sqlite")]
    demo_sqlite,
    diesel::SqliteConnection
);
demo_on!(
    /// The demo on PostgreSQL.
    #[cfg(feature = "postgres")]
    demo_postgres,
    diesel::PgConnection
);
demo_on!(
    /// The demo on MySQL/MariaDB.
    #[cfg(feature = "mysql")]
    demo_mysql,
    diesel::MysqlConnection
);

/// Runs the demo on whichever database `conn` is.
pub fn demo(conn: &mut retort::Connection) -> QueryResult<Report> {
    #[cfg(feature = "sqlite")]
    if let Some(c) = conn.sqlite() {
        return demo_sqlite(c);
    }
    #[cfg(feature = "postgres")]
    if let Some(c) = conn.postgres() {
        return demo_postgres(c);
    }
    #[cfg(feature = "mysql")]
    if let Some(c) = conn.mysql() {
        return demo_mysql(c);
    }
    Err(diesel::result::Error::QueryBuilderError(
        "this build of the shop has no driver for that database".into(),
    ))
}
