//! The sanctions watchlist the review screens against: a file in the SDN.CSV layout (see
//! `kycard_core::screening`), read at start and read again whenever it changes on disk, so
//! an operator replaces it without a restart. Without a configured file the built-in
//! fictitious sample is used, and the server says so when it starts.

use kycard_core::screening::{WatchlistEntry, parse_sdn_csv};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

/// The built-in sample: fictitious people in the layout of the public SDN list.
const SAMPLE: &str = include_str!("../watchlist/sample-sdn.csv");

/// The list in force.
#[derive(Debug)]
pub struct Watchlist {
    path: Option<PathBuf>,
    current: Mutex<Loaded>,
}

#[derive(Debug, Clone)]
struct Loaded {
    /// The file's modification time and size when it was read.
    stamp: Option<(SystemTime, u64)>,
    entries: Arc<Vec<WatchlistEntry>>,
}

/// Why the list cannot be used at start.
#[derive(Debug, thiserror::Error)]
pub enum WatchlistLoadError {
    /// The file cannot be read.
    #[error("cannot read the watchlist {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not in the SDN.CSV layout.
    #[error("the watchlist {path} is not in the SDN.CSV layout: {source}")]
    Format {
        /// The file.
        path: String,
        /// Where and what.
        source: kycard_core::screening::WatchlistError,
    },
}

fn stamp_of(path: &PathBuf) -> std::io::Result<(SystemTime, u64)> {
    let meta = std::fs::metadata(path)?;
    Ok((meta.modified()?, meta.len()))
}

fn read(path: &PathBuf) -> Result<Loaded, WatchlistLoadError> {
    let shown = || path.display().to_string();
    let stamp = stamp_of(path).map_err(|source| WatchlistLoadError::Io { path: shown(), source })?;
    let text = std::fs::read_to_string(path).map_err(|source| WatchlistLoadError::Io { path: shown(), source })?;
    let entries = parse_sdn_csv(&text).map_err(|source| WatchlistLoadError::Format { path: shown(), source })?;
    Ok(Loaded { stamp: Some(stamp), entries: Arc::new(entries) })
}

impl Watchlist {
    /// Reads `path`, or takes the built-in sample when there is none. A file that cannot be
    /// read at start stops the start: screening must never run silently without a list.
    pub fn open(path: Option<PathBuf>) -> Result<Self, WatchlistLoadError> {
        let current =
            match &path {
                Some(path) => read(path)?,
                None => Loaded {
                    stamp: None,
                    entries: Arc::new(parse_sdn_csv(SAMPLE).map_err(|source| WatchlistLoadError::Format {
                        path: "(built-in sample)".to_owned(),
                        source,
                    })?),
                },
            };
        Ok(Self { path, current: Mutex::new(current) })
    }

    /// Whether the built-in sample is in force.
    pub fn is_sample(&self) -> bool {
        self.path.is_none()
    }

    /// The entries in force, read again first when the file changed. A changed file that
    /// cannot be read is logged and the previous list stays in force.
    pub fn entries(&self) -> Arc<Vec<WatchlistEntry>> {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(path) = &self.path {
            let changed = stamp_of(path).ok() != current.stamp;
            if changed {
                match read(path) {
                    Ok(loaded) => {
                        tracing::info!(entries = loaded.entries.len(), "watchlist read again after a change");
                        *current = loaded;
                    }
                    Err(error) => {
                        tracing::error!(%error, "the changed watchlist cannot be used; the previous one stays");
                    }
                }
            }
        }
        current.entries.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_built_in_and_a_changed_file_is_read_again() {
        let sample = Watchlist::open(None).unwrap();
        assert!(sample.is_sample() && sample.entries().len() == 6);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.csv");
        std::fs::write(&path, "1,\"ROSSI, Marco\",individual,X,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n").unwrap();
        let list = Watchlist::open(Some(path.clone())).unwrap();
        assert_eq!(list.entries().len(), 1);
        std::fs::write(&path, format!("{SAMPLE}2,\"VERDI, Luca\",individual,X\n")).unwrap();
        assert_eq!(list.entries().len(), 7, "read again after the change");
        std::fs::write(&path, "3,\"unclosed\n").unwrap();
        assert_eq!(list.entries().len(), 7, "a broken file leaves the previous list in force");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(list.entries().len(), 7);
        assert!(matches!(Watchlist::open(Some(path)), Err(WatchlistLoadError::Io { .. })));
    }
}
