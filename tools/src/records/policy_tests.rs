use pretty_assertions::assert_eq;

use super::*;

fn policy() -> RecordPolicy {
    RecordPolicy::default()
}

#[test]
fn allowed_models_fields_and_paths_pass() {
    let policy = policy();
    assert!(policy.model("account.move").is_ok());
    assert_eq!(
        policy.check_field("account.move", "amount_total_signed"),
        Ok(())
    );
    assert_eq!(policy.check_field("account.move", "id"), Ok(()));
    assert_eq!(
        policy.check_path("account.move", "partner_id.country_id.code"),
        Ok(())
    );
}

#[test]
fn technical_models_are_refused_with_the_allowed_list() {
    let err = policy().model("ir.config_parameter").unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(
            "model ir.config_parameter is not available to these tools; allowed models include: "
        ),
        "{text}"
    );
    assert!(text.contains("res.partner"), "{text}");
    for model in [
        "ir.model",
        "res.users.apikeys",
        "bus.bus",
        "base.language.install",
    ] {
        assert!(policy().model(model).is_err(), "{model}");
    }
}

#[test]
fn a_configured_technical_model_is_still_refused() {
    let mut policy = policy();
    let rules = policy.models["res.currency"].clone();
    policy
        .models
        .insert("ir.config_parameter".to_owned(), rules);
    assert!(policy.model("ir.config_parameter").is_err());
    let err = policy.validate().unwrap_err();
    assert_eq!(
        err.to_string(),
        "record policy: model ir.config_parameter may never be allowed"
    );
}

#[test]
fn user_passwords_and_keys_are_refused_even_when_configured() {
    let mut policy = policy();
    let err = policy.check_field("res.users", "password").unwrap_err();
    assert!(
        err.to_string().starts_with(
            "field password of res.users is not allowed; allowed fields of res.users include: "
        ),
        "{err}"
    );
    let users = policy.models.get_mut("res.users").unwrap();
    users.fields.insert("password".to_owned());
    users.fields.insert("api_key_ids".to_owned());
    assert!(policy.check_field("res.users", "password").is_err());
    assert!(policy.check_field("res.users", "api_key_ids").is_err());
    let err = policy.validate().unwrap_err().to_string();
    assert!(
        err.contains("field password of res.users may never be allowed"),
        "{err}"
    );
    assert!(
        err.contains("field api_key_ids of res.users may never be allowed"),
        "{err}"
    );
}

#[test]
fn an_unknown_field_lists_the_closest_allowed_names_first() {
    let err = policy()
        .check_field("account.move", "amount_totl")
        .unwrap_err();
    let PolicyError::Field { allowed, .. } = &err else {
        panic!("{err:?}");
    };
    let names: Vec<&str> = allowed.split(", ").collect();
    assert_eq!(names[0], "amount_total");
    assert!(names.len() <= 20, "{allowed}");
}

#[test]
fn every_segment_of_a_dotted_path_is_checked() {
    let policy = policy();
    // The last segment, on the model reached.
    let err = policy
        .check_path("account.move", "partner_id.password")
        .unwrap_err();
    assert!(
        matches!(&err, PolicyError::Field { model, field, .. } if model == "res.partner" && field == "password"),
        "{err:?}"
    );
    // A middle segment that is allowed to read but not to follow.
    let err = policy
        .check_path("res.partner", "state_id.code")
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("field state_id of res.partner cannot be followed in a dotted path"),
        "{err}"
    );
    // A middle segment that is not allowed at all.
    let err = policy
        .check_path("account.move", "secret_id.name")
        .unwrap_err();
    assert!(
        matches!(&err, PolicyError::Field { field, .. } if field == "secret_id"),
        "{err:?}"
    );
    // A path into a model outside the list.
    let mut narrowed = policy;
    narrowed.models.remove("res.country");
    let err = narrowed
        .check_path("res.partner", "country_id.code")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "field country_id of res.partner points to res.country, which is not available to \
         these tools"
    );
}

#[test]
fn policy_deserialises_from_configuration() {
    let policy: RecordPolicy = serde_json::from_value(serde_json::json!({
        "models": {
            "res.partner": {
                "fields": ["name", "country_id"],
                "default_fields": ["name"],
                "relations": {"country_id": "res.country"}
            },
            "res.country": {"fields": ["code"]}
        }
    }))
    .unwrap();
    assert_eq!(policy.validate(), Ok(()));
    assert_eq!(policy.check_path("res.partner", "country_id.code"), Ok(()));
    assert!(policy.check_field("res.partner", "email").is_err());
}

#[test]
fn edit_distance_counts_single_character_edits() {
    assert_eq!(distance("kitten", "sitting"), 3);
    assert_eq!(distance("", "abc"), 3);
    assert_eq!(distance("name", "name"), 0);
}
