//! The turn loop: model call, tool calls, model call… until a final answer
//! or a limit, then one atomic write of everything the turn produced.

use chrono::Utc;
use futures::StreamExt;
use futures::future::join_all;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tools::builtin::Clock;
use tools::proposals::Proposal;
use tools::{CallOrigin, DispatchOutcome, ToolCtx, ToolRegistry};
use tracing::{Instrument, field::Empty};

use super::attachments::{self, Origin};
use super::{
    AttachmentView, ProposalView, ToolCallSummary, TurnError, TurnEvent, TurnRequest, TurnResult,
};
use crate::config::TurnLimits;
use crate::prompt::{PromptRef, Prompts, RenderedPrompt, SystemPromptVars, ToolLine};
use crate::proposals::{NewProposal, ProposalStore};
use crate::provider::{
    Answer, ChatEvent, ChatRequest, ContentBlock, Message, MessageRole, Provider, ProviderError,
    RetryPolicy, StopReason, ToolCall, Usage,
};
use crate::store::{
    CompletedTurn, NewThread, Store, ThreadId, ToolCallRecord, TurnId, TurnRecord, TurnStatus,
};

/// Longest message accepted from a person, in characters.
const MAX_MESSAGE_CHARS: usize = 32_000;

/// What a turn needs, borrowed from the runtime.
pub(crate) struct TurnDeps<'a> {
    pub provider: &'a dyn Provider,
    pub retry: &'a RetryPolicy,
    pub tools: &'a ToolRegistry,
    pub store: &'a dyn Store,
    /// Where the proposals of tool results are kept for approval.
    pub proposals: &'a dyn ProposalStore,
    pub prompts: &'a Prompts,
    pub model: &'a str,
    pub limits: TurnLimits,
    pub timezone: chrono_tz::Tz,
    pub company_name: &'a str,
    /// Cancelled when the server stops waiting for in-flight turns.
    pub cancel: CancellationToken,
    /// "Now" for the system prompt's date (fixed in evals).
    pub clock: &'a Clock,
}

/// How the loop ended.
enum Ending {
    Answered(StopReason),
    Limit {
        reason: &'static str,
        message: String,
    },
    ProviderFailed(ProviderError),
}

/// Runs one turn to the end and stores it. Events are best-effort: a closed
/// receiver (client gone) never stops the turn.
pub(crate) async fn run_turn(
    deps: &TurnDeps<'_>,
    request: TurnRequest,
    events: &UnboundedSender<TurnEvent>,
) -> Result<TurnResult, TurnError> {
    let text = request.message.trim();
    if text.is_empty() {
        return Err(TurnError::InvalidMessage("the message is empty".into()));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(TurnError::InvalidMessage(format!(
            "the message is longer than {MAX_MESSAGE_CHARS} characters"
        )));
    }
    let (thread_id, history, new_thread) = open_thread(deps.store, &request).await?;
    let turn_id = TurnId::new();
    let span = tracing::info_span!(
        "invoke_agent",
        turn.id = %turn_id,
        thread.id = %thread_id,
        channel = %request.channel,
        identity.id = %request.identity.id,
    );
    let mut turn = Turn {
        deps,
        request: &request,
        thread_id,
        turn_id,
        events,
        history,
        new_thread,
        new_messages: vec![Message::user_text(text)],
        audit: Vec::new(),
        attachments: Vec::new(),
        proposals: Vec::new(),
        usage: Usage::default(),
        iterations: 0,
        prompts: Vec::new(),
    };
    let _ = events.send(TurnEvent::Started { thread_id, turn_id });
    async move { turn.run().await }.instrument(span).await
}

/// The thread a turn continues and its history, or a new thread that the
/// turn's final write creates.
async fn open_thread(
    store: &dyn Store,
    request: &TurnRequest,
) -> Result<(ThreadId, Vec<Message>, Option<NewThread>), TurnError> {
    match request.thread_id {
        Some(id) => {
            if store.thread(id).await?.is_none() {
                return Err(TurnError::ThreadNotFound(id));
            }
            let history = store
                .messages(id)
                .await?
                .into_iter()
                .map(|m| m.message)
                .collect();
            Ok((id, history, None))
        }
        None => {
            let new = NewThread {
                id: ThreadId::new(),
                channel: request.channel.clone(),
                external_ref: None,
            };
            Ok((new.id, Vec::new(), Some(new)))
        }
    }
}

struct Turn<'a> {
    deps: &'a TurnDeps<'a>,
    request: &'a TurnRequest,
    thread_id: ThreadId,
    turn_id: TurnId,
    events: &'a UnboundedSender<TurnEvent>,
    history: Vec<Message>,
    new_thread: Option<NewThread>,
    new_messages: Vec<Message>,
    audit: Vec<ToolCallRecord>,
    /// Files the tool calls produced, already stored.
    attachments: Vec<AttachmentView>,
    /// Proposals the tool calls returned, already stored as pending.
    proposals: Vec<ProposalView>,
    usage: Usage,
    iterations: u32,
    /// The templates of the system prompt, once rendered.
    prompts: Vec<PromptRef>,
}

impl Turn<'_> {
    async fn run(&mut self) -> Result<TurnResult, TurnError> {
        let started_at = Utc::now();
        let started = Instant::now();
        let deadline = started + self.deps.limits.turn_timeout;
        let ending = self.converse(deadline).await;
        let (status, stop_reason, error) = match &ending {
            Ending::Answered(StopReason::MaxTokens) => {
                (TurnStatus::LimitReached, "max_tokens".to_owned(), None)
            }
            Ending::Answered(reason) => (TurnStatus::Completed, stop_label(reason), None),
            Ending::Limit { reason, .. } => (TurnStatus::LimitReached, (*reason).to_owned(), None),
            Ending::ProviderFailed(err) => (
                TurnStatus::Failed,
                err.kind().to_owned(),
                Some(err.to_string()),
            ),
        };
        let reply = self.finish_reply(ending);
        let record = TurnRecord {
            id: self.turn_id,
            thread_id: self.thread_id,
            identity_id: self.request.identity.id.to_string(),
            channel: self.request.channel.clone(),
            provider: self.deps.provider.name().to_owned(),
            model: self.deps.model.to_owned(),
            status,
            stop_reason,
            usage: self.usage,
            iterations: self.iterations,
            started_at,
            finished_at: Utc::now(),
            error,
            prompts: std::mem::take(&mut self.prompts),
        };
        let tool_calls = self
            .audit
            .iter()
            .map(|r| ToolCallSummary {
                name: r.tool.clone(),
                arguments: r.arguments.clone(),
                is_error: r.outcome != "ok",
            })
            .collect();
        self.deps
            .store
            .record_turn(CompletedTurn {
                turn: record,
                new_thread: self.new_thread.take(),
                messages: std::mem::take(&mut self.new_messages),
                tool_calls: std::mem::take(&mut self.audit),
            })
            .await?;
        tracing::info!(
            status = status.as_str(),
            iterations = self.iterations,
            input_tokens = self.usage.input_tokens,
            output_tokens = self.usage.output_tokens,
            duration_ms = started.elapsed().as_millis() as u64,
            "turn finished"
        );
        Ok(TurnResult {
            thread_id: self.thread_id,
            turn_id: self.turn_id,
            status,
            reply,
            tool_calls,
            attachments: std::mem::take(&mut self.attachments),
            proposals: std::mem::take(&mut self.proposals),
            usage: self.usage,
        })
    }

    /// Appends the closing assistant message where the model did not give one
    /// and returns the text the person sees.
    fn finish_reply(&mut self, ending: Ending) -> String {
        let answer = self
            .new_messages
            .last()
            .filter(|m| m.role == MessageRole::Assistant)
            .map(Message::text);
        let (reply, append) = match ending {
            Ending::Answered(StopReason::MaxTokens) => {
                let note = "(The answer was cut off at the output limit.)";
                match answer.filter(|t| !t.trim().is_empty()) {
                    Some(text) => (format!("{text}\n\n{note}"), None),
                    // Nothing to show: store the note so the thread still
                    // alternates between the person and the assistant.
                    None => (note.to_owned(), Some(note.to_owned())),
                }
            }
            Ending::Answered(_) => match answer.filter(|t| !t.trim().is_empty()) {
                Some(text) => (text, None),
                None => {
                    let text = "The model returned an empty answer. Please rephrase the question.";
                    (text.to_owned(), Some(text.to_owned()))
                }
            },
            Ending::Limit { message, .. } => (message.clone(), Some(message)),
            Ending::ProviderFailed(err) => {
                tracing::error!(error = %err, error.kind = err.kind(), "model call failed; turn ended");
                let message = err.user_message();
                (message.clone(), Some(message))
            }
        };
        if let Some(text) = append {
            // Keep the stored thread well-formed: user and assistant alternate.
            match self.new_messages.last_mut() {
                Some(last) if last.role == MessageRole::Assistant => {
                    last.content.push(ContentBlock::Text { text });
                }
                _ => self.new_messages.push(Message::assistant_text(text)),
            }
        }
        reply
    }

    async fn converse(&mut self, deadline: Instant) -> Ending {
        let system = match self.system_prompt() {
            Ok(RenderedPrompt { text, prompts }) => {
                self.prompts = prompts;
                text
            }
            Err(message) => {
                return Ending::Limit {
                    reason: "prompt_error",
                    message,
                };
            }
        };
        let limits = self.deps.limits;
        loop {
            if self.iterations >= limits.max_iterations {
                return limit(
                    "max_iterations",
                    format!(
                        "I stopped after {} model calls without reaching an answer (the limit per \
                         question). Please narrow the question or ask for one thing at a time.",
                        limits.max_iterations
                    ),
                );
            }
            let remaining_tokens = limits.max_turn_tokens.saturating_sub(self.usage.total());
            if remaining_tokens == 0 {
                return limit(
                    "max_tokens",
                    format!(
                        "I stopped because this question used up its token budget ({} tokens). \
                         Please ask a narrower question.",
                        limits.max_turn_tokens
                    ),
                );
            }
            if self.deps.cancel.is_cancelled() {
                return limit("shutdown", shutdown_message());
            }
            self.iterations += 1;
            let request = ChatRequest {
                model: self.deps.model.to_owned(),
                system: system.clone(),
                messages: self
                    .history
                    .iter()
                    .chain(&self.new_messages)
                    .cloned()
                    .collect(),
                tools: self.deps.tools.specs_for(&self.request.identity),
                max_tokens: limits
                    .max_output_tokens
                    .min(u32::try_from(remaining_tokens).unwrap_or(u32::MAX)),
                prompts: self.prompts.clone(),
            };
            let (blocks, stop) = match self.call_model(request, deadline).await {
                Ok(answer) => answer,
                Err(ending) => return ending,
            };
            let calls: Vec<ToolCall> = blocks
                .iter()
                .filter_map(|b| match b {
                    ContentBlock::ToolUse { id, name, input } => Some(ToolCall {
                        id: id.clone(),
                        name: name.clone(),
                        arguments: match input {
                            Value::String(raw) => raw.clone(),
                            other => other.to_string(),
                        },
                    }),
                    ContentBlock::Text { .. } | ContentBlock::ToolResult { .. } => None,
                })
                .collect();
            if !blocks.is_empty() {
                self.new_messages.push(Message {
                    role: MessageRole::Assistant,
                    content: blocks,
                });
            }
            if calls.is_empty() {
                return Ending::Answered(stop);
            }
            if Instant::now() >= deadline {
                // The tool calls are answered so the stored thread stays valid.
                self.answer_unrun(&calls, "the turn ran out of time before this call");
                return limit("wall_time", wall_time_message(limits));
            }
            self.run_tools(calls, deadline).await;
            if Instant::now() >= deadline {
                return limit("wall_time", wall_time_message(limits));
            }
        }
    }

    fn system_prompt(&self) -> Result<RenderedPrompt, String> {
        let now = (self.deps.clock)().with_timezone(&self.deps.timezone);
        let vars = SystemPromptVars {
            company_name: self.deps.company_name.to_owned(),
            today: now.format("%Y-%m-%d").to_string(),
            timezone: self.deps.timezone.name().to_owned(),
            channel: self.request.channel.clone(),
            user_name: self.request.identity.display_name.clone(),
            user_roles: self
                .request
                .identity
                .roles
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
            tools: self
                .deps
                .tools
                .specs_for(&self.request.identity)
                .iter()
                .map(|s| ToolLine {
                    name: s.name.clone(),
                    description: s.description.clone(),
                })
                .collect(),
        };
        self.deps.prompts.render_system(&vars).map_err(|err| {
            tracing::error!(error = %err, "system prompt failed to render");
            "The assistant is misconfigured (its prompt failed to render). An administrator has \
             to look at the server log."
                .to_owned()
        })
    }

    /// One streamed model call, with retries, bounded by the turn deadline.
    async fn call_model(
        &mut self,
        request: ChatRequest,
        deadline: Instant,
    ) -> Result<(Vec<ContentBlock>, StopReason), Ending> {
        let span = tracing::info_span!(
            "chat",
            gen_ai.system = self.deps.provider.name(),
            gen_ai.request.model = %request.model,
            gen_ai.usage.input_tokens = Empty,
            gen_ai.usage.output_tokens = Empty,
        );
        let limits = self.deps.limits;
        let cancel = self.deps.cancel.clone();
        let work = async {
            let mut stream = self.deps.retry.stream(self.deps.provider, &request).await?;
            let mut answer = Answer::default();
            while let Some(event) = stream.next().await {
                let event = event?;
                if let ChatEvent::TextDelta { text } = &event {
                    let _ = self
                        .events
                        .send(TurnEvent::TextDelta { text: text.clone() });
                }
                answer.push(event);
            }
            Ok::<_, ProviderError>(answer)
        }
        .instrument(span.clone());
        let outcome = tokio::select! {
            outcome = tokio::time::timeout_at(deadline, work) => outcome,
            () = cancel.cancelled() => return Err(limit("shutdown", shutdown_message())),
        };
        match outcome {
            Err(_elapsed) => Err(limit("wall_time", wall_time_message(limits))),
            Ok(Err(err)) => Err(Ending::ProviderFailed(err)),
            Ok(Ok(answer)) => {
                span.record("gen_ai.usage.input_tokens", answer.usage.input_tokens);
                span.record("gen_ai.usage.output_tokens", answer.usage.output_tokens);
                self.usage.add(answer.usage);
                Ok((answer.blocks, answer.stop_reason))
            }
        }
    }

    /// Runs the calls of one model answer concurrently and appends their
    /// results, in call order, as one user message.
    async fn run_tools(&mut self, calls: Vec<ToolCall>, deadline: Instant) {
        let ctx = ToolCtx {
            identity: self.request.identity.clone(),
            deadline,
            cancel: self.deps.cancel.child_token(),
            origin: CallOrigin::Model,
        };
        for call in &calls {
            let arguments = serde_json::from_str(&call.arguments)
                .unwrap_or_else(|_| Value::String(call.arguments.clone()));
            let _ = self.events.send(TurnEvent::ToolStarted {
                call_id: call.id.clone(),
                name: call.name.clone(),
                arguments,
            });
        }
        let timeout = self.deps.limits.tool_timeout;
        let outcomes: Vec<DispatchOutcome> = join_all(calls.iter().map(|c| {
            self.deps
                .tools
                .dispatch(&ctx, &c.id, &c.name, &c.arguments, timeout)
        }))
        .await;
        let mut results = Vec::with_capacity(calls.len());
        let identity_id = self.request.identity.id.to_string();
        for (call, mut outcome) in calls.iter().zip(outcomes) {
            let duration_ms = u64::try_from(outcome.duration.as_millis()).unwrap_or(u64::MAX);
            let origin = Origin {
                owner: &identity_id,
                thread_id: self.thread_id,
                turn_id: self.turn_id,
                call_id: &call.id,
            };
            let files = attachments::store_files(
                self.deps.store.attachments(),
                self.deps.limits.max_attachment_bytes,
                origin,
                &mut outcome,
            )
            .await;
            for file in &files {
                let _ = self.events.send(TurnEvent::AttachmentStored {
                    call_id: call.id.clone(),
                    attachment: file.clone(),
                });
            }
            let mut result = attachments::with_files(outcome.content_for_model(), &files);
            self.attachments.extend(files);
            if let Ok(success) = &outcome.result
                && !success.proposals.is_empty()
            {
                let company = success
                    .output
                    .pointer("/company/id")
                    .and_then(Value::as_i64);
                let stored = self
                    .store_proposals(&call.id, &success.proposals, company)
                    .await;
                if let Value::Object(fields) = &mut result {
                    fields.insert("proposals".to_owned(), stored);
                }
            }
            let content = result.to_string();
            let _ = self.events.send(TurnEvent::ToolFinished {
                call_id: call.id.clone(),
                name: call.name.clone(),
                is_error: outcome.is_error(),
                duration_ms,
            });
            if let Err(err) = &outcome.result {
                tracing::warn!(tool = %call.name, error.kind = err.kind(), "tool call failed");
            }
            self.audit.push(ToolCallRecord {
                call_id: call.id.clone(),
                turn_id: self.turn_id,
                thread_id: self.thread_id,
                identity_id: self.request.identity.id.to_string(),
                tool: call.name.clone(),
                arguments: outcome.arguments.clone(),
                outcome: outcome
                    .result
                    .as_ref()
                    .err()
                    .map_or("ok", |e| e.kind())
                    .to_owned(),
                result,
                duration_ms,
                created_at: Utc::now(),
            });
            results.push(ContentBlock::ToolResult {
                tool_use_id: call.id.clone(),
                content,
                is_error: outcome.is_error(),
            });
        }
        self.new_messages.push(Message {
            role: MessageRole::User,
            content: results,
        });
    }

    /// Stores a tool's proposals as pending and describes them for the
    /// model: their ids and that only a person can approve them. If they
    /// cannot be stored the model is told so, since none could be approved.
    /// Stored ones are announced to the channel and kept for the result.
    async fn store_proposals(
        &mut self,
        call_id: &str,
        proposals: &[Proposal],
        company_id: Option<i64>,
    ) -> Value {
        let new = proposals
            .iter()
            .map(|proposal| NewProposal {
                proposal: proposal.clone(),
                thread_id: Some(self.thread_id),
                turn_id: Some(self.turn_id),
                created_by: self.request.identity.id.clone(),
                company_id,
            })
            .collect();
        if let Err(err) = self.deps.proposals.insert_proposals(new).await {
            tracing::error!(error = %err, error.kind = err.kind(), "proposals not stored");
            return json!({"error": "these proposals could not be stored, so none of them can \
                be approved; tell the person to ask again later"});
        }
        for proposal in proposals {
            let view = ProposalView::new(call_id, proposal);
            let _ = self.events.send(TurnEvent::ProposalStored {
                call_id: call_id.to_owned(),
                proposal: view.clone(),
            });
            self.proposals.push(view);
        }
        Value::Array(
            proposals
                .iter()
                .map(|p| {
                    json!({
                        "proposal_id": p.proposal_id,
                        "action": p.action.name(),
                        "preview": p.preview,
                        "required_role": p.required_role,
                        "expires_at": p.expires_at,
                        "status": "pending",
                        "how_to_approve": "only a person holding the required role can approve \
                            or reject it, outside this conversation (API or chat buttons); you \
                            cannot approve it",
                    })
                })
                .collect(),
        )
    }

    fn answer_unrun(&mut self, calls: &[ToolCall], why: &str) {
        let content = serde_json::json!({"error": {"kind": "not_run", "message": why}}).to_string();
        let results = calls
            .iter()
            .map(|c| ContentBlock::ToolResult {
                tool_use_id: c.id.clone(),
                content: content.clone(),
                is_error: true,
            })
            .collect();
        self.new_messages.push(Message {
            role: MessageRole::User,
            content: results,
        });
    }
}

fn limit(reason: &'static str, message: String) -> Ending {
    Ending::Limit { reason, message }
}

fn wall_time_message(limits: TurnLimits) -> String {
    let allowed = limits.turn_timeout;
    let allowed = if allowed.subsec_millis() == 0 {
        format!("{} s", allowed.as_secs())
    } else {
        format!("{} ms", allowed.as_millis())
    };
    format!(
        "I stopped because this question took longer than the {allowed} allowed. Please try a \
         narrower question."
    )
}

fn shutdown_message() -> String {
    "The server is restarting, so I stopped before finishing. Please ask again in a moment."
        .to_owned()
}

fn stop_label(reason: &StopReason) -> String {
    match reason {
        StopReason::EndTurn => "end_turn".to_owned(),
        StopReason::ToolUse => "tool_use".to_owned(),
        StopReason::MaxTokens => "max_tokens".to_owned(),
        StopReason::StopSequence => "stop_sequence".to_owned(),
        StopReason::Refusal => "refusal".to_owned(),
        StopReason::Other(other) => other.clone(),
    }
}
