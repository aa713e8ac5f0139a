//! `genesys-emulator`: run the emulator as a process (README walkthrough, manual testing).
//! Prints the base URL on stdout, then serves until killed. Faults and introspection are under
//! `/__emulator/` (see README.md).

use clap::Parser;
use genesys_emulator::{Emulator, Options};
use std::io::Write;

#[derive(Parser)]
#[command(
    version,
    about = "Genesys Cloud OAuth API emulator (login + API host on one loopback port)"
)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free port).
    #[arg(long, default_value_t = 0, env = "GENESYS_EMULATOR_PORT")]
    port: u16,
    /// Client id of the seeded admin client (the one Terraform / tfguard authenticates with).
    #[arg(
        long,
        env = "GENESYSCLOUD_OAUTHCLIENT_ID",
        default_value = "emulator-admin"
    )]
    admin_client_id: String,
    /// Secret of the seeded admin client.
    #[arg(long, env = "GENESYSCLOUD_OAUTHCLIENT_SECRET", hide_env_values = true)]
    admin_client_secret: String,
    /// Do not print one line per request on stderr.
    #[arg(long)]
    quiet: bool,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let opts = Options::default()
        .admin(args.admin_client_id, args.admin_client_secret)
        .port(args.port)
        .echo_requests(!args.quiet);
    let handle = match Emulator::start(opts) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("genesys-emulator: cannot start on port {}: {e}", args.port);
            return std::process::ExitCode::FAILURE;
        }
    };
    // The first stdout line is the base URL, so scripts can read it.
    println!("{}", handle.base_url());
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}
