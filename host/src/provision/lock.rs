//! `tfguard.tfstate.lock`: one writer per state. An OS advisory lock (`flock` via
//! `File::try_lock`) rather than "the file exists": the kernel releases it when the holder
//! exits, even by `kill -9`, so a crash never leaves a stale lock for a human to delete. The
//! file stays in place (deleting it would let two processes lock two different inodes); it
//! holds the holder's pid and start time for the refusal message.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub struct Lock {
    _file: File,
    pub path: PathBuf,
}

pub fn lock_path(state: &Path) -> PathBuf {
    let mut p = state.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

/// Take the lock for `state`, or refuse at once naming the holder.
pub fn acquire(state: &Path, command: &str) -> Result<Lock> {
    let path = lock_path(state);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(Error::Other(format!(
                "{} is locked by another tfguard run ({}): two runs at once on one state are refused; wait for it to finish",
                state.display(),
                if holder.is_empty() {
                    "unknown holder"
                } else {
                    holder
                }
            )));
        }
        Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
    }
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = writeln!(
        file,
        "tfguard {command}, pid {}, since unix time {since}",
        std::process::id()
    );
    let _ = file.flush();
    Ok(Lock { _file: file, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("tfguard.tfstate");
        let a = acquire(&state, "apply").unwrap();
        let e = acquire(&state, "apply").err().unwrap().to_string();
        assert!(e.contains("locked by another tfguard run"), "{e}");
        assert!(e.contains(&format!("pid {}", std::process::id())), "{e}");
        drop(a);
        assert!(acquire(&state, "apply").is_ok());
    }
}
