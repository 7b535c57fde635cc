//! The release `odoo-agent serve` in its own process, as the HTTP
//! benchmarks drive it, and its memory as `/proc` reports it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// A running server; `address` is its `host:port`.
pub struct Server {
    pub child: std::process::Child,
    pub address: String,
}

impl Server {
    /// Starts `serve` with its data in `dir/data`, the bench's database when
    /// `database_url` is set, and `env` on top of a cleared environment.
    pub fn start(dir: &Path, database_url: Option<&str>, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_odoo-agent"));
        command
            .arg("serve")
            .env_clear()
            .env("ODOO_AGENT_BIND", "127.0.0.1:0")
            .env("ODOO_AGENT_DATA_DIR", dir.join("data"))
            .env("ODOO_AGENT_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(url) = database_url {
            command.env("DATABASE_URL", url);
        }
        let mut child = command.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let address = first.rsplit("http://").next().unwrap().to_owned();
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, address }
    }

    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A process's resident memory now and at its peak, from /proc.
pub struct Memory {
    pub rss_kib: u64,
    pub peak_kib: u64,
}

impl Memory {
    pub fn of(pid: u32) -> Self {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        };
        Self {
            rss_kib: field("VmRSS:"),
            peak_kib: field("VmHWM:"),
        }
    }
}
