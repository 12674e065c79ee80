"""deploy/ stays true to the binary: every flag and SWITCHYARD_ variable the unit files, the Dockerfile and
the manifests use exists in `switchyard serve --help`; the manifests parse; the nginx example passes
`nginx -t` (no container engine runs here, so the image itself is not built)."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import bin_dir

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(ROOT, "deploy")


def deploy_files():
    for directory, _, names in os.walk(DEPLOY):
        for name in names:
            if name != "README.md":
                yield os.path.join(directory, name)


def help_text():
    result = subprocess.run([os.path.join(bin_dir(), "switchyard"), "serve", "--help"], capture_output=True, text=True)
    return result.stdout + result.stderr


def test_every_flag_and_variable_used_in_deploy_exists():
    known = help_text()
    flags, variables = set(), set()
    for path in deploy_files():
        text = open(path).read()
        for line in text.splitlines():
            if "switchyard" in line or "args:" in line or "CMD" in line or "ENTRYPOINT" in line:
                flags |= set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", line))
        variables |= set(re.findall(r"SWITCHYARD_[A-Z_]+", text))
    flags -= {"--product", "--show-bin-path", "--static-swift-stdlib", "--no-install-recommends", "--system", "--uid", "--home",
              "--from"}  # the build's and the image's own tools
    assert flags, "no flags found: the check would prove nothing"
    unknown = sorted(flag for flag in flags if f"  {flag} " not in known)
    assert not unknown, f"deploy/ uses flags the binary does not have: {unknown}"
    missing = sorted(variable for variable in variables if f"[{variable}]" not in known)
    assert not missing, f"deploy/ uses variables the binary does not read: {missing}"
    assert {"--role", "--control-plane", "--listen", "--admin-listen", "--data-dir"} <= flags


def test_the_role_flags_are_accepted_by_the_binary(tmp_path):
    binary = os.path.join(bin_dir(), "switchyard")
    bad = subprocess.run([binary, "serve", "--role", "data-plane", "--data-dir", str(tmp_path)], capture_output=True, text=True)
    assert bad.returncode == 2 and "--control-plane" in bad.stderr
    worse = subprocess.run([binary, "serve", "--role", "edge"], capture_output=True, text=True)
    assert worse.returncode == 2


def test_the_manifests_parse():
    yaml = pytest.importorskip("yaml")
    kinds = []
    for name in ("control-plane.yaml", "data-plane.yaml"):
        with open(os.path.join(DEPLOY, "kubernetes", name)) as f:
            kinds += [document["kind"] for document in yaml.safe_load_all(f) if document]
    assert {"StatefulSet", "Deployment", "Service", "Secret"} <= set(kinds)


def test_the_nginx_example_passes_nginx_t(tmp_path):
    if not shutil.which("nginx") or not shutil.which("openssl"):
        pytest.skip("nginx or openssl is not installed")
    for name in ("llm", "control"):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-days", "1",
                        "-keyout", str(tmp_path / f"{name}.key"), "-out", str(tmp_path / f"{name}.crt")], check=True, capture_output=True)
    example = open(os.path.join(DEPLOY, "nginx", "switchyard-lb.conf")).read().replace("/etc/nginx/tls", str(tmp_path))
    (tmp_path / "lb.conf").write_text(example)
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{ include {tmp_path}/lb.conf; }}
""")
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
