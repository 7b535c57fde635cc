//! Scheduled digests and reports: due runs, catch-up within an hour,
//! delivery retries and failure reports, once-a-day delivery keys, one
//! claim per run across workers, and delivery to Odoo Discuss.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use agent::schedule::{
    DeliveryError, DiscussOutbound, IdentityLookup, Job, ODOO_DISCUSS, Outbound, OutboundMessage,
    RetryPolicy, RunStatus, RunTool, Schedule, ScheduleStore, Scheduler, Target,
};
use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use pretty_assertions::assert_eq;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tools::attachment::Attachment;
use tools::demo::{DemoSpec, FakeOdoo, generate};
use tools::odoo_client::{OdooClient, OdooClientConfig, ProtocolChoice, SingleClient};
use tools::{
    Identity, IdentityId, OdooAccess, Summarize, Tool, ToolCtx, ToolError, ToolKind, ToolRegistry,
};

use crate::every_store::{Stores, on_every_store};

on_every_store!(
    a_digest_runs_at_seven_local_time_once_per_day,
    a_run_missed_while_down_catches_up_within_an_hour_only,
    failed_deliveries_are_retried_three_times_then_reported_to_the_owner,
    a_failing_job_is_recorded_and_reported_without_delivery_attempts,
    one_digest_per_role_recipient_and_day_even_from_two_schedules,
    two_workers_ticking_together_run_each_due_job_once,
    schedules_and_runs_round_trip_and_disabled_ones_never_run,
    the_builtin_bank_balance_job_records_yesterday_once_and_delivers_nothing,
);

/// Stands in for `daily_digest`: remembers its arguments, can be told to fail.
#[derive(Clone, Default)]
struct FakeDigest {
    calls: Arc<Mutex<Vec<Value>>>,
    fail: bool,
}

#[derive(Deserialize, JsonSchema)]
struct DigestArgs {
    role: String,
    date: String,
}

#[derive(Serialize)]
struct DigestOut {
    text: String,
}

impl Summarize for DigestOut {
    fn summary(&self) -> String {
        self.text.clone()
    }

    fn attachments(&self) -> Vec<Attachment> {
        vec![Attachment {
            file_name: "digest.csv".to_owned(),
            media_type: tools::attachment::CSV_MEDIA_TYPE.to_owned(),
            bytes: b"a,b\n1,2\n".to_vec(),
        }]
    }
}

impl Tool for FakeDigest {
    const NAME: &'static str = "daily_digest";
    const KIND: ToolKind = ToolKind::Read;
    type Args = DigestArgs;
    type Output = DigestOut;

    fn description(&self) -> &'static str {
        "test digest"
    }

    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }

    async fn call(&self, _ctx: &ToolCtx, args: DigestArgs) -> Result<DigestOut, ToolError> {
        self.calls
            .lock()
            .unwrap()
            .push(json!({"role": args.role, "date": args.date}));
        if self.fail {
            return Err(ToolError::Internal("Odoo exploded".to_owned()));
        }
        Ok(DigestOut {
            text: format!("{} briefing for {}", args.role, args.date),
        })
    }
}

/// Records deliveries; fails the first `failures` attempts.
#[derive(Default)]
struct Inbox {
    failures: Mutex<u32>,
    attempts: Mutex<u32>,
    delivered: Mutex<Vec<(Target, OutboundMessage)>>,
}

#[async_trait]
impl Outbound for Inbox {
    async fn deliver(
        &self,
        _sender: &Identity,
        target: &Target,
        message: &OutboundMessage,
    ) -> Result<(), DeliveryError> {
        *self.attempts.lock().unwrap() += 1;
        let mut failures = self.failures.lock().unwrap();
        if *failures > 0 && target.recipient != "owner-dm" {
            *failures -= 1;
            return Err(DeliveryError::Failed {
                channel: target.channel.clone(),
                message: "503 Service Unavailable".to_owned(),
            });
        }
        self.delivered
            .lock()
            .unwrap()
            .push((target.clone(), message.clone()));
        Ok(())
    }
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Amsterdam
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn target(recipient: &str) -> Target {
    Target {
        channel: "slack".to_owned(),
        recipient: recipient.to_owned(),
    }
}

fn digest_schedule(recipient: &str, created: DateTime<Utc>) -> Schedule {
    Schedule::new(
        "CFO briefing",
        Job::Digest {
            role: "cfo".to_owned(),
            company_id: None,
        },
        "0 7 * * *",
        Amsterdam,
        target(recipient),
        IdentityId("local".to_owned()),
        created,
    )
    .unwrap()
}

fn identities() -> IdentityLookup {
    Arc::new(|id: &IdentityId| (id.0 == "local").then(Identity::local_operator))
}

struct Setup {
    store: Arc<dyn ScheduleStore>,
    digest: FakeDigest,
    inbox: Arc<Inbox>,
    scheduler: Scheduler,
}

fn setup(store: Arc<dyn ScheduleStore>, digest: FakeDigest, failures: u32) -> Setup {
    let inbox = Arc::new(Inbox {
        failures: Mutex::new(failures),
        ..Inbox::default()
    });
    let tools = ToolRegistry::builder()
        .register(digest.clone())
        .build()
        .unwrap();
    let scheduler = Scheduler::new(
        Arc::clone(&store),
        Arc::new(tools),
        Arc::clone(&inbox) as _,
        identities(),
        RetryPolicy {
            retries: 3,
            first_delay: Duration::ZERO,
        },
    );
    Setup {
        store,
        digest,
        inbox,
        scheduler,
    }
}

async fn a_digest_runs_at_seven_local_time_once_per_day(stores: Stores) {
    let s = setup(stores.fresh().await, FakeDigest::default(), 0);
    let schedule = digest_schedule("C123", at(2026, 11, 20, 18, 0));
    assert_eq!(schedule.next_run, at(2026, 11, 21, 7, 0));
    s.store.save(schedule.clone()).await.unwrap();

    assert!(
        s.scheduler
            .tick(at(2026, 11, 21, 6, 59))
            .await
            .unwrap()
            .runs
            .is_empty()
    );
    let first = s.scheduler.tick(at(2026, 11, 21, 7, 0)).await.unwrap();
    assert_eq!(first.runs.len(), 1);
    assert_eq!(first.runs[0].status, RunStatus::Delivered { attempts: 1 });
    // The same minute again: already claimed, nothing more.
    assert!(
        s.scheduler
            .tick(at(2026, 11, 21, 7, 0))
            .await
            .unwrap()
            .runs
            .is_empty()
    );
    s.scheduler.tick(at(2026, 11, 22, 7, 1)).await.unwrap();

    assert_eq!(
        *s.digest.calls.lock().unwrap(),
        vec![
            json!({"role": "cfo", "date": "2026-11-21"}),
            json!({"role": "cfo", "date": "2026-11-22"}),
        ]
    );
    let delivered = s.inbox.delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), 2);
    assert_eq!(delivered[0].0, target("C123"));
    assert_eq!(delivered[0].1.title, "CFO briefing — 2026-11-21");
    assert_eq!(delivered[0].1.text, "cfo briefing for 2026-11-21");
    assert_eq!(delivered[0].1.attachments[0].file_name, "digest.csv");
    let next = s.store.get(schedule.id).await.unwrap().unwrap().next_run;
    assert_eq!(next, at(2026, 11, 23, 7, 0));
}

async fn a_run_missed_while_down_catches_up_within_an_hour_only(stores: Stores) {
    let s = setup(stores.fresh().await, FakeDigest::default(), 0);
    let late = digest_schedule("C1", at(2026, 11, 20, 18, 0));
    s.store.save(late.clone()).await.unwrap();
    // Back up at 07:59: within the hour, sent once.
    let run = s.scheduler.tick(at(2026, 11, 21, 7, 59)).await.unwrap();
    assert_eq!(run.runs[0].status, RunStatus::Delivered { attempts: 1 });

    let s = setup(stores.fresh().await, FakeDigest::default(), 0);
    s.store.save(late.clone()).await.unwrap();
    // Back up at 08:01, and even days later: missed, recorded, not sent,
    // and the schedule moves on to the next future time.
    let run = s.scheduler.tick(at(2026, 11, 24, 10, 0)).await.unwrap();
    assert_eq!(run.runs.len(), 1);
    assert_eq!(run.runs[0].status, RunStatus::Missed);
    assert!(s.inbox.delivered.lock().unwrap().is_empty());
    assert!(s.digest.calls.lock().unwrap().is_empty());
    let next = s.store.get(late.id).await.unwrap().unwrap().next_run;
    assert_eq!(next, at(2026, 11, 25, 7, 0));
}

async fn failed_deliveries_are_retried_three_times_then_reported_to_the_owner(stores: Stores) {
    // Two failures, then through.
    let s = setup(stores.fresh().await, FakeDigest::default(), 2);
    s.store
        .save(digest_schedule("C1", at(2026, 11, 20, 18, 0)))
        .await
        .unwrap();
    let run = s.scheduler.tick(at(2026, 11, 21, 7, 0)).await.unwrap();
    assert_eq!(run.runs[0].status, RunStatus::Delivered { attempts: 3 });

    // Always failing: 1 + 3 attempts, then the owner hears of it.
    let s = setup(stores.fresh().await, FakeDigest::default(), 100);
    let mut schedule = digest_schedule("C1", at(2026, 11, 20, 18, 0));
    schedule.owner_target = Some(target("owner-dm"));
    s.store.save(schedule.clone()).await.unwrap();
    let run = s.scheduler.tick(at(2026, 11, 21, 7, 0)).await.unwrap();
    assert_eq!(
        run.runs[0].status,
        RunStatus::Failed {
            attempts: 4,
            error: "delivery to slack failed: 503 Service Unavailable".to_owned()
        }
    );
    let delivered = s.inbox.delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].0, target("owner-dm"));
    assert_eq!(delivered[0].1.title, "Scheduled \"CFO briefing\" failed");
    assert!(delivered[0].1.text.contains("503 Service Unavailable"));
    assert_eq!(s.store.runs(schedule.id).await.unwrap().len(), 1);
}

async fn a_failing_job_is_recorded_and_reported_without_delivery_attempts(stores: Stores) {
    let s = setup(
        stores.fresh().await,
        FakeDigest {
            fail: true,
            ..FakeDigest::default()
        },
        0,
    );
    s.store
        .save(digest_schedule("C1", at(2026, 11, 20, 18, 0)))
        .await
        .unwrap();
    let run = s.scheduler.tick(at(2026, 11, 21, 7, 0)).await.unwrap();
    let RunStatus::Failed { attempts, error } = &run.runs[0].status else {
        panic!("expected a failure, got {:?}", run.runs[0].status);
    };
    assert_eq!(*attempts, 0);
    assert!(
        error.contains("daily_digest failed") && error.contains("Odoo exploded"),
        "{error}"
    );
    // Only the report to the owner (to the delivery target by default).
    let delivered = s.inbox.delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1);
    assert!(delivered[0].1.title.contains("failed"));
}

async fn one_digest_per_role_recipient_and_day_even_from_two_schedules(stores: Stores) {
    let s = setup(stores.fresh().await, FakeDigest::default(), 0);
    let one = digest_schedule("C1", at(2026, 11, 20, 18, 0));
    let two = digest_schedule("C1", at(2026, 11, 20, 18, 0));
    assert_eq!(
        one.delivery_key(one.next_run),
        two.delivery_key(two.next_run)
    );
    s.store.save(one).await.unwrap();
    s.store.save(two).await.unwrap();
    let run = s.scheduler.tick(at(2026, 11, 21, 7, 0)).await.unwrap();
    let mut statuses: Vec<RunStatus> = run.runs.into_iter().map(|r| r.status).collect();
    statuses.sort_by_key(|s| format!("{s:?}"));
    assert_eq!(
        statuses,
        vec![RunStatus::Delivered { attempts: 1 }, RunStatus::Duplicate]
    );
    assert_eq!(s.inbox.delivered.lock().unwrap().len(), 1);
}

async fn two_workers_ticking_together_run_each_due_job_once(stores: Stores) {
    let s = setup(stores.fresh().await, FakeDigest::default(), 0);
    s.store
        .save(digest_schedule("C1", at(2026, 11, 20, 18, 0)))
        .await
        .unwrap();
    let other = Scheduler::new(
        Arc::clone(&s.store),
        Arc::new(
            ToolRegistry::builder()
                .register(s.digest.clone())
                .build()
                .unwrap(),
        ),
        Arc::clone(&s.inbox) as _,
        identities(),
        RetryPolicy::default(),
    );
    let now = at(2026, 11, 21, 7, 0);
    let (a, b) = tokio::join!(s.scheduler.tick(now), other.tick(now));
    assert_eq!(a.unwrap().runs.len() + b.unwrap().runs.len(), 1);
    assert_eq!(s.inbox.delivered.lock().unwrap().len(), 1);
}

async fn schedules_and_runs_round_trip_and_disabled_ones_never_run(stores: Stores) {
    let s = setup(stores.fresh().await, FakeDigest::default(), 100);
    let mut report = Schedule::new(
        "Weekly sales",
        Job::Report {
            arguments: json!({"question": "sales by month", "format": "xlsx"}),
        },
        "30 6 * * 1",
        Amsterdam,
        target("C9"),
        IdentityId("local".to_owned()),
        at(2026, 11, 20, 18, 0),
    )
    .unwrap();
    report.owner_target = Some(target("owner-dm"));
    let mut paused = digest_schedule("C1", at(2026, 11, 20, 18, 0));
    paused.enabled = false;
    s.store.save(report.clone()).await.unwrap();
    s.store.save(paused.clone()).await.unwrap();
    assert_eq!(s.store.get(report.id).await.unwrap(), Some(report.clone()));
    assert_eq!(s.store.get(paused.id).await.unwrap(), Some(paused.clone()));
    assert_eq!(s.store.list().await.unwrap().len(), 2);

    // Monday 2026-11-23 06:30: the report is due (and fails: no nl_report
    // tool here), the paused digest is not.
    let run = s.scheduler.tick(at(2026, 11, 23, 6, 30)).await.unwrap();
    assert_eq!(run.runs.len(), 1);
    let stored = s.store.runs(report.id).await.unwrap();
    assert_eq!(stored, run.runs);
    assert!(
        matches!(&stored[0].status, RunStatus::Failed { attempts: 0, error } if error.contains("nl_report"))
    );
    assert!(s.store.runs(paused.id).await.unwrap().is_empty());
    assert!(!s.store.delivered(&stored[0].delivery_key).await.unwrap());
}

#[test]
fn bad_cron_expressions_are_refused_when_saving() {
    let err = Schedule::new(
        "x",
        Job::Report {
            arguments: json!({"question": "sales by month"}),
        },
        "0 7 * *",
        Amsterdam,
        target("C1"),
        IdentityId("local".to_owned()),
        Utc::now(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("`0 7 * *` is not a 5-field cron expression"),
        "{err}"
    );
}

#[tokio::test]
async fn discuss_delivery_posts_an_escaped_message_on_the_channel() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let company = generate(&DemoSpec {
        partners: 10,
        ..DemoSpec::default()
    });
    let fake = FakeOdoo::start(company.dataset).await.unwrap();
    let login = "accountant@harbourline.example";
    let key = fake.with_dataset(|d| d.user_by_login(login).unwrap().api_key.clone());
    let client = OdooClient::connect(OdooClientConfig {
        url: fake.url(),
        db: fake.with_dataset(|d| d.db.clone()),
        login: login.to_owned(),
        api_key: key.into(),
        timeout: Duration::from_secs(5),
        max_concurrent_calls: std::num::NonZeroUsize::new(2).unwrap(),
        protocol: ProtocolChoice::Auto,
    })
    .await
    .unwrap();
    let channel = fake.with_dataset(|d| d.table("discuss.channel").unwrap().records()[0].id);
    let outbound = DiscussOutbound::new(Arc::new(SingleClient(Arc::new(client))));
    let discuss = Target {
        channel: ODOO_DISCUSS.to_owned(),
        recipient: channel.to_string(),
    };
    let message = OutboundMessage {
        title: "CFO briefing — 2026-11-21".to_owned(),
        text: "2 overdue invoices <b>& more</b>".to_owned(),
        attachments: Vec::new(),
    };
    outbound
        .deliver(&Identity::local_operator(), &discuss, &message)
        .await
        .unwrap();
    let posted = fake.with_dataset(|d| {
        let messages = d.table("mail.message").unwrap();
        let last = messages.records().last().unwrap();
        (
            messages.value(last, "res_id").cloned(),
            messages.value(last, "body").cloned(),
        )
    });
    assert_eq!(posted.0, Some(json!(channel)));
    assert_eq!(
        posted.1,
        Some(json!(
            "<p><b>CFO briefing — 2026-11-21</b></p><p>2 overdue invoices &lt;b&gt;&amp; more&lt;&#x2f;b&gt;</p>"
        ))
    );

    // Files travel as the post's attachments, stored on the channel.
    let report = OutboundMessage {
        title: "Weekly sales".to_owned(),
        text: "Attached.".to_owned(),
        attachments: vec![Attachment {
            file_name: "sales.csv".to_owned(),
            media_type: "text/csv".to_owned(),
            bytes: b"customer,total\nAcme,10.00\n".to_vec(),
        }],
    };
    outbound
        .deliver(&Identity::local_operator(), &discuss, &report)
        .await
        .unwrap();
    let (attached, file) = fake.with_dataset(|d| {
        let messages = d.table("mail.message").unwrap();
        let last = messages.records().last().unwrap();
        let attached = messages.value(last, "attachment_ids").cloned();
        let files = d.table("ir.attachment").unwrap();
        let file = files.records().last().unwrap();
        let file: Vec<Option<Value>> = ["id", "name", "datas", "mimetype", "res_model", "res_id"]
            .iter()
            .map(|field| match *field {
                "id" => Some(json!(file.id)),
                field => files.value(file, field).cloned(),
            })
            .collect();
        (attached, file)
    });
    assert_eq!(attached, Some(json!([file[0].clone().unwrap()])));
    assert_eq!(
        file[1..].to_vec(),
        vec![
            Some(json!("sales.csv")),
            // base64 of the bytes above
            Some(json!("Y3VzdG9tZXIsdG90YWwKQWNtZSwxMC4wMAo=")),
            Some(json!("text/csv")),
            Some(json!("discuss.channel")),
            Some(json!(channel)),
        ]
    );

    // A recipient that is not a channel id, and a channel it does not serve.
    let bad = Target {
        channel: ODOO_DISCUSS.to_owned(),
        recipient: "#general".to_owned(),
    };
    let err = outbound
        .deliver(&Identity::local_operator(), &bad, &message)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("numeric id of a discuss.channel"),
        "{err}"
    );
    let err = outbound
        .deliver(&Identity::local_operator(), &target("C1"), &message)
        .await
        .unwrap_err();
    assert_eq!(err, DeliveryError::UnknownChannel("slack".to_owned()));
    fake.stop().await;
}

/// `serve`'s scheduler on a runtime built from the configuration: digests
/// from the file become stored schedules, and a due saved report runs on
/// the loop and is posted to Discuss with its file.
#[tokio::test]
async fn the_served_scheduler_syncs_configured_digests_and_runs_due_reports() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let digests = dir.path().join("digests.toml");
    std::fs::write(
        &digests,
        "[cfo]\ntimezone = \"Europe/Amsterdam\"\ntargets = [{ channel = \"odoo_discuss\", recipient = \"1\" }]\n",
    )
    .unwrap();
    let database = format!("sqlite://{}", dir.path().join("agent.db").display());
    let load = |with_digests: bool| {
        let mut env = vec![
            ("DATABASE_URL".to_owned(), database.clone()),
            ("ODOO_AGENT_DEMO_PARTNERS".to_owned(), "10".to_owned()),
            // The default accountant may not read sales.
            (
                "ODOO_AGENT_DEMO_LOGIN".to_owned(),
                "admin@harbourline.example".to_owned(),
            ),
        ];
        if with_digests {
            env.push((
                "ODOO_AGENT_DIGESTS".to_owned(),
                digests.display().to_string(),
            ));
        }
        agent::config::Config::load(None, env).unwrap()
    };
    let config = load(true);
    let runtime = agent::Runtime::from_config(&config).await.unwrap();
    let store = Arc::clone(runtime.schedules().unwrap());
    let client = runtime
        .odoo()
        .unwrap()
        .connector
        .client_for(&Identity::local_operator())
        .await
        .unwrap();
    let channel = client
        .search_read(
            "discuss.channel",
            json!([]),
            &["id"],
            Some("id"),
            Some(1),
            None,
        )
        .await
        .unwrap()[0]["id"]
        .as_i64()
        .unwrap();
    let now = Utc::now();
    let mut report = Schedule::new(
        "Weekly sales",
        Job::Report {
            arguments: json!({"question": "open receivables by customer", "format": "csv"}),
        },
        "0 8 * * 1",
        Amsterdam,
        Target {
            channel: ODOO_DISCUSS.to_owned(),
            recipient: channel.to_string(),
        },
        Identity::local_operator().id,
        now,
    )
    .unwrap();
    report.next_run = now - chrono::Duration::seconds(5);
    store.save(report.clone()).await.unwrap();

    let cancel = tokio_util::sync::CancellationToken::new();
    let task = agent::schedule::start_scheduler(
        &runtime,
        config.digests.as_ref(),
        agent::schedule::local_identities(),
        Duration::from_millis(50),
        cancel.clone(),
    )
    .await
    .unwrap()
    .expect("a runtime with storage and Odoo starts a scheduler");
    let runs = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let runs = store.runs(report.id).await.unwrap();
            if !runs.is_empty() {
                return runs;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the due report ran");
    assert!(
        matches!(runs[0].status, RunStatus::Delivered { attempts: 1 }),
        "{runs:?}"
    );
    // The post carries the report's summary and its CSV as an attachment.
    let domain = json!([["model", "=", "discuss.channel"], ["res_id", "=", channel]]);
    let posted = client
        .search_read(
            "mail.message",
            domain,
            &["body", "attachment_ids"],
            Some("id desc"),
            Some(1),
            None,
        )
        .await
        .unwrap();
    let body = posted[0]["body"].as_str().unwrap();
    assert!(body.contains("Weekly sales"), "{body}");
    let attached = posted[0]["attachment_ids"].as_array().unwrap();
    assert_eq!(attached.len(), 1, "{posted:?}");
    let file = client
        .read(
            "ir.attachment",
            &[attached[0].as_i64().unwrap()],
            &["name", "mimetype"],
        )
        .await
        .unwrap();
    assert!(
        file[0]["name"].as_str().unwrap().ends_with(".csv"),
        "{file:?}"
    );
    assert!(
        file[0]["mimetype"]
            .as_str()
            .unwrap()
            .starts_with("text/csv"),
        "{file:?}"
    );
    // The configured CFO digest, made due now, runs daily_digest and is
    // posted the same way.
    let mut digest = store
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|s| matches!(s.job, Job::Digest { .. }))
        .expect("the configured CFO digest is stored");
    digest.next_run = Utc::now() - chrono::Duration::seconds(5);
    store.save(digest.clone()).await.unwrap();
    let digest_runs = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let runs = store.runs(digest.id).await.unwrap();
            if !runs.is_empty() {
                return runs;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the due digest ran");
    assert!(
        matches!(digest_runs[0].status, RunStatus::Delivered { attempts: 1 }),
        "{digest_runs:?}"
    );
    assert!(
        digest_runs[0]
            .delivery_key
            .starts_with("digest/default/cfo/")
    );
    let posted = client
        .search_read(
            "mail.message",
            json!([["model", "=", "discuss.channel"], ["res_id", "=", 1]]),
            &["body"],
            Some("id desc"),
            Some(1),
            None,
        )
        .await
        .unwrap();
    let body = posted[0]["body"].as_str().unwrap();
    assert!(body.contains("Daily digest (cfo)"), "{body}");
    cancel.cancel();
    task.await.unwrap();

    let digest = store
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|s| matches!(s.job, Job::Digest { .. }))
        .expect("the configured CFO digest is stored");
    assert!(digest.enabled);
    assert_eq!(digest.cron, "0 7 * * *");
    assert_eq!(digest.timezone, Amsterdam);

    // Started again without the file, the digest stops; the report stays.
    let cancel = tokio_util::sync::CancellationToken::new();
    let task = agent::schedule::start_scheduler(
        &runtime,
        load(false).digests.as_ref(),
        agent::schedule::local_identities(),
        Duration::from_secs(3600),
        cancel.clone(),
    )
    .await
    .unwrap()
    .unwrap();
    cancel.cancel();
    task.await.unwrap();
    let after = store.list().await.unwrap();
    assert!(!after.iter().find(|s| s.id == digest.id).unwrap().enabled);
    assert!(after.iter().any(|s| s.id == report.id));
}

/// A saved report's plan was written by the person who saved it: the
/// scheduler's run labels it `saved_plan`, never `llm`, since no model
/// planned it. The same plan from a model in a turn stays `llm`.
#[tokio::test]
async fn a_scheduled_report_with_a_saved_plan_is_labelled_saved_not_llm() {
    agent::init_crypto();
    let config = agent::config::Config::load(
        None,
        [
            ("ODOO_AGENT_DEMO_PARTNERS".to_owned(), "10".to_owned()),
            (
                "ODOO_AGENT_DEMO_LOGIN".to_owned(),
                "admin@harbourline.example".to_owned(),
            ),
        ],
    )
    .unwrap();
    let backend = agent::odoo::OdooBackend::from_config(&config)
        .await
        .unwrap();
    let tools = agent::odoo_tools(&backend, None).unwrap();
    let arguments = json!({
        "question": "open receivables by customer",
        "plan": {"dataset": "receivables", "dimensions": [{"field": "customer"}]},
    });
    let schedule = Job::Report {
        arguments: arguments.clone(),
    };
    let scheduled = RunTool::run_tool(
        &tools,
        &Identity::local_operator(),
        schedule.tool(),
        &schedule.arguments(Utc::now().date_naive()),
    )
    .await;
    let output = scheduled.result.unwrap().output;
    assert_eq!(
        output["data"]["interpretation"]["source"],
        json!("saved_plan"),
        "{output}"
    );

    let ctx = ToolCtx {
        identity: Identity::local_operator(),
        deadline: tokio::time::Instant::now() + Duration::from_secs(60),
        cancel: tokio_util::sync::CancellationToken::new(),
        origin: tools::CallOrigin::Model,
    };
    let from_model = tools
        .dispatch(
            &ctx,
            "call_1",
            "nl_report",
            &arguments.to_string(),
            Duration::from_secs(60),
        )
        .await;
    let output = from_model.result.unwrap().output;
    assert_eq!(
        output["data"]["interpretation"]["source"],
        json!("llm"),
        "{output}"
    );
}

/// Stands in for the forecast's history: remembers the days asked for, can
/// be told to fail.
#[derive(Default)]
struct Balances {
    recorded: Mutex<Vec<(Option<i64>, chrono::NaiveDate)>>,
    fail: bool,
}

#[async_trait]
impl agent::schedule::RecordBalance for Balances {
    async fn record_balance(
        &self,
        _identity: &Identity,
        company_id: Option<i64>,
        date: chrono::NaiveDate,
    ) -> Result<String, String> {
        if self.fail {
            return Err("odoo unavailable".to_owned());
        }
        self.recorded.lock().unwrap().push((company_id, date));
        Ok(format!("closed {date}"))
    }
}

async fn the_builtin_bank_balance_job_records_yesterday_once_and_delivers_nothing(stores: Stores) {
    let s = setup(stores.fresh().await, FakeDigest::default(), 0);
    let store = Arc::clone(&s.store);
    let builtin = agent::schedule::builtin_schedules(Amsterdam, at(2026, 11, 20, 18, 0)).unwrap();
    assert_eq!(builtin.len(), 1);
    let job = builtin[0].clone();
    assert_eq!(job.job, Job::BankBalance { company_id: None });
    assert_eq!(job.next_run, at(2026, 11, 21, 0, 30), "00:30 local");
    let again = agent::schedule::builtin_schedules(Amsterdam, at(2026, 11, 25, 1, 0)).unwrap();
    assert_eq!(again[0].id, job.id, "a restart finds the same schedule");
    // Synced with the digests: configured digests dropping out never stop it.
    agent::schedule::sync_digest_schedules(store.as_ref(), builtin.clone())
        .await
        .unwrap();
    agent::schedule::sync_digest_schedules(store.as_ref(), builtin)
        .await
        .unwrap();
    assert!(store.get(job.id).await.unwrap().unwrap().enabled);

    let balances = Arc::new(Balances::default());
    let scheduler = Scheduler::new(
        Arc::clone(&store),
        Arc::new(ToolRegistry::builder().build().unwrap()),
        Arc::clone(&s.inbox) as _,
        identities(),
        RetryPolicy {
            retries: 3,
            first_delay: Duration::ZERO,
        },
    )
    .with_balances(balances.clone());
    let run = scheduler.tick(at(2026, 11, 21, 0, 30)).await.unwrap();
    assert_eq!(run.runs.len(), 1);
    assert_eq!(run.runs[0].status, RunStatus::Delivered { attempts: 1 });
    assert_eq!(run.runs[0].delivery_key, "bank_balance/default/2026-11-20");
    scheduler.tick(at(2026, 11, 22, 0, 31)).await.unwrap();
    assert_eq!(
        *balances.recorded.lock().unwrap(),
        vec![
            (None, chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()),
            (None, chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()),
        ]
    );
    assert_eq!(*s.inbox.attempts.lock().unwrap(), 0, "nothing is delivered");

    // A failure is on record and reported to nobody (there is no channel).
    let failing = Scheduler::new(
        Arc::clone(&store),
        Arc::new(ToolRegistry::builder().build().unwrap()),
        Arc::clone(&s.inbox) as _,
        identities(),
        RetryPolicy::default(),
    )
    .with_balances(Arc::new(Balances {
        fail: true,
        ..Balances::default()
    }));
    let run = failing.tick(at(2026, 11, 23, 0, 30)).await.unwrap();
    assert_eq!(
        run.runs[0].status,
        RunStatus::Failed {
            attempts: 1,
            error: "recording the bank balance failed: odoo unavailable".to_owned()
        }
    );
    // Without a history to record in, the run fails saying so.
    let none = Scheduler::new(
        Arc::clone(&store),
        Arc::new(ToolRegistry::builder().build().unwrap()),
        Arc::clone(&s.inbox) as _,
        identities(),
        RetryPolicy::default(),
    );
    let run = none.tick(at(2026, 11, 24, 0, 30)).await.unwrap();
    assert!(
        matches!(&run.runs[0].status, RunStatus::Failed { error, .. } if error.contains("no forecast history"))
    );
    assert_eq!(*s.inbox.attempts.lock().unwrap(), 0);
    assert_eq!(store.runs(job.id).await.unwrap().len(), 4);
}
