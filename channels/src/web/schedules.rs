//! Saved reports (spec 6.6): `POST /api/schedules` saves an `nl_report`
//! run on a cron schedule, `GET /api/schedules` lists every schedule
//! (digests from the configuration too), `GET /api/schedules/{id}` shows
//! one with its runs, `PATCH /api/schedules/{id}` pauses or resumes it.
//! Schedules are never deleted, so their run history stays readable.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use tools::Identity;
use uuid::Uuid;

use agent::schedule::{ReportRequest, RunRecord, Schedule, ScheduleRequestError, ScheduleStore};

use super::error::ApiError;
use super::extract::ApiJson;
use super::state::WebState;

/// Most recent runs shown with a schedule.
const RUNS_SHOWN: usize = 50;

/// `{"schedule": {...}, "runs": [...]}`, newest run first.
#[derive(Debug, Serialize)]
pub(crate) struct ScheduleDetail {
    schedule: Schedule,
    runs: Vec<RunRecord>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ScheduleList {
    schedules: Vec<Schedule>,
}

/// `PATCH /api/schedules/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SchedulePatch {
    enabled: bool,
}

fn store(state: &WebState) -> Result<&Arc<dyn ScheduleStore>, ApiError> {
    state
        .runtime
        .schedules()
        .ok_or(ApiError::SchedulesUnavailable)
}

fn schedule_id(path: Result<Path<String>, PathRejection>) -> Result<Uuid, ApiError> {
    let Path(raw) = path?;
    raw.parse().map_err(|_| ApiError::InvalidScheduleId(raw))
}

async fn existing(store: &dyn ScheduleStore, id: Uuid) -> Result<Schedule, ApiError> {
    store
        .get(id)
        .await?
        .ok_or_else(|| ApiError::ScheduleNotFound(id.to_string()))
}

/// `POST /api/schedules`: 201 with the stored schedule and its first run.
pub(crate) async fn create(
    State(state): State<Arc<WebState>>,
    Extension(caller): Extension<Identity>,
    ApiJson(request): ApiJson<ReportRequest>,
) -> Result<(StatusCode, Json<Schedule>), ApiError> {
    let store = store(&state)?;
    // The caller owns the schedule: it runs with their Odoo rights and
    // they hear of its failures.
    let schedule = request
        .into_schedule(&caller, state.runtime.tools(), Utc::now())
        .map_err(|err| match err {
            ScheduleRequestError::NotPermitted(message) => ApiError::NotPermitted {
                code: "not_permitted",
                message,
            },
            other => ApiError::InvalidSchedule(other.to_string()),
        })?;
    store.save(schedule.clone()).await?;
    Ok((StatusCode::CREATED, Json(schedule)))
}

pub(crate) async fn list(
    State(state): State<Arc<WebState>>,
) -> Result<Json<ScheduleList>, ApiError> {
    let schedules = store(&state)?.list().await?;
    Ok(Json(ScheduleList { schedules }))
}

pub(crate) async fn show(
    State(state): State<Arc<WebState>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<ScheduleDetail>, ApiError> {
    let store = store(&state)?;
    let schedule = existing(store.as_ref(), schedule_id(path)?).await?;
    let mut runs = store.runs(schedule.id).await?;
    runs.sort_by_key(|run| std::cmp::Reverse(run.due));
    runs.truncate(RUNS_SHOWN);
    Ok(Json(ScheduleDetail { schedule, runs }))
}

/// Pauses or resumes. A resumed schedule is next due at its first firing
/// from now: the runs it skipped while paused are not made up.
pub(crate) async fn update(
    State(state): State<Arc<WebState>>,
    path: Result<Path<String>, PathRejection>,
    ApiJson(patch): ApiJson<SchedulePatch>,
) -> Result<Json<Schedule>, ApiError> {
    let store = store(&state)?;
    let mut schedule = existing(store.as_ref(), schedule_id(path)?).await?;
    if patch.enabled && !schedule.enabled {
        schedule.next_run = schedule
            .cron_schedule()
            .and_then(|cron| cron.next_after(Utc::now()))
            .map_err(|err| ApiError::InvalidSchedule(err.to_string()))?;
    }
    schedule.enabled = patch.enabled;
    store.save(schedule.clone()).await?;
    Ok(Json(schedule))
}
