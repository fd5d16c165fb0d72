use retort::{DbEnum, Model};

#[derive(DbEnum)]
pub enum Shipment {
    Pending,
    Shipped(String),
    Lost { since: i64 },
}

// No cascade: the model that uses it reports nothing more.
#[derive(Model)]
pub struct Parcel {
    #[model(primary_key)]
    pub id: i32,
    pub shipment: Shipment,
}

fn main() {}
