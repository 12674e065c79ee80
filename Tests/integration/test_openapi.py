"""The OpenAPI 3.1 document of the admin API and the data plane (`admin/openapi.json`): valid, served at
`/admin/v1/openapi.json`, and true — schemathesis fuzzes a live gateway from it and finds no 5xx and no
response outside the documented schemas."""
import json
import os
import re
import subprocess
import sys

from openapi_spec_validator import validate

from conftest import ADMIN_TOKEN, add_route, admin, http

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCUMENT = os.path.join(ROOT, "admin", "openapi.json")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_the_document_is_valid_openapi_and_served_as_committed(gateway):
    with open(DOCUMENT, "rb") as f:
        committed = f.read()
    validate(json.loads(committed))
    served = http("GET", gateway.admin + "/admin/v1/openapi.json")
    assert served.status == 200 and served.body == committed
    assert served.headers["content-type"] == "application/json"


def test_every_admin_route_is_documented(gateway):
    documented = set(json.load(open(DOCUMENT))["paths"])
    source = open(os.path.join(ROOT, "Sources", "ControlPlane", "AdminHandler.swift")).read()
    routed = set(re.findall(r'router\.add\("[A-Z]+", "([^"]+)"', source))
    assert routed <= documented, routed - documented


def schemathesis(base_url, *extra, workdir):
    command = [sys.executable, "-m", "schemathesis.cli", "run", DOCUMENT, "--url", base_url, "--checks", CHECKS,
               "--max-examples", os.environ.get("SCHEMATHESIS_EXAMPLES", "25"), "--seed", "20261122", "--no-shrink",
               "--request-timeout", "10", "--warnings", "off", *extra]
    # Run where schemathesis may keep its cache: not in the repository.
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env={**os.environ, "NO_COLOR": "1"}, cwd=workdir)
    return result.returncode, result.stdout[-6000:] + result.stderr[-3000:]


def test_schemathesis_finds_no_5xx_and_no_undocumented_response_on_the_admin_api(gateway, mock, tmp_path):
    add_route(gateway, mock)
    admin(gateway, "POST", "/teams", {"name": "fuzz-team"})
    # The config watch is a long poll (up to timeout_s, by design longer than a fuzzer waits); test_distributed.py covers it.
    code, output = schemathesis(gateway.admin, "-H", f"Authorization: Bearer {ADMIN_TOKEN}", "--exclude-path-regex", "^/v1/|/config/watch$", workdir=tmp_path)
    assert code == 0, output
    assert gateway.proc.poll() is None


def test_schemathesis_finds_no_5xx_and_no_undocumented_response_on_the_data_plane(gateway, mock, tmp_path):
    add_route(gateway, mock)
    code, output = schemathesis(gateway.data, "--include-path-regex", "^/v1/", workdir=tmp_path)
    assert code == 0, output
    assert gateway.proc.poll() is None
