"""Accepted upload types, recognised by their magic bytes (the file's own signature).

The name and the browser's content type are the uploader's claims; the first bytes are not.
Application documents (products) and KYC documents share this one table.
"""

FILE_SIGNATURES = {
    "pdf": b"%PDF-",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpeg": b"\xff\xd8\xff",
}


def detect_file_type(data: bytes) -> str | None:
    """'pdf', 'png' or 'jpeg' by content, or None when the bytes are none of them."""
    for file_type, magic in FILE_SIGNATURES.items():
        if data.startswith(magic):
            return file_type
    return None
