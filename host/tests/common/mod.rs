//! The `scalecore run` process the integration tests drive, with its log captured line by line
//! so a test can wait for what the host says and check what it never says.
// Each test crate uses its own part of this module.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Host {
    pub child: Child,
    log: Arc<Mutex<String>>,
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Host {
    /// Starts `cmd` with standard output discarded and standard error captured.
    pub fn spawn(cmd: &mut Command) -> Host {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        Host { child, log }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Kills the host and returns everything it logged.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Give the reader thread a moment to drain the pipe.
        std::thread::sleep(Duration::from_millis(100));
        self.log()
    }

    /// The address /metrics is served on, from the start-up log line.
    pub async fn metrics_addr(&self) -> String {
        let start = Instant::now();
        loop {
            let log = self.log();
            if let Some(addr) = log
                .lines()
                .find(|l| l.contains("serving /metrics"))
                .and_then(|l| l.split("local=").nth(1))
                .and_then(|s| s.split_whitespace().next())
            {
                return addr.to_owned();
            }
            assert!(start.elapsed() < Duration::from_secs(20), "{log}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// GET on the metrics server: the whole response.
    pub async fn get(&self, path: &str) -> String {
        let addr = self.metrics_addr().await;
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }
}

/// The Unix time now, in seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Unix seconds as the API server writes times (`date -u`, RFC 3339).
pub fn rfc3339(unix: i64) -> String {
    let out = Command::new("date")
        .args(["-u", "-d", &format!("@{unix}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}
pub mod cluster;
