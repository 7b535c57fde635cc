//! The web chat in a real headless browser: Debian's `chromium`, driven
//! over WebDriver by `chromedriver` (`docker/ensure-browser.sh` installs
//! both). The page asks for the API key, streams answers, shows tool
//! activity and files, and decides proposals through the API. Anything the
//! page logs as an error fails the test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::support::{API_KEY, Setup, json_response};
use crate::webchat_fixture::{EXPORT_CSV, EXPORT_NAME, webchat_server};

/// Every wait for the page. Longer than the API tests' bound: a browser
/// shares the machine's two cores with the rest of the suite.
const WAIT: Duration = Duration::from_secs(30);

/// A `chromedriver` on a loopback port, stopped on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Self {
        let mut child = Command::new("chromedriver")
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "cannot start chromedriver ({err}); install chromium and chromium-driver \
                     with docker/ensure-browser.sh"
                )
            });
        // It prints "ChromeDriver was started successfully on port N." once
        // it listens.
        let stdout = child.stdout.take().unwrap();
        let mut port = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(rest) = line.split("on port ").nth(1)
                && line.contains("started successfully")
            {
                port = Some(rest.trim_end_matches('.').parse::<u16>().unwrap());
                break;
            }
        }
        let port = port.expect("chromedriver announced its port");
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session saving downloads in `downloads`.
async fn browser(driver: &Driver, profile: &Path, downloads: &Path) -> Client {
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "args": [
                "--headless=new",
                // Tests run as root in containers, where the sandbox cannot start.
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1200,900",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
            },
        },
        "goog:loggingPrefs": {"browser": "ALL"},
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a chromium session")
}

/// What the page logged at error level (uncaught exceptions, failed
/// loads, policy violations), through ChromeDriver's log endpoint.
async fn console_errors(driver: &Driver, client: &Client) -> Vec<String> {
    let session = client.session_id().await.unwrap().unwrap();
    let logs: Value = reqwest::Client::new()
        .post(format!("{}/session/{session}/se/log", driver.url))
        .json(&json!({"type": "browser"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    logs["value"]
        .as_array()
        .expect("a log list")
        .iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn wait_for(client: &Client, css: &str) -> Element {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("no `{css}` on the page within {WAIT:?}: {err}"))
}

async fn text_of(client: &Client, css: &str) -> String {
    wait_for(client, css).await.text().await.unwrap()
}

/// Enters `key` in the sign-in form.
async fn sign_in(client: &Client, key: &str) {
    wait_for(client, "#login:not([hidden]) #key")
        .await
        .send_keys(key)
        .await
        .unwrap();
    wait_for(client, "#login button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
}

/// Types `question` into the box and sends it with Enter.
async fn ask(client: &Client, question: &str) {
    let input = wait_for(client, "#message").await;
    input.send_keys(question).await.unwrap();
    input.send_keys("\u{E007}").await.unwrap(); // WebDriver's Enter key
}

/// The `n`th (1-based) answer once it has finished.
async fn finished_answer(client: &Client, n: usize) -> Element {
    wait_for(
        client,
        &format!(
            "#log article.assistant:nth-of-type({}):not([aria-busy=true])",
            2 * n
        ),
    )
    .await
}

/// Files in `dir` once a download has completed (Chromium writes
/// `.crdownload` files until then).
async fn downloaded(dir: &Path) -> Vec<PathBuf> {
    let started = tokio::time::Instant::now();
    loop {
        let files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        if !files.is_empty()
            && files
                .iter()
                .all(|f| f.extension() != Some("crdownload".as_ref()))
        {
            return files;
        }
        assert!(
            started.elapsed() < WAIT,
            "no download in {dir:?}: {files:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_web_chat_streams_answers_shows_tools_and_files_and_decides_proposals() {
    let (server, hold) = webchat_server(Setup::default()).await;
    let driver = tokio::task::spawn_blocking(Driver::start).await.unwrap();
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path(), downloads.path()).await;
    client.goto(&server.url("/")).await.unwrap();

    // The server has a key: the page asks for it before anything else.
    wait_for(&client, "#login:not([hidden]) #key").await;
    assert!(
        !wait_for(&client, "#ask")
            .await
            .is_displayed()
            .await
            .unwrap()
    );
    sign_in(&client, "not-the-key").await;

    // A refused key brings the form back, with the question kept.
    ask(&client, "calculate 2 + 3").await;
    wait_for(&client, "#login:not([hidden]) #key").await;
    assert_eq!(
        text_of(&client, "#login-error").await,
        "The server refused this key. Enter it again."
    );
    let kept = wait_for(&client, "#message").await;
    assert_eq!(
        kept.prop("value").await.unwrap().as_deref(),
        Some("calculate 2 + 3")
    );
    assert!(client.find(Locator::Css("#log article")).await.is_err());
    // The browser itself reports the refused request; nothing else.
    let errors = console_errors(&driver, &client).await;
    assert!(
        !errors.is_empty() && errors.iter().all(|e| e.contains("401")),
        "{errors:?}"
    );
    sign_in(&client, API_KEY).await;
    wait_for(&client, "#message").await.clear().await.unwrap();

    // A tool call shows while it runs and with its duration once done.
    ask(&client, "calculate 2 + 3").await;
    let answer = finished_answer(&client, 1).await;
    assert_eq!(
        answer.attr("data-status").await.unwrap().as_deref(),
        Some("completed")
    );
    assert_eq!(
        text_of(&client, "article.assistant .text").await,
        "The result is 2 + 3 = 5."
    );
    let tool = wait_for(&client, "article.assistant li.tool.ok").await;
    assert_eq!(
        tool.find(Locator::Css(".name"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "calculate"
    );
    let state = tool
        .find(Locator::Css(".state"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        state.starts_with("done in ") && state.ends_with(" ms"),
        "{state}"
    );

    // A failing call is marked as failed.
    ask(&client, "calculate 1 / 0").await;
    finished_answer(&client, 2).await;
    let failed = text_of(
        &client,
        "article.assistant:nth-of-type(4) li.tool.failed .state",
    )
    .await;
    assert!(failed.starts_with("failed after "), "{failed}");

    // Words appear while the model is still writing.
    ask(&client, "slowly").await;
    let streaming = wait_for(&client, "article.assistant[aria-busy=true] .text").await;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//article[@aria-busy='true']//div[@class='text' and text()='Part one, ']",
        ))
        .await
        .expect("the first words while the answer is still open");
    assert_eq!(streaming.text().await.unwrap(), "Part one, ");
    hold.release();
    finished_answer(&client, 3).await;
    assert_eq!(
        text_of(&client, "article.assistant:nth-of-type(6) .text").await,
        "Part one, part two."
    );

    // Model text is shown as text: markup in it creates no element.
    ask(&client, "<img id=injected src=x>").await;
    finished_answer(&client, 4).await;
    let echoed = text_of(&client, "article.assistant:nth-of-type(8) .text").await;
    assert!(
        echoed.starts_with("You said: <img id=injected src=x> ("),
        "{echoed}"
    );
    // Follow-ups continue the thread: the model saw the three earlier turns
    // (four messages for each tool turn, two for the plain one).
    assert!(echoed.ends_with("(10 earlier messages)"), "{echoed}");
    assert!(client.find(Locator::Css("#injected")).await.is_err());

    // Markdown becomes elements, built as text: a table, a list, bold, and
    // a link only where the address is http(s).
    ask(&client, "markdown").await;
    let answer = finished_answer(&client, 5).await;
    let cells = answer.find_all(Locator::Css("table td")).await.unwrap();
    let mut texts = Vec::new();
    for cell in &cells {
        texts.push(cell.text().await.unwrap());
    }
    assert_eq!(
        texts,
        ["Harbourline", "1,200.00", "<i>Nordwind</i>", "80.00"]
    );
    assert_eq!(
        answer
            .find(Locator::Css("td strong"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Harbourline"
    );
    assert_eq!(
        answer
            .find(Locator::Css("h4"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Overdue"
    );
    let links = answer.find_all(Locator::Css("li a")).await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(
        links[0].attr("href").await.unwrap().as_deref(),
        Some("https://harbourline.odoo.example/odoo/action-1")
    );
    assert_eq!(answer.find_all(Locator::Css("li")).await.unwrap().len(), 2);
    assert!(answer.find(Locator::Css("i")).await.is_err());

    // A file comes as a link; the download sends the key.
    ask(&client, "export").await;
    finished_answer(&client, 6).await;
    let link = wait_for(&client, "article.assistant:nth-of-type(12) a.download").await;
    assert!(
        link.text().await.unwrap().starts_with(EXPORT_NAME),
        "{}",
        link.text().await.unwrap()
    );
    link.click().await.unwrap();
    let files = downloaded(downloads.path()).await;
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(std::fs::read_to_string(&files[0]).unwrap(), EXPORT_CSV);

    // A proposal card with the values before and after; Approve executes it.
    ask(&client, "propose 12500").await;
    finished_answer(&client, 7).await;
    let card = wait_for(&client, "section.proposal[data-status=pending]").await;
    let id = card.attr("data-proposal-id").await.unwrap().unwrap();
    assert_eq!(
        text_of(&client, "section.proposal .preview").await,
        "Credit limit of <Harbourline>: 0.00 -> 12500.00"
    );
    assert_eq!(text_of(&client, "section.proposal td.before").await, "0");
    assert_eq!(text_of(&client, "section.proposal td.after").await, "12500");
    wait_for(&client, "section.proposal button.approve")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&client, "section.proposal[data-status=executed]").await;
    assert_eq!(
        text_of(&client, "section.proposal .outcome").await,
        "Approved by local and carried out in Odoo."
    );
    let (status, stored) = json_response(
        server
            .get(&format!("/api/proposals/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, stored["status"].clone()), (200, json!("executed")));

    // Reject asks for a reason and sends it.
    ask(&client, "propose 20000").await;
    finished_answer(&client, 8).await;
    let pending = "section.proposal[data-status=pending]";
    let second = wait_for(&client, pending).await;
    let second_id = second.attr("data-proposal-id").await.unwrap().unwrap();
    second
        .find(Locator::Css("button.reject"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let reason = wait_for(&client, &format!("{pending} input.reason")).await;
    reason.send_keys("the customer pays late").await.unwrap();
    wait_for(&client, &format!("{pending} button.confirm-reject"))
        .await
        .click()
        .await
        .unwrap();
    wait_for(&client, "section.proposal[data-status=rejected]").await;
    let (_, stored) = json_response(
        server
            .get(&format!("/api/proposals/{second_id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(stored["status"], "rejected");
    assert_eq!(stored["reason"], "the customer pays late");

    let errors = console_errors(&driver, &client).await;
    assert_eq!(errors, Vec::<String>::new(), "the page logged errors");
    // The check above can see errors: one logged now is reported.
    client
        .execute("console.error('probe from the test')", vec![])
        .await
        .unwrap();
    let probe = console_errors(&driver, &client).await;
    assert!(
        probe.iter().any(|e| e.contains("probe from the test")),
        "{probe:?}"
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn on_a_keyless_loopback_server_the_page_asks_no_key_and_a_reload_keeps_the_thread() {
    let (server, _hold) = webchat_server(Setup {
        api_key: None,
        ..Setup::default()
    })
    .await;
    let driver = tokio::task::spawn_blocking(Driver::start).await.unwrap();
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let client = browser(&driver, profile.path(), downloads.path()).await;
    client.goto(&server.url("/")).await.unwrap();

    ask(&client, "hello").await;
    finished_answer(&client, 1).await;
    assert_eq!(
        text_of(&client, "article.assistant .text").await,
        "You said: hello (0 earlier messages)"
    );
    assert!(
        !wait_for(&client, "#login")
            .await
            .is_displayed()
            .await
            .unwrap()
    );
    assert!(
        !wait_for(&client, "#sign-out")
            .await
            .is_displayed()
            .await
            .unwrap()
    );

    // A reload shows the conversation so far, and the next question
    // continues it.
    client.refresh().await.unwrap();
    wait_for(&client, "article.assistant[data-status=stored]").await;
    assert_eq!(text_of(&client, "article.user .text").await, "hello");
    assert_eq!(
        text_of(&client, "article.assistant .text").await,
        "You said: hello (0 earlier messages)"
    );
    ask(&client, "again").await;
    finished_answer(&client, 2).await;
    assert_eq!(
        text_of(&client, "article.assistant:nth-of-type(4) .text").await,
        "You said: again (2 earlier messages)"
    );
    // A new conversation starts from nothing, also after a reload.
    wait_for(&client, "#new-thread")
        .await
        .click()
        .await
        .unwrap();
    client.refresh().await.unwrap();
    ask(&client, "fresh").await;
    finished_answer(&client, 1).await;
    assert_eq!(
        text_of(&client, "article.assistant .text").await,
        "You said: fresh (0 earlier messages)"
    );

    let errors = console_errors(&driver, &client).await;
    client.close().await.unwrap();
    assert_eq!(errors, Vec::<String>::new(), "the page logged errors");
}
