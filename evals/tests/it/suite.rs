//! The whole shipped suite (`evals/cases`) replays and passes: what CI runs.

use std::path::PathBuf;
use std::sync::Arc;

use evals::result::{Status, describe};
use evals::{Companies, Mode, Prices, RunOptions};

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shipped_suite_replays_and_passes() {
    agent::init_crypto();
    let repo = repo();
    let loaded = evals::load(&[repo.join("evals/cases")], &[]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert!(loaded.cases.len() >= 100, "{} cases", loaded.cases.len());
    let with_rubric: Vec<String> = loaded
        .cases
        .iter()
        .filter(|c| c.rubric.is_some())
        .map(|c| c.id.clone())
        .collect();
    assert!(!with_rubric.is_empty(), "no case has a rubric");
    let companies = Arc::new(Companies::new(
        agent::config::Config::for_tests(),
        repo.join("evals/fixtures"),
    ));
    let options = RunOptions {
        mode: Mode::Replay {
            cassettes: repo.join("evals/cassettes"),
        },
        jobs: 4,
        prices: Prices {
            input_per_mtok: 3.0,
            output_per_mtok: 15.0,
        },
        progress: false,
        judge: None,
    };
    let result = evals::run(loaded, companies, &options).await;
    let failed: Vec<String> = result
        .cases
        .iter()
        .filter(|c| c.status != Status::Passed)
        .map(|c| {
            format!(
                "{}: {}",
                c.id,
                c.failures
                    .iter()
                    .map(describe)
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(result.is_success());
    // A replay has no judge: each rubric is reported as skipped, not graded.
    for case in result.cases.iter().filter(|c| with_rubric.contains(&c.id)) {
        assert_eq!(
            case.skipped,
            ["rubric: not graded in replay (no judge model)"],
            "{}",
            case.id
        );
        assert!(case.judge.is_none(), "{}", case.id);
    }
    assert_eq!(result.summary.skipped, with_rubric.len());
    assert_eq!(result.summary.judged, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_sharing_a_cassette_replay_from_one_file() {
    agent::init_crypto();
    let repo = repo();
    // Both demo conversations live in cassettes/demo.json, which `serve`
    // and `chat` answer from.
    let loaded = evals::load(&[repo.join("evals/cases/demo")], &[]);
    let ids: Vec<&str> = loaded.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["demo-capabilities", "demo-percentage"]);
    assert!(
        loaded
            .cases
            .iter()
            .all(|c| c.cassette.as_deref() == Some("demo"))
    );
    let companies = Arc::new(Companies::new(
        agent::config::Config::for_tests(),
        repo.join("evals/fixtures"),
    ));
    let options = RunOptions {
        mode: Mode::Replay {
            cassettes: repo.join("evals/cassettes"),
        },
        jobs: 2,
        prices: Prices {
            input_per_mtok: 3.0,
            output_per_mtok: 15.0,
        },
        progress: false,
        judge: None,
    };
    let result = evals::run(loaded, companies, &options).await;
    assert!(result.is_success(), "{:?}", result.cases);
    let cassette: agent::provider::Cassette = serde_json::from_str(
        &std::fs::read_to_string(repo.join("evals/cassettes/demo.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(cassette.name, "demo");
    assert_eq!(cassette.interactions.len(), 3);
    for interaction in &cassette.interactions {
        assert_eq!(interaction.request.prompts[1].name, "channels/cli");
        assert!(interaction.request.tools.is_some());
    }
}

#[tokio::test]
async fn a_changed_prompt_fails_the_replay_and_names_the_difference() {
    agent::init_crypto();
    let repo = repo();
    let dir = tempfile::tempdir().unwrap();
    // The recorded cassette, with the system prompt recorded as version 1.
    let text = std::fs::read_to_string(repo.join("evals/cassettes/calculate-percentage.json"))
        .unwrap()
        .replace("\"version\": 2", "\"version\": 1");
    std::fs::write(dir.path().join("calculate-percentage.json"), text).unwrap();
    let loaded = evals::load(
        &[repo.join("evals/cases/calculate/calculate-percentage.yaml")],
        &[],
    );
    let companies = Arc::new(Companies::new(
        agent::config::Config::for_tests(),
        repo.join("evals/fixtures"),
    ));
    let options = RunOptions {
        mode: Mode::Replay {
            cassettes: dir.path().to_owned(),
        },
        jobs: 1,
        prices: Prices {
            input_per_mtok: 0.0,
            output_per_mtok: 0.0,
        },
        progress: false,
        judge: None,
    };
    let result = evals::run(loaded, companies, &options).await;
    let case = &result.cases[0];
    assert_eq!(case.status, Status::Failed);
    assert_eq!(case.failures[0].check, "replay");
    assert!(
        case.failures[0]
            .actual
            .contains("prompt system/agent: expected version 1, actual version 2"),
        "{:?}",
        case.failures
    );
}
