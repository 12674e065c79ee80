"""The curl scripts of admin/examples/, run with dash (a plain POSIX shell) against a live gateway: each does and
prints what its comment says, and the figures they print equal the API's."""
import os
import re
import subprocess
from datetime import datetime, timezone

from conftest import ADMIN_TOKEN, admin, http, logged_request

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "admin", "examples")
SCRIPTS = ["add-provider.sh", "add-model.sh", "create-team-and-key.sh", "spend-by-team.sh", "top-requests.sh", "watch-health.sh"]


def run(gateway, script, *args, check=True):
    env = {"PATH": "/usr/bin:/bin", "SWITCHYARD_ADMIN_URL": gateway.admin, "SWITCHYARD_ADMIN_TOKEN": ADMIN_TOKEN}
    result = subprocess.run(["dash", os.path.join(EXAMPLES, script), *args], env=env, capture_output=True, text=True, timeout=30)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def table(text):
    """The rows of a printed table (after its header line), split on spaces."""
    lines = [line for line in text.strip().splitlines() if line and not line.startswith("==")]
    return [line.split() for line in lines[1:]]


def completion(gateway, model, key):
    return http("POST", gateway.data + "/v1/chat/completions",
                {"model": model, "messages": [{"role": "user", "content": "count the tokens of this sentence"}]},
                {"Authorization": f"Bearer {key}"})


def test_every_script_says_what_it_does_and_needs_only_curl_and_a_posix_shell():
    for name in SCRIPTS:
        with open(os.path.join(EXAMPLES, name)) as f:
            text = f.read()
        assert text.startswith("#!/bin/sh\n# "), name
        assert "usage:" in text, name
        assert not re.search(r"\bjq\b|\bpython|\bbash\b|\[\[", text), name
        assert os.access(os.path.join(EXAMPLES, name), os.X_OK), name


def test_the_scripts_against_a_live_gateway(gateway, mock):
    provider = run(gateway, "add-provider.sh", "mock-a", "openai_compatible", mock.base + "/v1")
    assert '"name":"mock-a"' in provider.stdout and admin(gateway, "GET", "/providers/mock-a").status == 200

    refused = run(gateway, "add-provider.sh", "Not A Slug", "openai", check=False)
    assert refused.returncode == 1 and "must be a slug" in refused.stderr and refused.stdout == ""

    model = run(gateway, "add-model.sh", "chat-a", "mock-a", "mock-demo", "2.50", "10")
    assert '"input_per_mtok":2.5' in model.stdout and '"output_per_mtok":10' in model.stdout

    created = run(gateway, "create-team-and-key.sh", "search", "search-prod", "40", "weekly")
    secret = re.search(r"^secret: (sk-sy-[0-9a-f]{64})$", created.stdout, re.M).group(1)
    key_id = re.search(r"^key: +search-prod \((key_[0-9a-f]+)\), budget 40 USD weekly$", created.stdout, re.M).group(1)
    key = admin(gateway, "GET", f"/keys/{key_id}").json()
    assert key["team_name"] == "search" and key["budget"]["limit_usd"] == 40 and key["budget"]["period"] == "weekly"
    # The same team is reused for a second key.
    second = run(gateway, "create-team-and-key.sh", "search", "search-batch", "5")
    assert "team:   search (" + key["team"] + ")" in second.stdout and "budget 5 USD monthly" in second.stdout
    other = re.search(r"^secret: (sk-sy-[0-9a-f]{64})$", second.stdout, re.M).group(1)

    served = [completion(gateway, "chat-a", secret) for _ in range(3)] + [completion(gateway, "chat-a", other)]
    assert [r.status for r in served] == [200] * 4
    for response in served:
        logged_request(gateway, response.headers["x-request-id"])

    month = datetime.now(timezone.utc).strftime("%Y-%m-01T00:00:00Z")
    usage = admin(gateway, "GET", f"/usage?group_by=team&from={month}").json()
    rows = table(run(gateway, "spend-by-team.sh").stdout)
    assert rows[0][0] == "search" and int(rows[0][1]) == 4
    api_search = next(r for r in usage["data"] if r["team_name"] == "search")
    assert float(rows[0][2]) == round(api_search["cost_usd"], 2) and api_search["cost_usd"] > 0
    assert rows[-1][0] == "TOTAL" and int(rows[-1][1]) == usage["totals"]["requests"]

    top = table(run(gateway, "top-requests.sh").stdout)
    today = datetime.now(timezone.utc).strftime("%Y-%m-%dT00:00:00Z")
    expected = admin(gateway, "GET", f"/requests?from={today}&order=cost&limit=10").json()["data"]
    assert [row[-1] for row in top] == [r["id"] for r in expected] and len(top) == 4
    costs = [float(row[-2]) for row in top]
    assert costs == sorted(costs, reverse=True)

    health = run(gateway, "watch-health.sh", "--once").stdout
    assert health.startswith("== ") and health.count("\n== ") == 0
    line = next(row for row in table(health) if row[0] == "chat-a")
    assert line[1:5] == ["mock-a", "closed", "4", "100.0%"]


def test_watch_health_repeats_until_interrupted(gateway, mock):
    run(gateway, "add-provider.sh", "mock-a", "openai_compatible", mock.base + "/v1")
    env = {"PATH": "/usr/bin:/bin", "SWITCHYARD_ADMIN_URL": gateway.admin, "SWITCHYARD_ADMIN_TOKEN": ADMIN_TOKEN}
    process = subprocess.Popen(["dash", os.path.join(EXAMPLES, "watch-health.sh"), "0.1"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        headers = 0
        for line in process.stdout:
            headers += line.startswith("== ")
            if headers == 3:
                break
        assert headers == 3
    finally:
        process.kill()
        process.wait()


def test_a_script_without_a_token_says_so(gateway):
    result = subprocess.run(["dash", os.path.join(EXAMPLES, "spend-by-team.sh")], env={"PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 2 and "SWITCHYARD_ADMIN_TOKEN" in result.stderr
