use retort::Model;

#[derive(Model)]
#[model(unique(name = "uq_orders_code", columns(region, code)))]
pub struct Order {
    #[model(primary_key)]
    pub region: String,
    #[model(primary_key)]
    pub id: i64,
    pub code: String,
}

// Each misuse of the struct-level keys and of the names on a field (one
// attribute each: an attribute stops at its first error).
#[derive(Model)]
#[model(foreign_key(columns(order_region, order_idd), references = Order))]
#[model(foreign_key(columns(order_region, order_id, order_region), references = Order))]
#[model(foreign_key(columns(order_region), references = Order(region, id)))]
#[model(foreign_key(columns(order_region, order_id), references = Order, on_delete = "explode"))]
#[model(foreign_key(columns(order_region, order_id)))]
#[model(foreign_key(columns(order_region, order_id), references = Order, colour = "red"))]
#[model(foreign_key(columns(order_region, order_id), references = Order, deferable))]
#[model(foreign_key(columns(order_id), references = "orders(id)", match_full))]
#[model(foreign_key(columns(order_region, order_id), references = "orders(region,)"))]
#[model(foreign_key(columns(order_region, order_id), references = Order(1, 2)))]
#[model(unique(columns()))]
#[model(unique)]
#[model(unique(name = "uq_lines_order", columns(order_region, order_id)))]
#[model(index(name = "uq_lines_order", columns(order_id)))]
#[model(unique(columns(this_is_a_rather_long_field_name, another_rather_long_field_name)))]
#[model(references = Order)]
pub struct Line {
    #[model(primary_key)]
    pub id: i32,
    pub order_region: String,
    pub order_id: i64,
    #[model(fk_name = "fk_lines_nothing")]
    pub note: String,
    #[model(initially_deferred)]
    pub later: i32,
    #[model(unique(name = "uq_line_a_name_that_is_far_too_long_for_postgresql_to_keep_whole"))]
    pub code: String,
    #[model(index(nmae = "ix_x"))]
    pub placed: i32,
    #[model(index())]
    pub shipped: i32,
    pub this_is_a_rather_long_field_name: i32,
    pub another_rather_long_field_name: i32,
}

fn main() {}
