//! Saved reports over HTTP (spec 6.6): create with every field checked,
//! list, show with runs, pause and resume.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use pretty_assertions::assert_eq;
use reqwest::Method;
use serde_json::{Value, json};

use agent::schedule::{MemorySchedules, ScheduleStore};
use tools::ToolRegistry;
use tools::stub_report::StubReport;

use crate::support::{ScriptedProvider, Setup, TestServer, json_response};

async fn server(schedules: Arc<dyn ScheduleStore>) -> TestServer {
    let tools = ToolRegistry::builder()
        .register(StubReport)
        .build()
        .unwrap();
    let runtime = agent::testing::runtime_with_schedules(
        Arc::new(ScriptedProvider::default()),
        Arc::new(agent::testing::sqlite_store().await),
        tools,
        schedules,
    );
    TestServer::start_with(Setup::default(), runtime).await
}

fn weekly_report() -> Value {
    json!({
        "name": "Sales by customer, weekly",
        "arguments": {"question": "sales by customer last week"},
        "cron": "0 8 * * 1",
        "timezone": "Europe/Amsterdam",
        "target": {"channel": "odoo_discuss", "recipient": "3"},
    })
}

#[tokio::test]
async fn a_saved_report_is_stored_with_its_next_run_listed_paused_and_resumed() {
    let store: Arc<dyn ScheduleStore> = Arc::new(MemorySchedules::default());
    let server = server(Arc::clone(&store)).await;

    let response = server
        .send_json(Method::POST, "/api/schedules", Some(&weekly_report()))
        .send()
        .await
        .unwrap();
    let (status, created) = json_response(response).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["enabled"], json!(true));
    assert_eq!(created["owner"], json!("local"));
    assert_eq!(
        created["job"],
        json!({"kind": "report", "arguments": {"question": "sales by customer last week"}})
    );
    // Monday 08:00 in Amsterdam is 07:00 or 06:00 UTC.
    let next: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(created["next_run"].clone()).unwrap();
    let local = next.with_timezone(&chrono_tz::Europe::Amsterdam);
    assert_eq!(
        (local.format("%a %H:%M").to_string()),
        "Mon 08:00".to_owned()
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let stored = store.get(id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.next_run, next);

    let (status, listed) = json_response(server.get("/api/schedules").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(listed["schedules"].as_array().unwrap().len(), 1);

    let (status, shown) = json_response(
        server
            .get(&format!("/api/schedules/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(shown["schedule"]["id"], json!(id));
    assert_eq!(shown["runs"], json!([]));

    let path = format!("/api/schedules/{id}");
    let (status, paused) = json_response(
        server
            .send_json(Method::PATCH, &path, Some(&json!({"enabled": false})))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, &paused["enabled"]), (200, &json!(false)));
    assert!(
        !store
            .get(id.parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .enabled
    );
    let (status, resumed) = json_response(
        server
            .send_json(Method::PATCH, &path, Some(&json!({"enabled": true})))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, &resumed["enabled"]), (200, &json!(true)));
}

#[tokio::test]
async fn every_mistake_in_a_saved_report_is_refused_naming_the_field() {
    let server = server(Arc::new(MemorySchedules::default())).await;
    let cases: [(&str, Value, &str); 7] = [
        ("name", json!(""), "name: must be 1 to 200 characters"),
        (
            "cron",
            json!("0 8 * *"),
            "cron: `0 8 * *` is not a 5-field cron expression",
        ),
        (
            "timezone",
            json!("Mars/Olympus"),
            "timezone: `Mars/Olympus` is not an IANA time zone",
        ),
        (
            "arguments",
            json!({"question": "x", "sql": "drop"}),
            "arguments: ",
        ),
        (
            "arguments",
            json!({"question": ""}),
            "arguments: field `question`",
        ),
        (
            "target",
            json!({"channel": "fax", "recipient": "1"}),
            "target.channel: `fax` cannot receive scheduled results; supported: odoo_discuss",
        ),
        (
            "target",
            json!({"channel": "odoo_discuss", "recipient": "#general"}),
            "target.recipient: expected the numeric id of a discuss.channel",
        ),
    ];
    for (field, value, expected) in cases {
        let mut body = weekly_report();
        body[field] = value;
        let (status, answer) = json_response(
            server
                .send_json(Method::POST, "/api/schedules", Some(&body))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 400, "{field}: {answer}");
        assert_eq!(answer["error"]["code"], json!("invalid_schedule"));
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{field}: {message}");
    }

    let (status, answer) = json_response(
        server
            .get("/api/schedules/not-a-uuid")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].clone()),
        (400, json!("invalid_schedule_id"))
    );
    let missing = "/api/schedules/00000000-0000-4000-8000-000000000000";
    let (status, answer) = json_response(server.get(missing).send().await.unwrap()).await;
    assert_eq!(
        (status, answer["error"]["code"].clone()),
        (404, json!("schedule_not_found"))
    );
}

#[tokio::test]
async fn reports_cannot_be_scheduled_where_nl_report_or_schedules_are_missing() {
    let runtime = agent::testing::runtime_with_schedules(
        Arc::new(ScriptedProvider::default()),
        Arc::new(agent::testing::sqlite_store().await),
        agent::default_tools().unwrap(),
        Arc::new(MemorySchedules::default()),
    );
    let server = TestServer::start_with(Setup::default(), runtime).await;
    let (status, answer) = json_response(
        server
            .send_json(Method::POST, "/api/schedules", Some(&weekly_report()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nl_report is not available on this server"),
        "{answer}"
    );

    // A runtime that keeps no schedules at all.
    let server = TestServer::start(Setup::default()).await;
    let (status, answer) = json_response(server.get("/api/schedules").send().await.unwrap()).await;
    assert_eq!(status, 404, "{answer}");
    assert_eq!(answer["error"]["code"], json!("schedules_unavailable"));
}
