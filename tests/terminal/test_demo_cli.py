from __future__ import annotations

import argparse
import threading

import httpx

from auditbot.terminal import demo_cli


def test_the_demo_prints_the_page_address_and_stops_cleanly(capsys):
    parser = argparse.ArgumentParser()
    demo_cli.add_arguments(parser)
    args = parser.parse_args(["--port", "0"])
    stop = threading.Event()
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(demo_cli.run(args, stop=stop)))
    runner.start()
    out = ""
    try:
        for _ in range(200):
            out += capsys.readouterr().out
            if "press Ctrl-C" in out:
                break
            runner.join(timeout=0.05)
        first = out.splitlines()[0]
        url = first.split("open ", 1)[1].split(" ", 1)[0]
        assert first.startswith("auditbot demo: open http://127.0.0.1:")
        assert httpx.get(url, timeout=10).status_code == 200
        assert "/audit action:added_org_admin last:30d" in out
    finally:
        stop.set()
        runner.join(timeout=30)
    assert result == [0]
