//! Cassette files of a run: reading a case's cassette for a replay, and
//! writing what a recording run captured. Cases naming the same cassette
//! (`cassette: demo`) share one file, their interactions in case order.

use std::collections::BTreeMap;
use std::path::Path;

use agent::provider::Cassette;

/// A case's recording, waiting to be written with the others that share
/// its cassette.
pub(crate) struct RecordedCassette {
    pub case_id: String,
    pub cassette: Cassette,
}

/// A cassette that could not be written, and the cases recorded into it.
pub(crate) struct Unwritten {
    pub name: String,
    pub cases: Vec<String>,
    pub problem: String,
}

/// Reads `<folder>/<name>.json`; the error says how to get it.
pub(crate) fn read_cassette(folder: &Path, name: &str) -> Result<Cassette, String> {
    let path = folder.join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).map_err(|err| {
        format!(
            "no cassette {} ({err}); record it with --record",
            path.display()
        )
    })?;
    serde_json::from_str(&text)
        .map_err(|err| format!("cassette {} is invalid: {err}", path.display()))
}

/// Writes the recordings (given in case order), one file per cassette
/// name. Returns the cassettes that could not be written, with why.
pub(crate) fn write_cassettes(
    folder: &Path,
    recorded: impl IntoIterator<Item = RecordedCassette>,
) -> Vec<Unwritten> {
    merge(recorded)
        .into_iter()
        .filter_map(|(cases, cassette)| {
            write_cassette(folder, &cassette)
                .err()
                .map(|problem| Unwritten {
                    name: cassette.name,
                    cases,
                    problem,
                })
        })
        .collect()
}

/// One cassette per name, by name: the interactions of the cases sharing
/// it in the order given, their descriptions joined, and which cases
/// went into it.
fn merge(recorded: impl IntoIterator<Item = RecordedCassette>) -> Vec<(Vec<String>, Cassette)> {
    let mut by_name: BTreeMap<String, (Vec<String>, Cassette)> = BTreeMap::new();
    for RecordedCassette { case_id, cassette } in recorded {
        match by_name.get_mut(&cassette.name) {
            Some((cases, merged)) => {
                cases.push(case_id);
                if !cassette.description.is_empty() {
                    if !merged.description.is_empty() {
                        merged.description.push(' ');
                    }
                    merged.description.push_str(&cassette.description);
                }
                merged.interactions.extend(cassette.interactions);
            }
            None => {
                by_name.insert(cassette.name.clone(), (vec![case_id], cassette));
            }
        }
    }
    by_name.into_values().collect()
}

fn write_cassette(folder: &Path, cassette: &Cassette) -> Result<(), String> {
    std::fs::create_dir_all(folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let path = folder.join(format!("{}.json", cassette.name));
    let mut text = serde_json::to_string_pretty(cassette).map_err(|e| e.to_string())?;
    text.push('\n');
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use agent::provider::{ChatEvent, Interaction, Message, RecordedRequest, StopReason};
    use pretty_assertions::assert_eq;

    use super::*;

    fn recorded(
        case_id: &str,
        cassette: &str,
        description: &str,
        question: &str,
    ) -> RecordedCassette {
        RecordedCassette {
            case_id: case_id.into(),
            cassette: Cassette {
                name: cassette.into(),
                description: description.into(),
                interactions: vec![Interaction {
                    request: RecordedRequest {
                        messages: vec![Message::user_text(question)],
                        model: None,
                        prompts: Vec::new(),
                        tools: None,
                    },
                    events: vec![ChatEvent::Done {
                        stop_reason: StopReason::EndTurn,
                    }],
                }],
            },
        }
    }

    #[test]
    fn cases_naming_one_cassette_are_merged_in_order_and_others_stay_apart() {
        let merged = merge([
            recorded("demo-a", "demo", "Demo: first;", "What can you do?"),
            recorded("solo", "solo", "Alone.", "Hello"),
            recorded("demo-b", "demo", "second.", "What is 2 + 2?"),
        ]);
        let summary: Vec<(Vec<String>, String, String, Vec<String>)> = merged
            .iter()
            .map(|(cases, c)| {
                (
                    cases.clone(),
                    c.name.clone(),
                    c.description.clone(),
                    c.interactions
                        .iter()
                        .map(|i| i.request.messages[0].text())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    vec!["demo-a".to_owned(), "demo-b".to_owned()],
                    "demo".to_owned(),
                    "Demo: first; second.".to_owned(),
                    vec!["What can you do?".to_owned(), "What is 2 + 2?".to_owned()],
                ),
                (
                    vec!["solo".to_owned()],
                    "solo".to_owned(),
                    "Alone.".to_owned(),
                    vec!["Hello".to_owned()],
                ),
            ]
        );
    }
}
