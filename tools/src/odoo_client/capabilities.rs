//! What this server offers: field definitions per model, fetched once with
//! `fields_get` and cached, and the `has_model` / `has_field` questions tools
//! ask to adapt to versions and installed modules (`mobile` is gone in 19,
//! `is_storable` exists from 18, `account.move` needs Invoicing).

use std::sync::Arc;

use serde_json::{Value, json};

use super::call::MethodCall;
use super::client::{OdooClient, Retry};
use super::error::{OdooError, Result};

/// The attributes of each field that tools use; asking for fewer keeps the
/// answer small (a model like `account.move` has hundreds of fields).
const FIELD_ATTRIBUTES: [&str; 6] = [
    "string",
    "type",
    "relation",
    "required",
    "readonly",
    "selection",
];

/// What `fields_get` said about a model.
#[derive(Debug, Clone)]
pub(crate) enum FieldsEntry {
    /// The field definitions, by field name.
    Known(Arc<Value>),
    /// The model does not exist here; Odoo's words for it.
    Missing { what: String },
}

impl OdooClient {
    /// The model's field definitions, fetched once per model and client,
    /// since they only change when modules are installed. An unknown model
    /// is `MissingModelOrField`, and is remembered as such too.
    pub async fn fields_get(&self, model: &str) -> Result<Value> {
        self.fields_of(model)
            .await
            .map(|fields| Value::clone(&fields))
    }

    /// Whether `model` exists on this server (its module is installed). An
    /// unknown model is `false`, not an error; other failures (access,
    /// network) are errors.
    pub async fn has_model(&self, model: &str) -> Result<bool> {
        match self.fields_of(model).await {
            Ok(_) => Ok(true),
            Err(OdooError::MissingModelOrField { .. }) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Whether `model` exists and has `field`. Both answers are cached with
    /// the model's fields.
    pub async fn has_field(&self, model: &str, field: &str) -> Result<bool> {
        match self.fields_of(model).await {
            Ok(fields) => Ok(fields.get(field).is_some()),
            Err(OdooError::MissingModelOrField { .. }) => Ok(false),
            Err(err) => Err(err),
        }
    }

    async fn fields_of(&self, model: &str) -> Result<Arc<Value>> {
        if let Some(entry) = self.fields.read().await.get(model) {
            return self.fields_from(model, entry);
        }
        // Two concurrent misses both fetch; the answers are equal, so the
        // second insert is harmless and no lock is held across the call.
        let call =
            MethodCall::model(model, "fields_get").kwarg("attributes", json!(FIELD_ATTRIBUTES));
        let entry = match self.send(call, Retry::IdempotentRead).await {
            Ok(fields) => FieldsEntry::Known(Arc::new(fields)),
            Err(OdooError::MissingModelOrField { what, .. }) => FieldsEntry::Missing { what },
            // Access and transport failures are not facts about the server.
            Err(err) => return Err(err),
        };
        let result = self.fields_from(model, &entry);
        self.fields.write().await.insert(model.to_owned(), entry);
        result
    }

    fn fields_from(&self, model: &str, entry: &FieldsEntry) -> Result<Arc<Value>> {
        match entry {
            FieldsEntry::Known(fields) => Ok(Arc::clone(fields)),
            FieldsEntry::Missing { what } => Err(OdooError::MissingModelOrField {
                model: model.to_owned(),
                method: "fields_get".to_owned(),
                what: what.clone(),
                server_version: self.version().raw.clone(),
            }),
        }
    }
}
