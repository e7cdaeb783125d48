"""Returns benchmark: upload-to-report for a 50,000-child SSDA903 return through the real service.

    .venv/bin/python bench/returns_bench.py [--children 50000] [--bucket]

Sets up a temporary service as a user would (its own SQLite database, migrated, reference data
loaded, one council analyst), starts `alliance serve` (gunicorn and the task worker), signs in
over HTTP, uploads a zip of the generated return (this year and last) through the upload form,
polls the upload's status until the worker has finished, then fetches the report page. The clock
runs from the start of the upload request to the report page being received. Results go to
bench/results/returns.md. Not a unit test.

With `--bucket` the service keeps its files in a bucket on a local S3-compatible server (moto's
server mode, started here on 127.0.0.1) through the same settings a deployer gives
(`ALLIANCE_STORAGE_BUCKET`, `ALLIANCE_S3_*`), and the results go to
bench/results/returns-object-storage.md.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import logging
import os
import platform
import re
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

from service import free_port, run_alliance, running_service, throwaway_env  # bench/service.py

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "returns.md"
YEAR = 2026
ANALYST = "bench-analyst@north-tyneside.test"
PASSWORD = "bench-password-2026-not-real"  # noqa: S105 - a throwaway database's only account
TARGET_S = 15.0


def _csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise SystemExit("no CSRF token on the page")
    return found.group(1)


def _multipart(fields: dict[str, str], files: dict[str, Path]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, path in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{path.name}"\r\n'
                "Content-Type: application/zip\r\n\r\n"
            ).encode()
            + path.read_bytes()
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main() -> None:  # noqa: PLR0915 - one linear script, step by step
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--bucket", action="store_true", help="files on a local S3 server")
    args = parser.parse_args()
    results = RESULTS.with_name("returns-object-storage.md") if args.bucket else RESULTS
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    s3 = _local_s3() if args.bucket else None
    with tempfile.TemporaryDirectory(prefix="returns-bench-") as folder:
        var = Path(folder)
        env = throwaway_env(var, **(s3[1] if s3 else {}))
        print("setting up a temporary service…", flush=True)
        run_alliance(env, "manage", "migrate", "--no-input", "-v0")
        run_alliance(env, "load-reference")
        run_alliance(
            env,
            "manage",
            "shell",
            "-c",
            "from alliance.accounts.models import User, Membership, Role;"
            "from alliance.organisations.models import Organisation;"
            f"u = User.objects.create_user(username='{ANALYST}', email='{ANALYST}', password='{PASSWORD}');"
            "Membership.objects.create(user=u, organisation=Organisation.objects.get(council__dfe_code='392'),"
            " role=Role.COUNCIL_ANALYST)",
        )
        print(f"generating a {args.children:,}-child return…", flush=True)
        run_alliance(
            env,
            "903",
            "generate",
            "--children",
            str(args.children),
            "--out",
            str(var / "return"),
            "--year",
            str(YEAR),
        )
        archive = var / "return.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
            for p in sorted((var / "return").rglob("*.csv")):
                out.write(p, p.relative_to(var / "return").as_posix())
        size_mb = archive.stat().st_size / 1024 / 1024
        with running_service(env, var / "service.log") as (base, _service):
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            page = opener.open(base + "/sign-in/").read().decode()
            form = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": _csrf(page), "username": ANALYST, "password": PASSWORD}
            ).encode()
            opener.open(
                urllib.request.Request(  # noqa: S310 - our own loopback service
                    base + "/sign-in/", data=form, headers={"Referer": base + "/sign-in/"}
                )
            )
            page = opener.open(base + "/returns/").read().decode()
            body, content_type = _multipart(
                {"csrfmiddlewaretoken": _csrf(page), "kind": "ssda903", "year": str(YEAR)},
                {"current": archive},
            )
            started = time.perf_counter()
            response = opener.open(
                urllib.request.Request(  # noqa: S310 - our own loopback service
                    base + "/returns/upload/",
                    data=body,
                    headers={"Content-Type": content_type, "Referer": base + "/returns/"},
                )
            )
            uploaded_s = time.perf_counter() - started
            report_url = response.geturl()
            if "/uploads/" not in report_url:
                raise SystemExit(f"the upload was refused:\n{response.read().decode()[:3000]}")
            status: dict[str, object] = {}
            while True:
                status = json.loads(opener.open(report_url + "status.json").read())
                if status["finished"]:
                    break
                if time.perf_counter() - started > 600:
                    raise SystemExit("no result after 10 minutes")
                time.sleep(0.25)
            report = opener.open(report_url).read().decode()
            total_s = time.perf_counter() - started
            if "Checked and stored" not in report:
                raise SystemExit(f"the upload was not accepted: {status}")
            if s3 is not None:
                kept = s3[0](env["ALLIANCE_STORAGE_BUCKET"])
                if not any(k.startswith("returns/store/") for k in kept) or any(
                    k.startswith("returns/incoming/") for k in kept
                ):
                    raise SystemExit(f"the bucket does not hold what it should: {kept}")
            findings = re.search(r"([\d,]+) findings about", report)
            checked = re.search(r"Checked in</dt><dd[^>]*>([\d.,]+) seconds", report)
        load = os.getloadavg()[0]
        line = (
            f"| {args.children:,} | {size_mb:,.1f} | {uploaded_s:.2f} | "
            f"{checked.group(1) if checked else '?'} | **{total_s:.2f}** | "
            f"{'yes' if total_s < TARGET_S else 'no'} | {findings.group(1) if findings else '?'} | {load:.1f} |"
        )
        print(line)
        where = (
            " Files in a bucket on a local S3-compatible server (moto's server mode on 127.0.0.1),"
            " configured by ALLIANCE_STORAGE_BUCKET and ALLIANCE_S3_*: the upload's files are put"
            " there before it is recorded, the worker fetches them, and the report and stored"
            " version are put there before the upload is accepted."
            if s3
            else ""
        )
        results.parent.mkdir(exist_ok=True)
        results.write_text(
            "# Returns benchmark: upload to report\n\n"
            f"`bench/returns_bench.py`, {time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()}, "
            f"{os.cpu_count()} cores shared with other work (load average at the end {load:.1f}).\n\n"
            "Through the real service (`alliance serve`: gunicorn and the task worker, SQLite on a "
            "temporary database): sign in, upload a zip of a synthetic SSDA903 return (this year and "
            "last, 1% planted errors) with the upload form, poll the status until the worker finishes "
            "(read, every DfE rule, indicators, pseudonymise and store, findings report), fetch the "
            f"report page. Target: under {TARGET_S:.0f} s.{where}\n\n"
            "| children | zip MB | upload request s | worker's check s | upload to report s "
            "| under target | findings | load average |\n"
            "|---|---|---|---|---|---|---|---|\n"
            f"{line}\n"
        )
        print(f"written to {results}")


def _local_s3() -> tuple[Callable[[str], list[str]], dict[str, str]]:
    """A local S3-compatible server with a new bucket: (list a bucket's keys, the settings)."""
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    port = free_port()
    ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
    url = f"http://127.0.0.1:{port}"
    keys = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
    client = boto3.client("s3", endpoint_url=url, region_name="us-east-1", **keys)
    client.create_bucket(Bucket="alliance-bench")

    def listed(bucket: str) -> list[str]:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    return listed, {
        "ALLIANCE_STORAGE_BUCKET": "alliance-bench",
        "ALLIANCE_S3_ENDPOINT_URL": url,
        "ALLIANCE_S3_REGION": "us-east-1",
        "ALLIANCE_S3_ACCESS_KEY_ID": keys["aws_access_key_id"],
        "ALLIANCE_S3_SECRET_ACCESS_KEY": keys["aws_secret_access_key"],
        "ALLIANCE_S3_ADDRESSING_STYLE": "path",
    }


if __name__ == "__main__":
    main()
