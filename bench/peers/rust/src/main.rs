//! peer-rust-regex: the Rust `regex` peer of airlog's benchmark suite, run the way Vector's VRL
//! `parse_regex` runs (bench/peers/README.md: the algorithm and the CLI).
//!
//!     peer-rust-regex [--dump] [--repeat N] [--patterns FILE] FILE

mod config;
mod event;
mod json;
mod output;
mod pipeline;
mod timestamp;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The configuration read when --patterns is not given: the source tree's.
const DEFAULT_PATTERNS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../patterns.json");

struct Args {
    dump: bool,
    repeat: u32,
    patterns: String,
    file: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        dump: false,
        repeat: 1,
        patterns: DEFAULT_PATTERNS.to_string(),
        file: String::new(),
    };
    let mut it = std::env::args().skip(1);
    let mut files = Vec::new();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dump" => args.dump = true,
            "--repeat" => {
                args.repeat = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n >= 1)
                    .ok_or("--repeat needs a count of at least 1")?
            }
            "--patterns" => args.patterns = it.next().ok_or("--patterns needs a file")?,
            _ if a.starts_with("--") => return Err(format!("unknown option {a}")),
            _ => files.push(a),
        }
    }
    match files.as_slice() {
        [file] => args.file = file.clone(),
        _ => return Err("one FILE expected".into()),
    }
    Ok(args)
}

fn run(args: &Args) -> Result<(), String> {
    let cfg = config::Config::load(&args.patterns)?;
    let data = std::fs::read(&args.file).map_err(|e| format!("{}: {e}", args.file))?; // untimed
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    let io_err = |e: io::Error| e.to_string();
    if args.dump {
        let mut failed = Ok(());
        pipeline::Pipeline::new(&cfg, |e| {
            if failed.is_ok() {
                failed = output::write_event(&mut out, &e);
            }
        })
        .parse(&data);
        failed.map_err(io_err)?;
        return out.flush().map_err(io_err);
    }
    let mut best = Duration::MAX;
    let (mut lines, mut events, mut counts) = (0, 0, output::FieldCounts::default());
    for _ in 0..args.repeat {
        (events, counts) = (0, output::FieldCounts::default());
        let start = Instant::now();
        lines = pipeline::Pipeline::new(&cfg, |e| {
            events += 1;
            counts.add(&e);
        })
        .parse(&data);
        best = best.min(start.elapsed());
    }
    let summary = output::Summary {
        bytes: data.len(),
        lines,
        events,
        seconds: best.as_secs_f64(),
    };
    output::write_summary(&mut out, &summary, &counts).map_err(io_err)?;
    out.flush().map_err(io_err)
}

fn main() -> ExitCode {
    let result = parse_args()
        .map_err(|e| format!("{e}\nusage: peer-rust-regex [--dump] [--repeat N] [--patterns FILE] FILE"))
        .and_then(|args| run(&args));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peer-rust-regex: {e}");
            ExitCode::FAILURE
        }
    }
}
