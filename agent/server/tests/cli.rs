//! The `odoo-agent` binary as an operator uses it.

// Test helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

/// Every configuration variable, removed from the child's environment so the
/// developer's or CI's own settings cannot leak into a test.
const CONFIG_VARS: &[&str] = &[
    "DATABASE_URL",
    "ODOO_AGENT_DATA_DIR",
    "REDIS_URL",
    "LLM_PROVIDER",
    "LLM_MODEL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "LLM_MAX_RETRIES",
    "ODOO_AGENT_CASSETTES",
    "ODOO_URL",
    "ODOO_DB",
    "ODOO_LOGIN",
    "ODOO_API_KEY",
    "ODOO_AGENT_BIND",
    "ODOO_AGENT_API_KEY",
    "ODOO_AGENT_MAX_BODY_BYTES",
    "ODOO_AGENT_TIMEZONE",
    "ODOO_AGENT_MAX_ITERATIONS",
    "ODOO_AGENT_MAX_TURN_TOKENS",
    "ODOO_AGENT_MAX_OUTPUT_TOKENS",
    "ODOO_AGENT_TURN_TIMEOUT_SECS",
    "ODOO_AGENT_TOOL_TIMEOUT_SECS",
    "ODOO_AGENT_SHUTDOWN_GRACE_SECS",
    "ODOO_AGENT_LOG",
    "ODOO_AGENT_LOG_FORMAT",
];

fn cassettes() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../evals/cassettes").to_owned()
}

fn odoo_agent(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_odoo-agent"));
    for var in CONFIG_VARS {
        command.env_remove(var);
    }
    command
        .current_dir(dir)
        .env("ODOO_AGENT_CASSETTES", cassettes());
    command
}

fn run(command: &mut Command) -> (Output, String, String) {
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

#[test]
fn help_lists_each_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let (output, stdout, _) = run(odoo_agent(dir.path()).arg("--help"));
    assert!(output.status.success());
    for (name, words) in [
        ("serve", "HTTP API"),
        ("chat", "terminal"),
        ("tools", "tools the model can call"),
        ("migrate", "migrations"),
        ("bench", "Benchmark"),
        ("prompts", "prompt templates"),
        ("eval", "eval suite"),
    ] {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_default();
        assert!(line.contains(words), "{name}: {stdout}");
    }
}

#[test]
fn prompts_list_shows_each_template_with_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let (output, stdout, stderr) = run(odoo_agent(dir.path()).args(["prompts", "list"]));
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("system/agent  v2  (in use)  system/agent.v2.md.j2"),
        "{stdout}"
    );
    assert!(stdout.contains("channels/slack  v1  (in use)"), "{stdout}");
}

#[test]
fn prompts_render_prints_the_text_or_names_the_missing_variable() {
    let dir = tempfile::tempdir().unwrap();
    let (output, _, stderr) = run(odoo_agent(dir.path()).args([
        "prompts",
        "render",
        "system/agent",
        "--var",
        "company_name=Acme",
    ]));
    assert!(!output.status.success());
    assert!(stderr.contains("missing variables `channel`"), "{stderr}");

    let (output, stdout, stderr) = run(odoo_agent(dir.path()).args([
        "prompts",
        "render",
        "system/agent.v2",
        "--var",
        "company_name=Acme Trading",
        "--var",
        "today=2026-03-31",
        "--var",
        "timezone=Europe/Amsterdam",
        "--var",
        "channel=slack",
        "--var",
        "user_name=Ada",
        "--var",
        r#"user_roles=["finance"]"#,
        "--var",
        r#"tools=[{"name": "credit_check", "description": "scores credit"}]"#,
        "--var",
        "channel_guidance=Use mrkdwn.",
    ]));
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.starts_with("You are the Odoo assistant of Acme Trading."),
        "{stdout}"
    );
    assert!(
        stdout.contains("(roles: finance) through slack"),
        "{stdout}"
    );
    assert!(stdout.contains("- credit_check: scores credit"), "{stdout}");
}

#[test]
fn tools_list_json_prints_generated_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let (output, stdout, stderr) = run(odoo_agent(dir.path()).args(["tools", "list", "--json"]));
    assert!(output.status.success(), "{stderr}");
    let tools: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "aggregate_records",
            "bank_reconciliation_suggest",
            "calculate",
            "cash_flow_forecast",
            "closing_checklist",
            "count_records",
            "credit_check",
            "current_datetime",
            "daily_digest",
            "find_duplicates",
            "get_record",
            "month_end_closing_scan",
            "nl_report",
            "search_records",
        ]
    );
    for tool in &tools {
        assert_eq!(tool["input_schema"]["type"], "object");
        assert_eq!(tool["kind"], "read");
        let schema = tool["input_schema"].to_string();
        assert!(
            !schema.contains("$ref") && !schema.contains("$schema"),
            "{schema}"
        );
    }
    let calculate = tools.iter().find(|t| t["name"] == "calculate").unwrap();
    assert_eq!(
        calculate["input_schema"]["required"],
        serde_json::json!(["expression"])
    );
}

#[test]
fn bad_configuration_lists_every_problem_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let (output, stdout, stderr) = run(odoo_agent(dir.path())
        .args(["tools", "list"])
        .env("LLM_PROVIDER", "gemini")
        .env("ODOO_AGENT_MAX_ITERATIONS", "0")
        .env("ANTHROPIC_API_KEY", "sk-ant-do-not-print"));
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("LLM_PROVIDER: \"gemini\" is not a provider"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ODOO_AGENT_MAX_ITERATIONS: 0 is out of range"),
        "{stderr}"
    );
    assert!(!stderr.contains("do-not-print"), "{stderr}");
    let (output, _, stderr) =
        run(odoo_agent(dir.path()).args(["--config", "missing.toml", "migrate"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("missing.toml: file not found"), "{stderr}");
}

#[test]
fn migrate_creates_the_embedded_database() {
    let dir = tempfile::tempdir().unwrap();
    let (output, stdout, stderr) = run(odoo_agent(dir.path()).arg("migrate"));
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("migrations applied to the SQLite database"),
        "{stdout}"
    );
    assert!(dir.path().join("data/odoo-agent.db").exists());
}

#[test]
fn chat_answers_from_recordings_in_replay_mode() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = odoo_agent(dir.path())
        .arg("chat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"What is 15% of 2480 EUR?\nsomething never recorded\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("replay mode, answers come from the recordings"),
        "{stderr}"
    );
    assert!(
        stdout.contains("[tool calculate {\"expression\":\"2480 * 0.15\"}]"),
        "{stdout}"
    );
    assert!(stdout.contains("372.00 EUR"), "{stdout}");
    assert!(
        stdout.contains("No recorded answer matches this conversation"),
        "{stdout}"
    );
    assert!(
        stderr.contains("continue with: odoo-agent chat --thread"),
        "{stderr}"
    );
}

#[test]
fn serve_answers_health_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = odoo_agent(dir.path())
        .arg("serve")
        .env("ODOO_AGENT_BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let address = first.rsplit("http://").next().unwrap().to_owned();
    let banner: Vec<String> = lines.by_ref().take(2).map(Result::unwrap).collect();
    assert!(banner[0].contains("replay mode"), "{banner:?}");
    assert!(
        banner[1].contains("built-in demo company Harbourline Supplies B.V."),
        "{banner:?}"
    );

    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body: Value = serde_json::from_str(response.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["odoo"]["mode"], "demo", "{body}");
    assert_eq!(body["odoo"]["demo"]["company"], "Harbourline Supplies B.V.");
    assert_eq!(body["odoo"]["demo"]["odoo_version"], "17.0");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn bench_dedup_groups_a_tiny_file_and_scores_it_against_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        r#"{"id":1,"name":"Blue Ridge Machinery GmbH","email":"anna.berg@blueridge.de","phone":"+49 89 60951157","mobile":false,"vat":false,"is_company":true,"country_id":[57,"Germany"]}"#,
        r#"{"id":2,"name":"Blue Ridge Machinery","email":"Anna.Berg@blueridge.de","phone":false,"mobile":false,"vat":false,"is_company":true,"country_id":false}"#,
        r#"{"id":3,"name":"Lynn Machinery","email":"office@lynnmachinery.com","phone":"(501) 971-5372","mobile":false,"vat":false,"is_company":true}"#,
        r#"{"id":4,"name":"Lynn Machinery Inc.","email":false,"phone":"+1 501 971 5372","mobile":false,"vat":false,"is_company":true}"#,
        r#"{"id":5,"name":"Pamela Day","email":"pameladay@gmail.com","phone":false,"mobile":false,"vat":false,"is_company":false}"#,
    ];
    std::fs::write(dir.path().join("partners.jsonl"), rows.join("\n")).unwrap();
    std::fs::write(
        dir.path().join("truth.jsonl"),
        "{\"cluster\":0,\"ids\":[1,2]}\n{\"cluster\":1,\"ids\":[3,4]}\n",
    )
    .unwrap();
    let (output, stdout, stderr) = run(odoo_agent(dir.path()).args([
        "bench",
        "dedup",
        "--partners",
        "partners.jsonl",
        "--truth",
        "truth.jsonl",
        "--out",
        "groups.jsonl",
    ]));
    assert!(output.status.success(), "{stderr}");
    for expected in [
        "records:          5",
        "groups found:     2",
        "pair precision:   1.0000",
        "pair recall:      1.0000",
        "peak memory:",
        "pairs compared:",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
    let groups: Vec<Value> = std::fs::read_to_string(dir.path().join("groups.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["ids"], serde_json::json!([1, 2]));
    assert_eq!(groups[0]["master"], 1);
    assert_eq!(groups[1]["ids"], serde_json::json!([3, 4]));

    let (output, stdout, _) = run(odoo_agent(dir.path()).args(["bench", "dedup", "--help"]));
    assert!(output.status.success());
    assert!(
        stdout.contains("--partners") && stdout.contains("precision"),
        "{stdout}"
    );
}

#[test]
fn eval_judge_flags_need_a_live_run_and_a_judging_provider() {
    let dir = tempfile::tempdir().unwrap();
    let cases = concat!(env!("CARGO_MANIFEST_DIR"), "/../../evals/cases/calculate");
    // A replay has no model to judge with.
    let (output, _, stderr) =
        run(odoo_agent(dir.path()).args(["eval", "run", cases, "--judge-model", "gpt-judge"]));
    assert!(!output.status.success());
    assert!(stderr.contains("a replay grades no rubric"), "{stderr}");
    // The scripted model plays scripts; it cannot judge.
    let (output, _, stderr) = run(odoo_agent(dir.path()).args([
        "eval",
        "run",
        cases,
        "--provider",
        "scripted",
        "--judge-provider",
        "scripted",
    ]));
    assert!(!output.status.success());
    assert!(
        stderr.contains("the scripted model cannot judge"),
        "{stderr}"
    );
    // A judge on another provider needs its model named.
    let (output, _, stderr) = run(odoo_agent(dir.path()).args([
        "eval",
        "run",
        cases,
        "--provider",
        "scripted",
        "--judge-provider",
        "openai",
    ]));
    assert!(!output.status.success());
    assert!(stderr.contains("--judge-model"), "{stderr}");
}
