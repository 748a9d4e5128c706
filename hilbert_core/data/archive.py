"""Unpacking a zip of a corpus folder safely: absolute paths, ``..`` (zip-slip), links, too many files
and size bombs are refused, and a refused zip leaves nothing behind."""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class ZipLimits:
    """Limits on an uploaded zip (defaults suit a corpus of a few hundred interviews).

    Attributes:
        max_files: most entries.
        max_total_bytes: most bytes once unpacked.
        max_ratio: highest unpacked/packed ratio of one entry (a zip bomb compresses far better).
    """

    max_files: int = 20_000
    max_total_bytes: int = 20 * 1024**3
    max_ratio: float = 200.0


def _check_entry(info: zipfile.ZipInfo, limits: ZipLimits) -> PurePosixPath | None:
    """The entry's safe relative path (None for a folder entry), or a ValueError naming it."""
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        raise ValueError(f"the zip entry {info.filename!r} points outside the folder; zip the folder again.")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ValueError(f"the zip entry {info.filename!r} is a link; zip the real files instead.")
    if info.is_dir():
        return None
    if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
        raise ValueError(
            f"the zip entry {info.filename!r} unpacks {info.file_size / info.compress_size:.0f} times "
            "larger than it is packed (a zip bomb?); zip the corpus again without it."
        )
    return PurePosixPath(*[p for p in parts if p not in ("", ".")])


def extract_zip(zip_path: Path, dest: Path, limits: ZipLimits | None = None) -> Path:
    """Unpack ``zip_path`` into the new folder ``dest`` (its parent must exist); returns the folder that
    holds ``documents.csv`` (``dest`` itself or its single top folder).

    Raises:
        ValueError: not a zip, an unsafe or oversized entry, or no documents.csv; ``dest`` is removed.
    """
    limits = limits or ZipLimits()
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError):
        raise ValueError(f"{zip_path.name} is not a readable zip file; zip the corpus again.") from None
    dest.mkdir()
    try:
        with archive:
            _unpack(archive, dest, limits)
        return _corpus_root(dest)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise


def _unpack(archive: zipfile.ZipFile, dest: Path, limits: ZipLimits) -> None:
    entries = archive.infolist()
    if len(entries) > limits.max_files:
        raise ValueError(f"the zip holds {len(entries)} entries (at most {limits.max_files}); split it.")
    total = 0
    for info in entries:
        rel = _check_entry(info, limits)
        if rel is None or rel.parts and rel.parts[0] == "__MACOSX":
            continue
        total += info.file_size
        if total > limits.max_total_bytes:
            raise ValueError(
                f"the zip unpacks to more than {limits.max_total_bytes / 1e9:.0f} GB; import the folder by "
                "path instead."
            )
        target = dest.joinpath(*rel.parts)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, open(target, "wb") as out:
                written = _copy_limited(src, out, info.file_size)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            written = -1  # damaged, encrypted or an unsupported compression
        except OSError as exc:  # a file and a folder of the same name, a name too long for the disk, ...
            reason = exc.strerror or str(exc)
            raise ValueError(
                f"the zip entry {info.filename!r} cannot be written ({reason}); zip the corpus again."
            ) from None
        if written != info.file_size:
            raise ValueError(
                f"the zip entry {info.filename!r} cannot be read (damaged, encrypted or an unusual "
                "compression); zip the corpus again without a password."
            )


def _copy_limited(src, out, expected: int, chunk: int = 1 << 20) -> int:
    """Copy at most ``expected`` + 1 bytes (a lying header cannot make us write more)."""
    written = 0
    while written <= expected:
        block = src.read(min(chunk, expected + 1 - written))
        if not block:
            break
        out.write(block)
        written += len(block)
    return written


def _corpus_root(dest: Path) -> Path:
    if (dest / "documents.csv").is_file():
        return dest
    children = [p for p in dest.iterdir() if p.is_dir() and not p.name.startswith((".", "__MACOSX"))]
    if len(children) == 1 and (children[0] / "documents.csv").is_file():
        return children[0]
    raise ValueError(
        "the zip has no documents.csv at its top or in its single top folder; zip the corpus folder itself."
    )
