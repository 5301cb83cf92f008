"""The served app's access controls: login on when a users file is set, read-only
mode refusing uploads and removals, the /health route, and the loopback default."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from test_ui_api import SEED, free_port, http

from assistant.cli import main as cli_main
from assistant.config import Config
from assistant.ui.access import set_password


@pytest.fixture(scope="module")
def locked_app(tmp_path_factory):
    from assistant.assistant import Assistant
    from assistant.ui.app import serve

    tmp = tmp_path_factory.mktemp("ui_access")
    asst = Assistant.open(tmp / "index")  # built beforehand: read-only serves, never writes
    asst.ingest([SEED])
    asst.close()
    users = tmp / "users"
    set_password(users, "rana", "s3cret-pass")
    cfg = Config(index_dir=tmp / "index", port=free_port(), auth_file=users, read_only=True)
    demo, backend = serve(cfg, seed_dir=None, block=False)
    backend.get(timeout=600)
    yield f"http://127.0.0.1:{cfg.port}/", tmp
    demo.close()
    backend.close()


USER = ("rana", "s3cret-pass")
Q = "من أين جاءت التعزيزات العسكرية لقوات النظام؟"


def test_health_tells_an_anonymous_caller_only_that_it_is_up(locked_app) -> None:
    url, _ = locked_app
    assert http(url, "/health")[:2] == (200, {"status": "ok"})
    status, data, _ = http(url, "/health", auth=USER)
    assert status == 200 and data["status"] == "ok" and data["read_only"] is True
    assert data["counts"]["reports"] == 1


def test_http_api_needs_a_user(locked_app) -> None:
    url, _ = locked_app
    status, _, headers = http(url, "/api/ask", {"question": Q})
    assert status == 401 and headers["www-authenticate"].startswith("Basic")
    assert http(url, "/api/ask", {"question": Q}, auth=("rana", "wrong"))[0] == 401
    assert http(url, "/api/search", {"query": Q}, auth=("nobody", "x"))[0] == 401
    status, answer, _ = http(url, "/api/ask", {"question": Q}, auth=USER)
    assert status == 200 and answer["found"] and answer["citations"]
    status, hits, _ = http(url, "/api/search", {"query": Q, "k": 3}, auth=USER)
    assert status == 200 and hits["hits"]


def test_http_api_takes_the_ui_login_session(locked_app) -> None:
    url, _ = locked_app
    cookies = urllib.request.HTTPCookieProcessor()
    browser = urllib.request.build_opener(cookies)
    form = urllib.parse.urlencode({"username": USER[0], "password": USER[1]}).encode()
    with browser.open(urllib.request.Request(url + "login", data=form), timeout=60) as resp:
        assert json.loads(resp.read())["success"] is True
    status, answer, _ = http(url, "/api/ask", {"question": Q}, opener=browser)
    assert status == 200 and answer["found"]


def test_login_required_and_accepted(locked_app) -> None:
    from gradio_client import Client

    url, _ = locked_app
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises various types
        Client(url, verbose=False).predict(question="x", api_name="/ask")
    client = Client(url, auth=("rana", "s3cret-pass"), verbose=False)
    out = json.loads(client.predict(question="من أين جاءت التعزيزات العسكرية لقوات النظام؟",
                                    api_name="/ask"))
    assert out["found"] and out["citations"]
    with pytest.raises(Exception):  # noqa: B017
        Client(url, auth=("rana", "wrong"), verbose=False)


def test_read_only_refuses_upload_and_removal(locked_app) -> None:
    from gradio_client import Client, handle_file

    url, tmp = locked_app
    client = Client(url, auth=USER, verbose=False)
    extra = Path(tmp) / "extra.txt"
    extra.write_text("تقرير إضافي\n\nقتل 3 مدنيين في إدلب.\n", encoding="utf-8")
    msg = client.predict(files=[handle_file(str(extra))], api_name="/upload")
    assert "read-only" in msg
    msg = client.predict(SEED.name, api_name="/remove")
    assert "read-only" in msg
    assert http(url, "/health", auth=USER)[1]["counts"]["reports"] == 1


def test_serve_refuses_non_loopback_by_default(tmp_path: Path, capsys) -> None:
    code = cli_main(["--index", str(tmp_path / "i"), "serve", "--host", "0.0.0.0",
                     "--port", str(free_port())])
    assert code == 2
    assert "refusing to listen on 0.0.0.0" in capsys.readouterr().err
