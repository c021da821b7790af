//! XSD validation with `xmllint` (Debian package `libxml2-utils`). A missing `xmllint` fails the
//! test with a clear message: the XSD checks are part of the suite, never skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `schemas/arc-transmission-1.xsd`.
pub fn transmission_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/arc-transmission-1.xsd")
}

/// `schemas/arc-acknowledgement-1.xsd`.
pub fn acknowledgement_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/arc-acknowledgement-1.xsd")
}

/// `schemas/arc-closing-order-1.xsd`.
pub fn closing_order_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/arc-closing-order-1.xsd")
}

/// `schemas/arc-ci-complement-1.xsd`.
pub fn ci_complement_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/arc-ci-complement-1.xsd")
}

/// `schemas/arc-splitting-notice-1.xsd`.
pub fn splitting_notice_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/arc-splitting-notice-1.xsd")
}

/// `schemas/eCH-0090-2.xsd`: the sedex envelope and receipt (eCH-0090 version 2).
pub fn sedex_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/eCH-0090-2.xsd")
}

/// A file under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A committed fixture with the writer's product version in place of the one it was written
/// with, to compare with the writer's output.
pub fn with_current_version(fixture: &str) -> String {
    let start = fixture.find("<productVersion>").expect("tag") + "<productVersion>".len();
    let end = fixture.find("</productVersion>").expect("tag");
    format!(
        "{}{}{}",
        &fixture[..start],
        env!("CARGO_PKG_VERSION"),
        &fixture[end..]
    )
}

/// Files per xmllint call.
const BATCH: usize = 150;

fn run(schema: &Path, files: &[PathBuf]) -> std::process::Output {
    match Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(schema)
        .args(files)
        .output()
    {
        Ok(output) => output,
        Err(e) => panic!(
            "cannot run xmllint ({e}): install it (Debian/Ubuntu: apt-get install libxml2-utils); \
             the XSD validation of the DT XML documents is part of the test suite"
        ),
    }
}

/// Validates every document against `schema`, many per xmllint call; panics with xmllint's
/// report and the first failing document when any is invalid.
pub fn assert_valid(schema: &Path, documents: &[String]) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let files: Vec<PathBuf> = documents
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let path = dir.path().join(format!("doc-{i:05}.xml"));
            std::fs::write(&path, doc).expect("write document");
            path
        })
        .collect();
    for batch in files.chunks(BATCH) {
        assert_files_valid(schema, batch);
    }
}

/// Validates files against `schema`.
pub fn assert_files_valid(schema: &Path, files: &[PathBuf]) {
    let output = run(schema, files);
    if output.status.success() {
        return;
    }
    let report = String::from_utf8_lossy(&output.stderr);
    let failing = files
        .iter()
        .find(|f| report.contains(&format!("{} fails to validate", f.display())));
    let document = failing
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .unwrap_or_default();
    panic!(
        "xmllint refused documents against {}:\n{}\nfirst failing document ({}):\n{}",
        schema.display(),
        report
            .lines()
            .filter(|l| !l.ends_with(" validates"))
            .take(40)
            .collect::<Vec<_>>()
            .join("\n"),
        failing.map_or_else(|| "?".to_string(), |f| f.display().to_string()),
        document
    );
}

/// `true` when xmllint refuses `document` against `schema` (for checking that the XSD is as
/// strict as the reader).
pub fn refuses(schema: &Path, document: &str) -> bool {
    !verdicts(schema, &[document.to_string()])[0]
}

/// For each document, whether xmllint finds it valid against `schema` (one call for all).
pub fn verdicts(schema: &Path, documents: &[String]) -> Vec<bool> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let files: Vec<PathBuf> = documents
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let path = dir.path().join(format!("doc-{i:05}.xml"));
            std::fs::write(&path, doc).expect("write document");
            path
        })
        .collect();
    let mut verdicts = Vec::with_capacity(files.len());
    for batch in files.chunks(BATCH) {
        let output = run(schema, batch);
        let report = String::from_utf8_lossy(&output.stderr);
        verdicts.extend(
            batch
                .iter()
                .map(|f| report.contains(&format!("{} validates", f.display()))),
        );
    }
    verdicts
}
