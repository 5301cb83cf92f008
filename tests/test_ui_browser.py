"""The Gradio app in real headless Chromium (Debian /usr/bin/chromium; skipped without it).

One app per module over a tiny real index (seed + an English report, see
test_ui_api.start_app). Checks what a journalist sees: the streamed Arabic
answer right-to-left with its figure, a citation opening its highlighted quote,
uploads answered from, and a report with <script> shown as inert text.
A screenshot of the answered chat goes to test-output/ui_chat.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ui_api import Q_SEED, start_app

CHROMIUM = Path("/usr/bin/chromium")
OUT = Path(__file__).resolve().parents[1] / "test-output"
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    demo, backend, url = start_app(tmp_path_factory.mktemp("ui_browser"))
    yield url
    demo.close()
    backend.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    pg = browser.new_page(viewport={"width": 1400, "height": 1000})
    pg.dialogs = []  # every alert/confirm the page opens (there must be none)
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.goto(app_url)
    pg.wait_for_selector("#isnad-q textarea")
    yield pg
    pg.close()


WATCH = """() => { window.isnadSeen = []; new MutationObserver(() => {
  const m = document.querySelectorAll('#isnad-chat .isnad-msg');
  const t = m.length ? m[m.length - 1].innerText : '';
  if (window.isnadSeen[window.isnadSeen.length - 1] !== t) window.isnadSeen.push(t);
}).observe(document.querySelector('#isnad-chat'),
           {subtree: true, childList: true, characterData: true}); }"""


def ask(pg, question: str, turn: int):
    """Type a question, send it, wait for the final stage; the last answer element."""
    pg.fill("#isnad-q textarea", question)
    pg.click("#isnad-send")
    pg.wait_for_selector(f'#isnad-src-list a[href^="#isnad-cite-{turn}-"]', timeout=120_000)
    return pg.locator("#isnad-chat .isnad-msg").last


def upload(pg, path: Path) -> str:
    pg.get_by_role("tab", name="Reports · التقارير").click()
    pg.set_input_files("#isnad-files input[type=file]", str(path))
    pg.click("#isnad-add")
    box = pg.locator("#isnad-upload-msg textarea")
    pg.wait_for_function("() => document.querySelector('#isnad-upload-msg textarea').value",
                         timeout=120_000)
    msg = box.input_value()
    pg.get_by_role("tab", name="Chat · المحادثة").click()
    return msg


def open_citation(pg, turn: int, n: int = 1) -> str:
    pg.locator(f'#isnad-chat a[href="#isnad-cite-{turn}-{n}"]').first.click()
    pg.wait_for_selector("#isnad-source mark", timeout=60_000)
    return pg.inner_text("#isnad-source mark")


def test_arabic_answer_is_rtl_and_citation_opens_quote(page):
    msg = ask(page, Q_SEED, 0)
    assert "52" in msg.inner_text()
    direction = msg.evaluate("e => [e.getAttribute('dir'), getComputedStyle(e).direction]")
    assert direction == ["rtl", "rtl"]
    user = page.locator("#isnad-chat .isnad-msg").first
    assert user.evaluate("e => getComputedStyle(e).direction") == "rtl"
    quote = open_citation(page, 0)
    assert "52" in quote
    assert quote in page.input_value("#isnad-copy textarea")  # "copy citation" has it verbatim
    page.click("#isnad-whole")
    page.wait_for_selector("#isnad-report mark#isnad-mark", timeout=60_000)
    assert page.inner_text("#isnad-report mark") == quote
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "ui_chat.png"), full_page=True)
    assert page.dialogs == []


def test_upload_then_ask_about_it(page, tmp_path):
    f = tmp_path / "deir_ez_zor_note.txt"
    f.write_text("Deir ez-Zor note\n\nOn 4 May 2021, 9 trucks of aid reached Deir ez-Zor "
                 "after a week of delays.\n", encoding="utf-8")
    assert upload(page, f).startswith("added 1")
    page.evaluate(WATCH)
    msg = ask(page, "How many trucks of aid reached Deir ez-Zor?", 0)
    assert "9" in msg.inner_text()
    seen = page.evaluate("window.isnadSeen")  # the answer streamed in: short answer first
    short = [t for t in seen if "9" in t and "[1]" not in t]
    assert short and seen.index(short[0]) < seen.index(msg.inner_text())
    assert "9 trucks" in open_citation(page, 0)
    assert "deir_ez_zor_note.txt" in page.inner_text("#isnad-source")


def test_report_with_script_shows_as_text(page, tmp_path):
    payload = "<script>alert(1)</script> <img src=x onerror=alert(2)>"
    f = tmp_path / "raqqa_note.txt"
    f.write_text(f"Raqqa note {payload}\n\nOn 9 June 2017, 12 houses were destroyed in Raqqa "
                 f"{payload} according to residents.\n", encoding="utf-8")
    assert upload(page, f).startswith("added 1")
    msg = ask(page, "How many houses were destroyed in Raqqa?", 0)
    assert "12" in msg.inner_text()
    open_citation(page, 0)
    source = page.inner_text("#isnad-source")
    assert "<script>alert(1)</script>" in source  # visible as text
    assert page.locator("#isnad-source script, #isnad-source img").count() == 0
    assert page.locator("#isnad-chat script, #isnad-chat img[src=x]").count() == 0
    page.get_by_role("tab", name="Reports · التقارير").click()
    page.wait_for_function("() => document.querySelector('#isnad-reports')"
                           ".innerText.includes('<script>alert(1)</script>')", timeout=30_000)
    assert page.dialogs == []
