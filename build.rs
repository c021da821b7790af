//! Embeds the migrations of `migrations/sqlite` and `migrations/postgres` in the library: writes
//! `$OUT_DIR/migrations.rs`, one list per back end of (version, description, SQL), which
//! `src/store/migrate.rs` turns into sqlx's `Migrator`. This is what `sqlx::migrate!` does, done
//! here so that sqlx's macros (a second build of sqlx, its drivers, SQLite's C library, rustls
//! and tokio for the compiler's host) are not built. A file is named
//! `<VERSION>_<DESCRIPTION>.sql` (no reversible ones); cargo rebuilds when one is added or
//! changed.
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=migrations");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut out = String::from("// Written by build.rs from migrations/: do not edit.\n");
    for (name, folder) in [("SQLITE", "sqlite"), ("POSTGRES", "postgres")] {
        let folder = Path::new(&root).join("migrations").join(folder);
        println!("cargo::rerun-if-changed={}", folder.display());
        let mut files: Vec<(i64, String, String)> = std::fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
            .map(|entry| {
                let path = entry.expect("a readable folder").path();
                let file = path.file_name().unwrap().to_string_lossy().into_owned();
                let (version, rest) = file
                    .split_once('_')
                    .unwrap_or_else(|| panic!("{file}: not <VERSION>_<DESCRIPTION>.sql"));
                let description = rest
                    .strip_suffix(".sql")
                    .filter(|d| !d.ends_with(".up") && !d.ends_with(".down"))
                    .unwrap_or_else(|| panic!("{file}: not <VERSION>_<DESCRIPTION>.sql"));
                let version = version
                    .parse()
                    .unwrap_or_else(|_| panic!("{file}: the version is not a number"));
                let path = path.to_str().expect("a UTF-8 path").to_owned();
                (version, description.replace('_', " "), path)
            })
            .collect();
        files.sort();
        writeln!(out, "const {name}_FILES: &[MigrationFile] = &[").unwrap();
        for (version, description, path) in files {
            writeln!(
                out,
                "    MigrationFile {{ version: {version}, description: {description:?}, \
                 sql: include_str!({path:?}) }},"
            )
            .unwrap();
        }
        out.push_str("];\n");
    }
    let target =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}
