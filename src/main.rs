//! The `arcgw` binary: everything is in the library; see `arcgw --help`.

fn main() -> std::process::ExitCode {
    arcgw::cli::run()
}
