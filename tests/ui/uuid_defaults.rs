use retort::Model;

#[derive(Model)]
pub struct Account {
    #[model(primary_key, default = "not-a-uuid")]
    pub id: uuid::Uuid,
    #[model(default = gen_random_uuid())]
    pub token: String,
    #[model(default = 0)]
    pub settings: serde_json::Value,
}

fn main() {}
