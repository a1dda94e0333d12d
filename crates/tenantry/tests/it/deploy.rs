//! What `deploy/` ships, checked as an operator would find it: the systemd unit passes
//! `systemd-analyze verify` without a warning, and its command line with its environment serves,
//! becomes ready and stops cleanly on the signal it sends. (The container image is built and started by
//! `scripts/image.sh` where a container daemon answers.)

use crate::cli::tenantry;
use crate::support::*;
use std::time::Duration;

fn unit() -> String {
    std::fs::read_to_string(repo_root().join("deploy/tenantry.service")).unwrap()
}

/// The values of `key=` lines of the unit's [Service] section.
fn settings(unit: &str, key: &str) -> Vec<String> {
    unit.lines()
        .filter_map(|l| l.strip_prefix(&format!("{key}=")))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_systemd_unit_verifies_without_a_warning() {
    let Ok(out) = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
    else {
        // Not a failure to hide: say it, so a run without systemd shows what it did not check.
        eprintln!("systemd-analyze is not installed: deploy/tenantry.service was not verified");
        return;
    };
    assert!(out.status.success());
    let dir = tenantry_store::testing::TempDir::new("tenantry-unit").unwrap();
    let copy = dir.path().join("tenantry.service");
    // verify checks that the command exists: point it at the binary under test.
    std::fs::write(
        &copy,
        unit().replace("/usr/local/bin/tenantry", env!("CARGO_BIN_EXE_tenantry")),
    )
    .unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&copy)
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
}

#[tokio::test]
async fn the_systemd_units_command_serves_and_stops_on_its_kill_signal() {
    let unit = unit();
    let exec = settings(&unit, "ExecStart").pop().expect("ExecStart");
    let mut words = exec.split_whitespace();
    assert_eq!(words.next(), Some("/usr/local/bin/tenantry"));
    let args: Vec<&str> = words.collect();
    assert_eq!(settings(&unit, "KillSignal"), ["SIGTERM"]);
    let stop_within: u64 = settings(&unit, "TimeoutStopSec")[0].parse().unwrap();
    assert!(stop_within > 30, "longer than the default drain timeout");

    let dir = tenantry_store::testing::TempDir::new("tenantry-unit").unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut command = tenantry();
    for env in settings(&unit, "Environment") {
        let (key, value) = env.split_once('=').unwrap();
        let value = match key {
            "TENANTRY_DATA" => dir.path().to_string_lossy().into_owned(),
            "TENANTRY_LISTEN" => format!("127.0.0.1:{port}"),
            _ => value.to_string(),
        };
        command.env(key, value);
    }
    let mut child = command
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let ca = dir.path().join("ca.pem");
    assert!(eventually(Duration::from_secs(120), || ca.exists()).await);
    let cert = reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([cert])
        .build()
        .unwrap();
    let mut ready = false;
    for _ in 0..600 {
        if let Ok(r) = client
            .get(format!("https://localhost:{port}/readyz"))
            .send()
            .await
        {
            ready = r.status() == 200;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the unit's command serves and becomes ready");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(stop_within),
            "stopped in time"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
}
