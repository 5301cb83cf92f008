"""The Gradio app in real headless Chromium (Debian /usr/bin/chromium; skipped without it).

One app per module over a tiny real index (seed + an English report, see
test_ui_api.start_app). Checks what a journalist sees: the streamed Arabic
answer right-to-left with its figure, a citation opening its highlighted quote,
uploads answered from (with their progress shown while they run, and going on
when the page is left), a report with <script> shown as inert text, the figures
chart drawing its bars, text directions (each line, date and table cell in its
own), the copy-citation text and "New conversation". Directions are checked
where the glyphs land on the screen, not only in attributes. Screenshots go to
test-output/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_ui_api import Q_SEED, SEED, start_app

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


UPLOAD_DONE = ("() => /^(added|Nothing|Error|This index)/.test("
               "document.querySelector('#isnad-upload-msg textarea').value)")


def upload(pg, path: Path, back_to_chat: bool = True) -> str:
    """Upload a file from the Reports tab; its outcome, once its progress lines are over."""
    pg.get_by_role("tab", name="Reports · التقارير").click()
    pg.set_input_files("#isnad-files input[type=file]", str(path))
    pg.click("#isnad-add")
    pg.wait_for_function(UPLOAD_DONE, timeout=300_000)
    msg = pg.locator("#isnad-upload-msg textarea").input_value()
    if back_to_chat:
        pg.get_by_role("tab", name="Chat · المحادثة").click()
    return msg


def glyph_x(pg, selector: str, needle: str) -> tuple[float, float]:
    """Screen x of the first and of the last character of ``needle`` inside the first element
    matching ``selector`` whose text holds it: first < last means it reads left to right."""
    return tuple(pg.evaluate("""([sel, needle]) => {
      const el = [...document.querySelectorAll(sel)].find(e => e.textContent.includes(needle));
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      let node; while ((node = walker.nextNode()) && !node.data.includes(needle)) {}
      const at = node.data.indexOf(needle), range = document.createRange();
      const x = (i) => { range.setStart(node, i); range.setEnd(node, i + 1);
                         const r = range.getBoundingClientRect(); return r.left + r.width / 2; };
      return [x(at), x(at + needle.length - 1)];
    }""", [selector, needle]))


def english_report(path: Path, lines: int) -> Path:
    """A made-up English report whose every passage differs (so each is embedded)."""
    towns = ["Idlib", "Aleppo", "Homs", "Hama", "Daraa", "Raqqa", "Latakia", "Douma"]
    body = [f"Update {i}: on day {i % 28 + 1} of the month, {i % 40 + 2} families left "
            f"{towns[i % len(towns)]} after shelling hit block {i} near the {i * 7 % 13}th "
            "street market, local volunteers said." for i in range(lines)]
    path.write_text("Weekly displacement log\n\n" + "\n".join(body) + "\n", encoding="utf-8")
    return path


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


def test_upload_shows_its_progress_and_goes_on_when_the_page_is_left(page, tmp_path):
    report = english_report(tmp_path / "displacement_log.txt", 900)  # ~150 KB, ~200 passages
    page.get_by_role("tab", name="Reports · التقارير").click()
    page.set_input_files("#isnad-files input[type=file]", str(report))
    page.click("#isnad-add")
    page.wait_for_function("() => /vectors \\d+\\/\\d+/.test("
                           "document.querySelector('#isnad-upload-msg textarea').value)",
                           timeout=120_000)
    line = page.locator("#isnad-upload-msg textarea").input_value()
    assert re.search(r"files read 1/1 · [\d,]+ chunks committed .* vectors \d+/\d+", line), line
    page.wait_for_selector("#isnad-jobs progress", timeout=30_000)  # the uploads panel too
    assert "displacement_log.txt" in page.inner_text("#isnad-jobs")
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "ui_upload_progress.png"), full_page=True)
    page.reload()  # the tab that started it is gone; the server goes on
    page.wait_for_selector("#isnad-q textarea")
    page.get_by_role("tab", name="Reports · التقارير").click()
    page.wait_for_function("() => document.querySelector('#isnad-jobs').innerText"
                           ".includes('added 1')", timeout=300_000)
    page.wait_for_function("() => document.querySelector('#isnad-reports').innerText"
                           ".includes('displacement_log.txt')", timeout=60_000)


def test_figures_chart_draws_bars_with_labelled_axes(page):
    page.get_by_role("tab", name="Figures · الأرقام").click()
    page.fill("#isnad-fig-place textarea, #isnad-fig-place input", "مخيم اليرموك")
    page.click("#isnad-fig-show")
    page.wait_for_selector("#isnad-fig-bars .role-mark path", timeout=60_000)
    bars = page.locator("#isnad-fig-bars .role-mark path")
    assert bars.count() == 2  # 11 regime fighters and 9 HTS members, one report date
    heights = [b["height"] for b in (bars.nth(i).bounding_box() for i in range(2))]
    assert min(heights) > 20
    titles = page.inner_text("#isnad-fig-bars")
    assert "Figure · الرقم" in titles and "Series · السلسلة" in titles
    assert page.is_hidden("#isnad-fig-chart")  # the empty line chart is not shown
    with page.expect_download() as download:
        page.click("#isnad-fig-csv")
    rows = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("value,qualifier,category") and len(rows) == 3
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "ui_figures.png"), full_page=True)


def test_each_line_date_and_cell_reads_in_its_own_direction(page):
    ask(page, Q_SEED, 0)
    answer = "#isnad-chat .isnad-msg"
    first, last = glyph_x(page, answer, "2018-04-24")  # the Sources line of an Arabic answer
    assert first < last  # not "24-04-2018"
    first, last = glyph_x(page, "#isnad-src-list", "2018-04-24")
    assert first < last
    item = page.locator("#isnad-src-list li").first  # an Arabic title: the item is RTL
    assert item.evaluate("e => getComputedStyle(e).direction") == "rtl"
    ask(page, "How many Islamic State members were killed?", 1)
    msg = page.locator(answer).last
    assert msg.evaluate("e => getComputedStyle(e).direction") == "ltr"  # an English question
    quote = next(t for t in ["الدولة الإسلامية", "عناصر تنظيم"] if t in msg.inner_text())
    first, last = glyph_x(page, f"{answer} blockquote", quote)
    assert first > last  # the Arabic quote inside it still reads right to left
    msg = ask(page, "كم عدد المدنيين الذين قتلوا في سوق السكري في حلب؟", 2)
    assert msg.evaluate("e => getComputedStyle(e).direction") == "rtl"  # an Arabic question
    first, last = glyph_x(page, f"{answer} blockquote", "civilians were killed")
    assert first < last  # the English quote inside it reads left to right
    page.get_by_role("tab", name="Reports · التقارير").click()
    page.wait_for_function("() => document.querySelector('#isnad-reports').innerText"
                           ".includes('قوات النظام تستقدم')", timeout=60_000)
    title = "قوات النظام تستقدم"
    first, last = glyph_x(page, "#isnad-reports .cell-wrap span", title)
    assert first > last
    cell = page.evaluate("""(t) => { const e = [...document.querySelectorAll(
        '#isnad-reports .cell-wrap span')].find(x => x.textContent.includes(t));
        const box = e.getBoundingClientRect(), cell = e.closest('.cell-wrap').getBoundingClientRect();
        const r = document.createRange(); r.selectNodeContents(e);
        const text = r.getBoundingClientRect();
        return [e.scrollWidth <= e.clientWidth + 1, cell.right - text.right, text.left - cell.left,
                e.scrollHeight <= e.clientHeight + 1 || getComputedStyle(e).overflow === 'visible']
    }""", title)
    assert cell[0] and cell[3]  # nothing clipped
    assert cell[1] < cell[2]  # set against the right edge
    english = "Aleppo field report"
    first, last = glyph_x(page, "#isnad-reports .cell-wrap span", english)
    assert first < last
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "ui_reports.png"), full_page=True)
    text = page.evaluate("document.body.innerText")
    assert not re.search("[\u2705\u274c\u2754\U0001f300-\U0001faff]", text)  # no emoji


def test_copy_citation_has_title_date_source_and_exact_span(page):
    ask(page, Q_SEED, 0)
    quote = open_citation(page, 0)
    copied = page.input_value("#isnad-copy textarea").split("\n")
    title, meta, where, cited = copied[0], copied[1], copied[2], copied[3]
    seed = SEED.read_text(encoding="utf-8")
    assert title == seed.split("\n", 1)[0].strip()
    assert meta == "2018-04-24 · Syrian Observatory for Human Rights (SOHR)"
    span = re.fullmatch(r"000_9c31ee48a94572c0\.txt · doc [0-9a-f]{16} · characters (\d+)–(\d+)",
                        where)
    assert span, where
    assert cited == f"«{quote}»" and seed[int(span[1]):int(span[2])] == quote
    first, last = glyph_x(page, "#isnad-source", quote[:12])
    assert first > last
    box = page.locator("#isnad-copy textarea")
    assert box.evaluate("e => [e.dir, getComputedStyle(e).unicodeBidi]") == ["auto", "plaintext"]


def test_new_conversation_starts_afresh(page):
    ask(page, "How many civilians were killed in Aleppo?", 0)
    open_citation(page, 0)
    page.click("#isnad-new")
    page.wait_for_function("() => !document.querySelector('#isnad-chat .isnad-msg')",
                           timeout=30_000)
    assert page.input_value("#isnad-copy textarea") == ""
    assert "Click a [n] citation" in page.inner_text("#isnad-src-list")
    msg = ask(page, "How many people were wounded?", 0)  # numbered as turn 0 again
    assert page.locator("#isnad-chat .isnad-msg").count() == 2  # this question, its answer
    assert "31" in msg.inner_text()
