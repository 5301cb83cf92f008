"""Who may use an Isnad server, and what they may do: users, passwords, read-only, uploads.

Users file (``--auth-file`` / ``Config.auth_file`` / ``ISNAD_AUTH_FILE``): UTF-8
text, one user a line, ``#`` comments and blank lines ignored::

    # user:scrypt$N$r$p$salt(base64)$key(base64)
    amal:scrypt$16384$8$1$q0c3dj…$Wm9yZ…

Passwords are never stored: only a salted scrypt key (``hash_password``);
``isnad passwd USER`` adds or changes a user. The same lines may instead be
given in ``ISNAD_AUTH_USERS`` (separated by newlines or ``;``; quote the value
in the shell, it contains ``$``). A plaintext password in either place is
refused with a ConfigError, never accepted. With no users configured the
server runs without login, which is only allowed on 127.0.0.1 (``check_bind``).

Read-only mode (``Config.read_only``): ingest, remove and embed refuse with an
``safe_upload_name`` turns an uploaded file's
name into a plain file name that cannot leave the upload folder.
This module does no I/O beyond reading/writing the users file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import re
import secrets
import time
import unicodedata
from pathlib import Path

from assistant.config import Config
from assistant.errors import ConfigError, InputError
from assistant.store.files import atomic_write

SCHEME = "scrypt"
# scrypt cost: N=2^14, r=8, p=1 uses 16 MiB and ~50 ms per check (OWASP minimum).
SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES, SALT_BYTES = 2 ** 14, 8, 1, 32, 16
ENV_USERS = "ISNAD_AUTH_USERS"
_USER = re.compile(r"^[\w.@+-]{1,64}$")
UPLOAD_NAME_MAX = 120


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> str:
    """``scrypt$N$r$p$salt$key`` for ``password`` with a fresh random salt."""
    if not password:
        raise InputError("the password is empty")
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, n, r, p)
    return "$".join((SCHEME, str(n), str(r), str(p), _b64(salt), _b64(key)))


def verify_hash(encoded: str, password: str) -> bool:
    """True when ``password`` matches the ``scrypt$…`` string (constant-time compare)."""
    n, r, p, salt, key = _parse_hash(encoded)
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), key)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * n * r + 1_048_576, dklen=KEY_BYTES)


def _parse_hash(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise ConfigError("a password entry is not a scrypt hash (plaintext passwords are "
                          "refused); create entries with `isnad passwd USER`")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        return n, r, p, _unb64(parts[4]), _unb64(parts[5])
    except ValueError as exc:
        raise ConfigError(f"a password entry is damaged ({exc})") from exc


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


# -- users -----------------------------------------------------------------------------------
def parse_users(text: str, where: str) -> dict[str, str]:
    """user → encoded hash from users-file text; bad lines are a ConfigError naming the line."""
    users: dict[str, str] = {}
    for number, raw in enumerate(re.split(r"[\n;]", text), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, encoded = line.partition(":")
        if not sep or not _USER.match(user.strip()):
            raise ConfigError(f"{where}, entry {number}: expected 'user:scrypt$…'")
        try:
            _parse_hash(encoded.strip())
        except ConfigError as exc:
            raise ConfigError(f"{where}, entry {number} ({user.strip()}): {exc}") from exc
        users[user.strip()] = encoded.strip()
    return users


def load_users(path: Path | str | None = None) -> dict[str, str]:
    """Users from ``path`` (or ``ISNAD_AUTH_FILE``), else ``ISNAD_AUTH_USERS``; {} when none."""
    path = path or os.environ.get("ISNAD_AUTH_FILE") or None
    if path is not None:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read the users file {path}: {exc.strerror or exc}"
                              ) from exc
        return parse_users(text, str(path))
    return parse_users(os.environ.get(ENV_USERS, ""), ENV_USERS)


def check_password(users: dict[str, str], user: str, password: str) -> bool:
    """True for a known user with the right password; usable as Gradio ``auth=``."""
    encoded = users.get(user) if isinstance(user, str) else None
    if not isinstance(password, str):
        password = ""
    if encoded is None:
        # Same work for unknown users, so timing does not tell which names exist.
        verify_hash(_DUMMY, password)
        return False
    return verify_hash(encoded, password)


_DUMMY = "$".join((SCHEME, str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P),
                   _b64(b"\0" * SALT_BYTES), _b64(b"\0" * KEY_BYTES)))


def set_password(path: Path | str, user: str, password: str) -> None:
    """Add ``user`` to the users file (or change their password); the file is mode 0600."""
    if not _USER.match(user):
        raise InputError(f"user name {user!r}: use 1-64 letters, digits, . _ @ + -")
    path = Path(path)
    users = load_users(path) if path.exists() else {}
    users[user] = hash_password(password)
    lines = ["# Isnad users: user:scrypt$N$r$p$salt$key (edit with `isnad passwd USER`)"]
    lines += [f"{u}:{h}" for u, h in sorted(users.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, ("\n".join(lines) + "\n").encode("utf-8"))
    os.chmod(path, 0o600)


class Authenticator:
    """``auth(user, password) -> bool`` over a users file (re-read when it changes) or
    ``ISNAD_AUTH_USERS``: the Gradio login and the HTTP API's Basic auth both use it.

    A successful check is remembered for ``REMEMBER_S`` seconds under a keyed hash of
    (user, password), so an API client sending HTTP Basic with every request does not
    pay for scrypt each time; a changed users file forgets them all.
    """

    REMEMBER_S = 300.0

    def __init__(self, source: str | Path | None, users: dict[str, str]) -> None:
        self.source, self.users, self.mtime = source, users, _mtime(source)
        self._key = secrets.token_bytes(32)
        self._passed: dict[bytes, float] = {}

    def __call__(self, user: str, password: str) -> bool:
        mtime = _mtime(self.source)
        if mtime != self.mtime:  # `isnad passwd` ran: pick up the change
            self.users, self.mtime = load_users(self.source), mtime
            self._passed.clear()
        if not isinstance(user, str) or not isinstance(password, str):
            return check_password(self.users, "", "")
        mark = hmac.new(self._key, f"{user}\0{password}".encode("utf-8", "surrogatepass"),
                        hashlib.sha256).digest()
        now = time.monotonic()
        if self._passed.get(mark, 0.0) > now and user in self.users:
            return True
        ok = check_password(self.users, user, password)
        if ok:
            if len(self._passed) > 1000:
                self._passed.clear()
            self._passed[mark] = now + self.REMEMBER_S
        return ok


def gradio_auth(cfg: Config) -> Authenticator | None:
    """The ``auth`` callable for ``cfg`` (Gradio's ``auth=`` and the API's), or None.

    None means no users are configured: the server then runs without login.
    """
    source = cfg.auth_file or os.environ.get("ISNAD_AUTH_FILE")
    if not source and not os.environ.get(ENV_USERS, "").strip():
        return None
    users = load_users(source)
    if not users:
        raise ConfigError(f"{source or ENV_USERS} lists no users; add one with "
                          "`isnad passwd USER`")
    return Authenticator(source, users)


def _mtime(source: object) -> float | None:
    try:
        return os.stat(source).st_mtime if source else None
    except OSError:
        return None


# -- server exposure and writes ----------------------------------------------------------------
def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 / ::1 (an empty host means every interface)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(cfg: Config, allow_remote: bool = False) -> str:
    """The host to listen on: loopback always; another address only when asked for explicitly
    (``allow_remote``) and with users configured."""
    if is_loopback(cfg.host):
        return cfg.host
    if not allow_remote:
        raise ConfigError(f"refusing to listen on {cfg.host}: Isnad listens on 127.0.0.1 "
                          "unless you pass --listen-anywhere (with an auth file)")
    if gradio_auth(cfg) is None:
        raise ConfigError(f"refusing to listen on {cfg.host} without login: set --auth-file "
                          "or ISNAD_AUTH_FILE (create users with `isnad passwd USER`)")
    return cfg.host


def safe_upload_name(name: str) -> str:
    """A plain file name for an uploaded file: no folders, no '..', no control/bidi
    characters, no leading dot, at most UPLOAD_NAME_MAX characters (suffix kept)."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", str(name or "")))[-1]
    base = "".join("" if unicodedata.category(c) in ("Cc", "Cf") else c for c in base)
    base = re.sub(r'[<>:"|?*\s]+', "_", base).strip("._ ")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = re.sub(r"[^\w]", "", suffix)[:10].lower()
    stem = stem.strip("._ ")[:UPLOAD_NAME_MAX - len(suffix) - 1] or "upload"
    return f"{stem}.{suffix}" if suffix else stem
