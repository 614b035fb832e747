//! Files only this user can touch, safe in a directory others can write to: never opened
//! through a symbolic link, new files created exclusively under unpredictable names, and
//! every file checked to be a regular file of this user that nobody else can read or write.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};
use crate::oauth::store::StoreError;

/// The largest token file read; tokens take a few hundred bytes.
pub(crate) const MAX_FILE_BYTES: usize = 64 * 1024;

/// Opens the file at `path` for reading, checked; `None` when there is none.
pub(crate) fn open_existing(path: &Path) -> Result<Option<File>, StoreError> {
    let mut options = OpenOptions::new();
    options.read(true);
    match open_checked(&mut options, path) {
        Ok(file) => Ok(Some(file)),
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(failure) => Err(failure.into_store_error(path)),
    }
}

/// Opens (creating it if need be) the lock file at `path`, checked.
pub(crate) fn open_lock(path: &Path) -> Result<File, StoreError> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(false);
    open_checked(&mut options, path).map_err(|failure| failure.into_store_error(path))
}

/// The whole content of `file`, refused when longer than [`MAX_FILE_BYTES`].
pub(crate) fn read_capped(file: File, path: &Path) -> Result<Vec<u8>, StoreError> {
    let mut content = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut content)?;
    if content.len() > MAX_FILE_BYTES {
        return Err(refusal(
            path,
            &format!("is larger than {MAX_FILE_BYTES} bytes"),
        ));
    }
    Ok(content)
}

/// Replaces the file at `path` with `content`: written to a new file of a random name
/// beside it (created exclusively, mode 0600), synced, then renamed over `path`.
pub(crate) fn replace(path: &Path, content: &[u8]) -> Result<(), StoreError> {
    let temporary = sibling(path, &format!("tmp.{}", random_suffix()?));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    let mut file =
        open_checked(&mut options, &temporary).map_err(|f| f.into_store_error(&temporary))?;
    let written = file
        .write_all(content)
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&temporary, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&temporary);
        return Err(e.into());
    }
    // The rename is durable only once the directory is: a crash must not bring back the
    // file with a refresh token already spent.
    #[cfg(unix)]
    if let Some(directory) = path.parent() {
        let directory = if directory.as_os_str().is_empty() {
            Path::new(".")
        } else {
            directory
        };
        File::open(directory)?.sync_all()?;
    }
    Ok(())
}

/// `path` with `.suffix` appended to its file name.
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{suffix}"));
    PathBuf::from(name)
}

/// 16 random hexadecimal digits.
fn random_suffix() -> Result<String, StoreError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("no randomness for a temporary file name: {e}"),
        )
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Why a file could not be opened: the system's error, or a check it failed.
enum Failure {
    Io(io::Error),
    Refused(String),
}

impl Failure {
    fn into_store_error(self, path: &Path) -> StoreError {
        match self {
            Failure::Io(e) if is_symlink_error(&e) => refusal(
                path,
                "is a symbolic link; the SDK does not follow links to or from its token files",
            ),
            Failure::Io(e) => e.into(),
            Failure::Refused(why) => refusal(path, &why),
        }
    }
}

fn refusal(path: &Path, why: &str) -> StoreError {
    Box::new(Error::new(
        ErrorKind::Internal,
        format!("token store file {} {why}", path.display()),
    ))
}

/// Opens with `options`, never through a symbolic link (mode 0600 for a file created),
/// then checks what was opened. Non-blocking, so that a FIFO planted at the path cannot
/// hold the open forever (it is then refused as not a regular file); reads and writes of
/// regular files are not affected by the flag.
fn open_checked(options: &mut OpenOptions, path: &Path) -> Result<File, Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK);
    }
    check_directory(path).map_err(Failure::Refused)?;
    let file = options.open(path).map_err(Failure::Io)?;
    check(&file).map_err(Failure::Refused)?;
    Ok(file)
}

/// The directory of `path` must not let other users replace or remove its files: not
/// writable by everyone unless sticky (as `/tmp` is), where only a file's owner may.
#[cfg(unix)]
fn check_directory(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Ok(metadata) = fs::metadata(directory) else {
        // Opening the file reports a missing directory.
        return Ok(());
    };
    let mode = metadata.permissions().mode();
    if mode & 0o002 != 0 && mode & 0o1000 == 0 {
        return Err(format!(
            "is in {}, a directory everyone may write to without the sticky bit: anyone could replace the token files",
            directory.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_directory(_: &Path) -> Result<(), String> {
    Ok(())
}

/// A regular file, owned by this process's user, that no one else may read or write.
#[cfg(unix)]
fn check(file: &File) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let metadata = file
        .metadata()
        .map_err(|e| format!("cannot be examined: {e}"))?;
    if !metadata.file_type().is_file() {
        return Err("is not a regular file".to_owned());
    }
    let user = effective_user();
    if metadata.uid() != user {
        return Err(format!(
            "belongs to user {}, not to this process's user {user}",
            metadata.uid()
        ));
    }
    let mode = metadata.mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "has mode {mode:o}: other users may read or write it (chmod 600 it if it is yours)"
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check(file: &File) -> Result<(), String> {
    match file.metadata() {
        Ok(metadata) if metadata.file_type().is_file() => Ok(()),
        Ok(_) => Err("is not a regular file".to_owned()),
        Err(e) => Err(format!("cannot be examined: {e}")),
    }
}

#[cfg(unix)]
#[allow(unsafe_code)]
fn effective_user() -> u32 {
    // SAFETY: geteuid takes no arguments, touches no memory and cannot fail.
    unsafe { libc::geteuid() }
}

/// Whether opening failed because the last component is a symbolic link (`O_NOFOLLOW`).
fn is_symlink_error(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        error.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}
