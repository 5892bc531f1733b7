"""Request and upload size caps, checked before anything is parsed or written, and the
413 page; imports that stop reading at their row and cell limits."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.assessments.exchange import parse_import
from app.extensions import db
from app.models import ConsultantBranding, CustomerImport, Respondent
from app.spreadsheets import MAX_IMPORT_ROWS, Unreadable, xlsx_records
from tests.factories import supporting_conditions

MB = 1024 * 1024


class UnreadBody(io.RawIOBase):
    """A request body of ``size`` zero bytes, made up as it is read, that counts how many
    of them the app read."""

    def __init__(self, size: int):
        self.size, self.position, self.consumed = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        start = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = start + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        count = max(0, min(len(buffer), self.size - self.position))
        buffer[:count] = bytes(count)
        self.position += count
        self.consumed += count
        return count


def post_body(client, path: str, size: int):
    body = UnreadBody(size)
    response = client.post(path, input_stream=body, content_type="multipart/form-data; boundary=x")
    return response, body


@pytest.mark.parametrize(
    ("language", "title", "message"),
    [
        ("en", "Too large", "The file is larger than 1 MB. Nothing was saved"),
        ("fa", "بیش از حد بزرگ", "حجم فایل بیش از ۱ مگابایت است. چیزی ذخیره نشد"),
    ],
)
def test_a_50_mb_logo_is_refused_unread(client, auth, world, language, title, message):
    world.consultant_assigned.locale = language
    db.session.commit()
    auth.login(world.consultant_assigned)
    response, body = post_body(client, "/account/branding", 50 * MB)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert title in page
    assert message in page
    assert body.consumed == 0  # refused by its declared length: not parsed, not spooled
    assert db.session.scalar(select(func.count()).select_from(ConsultantBranding)) == 0


def test_a_20_mb_csv_is_refused_unread(client, auth, world, tracker):
    auth.login(world.owner)
    response, body = post_body(
        client, f"/organisations/{world.organisation.id}/tracker/import", 20 * MB
    )
    assert response.status_code == 413
    assert "The file is larger than 5 MB." in response.get_data(as_text=True)
    assert body.consumed == 0
    assert db.session.scalar(select(func.count(CustomerImport.id))) == 1  # the factory's own


def test_a_form_over_the_request_cap_is_refused_unread(client, auth, world):
    auth.login(world.admin)
    response, body = post_body(client, "/organisations/new", 2 * MB)
    assert response.status_code == 413
    assert "larger than this page accepts" in response.get_data(as_text=True)
    assert body.consumed == 0


def post_file(client, path: str, data: bytes, filename: str):
    """A form with one file, encoded in memory (the test client would spool a large one
    to a temporary file that it never closes)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename)})
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_an_upload_within_its_cap_goes_through(client, auth, world, tracker):
    auth.login(world.owner)
    data = b"name,email\n" + b"Someone,someone@example.com\n" * 100_000  # 2.8 MB
    path = f"/organisations/{world.organisation.id}/tracker/import"
    response = post_file(client, path, data, "customers.csv")
    assert response.status_code == 200
    assert "The file has more than 5000 rows." in response.get_data(as_text=True)


def workbook_with_sheet(rows_xml: str) -> bytes:
    """An .xlsx file whose first sheet's rows are ``rows_xml`` (written directly: openpyxl
    would take minutes to write hundreds of thousands of rows)."""
    buffer = io.BytesIO()
    Workbook().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb"<sheetData\s*/>|<sheetData>.*</sheetData>",
                    f"<sheetData>{rows_xml}</sheetData>".encode(),
                    data,
                    flags=re.S,
                )
            target.writestr(item, data)
    return output.getvalue()


def row(*cells: str) -> str:
    return "<row>" + "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in cells) + "</row>"


def test_a_600k_row_workbook_is_refused_at_the_limit(client, auth, world, assessments):
    answers = row("Sam", "manager", "4") * 600_000
    data = workbook_with_sheet(row("name", "group", "supporting-conditions:lead-goals") + answers)
    assert len(data) < 5 * MB  # within the upload cap: the row limit refuses it
    auth.login(world.consultant_assigned)
    response = post_file(client, f"/assessments/{assessments.open.id}/import", data, "a.xlsx")
    page = response.get_data(as_text=True)
    assert "The file has more than 5000 rows." in page
    assert "Nothing was imported" in page
    assert db.session.scalar(select(func.count(Respondent.id))) == 1  # the factory's own


def test_a_workbook_is_read_only_up_to_the_limit(english):
    """Rows past the limit are never parsed: here they are not even valid XML."""
    rows = row("name", "group") + row("Sam", "manager") * (MAX_IMPORT_ROWS + 1)
    data = workbook_with_sheet(rows + "<row><c t='inlineStr'><is><t>broken")
    with pytest.raises(Unreadable) as refused:
        xlsx_records(data)
    assert str(refused.value.args[0]) == "The file has more than 5000 rows."


def test_blank_rows_count_towards_a_limit_of_their_own(english):
    data = workbook_with_sheet(
        row("name", "group") + '<row r="1000000"><c t="inlineStr"><is><t>Sam</t></is></c></row>'
    )
    with pytest.raises(Unreadable, match="too large to import"):
        xlsx_records(data)


def test_a_workbook_that_understates_its_size_is_read_whole(english):
    """Its <dimension> says A1:A1; every row that is there is read all the same."""
    definitions = [supporting_conditions().definition]
    rows = row("name", "group", "supporting-conditions:lead-goals") + row("Sam", "manager", "4") * 3
    data = workbook_with_sheet(rows)
    assert b'<dimension ref="A1:A1"' in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml"
    )
    imported = parse_import(data, "answers.xlsx", definitions, ["manager"])
    assert [(r.name, len(r.answers)) for r in imported.rows] == [("Sam", 1)] * 3
