"""Reading a file's bytes whatever text encoding the council's system wrote them in."""

from __future__ import annotations


def to_utf8(name: str, data: bytes) -> tuple[bytes, str | None]:
    """-> UTF-8 bytes, and a note when the file was not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16").encode("utf-8"), f"{name}: read as UTF-16"
    try:
        data.decode("utf-8")
        return data, None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        encoding = "cp1252 (Windows)"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        encoding = "latin-1"
    return text.encode("utf-8"), f"{name}: not UTF-8, read as {encoding}"
