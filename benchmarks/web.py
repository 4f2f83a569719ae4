"""Web: the app's pages against nginx serving the same bytes, one worker each, with wrk
over loopback.

    .venv/bin/python benchmarks/web.py [--rounds 3] [--seconds 10]

The app is benchmarks/webapp.py (the `pathways serve` app on its server, one uvicorn
worker), once for each of uvicorn's HTTP parsers (h11 and httptools, side by side); nginx
(scripts/install-nginx) runs with one worker process and a configuration of its own in a
temporary folder, serving the page's bytes as a file. In each round wrk runs, one after
the other, against:

- kept page: /j/<token>, a journey three steps in; after its first visit the app keeps
  the finished page and answers from memory (what a reader gets for a page already seen);
- never seen: addresses of 5,000 different journeys in turn, more than the app keeps, so
  every request makes its page (a page no one asked for before: stitched from its
  place's skeleton once the 2-second warm-up has made the skeletons);
- preloaded: the kept page's bytes from memory, through the app's routing;
- nginx: the same bytes as a file, served by nginx (the yardstick of a file server);

at 10 and at 50 connections, with one wrk thread (the machine's other core serves).
Figures are medians over the rounds; ratios (kept page ÷ nginx, never seen ÷ kept page,
never seen ÷ nginx) are taken within each round, then their median.

Goals (issue 10), at 50 connections: pages never seen before at a third or more of the
kept page's throughput with p99 under 50 ms; the kept page at 15% or more of nginx.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common import HOST, PYTHON, ROOT, free_port, median, save, table, wrk

from pathways.journey import Journey
from pathways.loader import load_pathway
from serving import wait_for_port


def journey_addresses(count: int, seed: int = 5) -> tuple[str, list[str]]:
    """The benchmark's page (three steps in) and ``count`` different journeys' pages."""
    pathway = load_pathway(ROOT / "pathways.yaml")
    rng = random.Random(seed)
    start = Journey.begin(pathway, {"philadelphia": "positive"})
    page = start
    for _ in range(3):
        page = page.step(page.next_steps()[0].trigger)
    addresses: set[str] = set()
    states = pathway.state_ids
    contexts = ["positive", "negative", "not_known"]
    while len(addresses) < count:  # paths of 2-7 places, as a nurse's jumps make them
        journey = Journey.begin(pathway, {"philadelphia": rng.choice(contexts)})
        for _ in range(rng.randint(1, 6)):
            journey = journey.jump(rng.choice(states))
        addresses.add(f"/j/{journey.token}")
    return f"/j/{page.token}", sorted(addresses)[:count]


def cycling_script(addresses: list[str], folder: Path) -> Path:
    script = folder / "cycle.lua"
    listed = ",\n".join(f'"{a}"' for a in addresses)
    script.write_text(
        f"paths = {{\n{listed}\n}}\n"
        "counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        '  return wrk.format("GET", paths[(counter % #paths) + 1])\n'
        "end\n",
        encoding="utf-8",
    )
    return script


NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    keepalive_requests 1000000;
    server_tokens off;
    types {{ text/html html; }}
    server {{
        listen {host}:{port};
        root {folder}/root;
        location / {{ }}
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        raise SystemExit("nginx is not installed: scripts/install-nginx (make bench runs it)")
    return found


@contextmanager
def nginx(page: bytes, folder: Path) -> Iterator[str]:
    """nginx serving ``page`` as /page.html from a folder of its own; yields the URL."""
    port = free_port()
    (folder / "root").mkdir(parents=True)
    (folder / "root" / "page.html").write_bytes(page)
    for readable in (folder.parent, folder, folder / "root"):  # nginx's worker is not us
        readable.chmod(0o755)
    (folder / "root" / "page.html").chmod(0o644)
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(folder=folder, host=HOST, port=port), encoding="utf-8")
    binary = nginx_binary()
    subprocess.run([binary, "-t", "-q", "-p", str(folder), "-c", str(conf)], check=True)
    server = subprocess.Popen([binary, "-p", str(folder), "-c", str(conf)])
    try:
        wait_for_port(port, None, 30)
        url = f"http://{HOST}:{port}/page.html"
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.read() == page, "nginx does not serve the same bytes"
        yield url
    finally:
        server.terminate()
        server.wait(30)


GOAL_NEW_OVER_KEPT = 1 / 3
"""Pages never seen before: at least a third of the kept page's throughput (issue 10)..."""
GOAL_NEW_P99_MS = 50.0
"""...with p99 under 50 ms at 50 connections..."""
GOAL_KEPT_OVER_NGINX = 0.15
"""...and the kept page at 15% or more of nginx serving the same bytes."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--http",
        default="h11,httptools",
        help="uvicorn's parsers to measure side by side, comma-separated (h11, httptools)",
    )
    args = parser.parse_args()
    parsers = [p.strip() for p in args.http.split(",") if p.strip()]
    page, many = journey_addresses(5000)
    runs: dict[str, list[dict[str, float]]] = {}
    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    with tempfile.TemporaryDirectory() as folder:
        script = cycling_script(many, Path(folder))
        try:
            for http in parsers:
                port = free_port()
                servers[http] = (
                    subprocess.Popen(
                        [
                            *(PYTHON, str(ROOT / "benchmarks" / "webapp.py")),
                            *("--port", str(port), "--page", page, "--http", http),
                            *("--write-page", str(Path(folder) / f"page-{http}.html")),
                        ],
                        cwd=ROOT,
                    ),
                    f"http://{HOST}:{port}",
                )
            for _, base in servers.values():
                wait_for_port(int(base.rsplit(":", 1)[1]), None, 120)
            pages = {(Path(folder) / f"page-{http}.html").read_bytes() for http in parsers}
            assert len(pages) == 1, "the servers do not serve the same page"
            with nginx(pages.pop(), Path(folder) / "nginx") as nginx_url:
                targets: dict[str, tuple[str, Path | None]] = {}
                for http, (_, base) in servers.items():
                    targets[f"kept page [{http}]"] = (f"{base}{page}", None)
                    targets[f"never seen [{http}]"] = (f"{base}/", script)
                    targets[f"preloaded [{http}]"] = (f"{base}/preloaded", None)
                targets["nginx"] = (nginx_url, None)
                for url, lua in targets.values():  # warm up
                    wrk(url, connections=10, seconds=2, script=lua)
                for _ in range(args.rounds):
                    for connections in (10, 50):
                        for name, (url, lua) in targets.items():
                            result = wrk(
                                url, connections=connections, seconds=args.seconds, script=lua
                            )
                            runs.setdefault(f"{name} c={connections}", []).append(result)
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(30)
    summary = {
        key: {field: median([r[field] for r in values]) for field in values[0]}
        for key, values in runs.items()
    }

    def ratio(name: str, over: str, connections: int) -> float:
        """``name`` ÷ ``over`` in requests/s, round by round, then the median."""
        pairs = zip(runs[f"{name} c={connections}"], runs[f"{over} c={connections}"], strict=True)
        return median([a["rps"] / b["rps"] for a, b in pairs])

    ratios: dict[str, float] = {}
    goals: dict[str, dict[str, bool]] = {}
    for http in parsers:
        kept, new = f"kept page [{http}]", f"never seen [{http}]"
        for connections in (10, 50):
            for name in (kept, new, f"preloaded [{http}]"):
                ratios[f"{name} c={connections} / nginx"] = ratio(name, "nginx", connections)
            ratios[f"{new} c={connections} / kept"] = ratio(new, kept, connections)
        goals[http] = {
            "never seen >= 1/3 of kept (c=50)": ratios[f"{new} c=50 / kept"] >= GOAL_NEW_OVER_KEPT,
            "never seen p99 < 50 ms (c=50)": summary[f"{new} c=50"]["p99_ms"] < GOAL_NEW_P99_MS,
            "kept >= 15% of nginx (c=50)": ratios[f"{kept} c=50 / nginx"] >= GOAL_KEPT_OVER_NGINX,
        }
    rows = [
        [
            key,
            f"{s['rps']:.0f}",
            f"{s['p50_ms']:.1f}",
            f"{s['p99_ms']:.1f}",
            int(sum(r["errors"] for r in runs[key])),
        ]
        for key, s in summary.items()
    ]
    print(table(["page", "requests/s", "p50 ms", "p99 ms", "errors"], rows))
    for key, value in ratios.items():
        print(f"{key} (per round, median): {value:.2f}")
    for http, met in goals.items():
        for goal, ok in met.items():
            print(f"goal [{http}] {goal}: {'met' if ok else 'NOT met'}")
    save(
        "web",
        {
            "page": "/j/<token> (three steps in)",
            "rounds": args.rounds,
            "seconds": args.seconds,
            "parsers": parsers,
            "runs": runs,
            "medians": summary,
            "ratios": ratios,
            "goals": goals,
        },
    )


if __name__ == "__main__":
    main()
