//! A throwaway `PostgreSQL` cluster for the test suite: `initdb` in a fresh temporary
//! folder, `pg_ctl start` on a free loopback port, and `pg_ctl stop` when the guard drops
//! (also when a step failed). A run stopped by Ctrl-C cannot stop its cluster (`pg_ctl`
//! starts the server in a session of its own): the next start stops and removes the
//! clusters of runs that are gone. As root, the cluster runs as Debian's unprivileged
//! `postgres` user, since `PostgreSQL` refuses to run as root; the folder is in the system's
//! temporary folder, which that user can reach.

use crate::steps::{Error, is_root, run_command};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian's `postgresql` package puts the server programs.
const BIN: &str = "/usr/lib/postgresql/15/bin";
/// The superuser the cluster is made with (trust authentication on loopback only).
const USER: &str = "kycard";

/// Programs the cluster needs, as setup checks them.
pub const PROGRAMS: [&str; 3] =
    ["/usr/lib/postgresql/15/bin/initdb", "/usr/lib/postgresql/15/bin/pg_ctl", "/usr/lib/postgresql/15/bin/postgres"];

/// A running cluster; stopped and deleted on drop.
pub struct Cluster {
    folder: PathBuf,
    as_postgres: bool,
    /// `postgres://kycard@127.0.0.1:<port>/postgres`, for making test databases.
    pub url: String,
}

impl Cluster {
    /// Makes and starts a cluster in a new temporary folder.
    pub fn start() -> Result<Self, Error> {
        let folder = std::env::temp_dir().join(format!("{PREFIX}{}", std::process::id()));
        let as_postgres = is_root();
        stop_abandoned(as_postgres);
        if folder.exists() {
            std::fs::remove_dir_all(&folder).map_err(|e| Error::new(format!("{}: {e}", folder.display())))?;
        }
        std::fs::create_dir_all(&folder).map_err(|e| Error::new(format!("{}: {e}", folder.display())))?;
        if as_postgres {
            run_command(Command::new("chown").arg("postgres").arg(&folder))?;
        }
        let port = free_port()?;
        let data = folder.join("data");
        let mut initdb = command(as_postgres, &format!("{BIN}/initdb"));
        initdb.arg("-D").arg(&data).args(["-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync"]);
        run_quiet(&mut initdb)?;
        let options = format!("-k {} -p {port} -c listen_addresses=127.0.0.1 -c max_connections=300", folder.display());
        let mut start = pg_ctl(&folder, as_postgres);
        start.args(["start", "-w", "-t", "60", "-o", &options, "-l"]).arg(folder.join("server.log"));
        run_quiet(&mut start)?;
        let url = format!("postgres://{USER}@127.0.0.1:{port}/postgres");
        println!("  ok   PostgreSQL on 127.0.0.1:{port} (throwaway, in {})", folder.display());
        Ok(Self { folder, as_postgres, url })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let stopped = pg_ctl(&self.folder, self.as_postgres).args(["stop", "-m", "fast", "-w"]).output();
        if !stopped.is_ok_and(|out| out.status.success()) {
            println!("!!  could not stop the test PostgreSQL in {}", self.folder.display());
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// The start of a cluster folder's name; the rest is the id of the run that made it.
const PREFIX: &str = "kycard-postgres-";

/// Stops and removes the clusters of earlier runs whose process is gone (stopped by Ctrl-C).
fn stop_abandoned(as_postgres: bool) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(PREFIX).and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let folder = entry.path();
        let _ = pg_ctl(&folder, as_postgres).args(["stop", "-m", "immediate", "-w"]).output();
        if std::fs::remove_dir_all(&folder).is_ok() {
            println!("  gone {} (left by an interrupted run)", folder.display());
        }
    }
}

fn command(as_postgres: bool, program: &str) -> Command {
    if as_postgres {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--", program]);
        cmd
    } else {
        Command::new(program)
    }
}

fn pg_ctl(folder: &Path, as_postgres: bool) -> Command {
    let mut cmd = command(as_postgres, &format!("{BIN}/pg_ctl"));
    cmd.arg("-D").arg(folder.join("data"));
    cmd
}

/// Runs `cmd`, showing its output only when it fails.
fn run_quiet(cmd: &mut Command) -> Result<(), Error> {
    let out = cmd.output().map_err(|e| Error::new(format!("{cmd:?}: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    Err(Error::new(format!(
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )))
}

/// A loopback port nothing listens on now.
fn free_port() -> Result<u16, Error> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| Error::new(format!("no free port: {e}")))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| Error::new(format!("no free port: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_of_a_run_that_is_gone_is_removed_and_a_live_ones_kept() {
        let gone = std::env::temp_dir().join(format!("{PREFIX}{}", u32::MAX - 7));
        let live = std::env::temp_dir().join(format!("{PREFIX}1"));
        std::fs::create_dir_all(gone.join("data")).unwrap();
        let made_live = std::fs::create_dir(&live).is_ok();
        stop_abandoned(false);
        assert!(!gone.exists(), "no process {} runs", u32::MAX - 7);
        assert!(live.exists(), "process 1 runs");
        if made_live {
            std::fs::remove_dir(&live).unwrap();
        }
    }
}
