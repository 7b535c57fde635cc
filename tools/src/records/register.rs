//! Registering the four record tools with one shared configuration.

use std::sync::Arc;

use super::aggregate::AggregateRecords;
use super::config::RecordToolsConfig;
use super::count::CountRecords;
use super::get::GetRecord;
use super::policy::PolicyConfigError;
use super::search::SearchRecords;
use super::shared::Shared;
use crate::ToolRegistryBuilder;
use crate::odoo_client::OdooConnector;

/// Adds the four record tools to `builder`, sharing one configuration and
/// connector. Fails if the policy allows what must never be read.
pub fn register_record_tools(
    builder: ToolRegistryBuilder,
    config: RecordToolsConfig,
    connector: Arc<dyn OdooConnector>,
) -> Result<ToolRegistryBuilder, PolicyConfigError> {
    config.validate()?;
    let shared = Arc::new(Shared { config, connector });
    Ok(builder
        .register(SearchRecords::new(Arc::clone(&shared)))
        .register(CountRecords::new(Arc::clone(&shared)))
        .register(AggregateRecords::new(Arc::clone(&shared)))
        .register(GetRecord::new(shared)))
}
