use std::path::Path;

use pretty_assertions::assert_eq;

use super::*;

fn parse_text(text: &str) -> Result<Case, CaseError> {
    parse(Path::new("cases/x.yaml"), text)
}

#[test]
fn a_full_case_reads_with_defaults_filled_in() {
    let case = parse_text(
        r#"
id: credit-one
tags: [credit]
turns:
  - user: Is Acme over its limit?
    expect:
      tools:
        - name: credit_check
          args: {fields: {partner_name: {regex: "(?i)acme"}, top: {number: 5, tolerance: 1}}}
      answer: {contains: [limit], matches: ['\d+ EUR']}
"#,
    )
    .unwrap();
    assert_eq!(case.id, "credit-one");
    assert_eq!(case.company, Company::default());
    assert_eq!(case.channel, "api");
    assert_eq!(case.identity.roles, vec![Role::Finance]);
    assert_eq!(case.file, Path::new("cases/x.yaml"));
    let ArgsMatcher::Fields(fields) = case.turns[0].expect.tools[0].args.as_ref().unwrap() else {
        panic!("not fields")
    };
    assert!(matches!(
        fields["top"],
        FieldMatcher::Number {
            value: 5.0,
            tolerance: 1.0
        }
    ));
}

#[test]
fn an_unknown_key_is_reported_with_its_line() {
    let err = parse_text("id: a\nturns:\n  - user: hi\n    expct: {}\n").unwrap_err();
    assert_eq!(err.line, Some(4), "{err}");
    assert!(err.problem.contains("unknown field `expct`"), "{err}");
    assert!(err.to_string().starts_with("cases/x.yaml:4: "), "{err}");
}

#[test]
fn an_invalid_regex_is_reported_with_its_line() {
    let err = parse_text(
        "id: a\nturns:\n  - user: hi\n    expect:\n      answer:\n        matches: ['(unclosed']\n",
    )
    .unwrap_err();
    assert_eq!(err.line, Some(6), "{err}");
    assert!(err.problem.contains("invalid regex \"(unclosed\""), "{err}");
}

#[test]
fn a_matcher_with_two_kinds_is_refused() {
    let err = parse_text(
        "id: a\nturns:\n  - user: hi\n    expect:\n      tools:\n        - name: t\n          args: {exact: {}, subset: {}}\n",
    )
    .unwrap_err();
    assert!(
        err.problem
            .contains("exactly one of `exact`, `subset` or `fields`"),
        "{err}"
    );
    assert_eq!(err.line, Some(6), "{err}");
}

#[test]
fn rules_outside_the_yaml_shape_are_checked() {
    let err = parse_text("id: has space\nturns: [{user: hi}]\n").unwrap_err();
    assert!(err.problem.contains("must be letters"), "{err}");
    let err = parse_text("id: a\nturns: []\n").unwrap_err();
    assert!(err.problem.contains("at least one turn"), "{err}");
}

#[test]
fn loading_a_folder_keeps_good_cases_and_reports_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        "id: a\ntags: [x]\nturns: [{user: hi}]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("b.yaml"), "id: b\nturns: [{user: hi}]\n").unwrap();
    std::fs::write(dir.path().join("c.yaml"), "id: a\nturns: [{user: again}]\n").unwrap();
    std::fs::write(dir.path().join("d.yml"), "id: [\n").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a case").unwrap();
    let loaded = load(&[dir.path().to_owned()], &[]);
    let ids: Vec<&str> = loaded.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    let problems: Vec<String> = loaded.errors.iter().map(|e| e.problem.clone()).collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("duplicate case id \"a\""),
        "{problems:?}"
    );
    assert!(loaded.errors[1].file.ends_with("d.yml"));

    let tagged = load(&[dir.path().to_owned()], &["x".to_owned()]);
    assert_eq!(tagged.cases.len(), 1);
    let missing = load(&[dir.path().join("nope")], &[]);
    assert!(missing.errors[0].problem.contains("cannot read"));
}
