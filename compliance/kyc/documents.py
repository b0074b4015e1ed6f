"""Document intake checks: the bytes must be what the upload declares, and not too large.

File types are recognised by their magic bytes (the file's own signature), never by the name
or the browser's content type, which the uploader controls.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError

from compliance.kyc.models import DocumentType, PartyKind
from products.file_signatures import FileType, detect_file_type

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# Required evidence per party kind: each inner tuple is satisfied by any one of its types.
REQUIRED_DOCUMENTS = {
    PartyKind.PERSON: ((DocumentType.PASSPORT, DocumentType.NATIONAL_ID), (DocumentType.PROOF_OF_ADDRESS,)),
    PartyKind.ENTITY: (
        (DocumentType.CERTIFICATE_OF_INCORPORATION, DocumentType.REGISTER_EXTRACT),
        (DocumentType.OWNERSHIP_CHART,),
    ),
}


def max_bytes() -> int:
    return int(getattr(settings, "ATTEST_KYC_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def validate_document(*, data: bytes, file_type: str) -> str:
    """Check the declared type against the content and the size limit; return the SHA-256."""
    if file_type not in FileType.values:
        raise ValidationError({"file_type": [f"Accepted types: {', '.join(FileType.values)}."]})
    limit = max_bytes()
    if not data:
        raise ValidationError({"file": ["The file is empty."]})
    if len(data) > limit:
        raise ValidationError({"file": [f"The file is {len(data)} bytes; the limit is {limit}."]})
    actual = detect_file_type(data)
    if actual != file_type:
        found = FileType(actual).label if actual else "not a PDF, PNG or JPEG file"
        raise ValidationError({"file": [f"The content does not match the declared type {file_type}: {found}."]})
    return hashlib.sha256(data).hexdigest()


def missing_documents(kind: str, present: set[str]) -> list[str]:
    """Labels of the required document groups not yet on the case."""
    missing = []
    for group in REQUIRED_DOCUMENTS[kind]:
        if not present.intersection(group):
            missing.append(" or ".join(DocumentType(t).label for t in group))
    return missing
