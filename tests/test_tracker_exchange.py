"""Customers in and out of the tracker as CSV: upload, column mapping, preview, the
all-or-nothing commit with its report, and the export of exactly the filtered list."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer, CustomerImport, StageChange
from app.tracker import queries
from tests import factories

pytestmark = pytest.mark.usefixtures("app")


def base(world) -> str:
    return f"/organisations/{world.organisation.id}/tracker"


def upload(client, world, text: str, name: str = "customers.csv", bom: bool = True):
    data = ("\ufeff" if bom else "") + text
    return client.post(
        f"{base(world)}/import",
        data={"file": (io.BytesIO(data.encode("utf-8")), name)},
        content_type="multipart/form-data",
    )


def selected(page: str, field: str) -> str:
    """The value chosen in the mapping page's select for ``field``."""
    select_html = re.search(rf'<select[^>]*name="{field}".*?</select>', page, re.S).group(0)
    match = re.search(
        r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select_html
    )
    return next(group for group in match.groups() if group is not None) if match else ""


def customer_count(world) -> int:
    return db.session.scalar(
        select(func.count(Customer.id)).where(Customer.organisation_id == world.organisation.id)
    )


PERSIAN_FILE = (
    "نام,ایمیل,تلفن همراه,مرحله,منبع جذب,بخش\n"
    "فرهاد امینی,farhad@example.com,۰۹۱۲۱۱۱۲۲۳۳,سرنخ,ارجاع,عمده‌فروشی\n"
    "رویا تهرانی,ROYA@example.com,,فرصت فروش,,عمده‌فروشی\n"
    "شیرین کاظمی,,+98 935 000 1122,,وب‌سایت,\n"
)


def test_persian_file_is_mapped_previewed_and_imported(client, auth, world, tracker):
    auth.login(world.owner)
    response = upload(client, world, PERSIAN_FILE)
    assert response.status_code == 302
    mapping_url = response.headers["Location"]
    page = client.get(mapping_url).get_data(as_text=True)
    assert "فرهاد امینی" in page  # the first lines, to help choose
    # The columns are guessed from the Persian headers.
    assert [selected(page, field) for field in ("name", "email", "phone", "stage")] == [
        "0",
        "1",
        "2",
        "3",
    ]
    assert (selected(page, "source"), selected(page, "segment")) == ("4", "5")
    response = client.post(
        mapping_url,
        data={"name": "0", "email": "1", "phone": "2", "stage": "3", "source": "4", "segment": "5"}
        | dict.fromkeys(("kind", "company", "address", "owner", "notes"), ""),
    )
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    counts = re.findall(r'<span class="stat-value">(\d+)</span>', page)
    assert counts == ["2", "1", "0"]  # two new, Roya already in the tracker, none invalid
    assert customer_count(world) == 2  # nothing written yet
    response = client.post(preview_url, data={"on_duplicate": "skip"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 customers added and 0 updated from customers.csv." in page
    farhad = db.session.scalar(select(Customer).where(Customer.email == "farhad@example.com"))
    assert farhad.stage_id == tracker.stage("Lead").id
    assert farhad.source.value == "referral"
    assert farhad.segment == "عمده‌فروشی"
    shirin = db.session.scalar(select(Customer).where(Customer.name == "شیرین کاظمی"))
    assert shirin.phone_key == "9350001122"
    assert shirin.stage_id == tracker.stage("Prospect").id  # no stage: the first one
    assert db.session.get(Customer, tracker.customer.id).stage_id == tracker.stage("Lead").id
    history = db.session.scalar(
        select(func.count(StageChange.id)).where(StageChange.customer_id == farhad.id)
    )
    assert history == 1
    # The upload is done: its pages are gone.
    assert client.get(preview_url).status_code == 404


def test_duplicates_can_be_updated(client, auth, world, tracker):
    auth.login(world.manager)
    text = "Name,E-mail,Segment,Stage\nRoya T.,roya@example.com,retail,Opportunity\n"
    mapping_url = upload(client, world, text, bom=False).headers["Location"]
    page = client.get(mapping_url).get_data(as_text=True)
    assert [selected(page, f) for f in ("name", "email", "segment", "stage")] == [
        "0",
        "1",
        "2",
        "3",
    ]
    client.post(mapping_url, data={"name": "0", "email": "1", "segment": "2", "stage": "3"})
    preview_url = mapping_url.replace("mapping", "preview")
    client.post(preview_url, data={"on_duplicate": "update"})
    roya = db.session.get(Customer, tracker.customer.id)
    assert (roya.name, roya.segment) == ("Roya T.", "retail")
    assert roya.stage_id == tracker.stage("Opportunity").id  # moved, with its history
    assert roya.phone == "0912 345 6789"  # not in the file: kept
    assert customer_count(world) == 2


def test_one_bad_line_stops_the_whole_import(client, auth, world, tracker):
    auth.login(world.owner)
    text = (
        "name,email,stage,owner,company\n"
        "Good One,good@example.com,Lead,,\n"
        ",nameless@example.com,,,\n"
        "Bad Mail,not-an-address,Lead,,\n"
        "Nowhere,x@example.com,Lost,,\n"
        "Stranger,y@example.com,,someone@else.example,\n"
        "Orphan,z@example.com,,,Ghost Company\n"
        "Twin,good@example.com,,,\n"
    )
    mapping_url = upload(client, world, text).headers["Location"]
    client.post(
        mapping_url, data={"name": "0", "email": "1", "stage": "2", "owner": "3", "company": "4"}
    )
    preview_url = mapping_url.replace("mapping", "preview")
    page = client.get(preview_url).get_data(as_text=True)
    for problem in (
        "Line 3: the name is missing.",
        "Line 4: not-an-address is not a valid e-mail address.",
        "Line 5: customers enter stage Lost only with a reason",
        "Line 6: someone@else.example is not the e-mail of a member of the organisation.",
        "Line 7: there is no company Ghost Company in the tracker or the file.",
        "Line 8: good@example.com is already on line 2.",
    ):
        assert problem in page
    assert 'name="on_duplicate"' not in page  # no commit offered
    page = client.post(preview_url, data={"on_duplicate": "skip"}).get_data(as_text=True)
    assert "Nothing was imported" in page
    assert customer_count(world) == 2


def test_a_company_and_its_people_come_in_one_file(client, auth, world, tracker):
    auth.login(world.owner)
    text = "name,kind,company\nAli Navabi,person,Sepand Co\nSepand Co,company,\n"
    mapping_url = upload(client, world, text).headers["Location"]
    client.post(mapping_url, data={"name": "0", "kind": "1", "company": "2"})
    client.post(mapping_url.replace("mapping", "preview"), data={"on_duplicate": "skip"})
    ali = db.session.scalar(select(Customer).where(Customer.name == "Ali Navabi"))
    company = db.session.scalar(select(Customer).where(Customer.name == "Sepand Co"))
    assert ali.company_id == company.id


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xff\xfe\x00garbage", "customers.csv", "The file is not UTF-8 text"),
        (b"name\n", "customers.csv", "The file needs a header line and customer lines."),
        (b"name\nx\n", "customers.xlsx", "Upload a .csv file."),
    ],
)
def test_unusable_uploads_are_refused(client, auth, world, tracker, content, name, message):
    auth.login(world.owner)
    response = client.post(
        f"{base(world)}/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CustomerImport.id))) == 1  # the fixture's


def test_the_mapping_needs_the_names(client, auth, world, tracker):
    auth.login(world.owner)
    url = f"{base(world)}/import/{tracker.upload.id}/mapping"
    page = client.post(url, data={"name": "", "email": "1", "phone": "1"}).get_data(as_text=True)
    assert "Choose the column with the customers&#39; names." in page
    assert "This column already feeds “E-mail”." in page


def test_template_and_export_share_their_columns(client, auth, world, tracker):
    auth.login(world.owner)
    template = client.get(f"{base(world)}/import/template.csv")
    assert template.data.startswith("\ufeff".encode())
    header = template.data.decode("utf-8-sig").strip()
    export = client.get(f"{base(world)}/customers.csv")
    assert export.mimetype == "text/csv"
    assert 'filename="customers.csv"' in export.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert ",".join(rows[0]) == header
    assert [row[0] for row in rows[1:]] == ["Darius Trading", "Roya Tehrani"]
    roya = dict(zip(rows[0], rows[2], strict=True))
    assert roya["company"] == "Darius Trading"
    assert roya["stage"] == "Lead"
    assert roya["owner"] == world.manager.email


def test_export_is_exactly_the_filtered_list(client, auth, world, tracker):
    stage = tracker.stage("Prospect")
    for number in range(30):
        factories.add_customer(world.organisation, f"Bulk {number:02d}", stage, segment="bulk")
    factories.add_customer(world.organisation, "=HYPERLINK(1)", stage, segment="bulk")
    auth.login(world.owner)
    export = client.get(f"{base(world)}/customers.csv", query_string={"segment": "bulk"})
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    names = [row[0] for row in rows[1:]]
    assert len(names) == 31
    assert "Roya Tehrani" not in names
    assert "'=HYPERLINK(1)" in names  # a spreadsheet shows it as text, never runs it
    # The list page offers the export with the same filters.
    page = client.get(f"{base(world)}/", query_string={"segment": "bulk"}).get_data(as_text=True)
    assert "customers.csv?segment=bulk" in page


def test_export_reads_in_batches(client, auth, world, tracker, monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_BATCH", 7)
    stage = tracker.stage("Prospect")
    for number in range(20):
        factories.add_customer(world.organisation, f"Batch {number:02d}", stage)
    auth.login(world.owner)
    rows = list(
        csv.reader(io.StringIO(client.get(f"{base(world)}/customers.csv").data.decode("utf-8-sig")))
    )
    names = [row[0] for row in rows[1:]]
    assert len(names) == 22
    assert names == sorted(names)


def test_what_the_file_says_is_escaped_in_the_report(client, auth, world, tracker):
    auth.login(world.owner)
    attack = "<img src=x onerror=alert(1)>"
    mapping_url = upload(client, world, f"name,source\nEve,{attack}\n").headers["Location"]
    client.post(mapping_url, data={"name": "0", "source": "1"})
    page = client.get(mapping_url.replace("mapping", "preview")).get_data(as_text=True)
    assert "is not a known acquisition source" in page
    assert attack not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_an_export_imports_back_without_the_spreadsheet_apostrophes(client, auth, world, tracker):
    """The export quotes text a spreadsheet would run as a formula; importing the file
    back with "update duplicates" stores the values as they were, not quoted."""
    minus = factories.add_customer(
        world.organisation,
        "-Minus Trading",
        tracker.stage("Lead"),
        phone="+98 912 000 0000",
        notes="@home note",
        segment="=round trip",
    )
    auth.login(world.owner)
    exported = client.get(f"{base(world)}/customers.csv", query_string={"segment": "=round trip"})
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[1][:1] == ["'-Minus Trading"]  # still shown as text by a spreadsheet
    mapping_url = upload(client, world, exported.data.decode("utf-8-sig")).headers["Location"]
    client.post(mapping_url, data={name: str(index) for index, name in enumerate(rows[0])})
    response = client.post(
        mapping_url.replace("mapping", "preview"), data={"on_duplicate": "update"}
    )
    assert "0 customers added and 1 updated" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    db.session.refresh(minus)
    assert (minus.name, minus.phone, minus.notes, minus.segment) == (
        "-Minus Trading",
        "+98 912 000 0000",
        "@home note",
        "=round trip",
    )
