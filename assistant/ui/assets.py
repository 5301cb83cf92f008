"""The page's CSS and script (Gradio ``launch(css=…, head=…)``): highlights, right-to-left
and mixed text, badges drawn without emoji fonts, and the citation-link handler.

Direction: every paragraph of a chat message, a table cell, the copy-citation box and
the uploads panel takes the direction of its own first strong letter
(``unicode-bidi: plaintext``, the CSS form of ``dir="auto"``), so an English line in
an Arabic answer reads left to right and an Arabic title in an English table right to
left; dates, paths and numbers are isolated left to right where they are written
(``render.ltr``). Icons are CSS or characters of the default Debian fonts (DejaVu):
no emoji. This module holds text only.
"""

from __future__ import annotations

CSS = """
.isnad-msg mark, .isnad-source mark, .isnad-report mark { background: #ffe08a; color: #000; }
.isnad-report-text { white-space: pre-wrap; max-height: 480px; overflow-y: auto; }
.isnad-meta { font-size: 0.9em; opacity: 0.8; margin-bottom: 0.5em; }
.isnad-warn { color: #a40000; }
a.isnad-cite { text-decoration: none; font-weight: 600; cursor: pointer; }
bdi.isnad-nowrap { white-space: nowrap; }
/* each paragraph in its own direction: ":Closest passages" never again */
.isnad-msg p, .isnad-msg li, .isnad-msg blockquote, .isnad-cites li, .isnad-context,
.isnad-report-text, .isnad-jobs div {
  unicode-bidi: plaintext; text-align: start; }
#isnad-copy textarea, #isnad-q textarea, #isnad-claim textarea, #isnad-upload-msg textarea {
  unicode-bidi: plaintext; text-align: start; }
/* tables: Arabic cells right to left, nothing clipped, the page's own font */
#isnad-reports .cell-wrap, #isnad-reports .cell-wrap span,
#isnad-fig-table .cell-wrap, #isnad-fig-table .cell-wrap span {
  unicode-bidi: plaintext; text-align: start; white-space: normal; overflow-wrap: anywhere;
  font-family: var(--font); }
/* verdict badges: coloured pills with DejaVu's ✓ ✗ ? instead of emoji */
.isnad-badge { display: inline-block; min-width: 1.4em; padding: 0 0.45em; margin-inline-end: 0.4em;
  border-radius: 0.7em; color: #fff; font-weight: 700; text-align: center; }
.isnad-badge-supported { background: #1a7f37; }
.isnad-badge-contradicted { background: #c62828; }
.isnad-badge-not_found { background: #6e7781; }
.isnad-jobs, .isnad-cites { list-style: none; padding: 0; margin: 0; }
.isnad-job { border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: 0.4em 0.6em; margin-bottom: 0.4em; }
.isnad-job progress { width: 100%; height: 0.8em; }
.isnad-job-failed .isnad-job-text { color: #a40000; }
"""

HEAD = """<script>
// Isnad: a click on a [n] citation (in the chat or the sources list) opens its source.
// The key "turn-n" goes through a hidden textbox and a hidden button to the server.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.isnad-cite");
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const key = (link.getAttribute("href") || "").replace("#isnad-cite-", "");
  const box = document.querySelector("#isnad-cite-key textarea, #isnad-cite-key input");
  const button = document.querySelector("#isnad-cite-open");
  if (!box || !button) return;
  box.value = key;
  box.dispatchEvent(new Event("input", { bubbles: true }));
  setTimeout(() => button.click(), 60);
}, true);
// Text boxes take the direction of what they hold (Arabic right-to-left, English
// left-to-right), typed or filled in by the server.
function isnadAuto(root) {
  root.querySelectorAll("textarea, input[type=text]").forEach((el) => {
    if (el.getAttribute("dir") !== "auto") el.setAttribute("dir", "auto");
  });
}
document.addEventListener("focusin", (event) => {
  const el = event.target;
  if (el && (el.tagName === "TEXTAREA" || el.tagName === "INPUT")) el.setAttribute("dir", "auto");
});
new MutationObserver(() => isnadAuto(document)).observe(document.documentElement,
  { childList: true, subtree: true });
</script>
"""
