"""Document intake: the content must be the declared type, within the size limit."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from compliance.kyc import services as kyc
from tests.kyc.kyc_support import PDF, PNG, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(officer):
    return kyc.case_open(actor=officer, party=person("Sophie Martin"), run_checks=False)


def test_pdf_is_stored_with_its_hash(case, officer):
    doc = kyc.document_add(actor=officer, case=case, doc_type="passport", file_type="pdf", data=PDF, name="p.pdf")
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest()
    assert doc.size == len(PDF)
    assert doc.file.read() == PDF


@pytest.mark.parametrize(
    "declared,data",
    [("pdf", PNG), ("png", PDF), ("jpeg", PDF), ("pdf", b"MZ\x90\x00 not a pdf"), ("png", b"<html>")],
)
def test_wrong_magic_bytes_are_refused(case, officer, declared, data):
    with pytest.raises(ValidationError) as exc:
        kyc.document_add(actor=officer, case=case, doc_type="passport", file_type=declared, data=data, name="x")
    assert "does not match the declared type" in exc.value.message_dict["file"][0]


def test_jpeg_magic_is_accepted(case, officer):
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 8
    assert kyc.document_add(actor=officer, case=case, doc_type="passport", file_type="jpeg", data=jpeg, name="j")


def test_oversize_is_refused(case, officer, settings):
    settings.ATTEST_KYC_DOCUMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="limit is 100"):
        kyc.document_add(
            actor=officer, case=case, doc_type="passport", file_type="pdf", data=PDF + b"0" * 100, name="big"
        )


def test_empty_and_duplicate_are_refused(case, officer):
    with pytest.raises(ValidationError, match="empty"):
        kyc.document_add(actor=officer, case=case, doc_type="passport", file_type="pdf", data=b"", name="e")
    kyc.document_add(actor=officer, case=case, doc_type="passport", file_type="pdf", data=PDF, name="a")
    with pytest.raises(ValidationError, match="already attached"):
        kyc.document_add(actor=officer, case=case, doc_type="passport", file_type="pdf", data=PDF, name="b")


def test_upload_through_the_case_page(client, case, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer)
    url = f"/kyc/cases/{case.pk}/upload/"
    client.post(url, {"doc_type": "passport", "file_type": "pdf", "file": SimpleUploadedFile("a.pdf", PNG)})
    assert case.documents.count() == 0
    client.post(url, {"doc_type": "passport", "file_type": "png", "file": SimpleUploadedFile("a.png", PNG)})
    assert case.documents.count() == 1
