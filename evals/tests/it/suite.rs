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
    assert!(loaded.cases.len() >= 40, "{} cases", loaded.cases.len());
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
