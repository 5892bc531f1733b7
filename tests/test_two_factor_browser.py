"""Two-step sign-in in a real browser, without JavaScript: the QR code on the page, as a
phone's camera reads it, gives the key; a code from that key turns it on; signing in then
takes two steps. On a 360 px phone, in Persian."""

from __future__ import annotations

import io
import time
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import zxingcpp
from PIL import Image

from tests import factories
from tests.browser import SERVER_WARNINGS, log_in

pytestmark = SERVER_WARNINGS


def scan(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, "no QR code could be read from the page"
    return found[0].text


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_enrolling_by_scanning_the_qr_code_then_signing_in_in_two_steps(browser, live_server, app):
    user = factories.make_user(email="phone@example.com", locale="fa")
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, user)

    page.goto(f"{live_server}/account/two-factor/setup")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert fits(page)
    uri = urlsplit(scan(page.locator(".qr-code svg").screenshot()))
    assert uri.scheme == "otpauth"
    assert uri.netloc == "totp"
    assert unquote(uri.path) == "/CRM Readiness:phone@example.com"
    query = parse_qs(uri.query)
    assert query["issuer"] == ["CRM Readiness"]
    secret = query["secret"][0]
    assert page.locator(".secret-key").inner_text().replace(" ", "") == secret

    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("input[type=submit]")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert fits(page)

    page.goto(f"{live_server}/account/sessions")
    assert fits(page)
    page.locator(".session-current button").click()  # log out from the sessions page
    page.fill("#email", user.email)
    page.fill("#password", factories.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server}/login/two-factor")
    assert fits(page)
    page.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))  # a code not used yet
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server}/dashboard")
    context.close()
