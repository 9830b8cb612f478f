"""Unpack a bulk photo upload (a .zip or plain files) into named files, within limits, without decoding.

A zip from outside is untrusted: the entry count, each entry's size, the total unpacked and each
entry's compression ratio are bounded, and every entry is read with a bounded read whatever its
header claims, so a zip bomb stops at the limit. Folders inside the zip are ignored (only the
file's own name counts); a name that climbs out (`../`, an absolute path, a drive letter), a zip
inside the zip and an entry over a limit are reported and skipped. Whether a file is a photo is
for the photo pipeline (app/files/images.py) to say.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from app.files.images import MAX_IMAGE_BYTES

MAX_ENTRIES = 300  # files in one upload, zips' entries included
MAX_TOTAL_BYTES = 400 * 1024 * 1024  # unpacked, in all
MAX_RATIO = 100  # unpacked ÷ packed size of one entry; photos hardly compress at all
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_DRIVE = re.compile(r"^[A-Za-z]:")
_SYSTEM = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True, slots=True)
class BundleFile:
    """A file of the upload: its own name (no folders) and bytes, or why it was skipped."""

    name: str
    data: bytes = b""
    skipped: str | None = None


class _Budget:
    """What is left of the upload's limits as files are unpacked."""

    def __init__(self) -> None:
        self.entries = 0
        self.bytes = 0

    def take(self, size: int) -> str | None:
        """Count one file of `size` bytes; why it cannot be taken, or None."""
        self.entries += 1
        if self.entries > MAX_ENTRIES:
            return f"quá {MAX_ENTRIES} tệp trong một lần tải: bỏ qua"
        if self.bytes + size > MAX_TOTAL_BYTES:
            return f"tổng dung lượng giải nén vượt {MAX_TOTAL_BYTES // 2**20} MB: bỏ qua"
        self.bytes += size
        return None


def own_name(path: str) -> str:
    """The last part of a path in a zip or a browser's file name: folders ignored."""
    return re.split(r"[\\/]", path)[-1].strip()


def _climbs_out(path: str) -> bool:
    """True for a name that would leave the folder it is unpacked into."""
    parts = re.split(r"[\\/]", path)
    return path.startswith(("/", "\\")) or bool(_DRIVE.match(path)) or ".." in parts


def is_zip(name: str, head: bytes) -> bool:
    """True for a zip archive, by name or by its first bytes."""
    return name.lower().endswith(".zip") or head[:4] in ZIP_MAGIC


def _entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> BundleFile | None:
    """One zip entry read within the limits, or why it is skipped; None for folders and system files."""
    name = own_name(info.filename)
    if info.is_dir() or not name or any(marker in info.filename for marker in _SYSTEM):
        return None
    if _climbs_out(info.filename):
        return BundleFile(name=info.filename[:120], skipped="tên tệp chứa đường dẫn ra ngoài thư mục: bỏ qua")
    if info.file_size > MAX_IMAGE_BYTES:
        return BundleFile(name=name, skipped=f"lớn hơn {MAX_IMAGE_BYTES // 2**20} MB: bỏ qua")
    if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1024 * 1024:
        return BundleFile(name=name, skipped="tỷ lệ nén bất thường (nghi là tệp nén độc hại): bỏ qua")
    if problem := budget.take(info.file_size):
        return BundleFile(name=name, skipped=problem)
    try:
        with archive.open(info) as stream:
            data = stream.read(MAX_IMAGE_BYTES + 1)  # never more, whatever the header claims
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError):
        return BundleFile(name=name, skipped="không giải nén được (hỏng hoặc có mật khẩu): bỏ qua")
    if len(data) > MAX_IMAGE_BYTES or len(data) != info.file_size:
        return BundleFile(name=name, skipped="kích thước thật khác khai báo trong tệp nén: bỏ qua")
    if is_zip(name, data):
        return BundleFile(name=name, skipped="tệp nén nằm trong tệp nén: bỏ qua")
    return BundleFile(name=name, data=data)


def _unzip(name: str, stream: BinaryIO, budget: _Budget) -> Iterator[BundleFile]:
    """The photos inside one uploaded zip, each read within the limits."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, EOFError):
        yield BundleFile(name=name, skipped="không đọc được tệp nén .zip: bỏ qua")
        return
    with archive:
        infos = archive.infolist()
        if len(infos) > 4 * MAX_ENTRIES:
            problem = f"tệp nén có quá nhiều mục (tối đa {MAX_ENTRIES} ảnh): bỏ qua"
            yield BundleFile(name=name, skipped=problem)
            return
        for info in infos:
            if (found := _entry(archive, info, budget)) is not None:
                yield found


def unpack(files: list[tuple[str, BinaryIO, int]]) -> Iterator[BundleFile]:
    """Every file of the upload, zips opened, one at a time: (name, file, size) in, bytes or skips out."""
    budget = _Budget()
    for name, stream, size in files:
        head = stream.read(4)
        stream.seek(0)
        if is_zip(name, head):
            yield from _unzip(name, stream, budget)
        elif size > MAX_IMAGE_BYTES:
            yield BundleFile(name=name, skipped=f"lớn hơn {MAX_IMAGE_BYTES // 2**20} MB: bỏ qua")
        elif problem := budget.take(size):
            yield BundleFile(name=name, skipped=problem)
        else:
            yield BundleFile(name=name, data=stream.read(MAX_IMAGE_BYTES + 1))
