"""The nginx configuration in docs/deploy.md is valid and does what the page says: run
through `nginx -t`, then in front of a real `pathways serve` over HTTPS on 127.0.0.1.

Needs Debian's nginx (`scripts/install-nginx`, run by `make test`) and openssl.
"""

from __future__ import annotations

import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from serving import HOST, ROOT, free_port, serving, wait_for_port

pytestmark = pytest.mark.skipif(
    shutil.which("nginx") is None or shutil.which("openssl") is None,
    reason="needs nginx (scripts/install-nginx) and openssl",
)
NAME = "pathways.example.org"


def documented_nginx() -> str:
    """The ```nginx block of docs/deploy.md."""
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```nginx\n(.*?)```", text, re.S)
    return block


def _site(folder: Path, app_port: int, http_port: int, https_port: int) -> Path:
    """The documented site with this test's ports, certificate and log, and a main
    configuration that runs nginx in the foreground as one process."""
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")),
            *("-subj", f"/CN={NAME}", "-addext", f"subjectAltName=DNS:{NAME}"),
        ],
        check=True,
        capture_output=True,
    )
    site = documented_nginx()
    site = re.sub(r"server 127\.0\.0\.1:800\d;", f"server {HOST}:{app_port};", site)
    site = re.sub(r"listen 80\b", f"listen {HOST}:{http_port}", site)
    site = re.sub(r"listen 443\b", f"listen {HOST}:{https_port}", site)
    site = site.replace("/etc/ssl/pathways/fullchain.pem", str(folder / "cert.pem"))
    site = site.replace("/etc/ssl/pathways/privkey.pem", str(folder / "key.pem"))
    site = site.replace("/var/log/nginx/pathways.log", str(folder / "site.log"))
    (folder / "site.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = folder / "nginx.conf"
    main.write_text(
        f"daemon off;\nmaster_process off;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'};\n"
        "events { worker_connections 256; }\n"
        f"http {{\n{temp}\n    access_log {folder / 'access.log'};\n"
        f"    include {folder / 'site.conf'};\n}}\n",
        encoding="utf-8",
    )
    return main


def _https(port: int, request: bytes, name: str = NAME) -> bytes:
    """One request over TLS (SNI ``name``), everything read until the server closes."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection((HOST, port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=name) as sock,
    ):
        sock.sendall(request)
        return _read(sock)


def _read(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, ssl.SSLEOFError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(answer: bytes) -> tuple[int, dict[str, str]]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    fields = [line.split(":", 1) for line in head[1:]]
    return int(head[0].split()[1]), {k.strip().lower(): v.strip() for k, v in fields}


def _get(path: str, host: str = NAME, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n".encode()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """pathways serve behind the documented nginx: (http port, https port)."""
    folder = tmp_path_factory.mktemp("nginx")
    with serving(folder, ["--forwarded-allow-ips", HOST]) as app:
        http_port, https_port = free_port(), free_port()
        config = _site(folder, app.port, http_port, https_port)
        checked = subprocess.run(
            ["nginx", "-t", "-p", str(folder), "-c", str(config)], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen(
            ["nginx", "-p", str(folder), "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(https_port, None, 30)
            yield http_port, https_port
        finally:
            nginx.terminate()
            nginx.wait(30)


def test_a_redirect_through_nginx_keeps_https_and_the_host(proxied: tuple[int, int]) -> None:
    """Behind the documented nginx over HTTPS, the trailing-slash redirect names only the
    path (the browser keeps https and the host), with the app's security headers, and
    nginx's Server header names no version (server_tokens off)."""
    _, https_port = proxied
    status, headers = _parse(_https(https_port, _get("/glossary/")))
    assert status == 307
    assert headers["location"] == "/glossary"
    assert headers["server"] == "nginx"
    assert "content-security-policy" in headers


def test_pages_through_nginx_are_compressed_and_tagged(proxied: tuple[int, int]) -> None:
    """The app's gzip, Vary, ETag and Cache-Control pass through nginx unchanged."""
    _, https_port = proxied
    status, headers = _parse(_https(https_port, _get("/", extra="Accept-Encoding: gzip\r\n")))
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    assert headers["etag"].startswith('W/"')
    assert headers["cache-control"] == "public, no-cache"


def test_other_host_names_get_nothing(proxied: tuple[int, int]) -> None:
    """A forged Host over plain HTTP is closed without an answer (444); a TLS handshake
    for another name is refused; plain HTTP for the site's name goes to https."""
    http_port, https_port = proxied
    with socket.create_connection((HOST, http_port), timeout=10) as sock:
        sock.sendall(_get("/", host="evil.example"))
        assert _read(sock) == b""
    with pytest.raises(ssl.SSLError):
        _https(https_port, _get("/", host="evil.example"), name="evil.example")
    with socket.create_connection((HOST, http_port), timeout=10) as sock:
        sock.sendall(_get("/glossary"))
        status, headers = _parse(_read(sock))
    assert status == 301
    assert headers["location"] == f"https://{NAME}/glossary"
