"""The README's curl walk-through, run as written against a fresh gateway (ports and paths substituted)."""
import os
import re
import subprocess

from conftest import ADMIN_TOKEN, start_gateway

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")


def walkthrough():
    text = open(README).read()
    section = text.split("## Walk-through", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_readme_walkthrough_works(tmp_path, mock):
    gateway = start_gateway(tmp_path / "var", "--demo-upstream", mock.base + "/v1", unpriced_policy=None)
    (tmp_path / "var" / "admin-token").write_text(ADMIN_TOKEN + "\n")
    try:
        script = walkthrough()
        script = script.replace("localhost:8080", gateway.data.split("//")[1])
        script = script.replace("localhost:8081", gateway.admin.split("//")[1])
        script = script.replace("http://127.0.0.1:8090", mock.base)
        script = script.replace("./var/admin-token", str(tmp_path / "var" / "admin-token"))
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        output = result.stdout
        assert '"error"' not in output, output
        assert "data: [DONE]" in output
        assert '"name":"local-mock"' in output and '"name":"my-model"' in output
        assert '"model":"mock-fast"' in output
        assert '"version":3' in output
    finally:
        gateway.kill()
