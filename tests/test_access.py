"""Access control: hashed users file, passwords, Gradio auth, bind address, read-only mode."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.config import Config
from assistant.errors import ConfigError, InputError
from assistant.store.folder import FolderStore
from assistant.ui.access import (
    check_bind,
    check_password,
    gradio_auth,
    hash_password,
    load_users,
    set_password,
    verify_hash,
)

ROOT = Path(__file__).resolve().parents[1]
FAST = {"n": 2 ** 10}  # cheap scrypt cost for tests of the format, not of the strength


def test_hash_round_trip_and_salt() -> None:
    one, two = hash_password("s3cret pass", **FAST), hash_password("s3cret pass", **FAST)
    assert one != two  # a fresh salt every time
    assert verify_hash(one, "s3cret pass") and verify_hash(two, "s3cret pass")
    assert not verify_hash(one, "s3cret pas") and not verify_hash(one, "")
    assert "s3cret" not in one and one.startswith("scrypt$1024$8$1$")


def test_users_file_has_no_plaintext_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "users"
    set_password(path, "amal", "correct horse")
    set_password(path, "sami", "battery staple")
    set_password(path, "amal", "new password")  # a change replaces the entry
    text = path.read_text(encoding="utf-8")
    for secret in ("correct horse", "battery staple", "new password"):
        assert secret not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    users = load_users(path)
    assert sorted(users) == ["amal", "sami"]
    assert check_password(users, "amal", "new password")
    assert not check_password(users, "amal", "correct horse")
    assert check_password(users, "sami", "battery staple")


def test_wrong_password_and_unknown_user(tmp_path: Path) -> None:
    users = {"amal": hash_password("pw-amal", **FAST)}
    assert not check_password(users, "amal", "pw-sami")
    assert not check_password(users, "nobody", "pw-amal")
    assert not check_password(users, "amal", None)  # type: ignore[arg-type]


def test_plaintext_entries_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "users"
    path.write_text("# users\namal:hunter2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="plaintext passwords are refused"):
        load_users(path)
    path.write_text("no colon here\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="entry 1"):
        load_users(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_users(tmp_path / "missing")


def test_users_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ISNAD_AUTH_FILE", raising=False)
    entries = [f"amal:{hash_password('a-pw', **FAST)}", f"sami:{hash_password('s-pw', **FAST)}"]
    monkeypatch.setenv("ISNAD_AUTH_USERS", ";".join(entries))
    users = load_users(None)
    assert check_password(users, "sami", "s-pw") and not check_password(users, "sami", "a-pw")
    auth = gradio_auth(Config())
    assert auth is not None and auth("amal", "a-pw") and not auth("amal", "s-pw")


def test_gradio_auth_follows_the_users_file(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ISNAD_AUTH_FILE", raising=False)
    monkeypatch.delenv("ISNAD_AUTH_USERS", raising=False)
    assert gradio_auth(Config()) is None  # no users: no login (loopback only)
    path = tmp_path / "users"
    set_password(path, "amal", "first")
    auth = gradio_auth(Config(auth_file=path))
    assert auth is not None and auth("amal", "first") and not auth("sami", "x")
    set_password(path, "sami", "second")
    os.utime(path, (1, 1))  # a distinct mtime even within the same clock tick
    assert auth("sami", "second")
    monkeypatch.setenv("ISNAD_AUTH_FILE", str(path))
    assert Config.from_env().auth_file == path and gradio_auth(Config.from_env())("amal", "first")


def test_bind_is_loopback_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ISNAD_AUTH_FILE", raising=False)
    monkeypatch.delenv("ISNAD_AUTH_USERS", raising=False)
    assert Config().host == "127.0.0.1" and check_bind(Config()) == "127.0.0.1"
    assert check_bind(Config(host="::1")) == "::1"
    with pytest.raises(ConfigError, match="--listen-anywhere"):
        check_bind(Config(host="0.0.0.0"))
    with pytest.raises(ConfigError, match="without login"):
        check_bind(Config(host="0.0.0.0"), allow_remote=True)
    path = tmp_path / "users"
    set_password(path, "amal", "pw")
    assert check_bind(Config(host="0.0.0.0", auth_file=path), allow_remote=True) == "0.0.0.0"


def test_read_only_refuses_writes_but_answers(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "r.txt").write_text("Report\n\nShelling hit Saraqib market.\n", encoding="utf-8")
    store = FolderStore(tmp_path / "idx", "none", 8)
    Assistant(Config(index_dir=store.dir), store, None).ingest([corpus], embed=False)
    before = store.counts()
    ro = Assistant(Config(index_dir=store.dir, read_only=True), store, None)
    with pytest.raises(InputError, match="read-only"):
        ro.cfg.ensure_writable()
    with pytest.raises(InputError, match="read-only"):
        ro.ingest([corpus], embed=False)
    with pytest.raises(InputError, match="read-only"):
        ro.remove("r.txt")
    assert store.counts() == before
    assert ro.search("Saraqib market", mode="lexical")[0].path == "r.txt"
    Config().ensure_writable()  # the default is writable


def test_isnad_passwd_command(tmp_path: Path) -> None:
    path = tmp_path / "users"
    cmd = [sys.executable, "-m", "assistant.cli", "passwd", "amal", "--auth-file", str(path),
           "--password-stdin"]
    out = subprocess.run(cmd, cwd=ROOT, input="from stdin\n", capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "from stdin" not in path.read_text(encoding="utf-8")
    assert check_password(load_users(path), "amal", "from stdin")
