//! `wrk` as the load generator of the benches that measure the server over HTTPS (`arm_reads`,
//! `scale`): a process of its own, so the figure is the server's alone.

use std::time::Duration;

/// What a run of requests measured (each bench that includes this file reads what it prints).
#[allow(dead_code)]
pub struct Figures {
    pub requests: usize,
    pub bytes: usize,
    pub seconds: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// GET `url` with `wrk` as the load generator, in a process of its own (one thread, `connections`
/// keep-alive connections): the figure of the server alone, without an in-process client taking
/// half the CPU. `None` when wrk is not installed (Debian: `apt-get install wrk`).
pub fn measure_with_wrk(
    url: &str,
    token: &str,
    gzip: bool,
    connections: usize,
    seconds: f64,
) -> Option<Figures> {
    let mut args = vec![
        "-t1".to_string(),
        format!("-c{connections}"),
        format!("-d{}s", seconds.ceil() as u64),
        "--latency".into(),
        "-H".into(),
        format!("Authorization: Bearer {token}"),
    ];
    if gzip {
        args.extend(["-H".into(), "Accept-Encoding: gzip".into()]);
    }
    args.push(url.to_string());
    let out = std::process::Command::new("wrk")
        .args(&args)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || text.contains("Non-2xx") {
        println!(
            "wrk failed:\n{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    let field = |prefix: &str| -> Option<&str> {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().last())
    };
    let duration = |v: &str| -> Option<Duration> {
        let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic())?);
        let n: f64 = num.parse().ok()?;
        let secs = match unit {
            "us" => n / 1e6,
            "ms" => n / 1e3,
            "s" => n,
            _ => return None,
        };
        Some(Duration::from_secs_f64(secs))
    };
    let requests = text
        .lines()
        .find(|l| l.contains("requests in"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let rate: f64 = field("Requests/sec:")?.parse().ok()?;
    Some(Figures {
        requests,
        bytes: 0,
        seconds: requests as f64 / rate,
        p50: duration(field("50%")?)?,
        p99: duration(field("99%")?)?,
    })
}
