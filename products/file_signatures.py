"""Accepted upload types, recognised by their magic bytes (the file's own signature).

The name and the browser's content type are the uploader's claims; the first bytes are not.
Application documents (products) and KYC documents share these types and this one table.
"""

from django.db import models


class FileType(models.TextChoices):
    PDF = "pdf", "PDF"
    PNG = "png", "PNG image"
    JPEG = "jpeg", "JPEG image"


FILE_SIGNATURES = {
    FileType.PDF: b"%PDF-",
    FileType.PNG: b"\x89PNG\r\n\x1a\n",
    FileType.JPEG: b"\xff\xd8\xff",
}


def detect_file_type(data: bytes) -> str | None:
    """'pdf', 'png' or 'jpeg' by content, or None when the bytes are none of them."""
    for file_type, magic in FILE_SIGNATURES.items():
        if data.startswith(magic):
            return file_type.value
    return None
