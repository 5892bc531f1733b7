"""Benchmark: the questionnaire page and the answer save under load, through gunicorn.

Goal (issue): at least half the throughput of a bare Flask + Jinja page measured in the
same run, and p99 at or under 60 ms, with 16 connections. The machine is shared and noisy,
so the figures are printed, never asserted. Needs wrk (`apt-get install wrk`).

    .venv/bin/python bench/respond_load.py [--duration 10] [--connections 16]
        [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESPONDENTS = 20
WORKERS = 4
GROUPS = ("executive", "manager", "staff")

# The baseline: one route, one template with a loop, nothing else of the real app.
BARE_APP = """\
from flask import Flask, render_template

app = Flask(__name__)
ITEMS = [(n, f"Statement number {n} about how customers are served") for n in range(1, 31)]

@app.route("/")
def page():
    return render_template("bare.html", items=ITEMS, title="Bare page")

@app.route("/healthz")
def healthz():
    return {"status": "ok"}
"""
BARE_TEMPLATE = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><form method="post">
{% for number, text in items %}
  <fieldset class="item" id="item-{{ number }}"><legend>{{ number }}. {{ text }}</legend>
  {% for value in range(1, 6) %}<label class="scale-option"><input type="radio"
   name="v_{{ number }}" value="{{ value }}"> <span>Point {{ value }}</span></label>{% endfor %}
  <textarea name="c_{{ number }}" rows="2"></textarea></fieldset>
{% endfor %}
</form></main></body></html>
"""

# One script for every scenario, so each pays the same Lua cost. Each request picks a path
# (a respondent's link) at random; a POST also sends random answers, so most saves write.
# `bad` is global so that done() can read each thread's count.
LUA = """\
local paths, fields, headers = %(paths)s, %(fields)s, %(headers)s
local fixed, expect = %(fixed)s, %(expect)d
local threads = {}
bad = 0
function setup(thread) table.insert(threads, thread) end
function request()
  local path = paths[math.random(#paths)]
  if fixed == "" then return wrk.format("GET", path, headers) end
  local body = fixed
  for _, field in ipairs(fields) do
    body = body .. "&" .. field[1] .. "=" .. field[2][math.random(#field[2])]
  end
  return wrk.format("POST", path, headers, body)
end
function response(status, _headers, _body)
  if status ~= expect then bad = bad + 1 end
end
function done(_summary, _latency, _requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("unexpected_status %%d\\n", total))
end
"""


@dataclass
class Seeded:
    tokens: list[str]
    items: list[tuple[str, list[int]]]  # the first page's items: id, its scale's values
    stored: int  # answers stored per respondent before the run


@dataclass
class Result:
    name: str
    rps: float
    p50: float  # ms
    p99: float  # ms
    requests: int
    errors: int  # unexpected statuses and socket errors


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to use instead of a fresh SQLite file; "
        "its schema is upgraded and the benchmark's rows are left in it",
    )
    return parser.parse_args()


def production_env(database_url: str) -> dict[str, str]:
    """The environment of a production run, with a fresh random secret key."""
    production = {
        "APP_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "BASE_URL": "https://127.0.0.1",  # the loopback address it is served on
    }
    return {**os.environ, **production, "DATABASE_URL": database_url, "FLASK_APP": "app:create_app"}


def upgrade_schema(env: dict[str, str]) -> None:
    """Bring the database's schema up to date, and make the app importable with ``env``."""
    command = [BIN / "flask", "db", "upgrade"]
    upgrade = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if upgrade.returncode:
        raise SystemExit(f"flask db upgrade failed:\n{upgrade.stderr}")
    os.environ.update(env)  # config.py reads the environment when it is imported
    sys.path.insert(0, str(ROOT))


def open_assessment(respondents: int, title: str):
    """In an app context: a consultant, an organisation, an open assessment of the shipped
    questionnaires and ``respondents`` respondents, each with a private link. Returns the
    assessment and (respondent, token) pairs; the caller commits."""
    from app import models
    from app.assessments import services
    from app.assessments.respondents import issue_link
    from app.extensions import db
    from app.instrument.loader import load_directory

    run = secrets.token_hex(4)  # unique names, so a PostgreSQL database can be reused
    consultant = models.User(
        name="Bench Consultant",
        email=f"bench-{run}@example.com",
        staff_role=models.StaffRole.CONSULTANT,
    )
    organisation = models.Organisation(
        name=f"Bench Trading {run}", sector="Retail", size=models.OrganisationSize.SMALL
    )
    assignment = models.ConsultantAssignment(organisation=organisation, consultant=consultant)
    db.session.add_all([consultant, organisation, assignment])
    db.session.flush()
    actor = services.Actor.of_user(consultant)
    assessment = services.create_assessment(
        organisation,
        title=title,
        questionnaires=load_directory(ROOT / "assessments"),
        groups=list(GROUPS),
        deadline=None,
        actor=actor,
    )
    services.change_status(assessment, models.AssessmentStatus.OPEN, actor)
    issued = []
    for number in range(respondents):
        respondent = models.Respondent(
            assessment=assessment, name=f"Respondent {number + 1}", group=GROUPS[number % 3]
        )
        db.session.add(respondent)
        db.session.flush()
        issued.append((respondent, issue_link(respondent, timedelta(days=30), actor)))
    return assessment, issued


def seed(env: dict[str, str]) -> Seeded:
    """Upgrade the schema, then open an assessment whose respondents have come back to
    the first page after answering all the others (so every page shows a respondent's
    hundred-odd stored answers, as near the end of a real response)."""
    upgrade_schema(env)
    from app import create_app
    from app.assessments import scores, services
    from app.extensions import db
    from app.respond.pages import pages_of

    with create_app().app_context():
        assessment, issued = open_assessment(RESPONDENTS, "Load benchmark")
        first, *others = pages_of(scores.definitions(assessment))
        for respondent, _token in issued:
            answers = [
                services.SubmittedAnswer(page.questionnaire.id, item.id, value, False, "")
                for page in others
                for item in page.dimension.items
                for value in [random.choice(page.questionnaire.scales[item.scale].points).value]
            ]
            services.save_answers(respondent, answers, services.Actor.of_respondent(respondent))
        db.session.commit()
        scales = first.questionnaire.scales
        items = [(i.id, [p.value for p in scales[i.scale].points]) for i in first.dimension.items]
        db.engine.dispose()
    return Seeded([token for _respondent, token in issued], items, len(answers))


def start_gunicorn(
    target: str, env: dict[str, str], chdir: Path, log: Path, options: tuple[str, ...] = ()
):
    """gunicorn in a process group of its own (so it can be stopped whole), on a free
    loopback port, with any further command-line ``options``; returns the process and
    its base URL once /healthz answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    # As the README deploys it: sync workers, two per core. The pages are CPU-bound, and
    # threads in one worker only wait for each other (2 workers x 4 threads measured about
    # a third of this throughput).
    command = [BIN / "gunicorn", "--workers", str(WORKERS), "--worker-class", "sync"]
    command += ["--bind", base.removeprefix("http://"), "--chdir", chdir, *options, target]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=output, start_new_session=True
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            get(f"{base}/healthz")
            return process, base
        except OSError:  # not listening yet, or answering 503
            time.sleep(0.2)
    stop(process)
    raise SystemExit(f"gunicorn {target} did not start:\n{log.read_text()[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn's whole process group: TERM, then KILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def get(url: str) -> tuple[bytes, list[str]]:
    """The body and Set-Cookie headers of a GET; an error status raises."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), response.headers.get_all("Set-Cookie") or []


def session_and_csrf(page_url: str) -> tuple[str, str, int]:
    """A session cookie, the CSRF token bound to it, and the page's size in bytes.
    The cookie is marked Secure; a client that is not a browser sends it over http anyway."""
    body, cookies = get(page_url)
    match = re.search(rb'name="csrf_token" value="([^"]+)"', body)
    jar = SimpleCookie()
    for header in cookies:
        jar.load(header)
    if match is None or "session" not in jar:
        raise SystemExit(f"{page_url} did not answer with a form and a session cookie")
    return f"session={jar['session'].value}", match.group(1).decode(), len(body)


def lua(value) -> str:
    """A Lua literal: tables from lists and dicts; JSON strings and numbers are valid Lua."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{json.dumps(k)}] = {lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(lua(item) for item in value) + "}"
    return json.dumps(value)


def write_lua(
    path: Path, paths: list[str], cookie="", fixed="", fields=(), expect: int | None = None
) -> Path:
    """The wrk script: GETs of the paths expecting 200 (or ``expect``), or with a form,
    POSTs expecting 302."""
    headers = {"Cookie": cookie} if cookie else {}
    if fixed:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    values = {"paths": paths, "fields": list(fields), "fixed": fixed, "headers": headers}
    expect = expect or (302 if fixed else 200)
    path.write_text(LUA % {**{k: lua(v) for k, v in values.items()}, "expect": expect})
    return path


def run_wrk(name: str, url: str, script: Path, seconds: int, connections: int) -> Result:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(name, output)


def parse_wrk(name: str, output: str) -> Result:
    """Requests/sec, p50 and p99 in ms, and errors: unexpected statuses plus socket errors."""

    def found(pattern: str) -> str:
        match = re.search(pattern, output)
        if match is None:
            raise SystemExit(f"cannot find {pattern!r} in wrk's output:\n{output}")
        return match.group(1)

    def millis(percentile: str) -> float:
        value, unit = re.fullmatch(
            r"([\d.]+)(us|ms|s|m)", found(rf"\s{percentile}%\s+(\S+)")
        ).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    errors = int(found(r"unexpected_status (\d+)"))
    if socket_errors := re.search(r"Socket errors: (.*)", output):
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    rps, requests = float(found(r"Requests/sec:\s+([\d.]+)")), int(found(r"(\d+) requests in"))
    return Result(name, rps, millis("50"), millis("99"), requests, errors)


def measure(args, seeded: Seeded, temp_dir: Path, app_url: str, bare_url: str) -> list[Result]:
    """Warm each scenario up for a second, then measure it with wrk."""
    paths = [f"/r/{token}/1" for token in seeded.tokens]
    cookie, csrf, page_size = session_and_csrf(app_url + paths[0])
    seen = "".join(f"&s_{quote(item)}=%7C" for item, _ in seeded.items)  # the page showed "|"
    post = {
        "cookie": cookie,
        "fixed": f"csrf_token={quote(csrf)}&go=stay{seen}",
        "fields": [(f"v_{quote(item)}", values) for item, values in seeded.items],
    }
    scenarios = [
        ("bare Flask + Jinja page", bare_url, write_lua(temp_dir / "bare.lua", ["/"])),
        # The app's own floors, without the database: a page of the base template alone
        # (the 404 page) through every extension, and a page with a small form (login).
        (
            "base template only (404)",
            app_url,
            write_lua(temp_dir / "base.lua", ["/no-such-page"], expect=404),
        ),
        ("login page (no database)", app_url, write_lua(temp_dir / "login.lua", ["/login"])),
        ("questionnaire page (GET)", app_url, write_lua(temp_dir / "page.lua", paths, cookie)),
        ("answer save (POST, 302)", app_url, write_lua(temp_dir / "save.lua", paths, **post)),
    ]
    print(
        f"gunicorn: {WORKERS} sync workers; wrk: 2 threads, {args.connections} "
        f"connections, {args.duration} s per scenario after 1 s of warm-up.\n"
        f"Database: {'--database-url' if args.database_url else 'a fresh SQLite file'}. "
        f"Sizes: questionnaire page 1 {page_size} bytes, bare page {len(get(bare_url)[0])} bytes.\n"
        f"GET and POST rotate over {len(paths)} respondents' links with one session cookie "
        f"(and its CSRF token); each respondent has answered every page but the first, "
        f"{seeded.stored} answers in all; each save posts {len(seeded.items)} random answers "
        f"on page 1, go=stay."
    )
    results = []
    for name, url, script in scenarios:
        run_wrk(name, url, script, 1, args.connections)
        results.append(run_wrk(name, url, script, args.duration, args.connections))
    return results


def report(results: list[Result], connections: int) -> bool:
    """Print the table and the goals; False when most requests of a scenario failed."""
    print(f"\n{'scenario':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>9}")
    for r in results:
        print(f"{r.name:<28}{r.rps:>9.1f}{r.p50:>9.2f}{r.p99:>9.2f}{r.errors:>9}")
    print()
    failed = [r.name for r in results if r.errors * 2 >= max(r.requests, 1)]
    bare, *floors, page, save = results
    for floor in floors:
        print(f"{floor.name}: {floor.rps / max(bare.rps, 1e-9):.2f} x the bare page's req/s")
    for r in (page, save):
        ratio = r.rps / bare.rps if bare.rps else 0.0
        print(
            f"{r.name}: {ratio:.2f} x the bare page's req/s, goal >= 0.5: "
            f"{'met' if ratio >= 0.5 else 'not met'}; p99 {r.p99:.1f} ms, goal <= 60 ms "
            f"with {connections} connections: {'met' if r.p99 <= 60 else 'not met'}"
        )
    if failed:
        print(f"\nMost requests failed in: {', '.join(failed)}. These figures mean nothing.")
    return not failed


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed; on Debian or Ubuntu: apt-get install wrk", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="respond-load-") as temp, ExitStack() as servers:
        temp_dir = Path(temp)  # removed after the servers stop: ExitStack exits first
        env = production_env(args.database_url or f"sqlite:///{temp_dir / 'bench.sqlite'}")
        seeded = seed(env)
        (temp_dir / "templates").mkdir()
        (temp_dir / "bare_app.py").write_text(BARE_APP)
        (temp_dir / "templates" / "bare.html").write_text(BARE_TEMPLATE)
        app, app_url = start_gunicorn("app:create_app()", env, ROOT, temp_dir / "app.log")
        servers.callback(stop, app)
        bare, bare_url = start_gunicorn("bare_app:app", env, temp_dir, temp_dir / "bare.log")
        servers.callback(stop, bare)
        results = measure(args, seeded, temp_dir, app_url, bare_url)
    return 0 if report(results, args.connections) else 1


if __name__ == "__main__":
    sys.exit(main())
