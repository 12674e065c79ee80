"""HTTP/2 over TLS to an upstream that offers it: nginx terminates TLS with h2 in front of mock-llm."""
import shutil
import socket
import subprocess
import time

import pytest

from conftest import add_route, chat, sse_events, wait_for


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def tls_upstream(tmp_path, mock):
    """nginx on a loopback port with a self-signed certificate for 127.0.0.1, proxying to mock-llm."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    port = free_port()
    (tmp_path / "nginx.conf").write_text(f"""
daemon off;
master_process off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
  access_log {tmp_path}/access.log;
  log_format protocol '$server_protocol $request_uri';
  server {{
    listen 127.0.0.1:{port} ssl http2;
    ssl_certificate {tmp_path}/cert.pem;
    ssl_certificate_key {tmp_path}/key.pem;
    access_log {tmp_path}/protocol.log protocol;
    location / {{
      proxy_pass {mock.base};
      proxy_http_version 1.1;
      proxy_buffering off;
    }}
  }}
}}
""")
    process = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
            time.sleep(0.02)
    yield {"url": f"https://127.0.0.1:{port}/v1", "ca": str(tmp_path / "cert.pem"), "log": tmp_path / "protocol.log"}
    process.kill()
    process.wait()


def test_completions_use_http2_over_tls_when_offered(gateway, mock, tls_upstream):
    add_route(gateway, mock, provider="tls", base_url=tls_upstream["url"], settings={"ca_file": tls_upstream["ca"]})
    assert chat(gateway, "chat").status == 200
    streamed = chat(gateway, "chat", stream=True)
    assert sse_events(streamed.body)[-1] == "[DONE]"
    # nginx writes its access log after the response has gone out: wait for both lines.
    log = tls_upstream["log"]
    assert wait_for(lambda: len(log.read_text().splitlines()) >= 2)
    assert log.read_text().splitlines() == ["HTTP/2.0 /v1/chat/completions"] * 2


def test_an_untrusted_certificate_is_refused(gateway, mock, tls_upstream):
    add_route(gateway, mock, provider="tls-untrusted", base_url=tls_upstream["url"])
    response = chat(gateway, "chat")
    assert response.status == 502 and response.json()["error"]["code"] == "upstream_unreachable"
