//! The registry of tools and the one place where a model's tool call is
//! parsed, validated, bounded in time and turned into a result for the model.

use crate::attachment::Attachment;
use crate::proposals::Proposal;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use thiserror::Error;
use tracing::Instrument;

use crate::{
    Identity, OdooAccess, Role, SchemaError, Summarize, Tool, ToolCtx, ToolError, ToolKind,
    permitted, tool_schema,
};

/// Largest serialised tool output sent to the model verbatim; larger outputs
/// are replaced by their summary so one tool cannot flood the context window.
pub(crate) const MAX_MODEL_OUTPUT_BYTES: usize = 16 * 1024;

/// A tool as the model sees it: name, description and argument schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub kind: ToolKind,
    pub input_schema: Value,
}

/// A registered tool with its types erased, so tools of different types can
/// live in one registry.
#[async_trait]
pub trait DynTool: Send + Sync {
    fn spec(&self) -> &ToolSpec;
    fn access(&self) -> &'static [OdooAccess];
    /// The roles whose holders may use the tool (administrators always may).
    fn roles(&self) -> &'static [Role];
    /// Deserialises `args` (already schema-validated) and runs the tool.
    async fn call_json(&self, ctx: &ToolCtx, args: Value) -> Result<ToolSuccess, ToolError>;
}

/// What a successful call produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSuccess {
    /// The few lines the model reads.
    pub summary: String,
    /// The full typed output, for audit records and attachments.
    pub output: Value,
    /// Changes the tool offers for approval; the caller stores them.
    pub proposals: Vec<Proposal>,
    /// Files the tool produced; the caller stores them and links them.
    pub attachments: Vec<Attachment>,
}

struct Erased<T: Tool> {
    tool: T,
    spec: ToolSpec,
}

#[async_trait]
impl<T: Tool> DynTool for Erased<T> {
    fn spec(&self) -> &ToolSpec {
        &self.spec
    }

    fn access(&self) -> &'static [OdooAccess] {
        self.tool.access()
    }

    fn roles(&self) -> &'static [Role] {
        self.tool.roles()
    }

    async fn call_json(&self, ctx: &ToolCtx, args: Value) -> Result<ToolSuccess, ToolError> {
        let args: T::Args =
            serde_path_to_error::deserialize(args).map_err(|err| ToolError::InvalidArgs {
                tool: T::NAME.to_owned(),
                message: describe_serde_error(&err),
            })?;
        let output = self.tool.call(ctx, args).await?;
        let summary = output.summary();
        let proposals = output.proposals();
        let attachments = output.attachments();
        let output = serde_json::to_value(&output)
            .map_err(|err| ToolError::Internal(format!("cannot serialise output: {err}")))?;
        Ok(ToolSuccess {
            summary,
            output,
            proposals,
            attachments,
        })
    }
}

/// Building a registry failed.
#[derive(Debug, Error)]
pub enum RegistryError {
    #[error("tool name {0} is registered twice")]
    DuplicateName(String),
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

/// Collects tools; `build` rejects duplicate names and bad schemas.
#[derive(Default)]
pub struct ToolRegistryBuilder {
    tools: Vec<Result<Arc<dyn DynTool>, SchemaError>>,
}

impl ToolRegistryBuilder {
    pub fn register<T: Tool>(mut self, tool: T) -> Self {
        let entry = tool_schema::<T::Args>(T::NAME).map(|input_schema| {
            let spec = ToolSpec {
                name: T::NAME.to_owned(),
                description: tool.description().to_owned(),
                kind: T::KIND,
                input_schema,
            };
            Arc::new(Erased { tool, spec }) as Arc<dyn DynTool>
        });
        self.tools.push(entry);
        self
    }

    pub fn build(self) -> Result<ToolRegistry, RegistryError> {
        let mut tools = BTreeMap::new();
        for entry in self.tools {
            let tool = entry?;
            let name = tool.spec().name.clone();
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&tool.spec().input_schema)
                .map_err(|err| SchemaError {
                    tool: name.clone(),
                    found: err.to_string(),
                })?;
            if tools
                .insert(name.clone(), Registered { tool, validator })
                .is_some()
            {
                return Err(RegistryError::DuplicateName(name));
            }
        }
        let specs = tools.values().map(|r| r.tool.spec().clone()).collect();
        Ok(ToolRegistry { tools, specs })
    }
}

struct Registered {
    tool: Arc<dyn DynTool>,
    validator: jsonschema::Validator,
}

impl Registered {
    /// The schema's objections to `arguments`, joined.
    fn check(&self, arguments: &Value) -> Result<(), String> {
        let problems: Vec<String> = self
            .validator
            .iter_errors(arguments)
            .map(|e| describe_schema_error(&e))
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

/// The tools available to the agent, by name.
pub struct ToolRegistry {
    tools: BTreeMap<String, Registered>,
    /// Built once: every model call sends them, and schemas are large.
    specs: Arc<[ToolSpec]>,
}

/// The result of one dispatched call, ready for the model and the audit log.
#[derive(Debug)]
pub struct DispatchOutcome {
    pub tool: String,
    /// The arguments as parsed; a string holding the raw text when they were
    /// not valid JSON.
    pub arguments: Value,
    pub result: Result<ToolSuccess, ToolError>,
    pub duration: Duration,
}

impl DispatchOutcome {
    pub fn is_error(&self) -> bool {
        self.result.is_err()
    }

    /// The tool result content sent back to the model (as JSON text). It is a
    /// JSON document so the model reads it as data, never as instructions.
    pub fn content_for_model(&self) -> Value {
        match &self.result {
            Ok(success) => {
                let size = serde_json::to_vec(&success.output).map_or(usize::MAX, |v| v.len());
                if size <= MAX_MODEL_OUTPUT_BYTES {
                    json!({"summary": success.summary, "data": success.output})
                } else {
                    json!({"summary": success.summary, "data_omitted": "output too large; summary only"})
                }
            }
            // The spec's error shape (code, message, retryable), plus the
            // finer `kind` that logs and audit records use.
            Err(err) => json!({"error": {
                "code": err.code(),
                "kind": err.kind(),
                "message": err.to_string(),
                "retryable": err.retryable(),
            }}),
        }
    }
}

impl ToolRegistry {
    pub fn builder() -> ToolRegistryBuilder {
        ToolRegistryBuilder::default()
    }

    /// Specs of every tool, sorted by name; shared, not copied.
    /// Checks `arguments` against tool `name`'s schema without running it,
    /// for calls saved now and made later (scheduled reports).
    pub fn check_arguments(&self, name: &str, arguments: &Value) -> Result<(), ToolError> {
        let registered = self
            .tools
            .get(name)
            .ok_or_else(|| ToolError::UnknownTool(name.to_owned()))?;
        registered
            .check(arguments)
            .map_err(|message| ToolError::InvalidArgs {
                tool: name.to_owned(),
                message,
            })
    }

    /// Whether `identity` may use tool `name`, for calls saved now and made
    /// later in that person's name.
    pub fn check_permitted(&self, identity: &Identity, name: &str) -> Result<(), ToolError> {
        let registered = self
            .tools
            .get(name)
            .ok_or_else(|| ToolError::UnknownTool(name.to_owned()))?;
        let roles = registered.tool.roles();
        if permitted(identity, roles) {
            Ok(())
        } else {
            Err(not_permitted(name, identity, roles))
        }
    }

    pub fn specs(&self) -> Arc<[ToolSpec]> {
        Arc::clone(&self.specs)
    }

    /// Specs of the tools `identity` may use, sorted by name: what the model
    /// is offered in that person's turns.
    pub fn specs_for(&self, identity: &Identity) -> Arc<[ToolSpec]> {
        self.tools
            .values()
            .filter(|r| permitted(identity, r.tool.roles()))
            .map(|r| r.tool.spec().clone())
            .collect()
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn DynTool>> {
        self.tools.get(name).map(|r| &r.tool)
    }

    pub fn len(&self) -> usize {
        self.tools.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }

    /// Runs one tool call from the model: parse, validate against the schema,
    /// call with a timeout bounded by the context's deadline, and honour
    /// cancellation. Never panics on bad input; every failure is an error
    /// outcome the model can read.
    pub async fn dispatch(
        &self,
        ctx: &ToolCtx,
        call_id: &str,
        name: &str,
        raw_arguments: &str,
        timeout: Duration,
    ) -> DispatchOutcome {
        let started = Instant::now();
        let span = tracing::info_span!(
            "execute_tool",
            gen_ai.tool.name = name,
            gen_ai.tool.call.id = call_id,
            tool.kind = tracing::field::Empty,
            error.kind = tracing::field::Empty,
        );
        let (arguments, result) = self
            .dispatch_inner(ctx, name, raw_arguments, timeout, &span)
            .instrument(span.clone())
            .await;
        if let Err(err) = &result {
            span.record("error.kind", err.kind());
        }
        DispatchOutcome {
            tool: name.to_owned(),
            arguments,
            result,
            duration: started.elapsed(),
        }
    }

    async fn dispatch_inner(
        &self,
        ctx: &ToolCtx,
        name: &str,
        raw_arguments: &str,
        timeout: Duration,
        span: &tracing::Span,
    ) -> (Value, Result<ToolSuccess, ToolError>) {
        let Some(registered) = self.tools.get(name) else {
            let known: Vec<&str> = self.tools.keys().map(String::as_str).collect();
            let raw = Value::String(raw_arguments.to_owned());
            let message = format!("{name} (available tools: {})", known.join(", "));
            return (raw, Err(ToolError::UnknownTool(message)));
        };
        span.record(
            "tool.kind",
            tracing::field::debug(registered.tool.spec().kind),
        );
        let roles = registered.tool.roles();
        if !permitted(&ctx.identity, roles) {
            let raw = Value::String(raw_arguments.to_owned());
            return (raw, Err(not_permitted(name, &ctx.identity, roles)));
        }
        let invalid = |message: String| ToolError::InvalidArgs {
            tool: name.to_owned(),
            message,
        };
        // Models send "" for a call without arguments.
        let text = if raw_arguments.trim().is_empty() {
            "{}"
        } else {
            raw_arguments
        };
        let arguments: Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(err) => {
                let message = format!("arguments are not valid JSON ({err})");
                return (
                    Value::String(raw_arguments.to_owned()),
                    Err(invalid(message)),
                );
            }
        };
        if let Err(problems) = registered.check(&arguments) {
            return (arguments, Err(invalid(problems)));
        }
        let budget = timeout.min(
            ctx.deadline
                .saturating_duration_since(tokio::time::Instant::now()),
        );
        let call = registered.tool.call_json(ctx, arguments.clone());
        let result = tokio::select! {
            outcome = tokio::time::timeout(budget, call) => outcome.unwrap_or_else(|_| {
                Err(ToolError::Timeout { tool: name.to_owned(), seconds: budget.as_secs() })
            }),
            () = ctx.cancel.cancelled() => Err(ToolError::Cancelled),
        };
        (arguments, result)
    }
}

fn not_permitted(tool: &str, identity: &Identity, roles: &[Role]) -> ToolError {
    let names = |roles: &[Role]| {
        let names: Vec<String> = roles
            .iter()
            .filter_map(|r| serde_json::to_value(r).ok()?.as_str().map(str::to_owned))
            .collect();
        if names.is_empty() {
            "no role".to_owned()
        } else {
            names.join(", ")
        }
    };
    ToolError::NotPermitted {
        tool: tool.to_owned(),
        identity: identity.id.to_string(),
        roles: names(roles),
        held: names(&identity.roles),
    }
}

/// "`field.sub`: problem", or the problem alone when it concerns the whole
/// object (a missing or unknown field names itself).
fn describe_schema_error(err: &jsonschema::ValidationError<'_>) -> String {
    let pointer = err.instance_path().to_string();
    let field = pointer.trim_start_matches('/').replace('/', ".");
    if field.is_empty() {
        err.to_string()
    } else {
        format!("field `{field}`: {err}")
    }
}

fn describe_serde_error(err: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = err.path().to_string();
    if path == "." {
        err.inner().to_string()
    } else {
        format!("field `{path}`: {}", err.inner())
    }
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
