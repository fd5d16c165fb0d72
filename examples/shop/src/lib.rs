//! The models of the seed tutorial's "Complete Example": users, products and the
//! orders that link them.

use chrono::NaiveDateTime;
use retort::Model;

/// Someone who places orders.
#[derive(Debug, Clone, Model)]
#[model(table = "users")]
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
#[derive(Debug, Clone, Model)]
#[model(table = "products")]
pub struct Product {
    /// Key.
    #[model(primary_key)]
    pub id: i32,
    /// Name shown in the shop.
    #[model(max_length = 200)]
    pub name: String,
    /// Unit price.
    pub price: f64,
    /// Units in stock.
    #[model(default = 0)]
    pub stock: Option<i32>,
    /// Longer text for the product page.
    pub description: Option<String>,
}

/// One product bought by one user.
#[derive(Debug, Clone, Model)]
#[model(table = "orders")]
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
}

/// Keeps the models linked into a binary that does not otherwise name them: the
/// registry is filled at link time, and a crate nothing refers to is not linked.
/// Call it once from `main`.
#[inline(never)]
pub fn link() {
    use retort::Model as _;
    std::hint::black_box([User::meta(), Product::meta(), Order::meta()]);
}
