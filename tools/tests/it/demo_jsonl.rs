//! Fixed data sets in JSON Lines, loaded over a generated company and
//! served by the fake Odoo.

use std::path::Path;

use pretty_assertions::assert_eq;
use serde_json::json;
use tools::demo::jsonl::{LoadError, load_dir, load_model};
use tools::demo::{DemoSpec, FakeOdoo, generate};
use tools::odoo::Domain;

use crate::client_vs_fake::connect;

const PARTNERS: &str = r#"{"id":12,"name":"Blue Ridge Machinery GmbH","email":"billing@blueridge.example","phone":"+49 89 60951157","vat":false,"city":"Frankfurt","country_id":[57,"Germany"],"is_company":true,"active":true,"customer_rank":0,"supplier_rank":0}
{"id":3,"name":"Pamela Day","email":"pamela@blueridge.example","phone":false,"vat":false,"city":false,"country_id":false,"is_company":false,"active":true,"customer_rank":2,"supplier_rank":0}

{"id":7,"name":"Sigma Jensen Farms","email":false,"phone":"089 74314437","vat":"DE758803963","city":"Cologne","country_id":false,"is_company":true,"active":false,"customer_rank":0,"supplier_rank":4}
"#;

fn small() -> tools::demo::Dataset {
    generate(&DemoSpec {
        partners: 10,
        ..DemoSpec::default()
    })
    .dataset
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[tokio::test]
async fn a_loaded_model_is_served_as_written_and_other_tables_stay() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "res.partner.jsonl", PARTNERS);
    write(dir.path(), "notes.txt", "not a model file");
    let mut dataset = small();
    let users = dataset.users.len();
    let companies = dataset.table("res.company").unwrap().len();
    let counts = load_dir(&mut dataset, dir.path()).unwrap();
    assert_eq!(counts, vec![("res.partner".to_owned(), 3)]);
    assert_eq!(dataset.users.len(), users);
    assert_eq!(dataset.table("res.company").unwrap().len(), companies);

    let _ = rustls::crypto::ring::default_provider().install_default();
    let fake = FakeOdoo::start(dataset).await.unwrap();
    let client = connect(&fake, "admin@harbourline.example").await;
    let rows = client
        .search_read(
            "res.partner",
            Domain::and(vec![]).to_value(),
            &["name", "country_id", "phone"],
            Some("id asc"),
            None,
            None,
        )
        .await
        .unwrap();
    // The archived partner 7 is left out, as Odoo's searches do.
    let got: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r["id"].clone(),
                r["name"].clone(),
                r["country_id"].clone(),
                r["phone"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (json!(3), json!("Pamela Day"), json!(false), json!(false)),
            (
                json!(12),
                json!("Blue Ridge Machinery GmbH"),
                json!([57, "Germany"]),
                json!("+49 89 60951157")
            ),
        ]
    );
    // Stored computed names Odoo fills itself are filled on load.
    let read = client
        .read(
            "res.partner",
            &[12],
            &["display_name", "commercial_partner_id"],
        )
        .await
        .unwrap();
    assert_eq!(read[0]["display_name"], json!("Blue Ridge Machinery GmbH"));
    assert_eq!(
        read[0]["commercial_partner_id"],
        json!([12, "Blue Ridge Machinery GmbH"])
    );
    fake.stop().await;
}

fn load_error(text: &str) -> String {
    let mut dataset = small();
    let before = dataset.table("res.partner").unwrap().len();
    let err = load_model(
        &mut dataset,
        "res.partner",
        text.as_bytes(),
        Path::new("partners.jsonl"),
    )
    .unwrap_err();
    // A failed load changes nothing.
    assert_eq!(dataset.table("res.partner").unwrap().len(), before);
    err.to_string()
}

#[test]
fn bad_lines_are_refused_with_file_line_and_field() {
    assert_eq!(
        load_error("{\"id\":1,\"name\":\"A\"}\n{\"id\":2,\"nickname\":\"B\"}\n"),
        "partners.jsonl:2: model res.partner has no field `nickname` in the demo company"
    );
    assert_eq!(
        load_error("{\"id\":1,\"country_id\":57}\n"),
        "partners.jsonl:1: field `country_id`: expected [id, \"name\"] or false, got 57"
    );
    assert_eq!(
        load_error("{\"id\":1,\"create_date\":\"2025-13-01 00:00:00\"}\n"),
        "partners.jsonl:1: field `create_date`: expected a datetime `YYYY-MM-DD HH:MM:SS` or false, got \"2025-13-01 00:00:00\""
    );
    assert_eq!(
        load_error("{\"name\":\"no id\"}\n"),
        "partners.jsonl:1: every record needs a positive integer `id`"
    );
    assert_eq!(
        load_error("{\"id\":4}\n{\"id\":4}\n"),
        "partners.jsonl:2: id 4 appears twice (also on line 1)"
    );
    assert!(load_error("{\"id\":1,").starts_with("partners.jsonl:1: not a JSON object"));
}

#[test]
fn a_file_for_an_unknown_model_fails_the_whole_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "res.partner.jsonl", PARTNERS);
    write(dir.path(), "x_custom.model.jsonl", "{\"id\":1}\n");
    let mut dataset = small();
    let before = dataset.table("res.partner").unwrap().len();
    let err = load_dir(&mut dataset, dir.path()).unwrap_err();
    assert!(matches!(err, LoadError::UnknownModel { ref model, .. } if model == "x_custom.model"));
    assert!(err.to_string().contains("known: "), "{err}");
    // res.partner.jsonl sorts first and loaded, yet nothing was kept.
    assert_eq!(dataset.table("res.partner").unwrap().len(), before);
}
