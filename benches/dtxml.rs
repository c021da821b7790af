//! The DT XML benchmark: writing and reading a transmission and an acknowledgement of 1 000
//! entries each, the documents the engine and the ZAS simulator exchange for every batch.
//!
//! Each document is made of the entries of the fixtures in `tests/fixtures/` (every kind of
//! announcement, every kind of result) repeated to 1 000; each step runs `ARCGW_BENCH_REPEAT`
//! times (default 30) and the fastest counts (the machine is shared). It prints the time per
//! entry and writes the table to `target/bench-dtxml.md`. Under `valgrind --tool=callgrind`
//! (`ARCGW_BENCH_REPEAT=1`) it gives instruction counts, which do not depend on what else the
//! machine is doing.
//!
//! Run with `cargo bench --bench dtxml` or `scripts/bench.sh dtxml`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use arcgw::dtxml::{
    ReadLimits, read_acknowledgement, read_transmission, write_acknowledgement, write_transmission,
};

const ENTRIES: usize = 1000;
const DEFAULT_REPEAT: usize = 30;
const REPEAT_VAR: &str = "ARCGW_BENCH_REPEAT";

fn main() {
    let repeat = std::env::var(REPEAT_VAR)
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_REPEAT);
    let limits = ReadLimits::default();

    let fixture = read_fixture("transmission-example.xml");
    let mut transmission = read_transmission(fixture.as_bytes(), &limits).expect("the fixture");
    transmission.announcements = cycle(&transmission.announcements);
    let transmission_xml = write_transmission(&transmission).expect("writable");

    let fixture = read_fixture("acknowledgement-example.xml");
    let mut acknowledgement =
        read_acknowledgement(fixture.as_bytes(), &limits).expect("the fixture");
    acknowledgement.entries = cycle(&acknowledgement.entries);
    let acknowledgement_xml = write_acknowledgement(&acknowledgement).expect("writable");

    let rows = [
        document_steps(
            repeat,
            "a transmission",
            &transmission_xml,
            || write_transmission(&transmission).map(drop),
            |xml| read_transmission(xml, &limits).map(|t| t.announcements.len()),
        ),
        document_steps(
            repeat,
            "an acknowledgement",
            &acknowledgement_xml,
            || write_acknowledgement(&acknowledgement).map(drop),
            |xml| read_acknowledgement(xml, &limits).map(|a| a.entries.len()),
        ),
    ];

    let mut md = format!(
        "| step ({ENTRIES} entries, fastest of {repeat}) | bytes | ms | µs per entry |\n\
         |---|--:|--:|--:|\n"
    );
    for (step, bytes, elapsed) in rows.into_iter().flatten() {
        let ms = elapsed.as_secs_f64() * 1000.0;
        let per_entry = elapsed.as_secs_f64() * 1e6 / ENTRIES as f64;
        writeln!(md, "| {step} | {bytes} | {ms:.2} | {per_entry:.1} |").expect("a string");
    }
    println!("{md}");
    let target = Path::new("target");
    if target.is_dir() {
        std::fs::write(target.join("bench-dtxml.md"), &md).expect("target/bench-dtxml.md");
        println!("(also written to target/bench-dtxml.md)");
    }
}

fn read_fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fixture's entries repeated to [`ENTRIES`].
fn cycle<T: Clone>(entries: &[T]) -> Vec<T> {
    entries.iter().cycle().take(ENTRIES).cloned().collect()
}

/// The two timed steps of one document, `xml` as `write` writes it: writing it, and reading it
/// back (`read` gives the number of entries read, which must be [`ENTRIES`]).
fn document_steps<E: std::fmt::Debug>(
    repeat: usize,
    document: &str,
    xml: &str,
    write: impl Fn() -> Result<(), E>,
    read: impl Fn(&[u8]) -> Result<usize, E>,
) -> [(String, usize, Duration); 2] {
    let step =
        |verb: &str, run: &dyn Fn()| (format!("{verb} {document}"), xml.len(), best(repeat, run));
    [
        step("write", &|| write().expect("writable")),
        step("read", &|| {
            assert_eq!(read(xml.as_bytes()).expect("readable"), ENTRIES);
        }),
    ]
}

/// The fastest of `repeat` runs of `step`.
fn best(repeat: usize, mut step: impl FnMut()) -> Duration {
    (0..repeat)
        .map(|_| {
            let started = Instant::now();
            step();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}
