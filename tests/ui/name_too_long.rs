use retort::Model;

#[derive(Model)]
#[model(table = "a_table_name_that_goes_on_and_on_well_past_what_postgresql_accepts")]
pub struct Long {
    #[model(primary_key)]
    pub id: i32,
    #[model(column = "")]
    pub empty: i32,
}

fn main() {}
