"""The dashboard in headless Chromium (Debian's, driven by Playwright), against a gateway seeded with a week of
requests, live traffic with failovers, budgets, 100+ providers and 10,000 keys: every page loads, its figures
equal the API's, a key is created and edited through the forms, and nothing reaches any host but the gateway
or logs a console error. Screenshots of each page go to $SWITCHYARD_TEST_OUTPUT/dashboard (or the test's
temporary folder)."""
import csv
import hashlib
import io
import json
import os
import re
import subprocess

import pytest
from playwright.sync_api import sync_playwright

from conftest import ADMIN_TOKEN, admin, bin_dir, http, logged_request, start_gateway, start_mock

DASHBOARD_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "admin", "dashboard")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SEEDED_ROWS = 3000
BULK_KEYS = 10_000
BULK_PROVIDERS = 100

# Computes, in the page, the contrast of every visible text element against its effective background (WCAG).
CONTRAST_SCRIPT = """() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (el) => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3); } return [255, 255, 255]; };
  const failures = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!['SPAN','A','P','TD','TH','DT','DD','LABEL','BUTTON','LI','CAPTION','H1','H2','STRONG','CODE','SUMMARY','DIV','LEGEND'].includes(el.tagName)) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el); const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || box.width < 2 || box.height < 2 || el.closest('.visually-hidden')) continue;
    const fg = parse(style.color).slice(0, 3); const bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5 && !el.disabled) failures.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return failures;
}"""

# Every form control has a label and every button an accessible name.
UNLABELLED_SCRIPT = """() => [...document.querySelectorAll('input, select, textarea, button')].filter((el) =>
  el.tagName === 'BUTTON' ? !(el.textContent.trim() || el.getAttribute('aria-label')) : !(el.labels.length || el.getAttribute('aria-label')))
  .map((el) => el.outerHTML.slice(0, 80))"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A gateway with a week of seeded requests, three providers (one dead, so requests fail over and its breaker
    opens), a team and a key with budgets and real traffic, then 100 more providers and 10,000 keys imported."""
    root = tmp_path_factory.mktemp("dashboard")
    data_dir = root / "var"
    data_dir.mkdir(mode=0o700)
    subprocess.run([os.path.join(bin_dir(), "switchyard"), "seed-requests", "--db", str(data_dir / "switchyard.db"),
                    "--rows", str(SEEDED_ROWS), "--days", "7"], check=True, capture_output=True)
    mock = start_mock()
    gateway = start_gateway(data_dir)
    try:
        for name, base in (("mock-a", mock.base + "/v1"), ("mock-b", mock.base + "/v1"), ("dead", "http://127.0.0.1:1/v1")):
            assert admin(gateway, "POST", "/providers", {"name": name, "kind": "openai_compatible", "base_url": base}).status == 201
        pricing = {"input_per_mtok": 3, "output_per_mtok": 15}
        for model, provider, priority in (("chat", "dead", 0), ("chat", "mock-a", 1), ("fast", "mock-b", 0)):
            assert admin(gateway, "POST", "/models", {"name": model, "provider": provider, "upstream_model": "mock-demo",
                                                       "priority": priority, "pricing": pricing}).status == 201
        assert admin(gateway, "POST", "/teams", {"name": "search", "budget": {"limit_usd": 50, "period": "monthly"}}).status == 201
        key = admin(gateway, "POST", "/keys", {"name": "search-prod", "team": "search",
                                               "budget": {"limit_usd": 5, "period": "daily", "soft_limit_pct": 80}}).json()
        served = []
        for index in range(14):
            response = http("POST", gateway.data + "/v1/chat/completions",
                            {"model": "chat" if index % 2 == 0 else "fast", "messages": [{"role": "user", "content": "hello " * (index + 1)}]},
                            {"Authorization": f"Bearer {key['key']}"})
            assert response.status == 200, response.body
            served.append(response.headers["x-request-id"])
        rows = [logged_request(gateway, request_id) for request_id in served]
        failover = next(row for row in rows if row["attempts"] == 2)

        exported = admin(gateway, "GET", "/config/export").json()
        template = next(k for k in exported["keys"] if k["name"] == "search-prod")
        for i in range(BULK_KEYS):
            exported["keys"].append({**template, "id": f"key_bulk_{i:05d}", "name": f"svc-{i:05d}", "prefix": "sk-sy-bulk00",
                                     "budget": None, "key_hash": hashlib.sha256(f"bulk-{i}".encode()).hexdigest()})
        provider = next(p for p in exported["providers"] if p["name"] == "mock-b")
        for i in range(BULK_PROVIDERS):
            exported["providers"].append({**provider, "id": f"prv_bulk_{i:03d}", "name": f"bulk-{i:03d}"})
        imported = admin(gateway, "POST", "/config/import?dry_run=false", exported)
        assert imported.status == 200, imported.body
        yield {"gateway": gateway, "mock": mock, "key": key, "failover": failover}
    finally:
        gateway.kill()
        mock.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    base = os.environ.get("SWITCHYARD_TEST_OUTPUT")
    folder = os.path.join(base, "dashboard") if base else str(tmp_path_factory.mktemp("screenshots"))
    os.makedirs(folder, exist_ok=True)
    return folder


class Dashboard:
    """A signed-in page; records console errors and every host the page asked."""

    def __init__(self, browser, gateway, screenshots):
        self.gateway = gateway
        self.screenshots = screenshots
        self.context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors = []
        # The browser's own notes of error statuses a test provoked on purpose (a refused form, say).
        self.expected_statuses = []
        self.requests = []
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))

    def sign_in(self):
        self.page.goto(self.gateway.admin + "/")
        # Keyboard only: the token field has focus when the page opens; Enter submits.
        self.page.keyboard.type(ADMIN_TOKEN)
        self.page.keyboard.press("Enter")
        self.page.wait_for_selector("#totals")
        return self

    def open(self, route, ready):
        self.page.goto(f"{self.gateway.admin}/#/{route}")
        self.page.wait_for_selector(ready)
        self.page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H1'")
        return self.page

    def value(self, name):
        return self.page.get_attribute(f'[data-figure="{name}"]', "data-value")

    def shot(self, name):
        self.page.screenshot(path=os.path.join(self.screenshots, f"{name}.png"), full_page=True)

    def check_page(self):
        """Accessibility basics of the page as shown (labels, names, contrast), and no value left unrendered."""
        assert not re.search(r"\b(null|undefined|NaN)\b|\[object ", self.page.inner_text("main"))
        assert self.page.evaluate(UNLABELLED_SCRIPT) == []
        assert self.page.evaluate(CONTRAST_SCRIPT) == []
        # Focus follows the document order: nothing jumps the queue with a positive tabindex.
        assert self.page.evaluate("() => [...document.querySelectorAll('[tabindex]')].filter(e => e.tabIndex > 0).length") == 0

    def expect_status_note(self, status):
        """The next console error may be the browser noting an answer with `status` (once)."""
        self.expected_statuses.append(status)

    def close(self):
        for status in self.expected_statuses:
            noted = [e for e in self.errors if e.startswith("Failed to load resource") and f"status of {status} " in e]
            assert noted, f"no request got the expected {status}"
            self.errors.remove(noted[0])
        foreign = [url for url in self.requests if not (url.startswith(self.gateway.admin + "/") or url.startswith(("data:", "blob:")))]
        self.context.close()
        assert foreign == [], f"the dashboard asked other hosts: {foreign}"
        assert self.errors == [], f"console errors: {self.errors}"


@pytest.fixture
def dashboard(browser, seeded, screenshots):
    board = Dashboard(browser, seeded["gateway"], screenshots)
    yield board.sign_in()
    board.close()


def usd(value):
    return f"${value:,.2f}"


def test_sign_in_refuses_a_wrong_token_and_keeps_the_token_out_of_the_url(browser, seeded, screenshots):
    board = Dashboard(browser, seeded["gateway"], screenshots)
    page = board.page
    page.goto(seeded["gateway"].admin + "/")
    page.fill("input[name=token]", "not-the-admin-token")
    page.click("button[type=submit]")
    page.wait_for_selector("text=That token was refused.")
    board.shot("sign-in-refused")
    # The only console error is the browser's own note of the 401 the wrong token got.
    board.expect_status_note(401)
    page.fill("input[name=token]", ADMIN_TOKEN)
    page.click("button[type=submit]")
    page.wait_for_selector("#totals")
    assert ADMIN_TOKEN not in page.url
    assert page.evaluate("() => sessionStorage.getItem('switchyard.admin-token')") == ADMIN_TOKEN
    assert page.evaluate("() => localStorage.length") == 0 and page.context.cookies() == []
    page.click("#sign-out")
    page.wait_for_selector("input[name=token]")
    assert page.evaluate("() => sessionStorage.length") == 0
    board.close()


@pytest.mark.parametrize("range_name", ["hour", "day", "month"])
def test_overview_figures_equal_the_api(dashboard, range_name):
    page = dashboard.open(f"overview/{range_name}/model", "#totals")
    totals = page.locator("#totals")
    answer = admin(dashboard.gateway, "GET", "/usage" + totals.get_attribute("data-query")).json()["totals"]
    assert int(dashboard.value("requests")) == answer["requests"] and answer["requests"] > 0
    assert int(dashboard.value("errors")) == answer["errors"]
    assert float(dashboard.value("spend")) == pytest.approx(answer["cost_usd"], abs=1e-9)
    assert float(dashboard.value("p95")) == pytest.approx(answer["p95_ms"])
    assert page.inner_text('[data-figure="requests"]') == f"{answer['requests']:,}"
    assert page.inner_text('[data-figure="spend"]') == usd(answer["cost_usd"])
    assert page.locator(".chart svg rect").count() > 0
    # The spend chart's bars add up to the spend figure (its accessible label states the total).
    assert page.get_attribute(".chart svg", "aria-label").endswith(f"total {usd(answer['cost_usd'])}")
    dashboard.check_page()
    dashboard.shot(f"overview-{range_name}")
    page.click("text=By provider")
    page.wait_for_selector("h2:has-text('by provider')")
    assert "mock-a" in page.inner_text(".legend")


def test_providers_page_shows_each_deployments_health(dashboard, seeded):
    page = dashboard.open("providers", "#deployment-health")
    report = admin(dashboard.gateway, "GET", "/health").json()
    for deployment in report["deployments"]:
        assert int(dashboard.value(f"requests:{deployment['deployment']}")) == deployment["requests_5m"]
    # The dead provider's breaker tripped (open, or half-open once its cool-down passed) and its last error shows.
    dead = next(d for d in report["deployments"] if d["provider"] == "dead")
    assert dead["circuit"] in ("open", "half_open") and dead["last_error"]
    row = page.locator("#deployment-health tr", has_text="dead / mock-demo")
    assert dead["circuit"].replace("_", "-") in row.inner_text() and dead["last_error"]["message"] in row.inner_text()
    provider = next(p for p in report["providers"] if p["provider"] == "mock-a")
    assert float(dashboard.value("success:mock-a")) == provider["success_rate"] == 1
    dashboard.check_page()
    dashboard.shot("providers")
    # The page refreshes itself: a new request shows up within one refresh period.
    fast = next(d for d in report["deployments"] if d["model"] == "fast")
    answer = http("POST", dashboard.gateway.data + "/v1/chat/completions", {"model": "fast", "messages": [{"role": "user", "content": "hi"}]},
                  {"Authorization": f"Bearer {seeded['key']['key']}"})
    assert answer.status == 200
    page.wait_for_function(f"""() => document.querySelector('[data-figure="requests:{fast['deployment']}"]').dataset.value === '{fast['requests_5m'] + 1}'""",
                           timeout=12_000)


def test_spend_page_matches_the_api_and_downloads_csv(dashboard):
    page = dashboard.open("spend/7d", "#spend-by-team")
    span = page.locator("#spend-range")
    query = f"from={span.get_attribute('data-from')}&to={span.get_attribute('data-to')}"
    by_team = admin(dashboard.gateway, "GET", f"/usage?{query}&group_by=team&limit=1000").json()
    assert float(dashboard.value("total-spend")) == pytest.approx(by_team["totals"]["cost_usd"], abs=1e-9)
    for row in by_team["data"]:
        assert float(dashboard.value(f"cost:team:{row['team'] or ''}")) == pytest.approx(row["cost_usd"], abs=1e-9)
    assert "search" in page.inner_text("#spend-by-team")
    by_key = admin(dashboard.gateway, "GET", f"/usage?{query}&group_by=key&limit=1000").json()["data"]
    top_key = max(by_key, key=lambda r: r["cost_usd"])
    assert float(dashboard.value(f"cost:key:{top_key['key']}")) == pytest.approx(top_key["cost_usd"], abs=1e-9)
    for budget in admin(dashboard.gateway, "GET", "/usage/forecast").json()["data"]:
        assert float(dashboard.value(f"budget-spent:{budget['id']}")) == pytest.approx(budget["spent_usd"], abs=1e-9)
    assert page.locator("#budgets svg[role=img]").count() == 2
    with page.expect_download() as download:
        page.click("text=Download CSV (by team)")
    with open(download.value.path()) as f:
        downloaded = f.read()
    expected = http("GET", f"{dashboard.gateway.admin}/admin/v1/usage?{query}&group_by=team&format=csv&limit=1000",
                    headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).body.decode()
    assert downloaded == expected and download.value.suggested_filename == "spend-by-team.csv"
    assert {row["team_name"] for row in csv.DictReader(io.StringIO(downloaded))} >= {"search"}
    dashboard.check_page()
    dashboard.shot("spend")
    # A custom range (whole UTC days): the figures follow it.
    page.fill("#spend-from", "2026-01-01")
    page.fill("#spend-to", "2026-01-03")
    page.click("text=Show range")
    page.wait_for_selector("#spend-range[data-from='2026-01-01T00:00:00.000Z'][data-to='2026-01-03T00:00:00.000Z']")
    assert dashboard.value("total-spend") == "0" and "No spend in this range." in page.inner_text("#spend-by-team")


def test_requests_page_filters_pages_and_shows_attempts_as_a_timeline(dashboard, seeded):
    page = dashboard.open("requests", "#requests")
    newest = admin(dashboard.gateway, "GET", "/requests?limit=50").json()
    ids = [link.split("/")[-1] for link in page.eval_on_selector_all("#requests tbody a", "links => links.map(a => a.getAttribute('href'))")]
    assert ids == [row["id"] for row in newest["data"]]
    for row in newest["data"][:10]:
        assert float(dashboard.value(f"cost:{row['id']}")) == pytest.approx(row["cost_usd"], abs=1e-12)
    page.click("text=Next page")
    page.wait_for_function(f"() => !document.querySelector('#requests tbody a[href$=\"{ids[0]}\"]')")
    second = admin(dashboard.gateway, "GET", f"/requests?limit=50&cursor={newest['next_cursor']}").json()["data"]
    assert page.get_attribute("#requests tbody a", "href").endswith(second[0]["id"])

    page.fill("input[name=model]", "chat")
    page.select_option("select[name=order]", "cost")
    page.click("text=Apply filters")
    page.wait_for_function("() => [...document.querySelectorAll('#requests tbody tr')].every(r => r.children[1].textContent === 'chat')")
    expensive = admin(dashboard.gateway, "GET", "/requests?model=chat&order=cost&limit=50").json()["data"]
    assert page.get_attribute("#requests tbody a", "href").endswith(expensive[0]["id"])
    dashboard.check_page()
    dashboard.shot("requests")

    failover = seeded["failover"]
    page = dashboard.open(f"requests/{failover['id']}", "#attempts")
    assert page.locator("#attempts tbody tr").count() == 2
    assert page.locator("#attempts tbody tr").nth(0).locator("td").nth(1).inner_text() == "dead"
    assert page.get_attribute("figure.chart svg", "aria-label").startswith("Timeline of 2 attempt(s)")
    bars = page.locator("figure.chart svg rect[height='20']")
    assert bars.count() == 2
    # Each bar starts where its attempt started: the retry after the failed attempt began.
    attempts = admin(dashboard.gateway, "GET", f"/requests/{failover['id']}").json()["attempts_detail"]
    assert attempts[1]["started_ms"] >= attempts[0]["started_ms"] + attempts[0]["latency_ms"]
    assert float(bars.nth(1).get_attribute("x")) >= float(bars.nth(0).get_attribute("x"))
    assert float(dashboard.value("cost")) == pytest.approx(failover["cost_usd"], abs=1e-12)
    dashboard.check_page()
    dashboard.shot("request-detail")


def test_config_creates_edits_and_disables_through_the_forms(dashboard, seeded):
    gateway = dashboard.gateway
    page = dashboard.open("config/keys", "#key-list")
    assert page.locator("#key-list tbody tr").count() == 50 and page.is_enabled("text=Next page")
    page.fill("#key-search", "svc-0999")
    page.click("text=Find keys")
    page.wait_for_function("() => document.querySelectorAll('#key-list tbody tr').length === 10")

    # A payload the API refuses: its message appears on the field it names.
    dashboard.expect_status_note(422)
    page.click("text=Add key")
    page.fill("input[name=name]", "dash-bad")
    page.fill("input[name=budget_limit]", "-1")
    page.click("button:has-text('Create')")
    page.wait_for_selector("[aria-invalid=true]")
    refused = admin(gateway, "POST", "/keys", {"name": "dash-bad", "budget": {"limit_usd": -1, "period": "monthly"}})
    message = refused.json()["error"]["message"]
    assert refused.status in (400, 422) and page.get_attribute("[aria-invalid=true]", "name") == "budget_limit"
    assert page.inner_text(".field-error:not(:empty)") == message
    assert page.evaluate("() => document.activeElement.name") == "budget_limit"
    dashboard.shot("config-key-error")

    page.fill("input[name=name]", "dash-key")
    page.fill("input[name=budget_limit]", "7.5")
    page.select_option("select[name=budget_period]", "weekly")
    page.select_option("select[name=team]", label="search")
    page.click("button:has-text('Create')")
    secret = page.inner_text("#new-key-secret")
    assert re.fullmatch(r"sk-sy-[0-9a-f]{64}", secret)
    created = admin(gateway, "GET", "/keys?q=dash-key").json()["data"]
    assert len(created) == 1 and created[0]["budget"] == {"limit_usd": 7.5, "period": "weekly", "soft_limit_pct": None}
    assert created[0]["team_name"] == "search"
    answer = http("POST", gateway.data + "/v1/chat/completions", {"model": "fast", "messages": [{"role": "user", "content": "hi"}]},
                  {"Authorization": f"Bearer {secret}"})
    assert answer.status == 200
    dashboard.check_page()
    dashboard.shot("config-keys")

    page.fill("#key-search", "dash-key")
    page.click("text=Find keys")
    page.wait_for_function("() => document.querySelectorAll('#key-list tbody tr').length === 1")
    page.click("button[aria-label='Disable key dash-key']")
    page.wait_for_selector("button[aria-label='Enable key dash-key']")
    assert admin(gateway, "GET", f"/keys/{created[0]['id']}").json()["enabled"] is False

    page = dashboard.open("config/models", "#model-list")
    page.click("text=Add model")
    page.fill("input[name=name]", "dash-model")
    page.select_option("select[name=provider]", label="mock-b")
    page.fill("input[name=upstream_model]", "mock-demo")
    page.fill("input[name=input]", "0.4")
    page.fill("input[name=output]", "1.6")
    page.click("button:has-text('Create')")
    page.wait_for_selector("#model-list tr:has-text('dash-model')")
    model = next(m for m in admin(gateway, "GET", "/models?limit=1000").json()["data"] if m["name"] == "dash-model")
    assert model["provider_name"] == "mock-b" and model["pricing"]["input_per_mtok"] == 0.4 and model["pricing"]["output_per_mtok"] == 1.6

    page = dashboard.open("config/routes", "#route-list")
    page.click("text=Add route")
    page.fill("input[name=name]", "chat")
    page.select_option("select[name=strategy]", "round_robin")
    page.fill("input[name=fallbacks]", "fast")
    page.fill("input[name=hedge_after]", "250")
    page.click("button:has-text('Create')")
    page.wait_for_selector("#route-list tr:has-text('round_robin')")
    route = admin(gateway, "GET", "/routes/chat").json()
    assert route["strategy"] == "round_robin" and route["fallbacks"] == ["fast"] and route["hedge"] == {"enabled": True, "after_ms": 250}
    page.click("button[aria-label='Delete route chat']")
    page.click("text=Confirm: delete chat")
    page.wait_for_selector("#route-list td:has-text('Nothing to show.')")
    assert admin(gateway, "GET", "/routes/chat").status == 404
    dashboard.shot("config-routes")

    page = dashboard.open("config/providers", "#provider-list")
    assert page.is_enabled("text=Next page")
    page.click("button[aria-label='Edit provider mock-b']")
    page.fill("input[name=rpm]", "600")
    page.click("button:has-text('Save changes')")
    page.wait_for_selector("#provider-list tr:has-text('600 rpm')")
    assert admin(gateway, "GET", "/providers/mock-b").json()["rpm"] == 600
    dashboard.shot("config-providers")

    page = dashboard.open("config/versions", "#versions")
    versions = admin(gateway, "GET", "/config/versions?limit=3").json()["data"]
    assert page.inner_text("#versions tbody tr:first-child td:first-child") == str(versions[0]["version"])
    page.click(f"button[aria-label='Show what version {versions[0]['version']} changed']")
    page.wait_for_selector("#diff-changes li")
    diff = admin(gateway, "GET", f"/config/diff?from={versions[0]['version'] - 1}&to={versions[0]['version']}").json()["changes"]
    assert page.locator("#diff-changes > li").count() == len(diff) == 1
    dashboard.check_page()
    dashboard.shot("config-versions")
    # Roll back the provider edit: version n-1 published again as n+1.
    page.click(f"button[aria-label='Roll back to version {versions[1]['version']}']")
    page.click(f"text=Confirm: publish version {versions[1]['version']} again")
    page.wait_for_function(f"() => document.querySelector('#versions tbody tr td')?.textContent === '{versions[0]['version'] + 1}'")
    assert admin(gateway, "GET", "/providers/mock-b").json()["rpm"] is None

    page = dashboard.open("config/audit", "#audit")
    latest = admin(gateway, "GET", "/audit?limit=1").json()["data"][0]
    assert latest["summary"] in page.inner_text("#audit tbody tr:first-child")
    assert seeded["key"]["key"] not in page.content() and ADMIN_TOKEN not in page.content()
    dashboard.check_page()
    dashboard.shot("config-audit")


def test_the_dashboard_files_are_served_with_a_strict_policy(seeded):
    gateway = seeded["gateway"]
    page = http("GET", gateway.admin + "/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert http("GET", gateway.admin + "/ui/js/app.js").headers["content-type"].startswith("text/javascript")
    assert http("GET", gateway.admin + "/ui/../openapi.json").status == 404
    assert http("POST", gateway.admin + "/", b"x").status == 405
    assert not re.search(rb"https?://(?!www\.w3\.org/2000/svg)", b"".join(
        open(os.path.join(root, name), "rb").read() for root, _, names in os.walk(DASHBOARD_DIR) for name in names))
