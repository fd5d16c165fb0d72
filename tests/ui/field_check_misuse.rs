use retort::Model;

#[derive(Model)]
#[model(table = "products_with_a_name_long_enough_to_hit_the_limit")]
pub struct Product {
    #[model(primary_key)]
    pub id: i32,
    #[model(check = "")]
    pub price: i32,
    #[model(check = "quantity_available_for_immediate_shipping >= 0")]
    pub quantity_available_for_immediate_shipping: i32,
}

fn main() {}
