//! The file token store in a directory others can write to: no link is followed, no file
//! another user planted is used, and the token file is private however it was prepared.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use pleo_installations::Secret;
use pleo_installations::oauth::{FileTokenStore, OAuthTokens, TokenStore};

fn tokens(refresh: &str) -> OAuthTokens {
    OAuthTokens {
        access_token: Secret::new(format!("at-{refresh}")),
        refresh_token: Secret::new(refresh),
        expires_at: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000)),
    }
}

/// A fresh directory writable by everyone, sticky like /tmp.
fn shared_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pleo-files-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o1777)).unwrap();
    dir
}

fn mode(path: &std::path::Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn links_planted_at_every_name_the_store_uses_are_never_followed() {
    let dir = shared_dir("links");
    let path = dir.join("tokens.json");
    let victim = dir.join("victim");
    fs::write(&victim, "precious").unwrap();
    // The names an attacker could predict: the lock, and temporary names by process id.
    symlink(&victim, dir.join("tokens.json.lock")).unwrap();
    for pid in [std::process::id(), 1, 2] {
        symlink(&victim, dir.join(format!("tokens.json.tmp.{pid}"))).unwrap();
    }
    let store = FileTokenStore::new(&path);
    let err = store.save(&tokens("r1")).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    fs::remove_file(dir.join("tokens.json.lock")).unwrap();
    store.save(&tokens("r1")).unwrap();
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(mode(&path), 0o600);
    assert!(
        !fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // A link put in place of the token file is refused, not read through.
    fs::remove_file(&path).unwrap();
    symlink(&victim, &path).unwrap();
    let err = store.load().unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    let err = store
        .compare_and_swap(&Secret::new("r1"), &tokens("r2"))
        .unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_token_file_others_may_read_is_refused_and_writes_stay_private() {
    let dir = shared_dir("modes");
    let path = dir.join("tokens.json");
    let store = FileTokenStore::new(&path);
    store.save(&tokens("r1")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
    let err = store.load().unwrap_err();
    assert!(err.to_string().contains("mode 666"), "{err}");
    assert!(!err.to_string().contains("at-r1"), "{err}");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(store.load().unwrap(), Some(tokens("r1")));

    // Whatever the umask and whatever lies around, a write leaves a private file.
    fs::write(dir.join("tokens.json.tmp"), "planted").unwrap();
    fs::set_permissions(
        dir.join("tokens.json.tmp"),
        fs::Permissions::from_mode(0o666),
    )
    .unwrap();
    assert!(
        store
            .compare_and_swap(&Secret::new("r1"), &tokens("r2"))
            .unwrap()
    );
    assert_eq!(mode(&path), 0o600);
    let leftovers: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("tokens.json.tmp."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A lock file others may write, or a directory in its place, is refused too.
    let lock = dir.join("tokens.json.lock");
    fs::set_permissions(&lock, fs::Permissions::from_mode(0o666)).unwrap();
    let err = store.lock(Duration::from_millis(10)).err().unwrap();
    assert!(err.to_string().contains("mode 666"), "{err}");
    fs::remove_file(&lock).unwrap();
    fs::create_dir(&lock).unwrap();
    assert!(store.lock(Duration::from_millis(10)).is_err());
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn files_of_another_user_are_refused() {
    let dir = shared_dir("owner");
    let path = dir.join("tokens.json");
    let store = FileTokenStore::new(&path);
    store.save(&tokens("r1")).unwrap();
    let me = fs::metadata(&path).unwrap().uid();
    if me != 0 {
        // Only root can give a file away; the mode and link checks above still ran.
        eprintln!("files_of_another_user_are_refused: not root, ownership check not exercised");
        fs::remove_dir_all(&dir).unwrap();
        return;
    }
    std::os::unix::fs::chown(&path, Some(65534), None).unwrap();
    let err = store.load().unwrap_err();
    assert!(err.to_string().contains("belongs to user 65534"), "{err}");
    let lock = dir.join("tokens.json.lock");
    std::os::unix::fs::chown(&lock, Some(65534), None).unwrap();
    let err = store.lock(Duration::from_millis(10)).err().unwrap();
    assert!(err.to_string().contains("belongs to user 65534"), "{err}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_huge_token_file_is_not_read_whole() {
    let dir = shared_dir("huge");
    let path = dir.join("tokens.json");
    fs::write(&path, " ".repeat(10 << 20)).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let err = FileTokenStore::new(&path).load().unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_refused_token_file_fails_the_client_naming_it_once_without_nested_kinds() {
    use pleo_installations::oauth::OAuthCredentials;
    use pleo_installations::{Client, ErrorKind};
    use std::sync::Arc;

    let dir = shared_dir("client");
    let path = dir.join("tokens.json");
    let store = FileTokenStore::new(&path);
    store.save(&tokens("r1")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let err = Client::builder()
        .base_url("http://127.0.0.1:9")
        .oauth(OAuthCredentials {
            client_id: "c".into(),
            client_secret: Secret::new("s"),
            tokens: tokens("r0"),
            token_url: None,
        })
        .token_store(Arc::new(store))
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(err.message().contains("has mode 644"), "{err}");
    assert!(!err.message().contains("internal:"), "{err}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_token_file_that_is_not_tokens_is_named_without_nested_kinds() {
    let dir = shared_dir("content");
    let path = dir.join("tokens.json");
    fs::write(&path, r#"{"access_token": 1}"#).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let err = FileTokenStore::new(&path).load().unwrap_err();
    let text = err.to_string();
    assert!(text.contains("is not valid"), "{text}");
    assert!(!text.contains("invalid_argument:"), "{text}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_fifo_planted_at_the_token_or_lock_path_is_refused_at_once() {
    let dir = shared_dir("fifo");
    let path = dir.join("tokens.json");
    let lock = dir.join("tokens.json.lock");
    for fifo in [&path, &lock] {
        let status = std::process::Command::new("mkfifo")
            .arg(fifo)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let store = FileTokenStore::new(&path);
    let started = std::time::Instant::now();
    let err = store.load().unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    assert!(store.lock(Duration::from_millis(100)).is_err());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_directory_everyone_may_write_without_the_sticky_bit_is_refused() {
    let dir = shared_dir("open-dir");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
    let store = FileTokenStore::new(dir.join("tokens.json"));
    let err = store.save(&tokens("r1")).unwrap_err();
    assert!(err.to_string().contains("sticky bit"), "{err}");
    let err = store.load().unwrap_err();
    assert!(err.to_string().contains("sticky bit"), "{err}");
    assert!(
        fs::read_dir(&dir).unwrap().next().is_none(),
        "nothing was written"
    );
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o1777)).unwrap();
    store.save(&tokens("r1")).unwrap();
    fs::remove_dir_all(&dir).unwrap();
}
