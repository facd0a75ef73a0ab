"""The book as a reader gets it: pages render, links hold, search finds, copying works.

Needs a built book (``make html``); run with ``make browser-test``. The tests use the
pages that exist: the index, the API reference, the report, and whichever chapters are
written. Screenshots go to doc/sphinx/build/screenshots/.
"""
from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

# Pages the site has besides the chapters.
NOT_CHAPTERS = {"index", "search", "genindex", "api", "sources", "verification"}
SKIP_DIRS = {"_static", "_images", "_sources", ".doctrees", "_downloads"}
LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"),
                   ("object", "data"), ("iframe", "src"), ("source", "src")}
SEARCH_TERM = "gettotalrefcount"
# The chapters that explain sys.gettotalrefcount(), in the order the search should favour.
EXPLAINS_TERM = ("leaked_references", "refcount_bugs")


# -- Reading the built site without a browser ---------------------------------------------

class Page(HTMLParser):
    def __init__(self, path: Path):
        super().__init__(convert_charrefs=True)
        self.path, self.links, self.ids, self.text = path, [], set(), []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id",) + (("name",) if tag == "a" else ()):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for wanted_tag, attribute in LINK_ATTRIBUTES:
            if tag == wanted_tag and attrs.get(attribute) is not None:
                self.links.append((tag, attrs[attribute], self.getpos()[0]))

    def handle_data(self, data):
        self.text.append(data)


def html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html")
                  if not SKIP_DIRS.intersection(p.relative_to(site).parts))


def docname(site: Path, path: Path) -> str:
    return path.relative_to(site).with_suffix("").as_posix()


@pytest.fixture(scope="module")
def pages(site) -> dict[Path, Page]:
    return {path: Page(path) for path in html_files(site)}


def chapters(site: Path, pages: dict) -> list[Path]:
    """The chapters, in the order the index links to them."""
    index = pages[site / "index.html"]
    order = []
    for _, href, _ in index.links:
        target = (site / unquote(urlsplit(href).path)).resolve()
        if target in pages and target not in order:
            order.append(target)
    order += sorted(pages)
    seen, result = set(), []
    for path in order:
        if path not in seen and docname(site, path) not in NOT_CHAPTERS:
            seen.add(path)
            result.append(path)
    return result


# -- In the browser -----------------------------------------------------------------------

def open_page(browser, url: str) -> None:
    browser.get(url)
    deadline = time.monotonic() + 15
    while browser.execute_script("return document.readyState") != "complete":
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not finish loading in 15 s")
        time.sleep(0.05)
    browser.execute_async_script("const done = arguments[arguments.length - 1];"
                                 "document.fonts.ready.then(() => done(true));")
    # furo scrolls smoothly; screenshots want the final position at once.
    browser.execute_script("document.documentElement.style.scrollBehavior = 'auto'")


def scroll_to(browser, element) -> None:
    browser.execute_script("arguments[0].scrollIntoView({block: 'start', behavior: 'instant'});"
                           "window.scrollBy(0, -24);", element)
    time.sleep(0.2)


def set_theme(browser, base_url: str, theme: str) -> None:
    """furo keeps the reader's choice (light, dark, auto) in localStorage."""
    open_page(browser, base_url + "index.html")
    browser.execute_script("localStorage.setItem('theme', arguments[0])", theme)


def test_index_and_a_chapter_render(browser, base_url, site, pages, screenshots):
    from selenium.webdriver.common.by import By

    set_theme(browser, base_url, "light")
    open_page(browser, base_url + "index.html")
    assert "Debug" in browser.title, browser.title
    heading = browser.find_element(By.CSS_SELECTOR, "article h1").text
    assert heading.startswith("Debugging CPython C Extensions"), heading
    browser.save_screenshot(str(screenshots / "index.png"))

    found = chapters(site, pages)
    assert found, "the book has no chapter besides the index and the reference pages"
    chapter = found[0]
    open_page(browser, base_url + chapter.relative_to(site).as_posix())
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text
    paragraphs = browser.find_elements(By.CSS_SELECTOR, "article p")
    assert len(paragraphs) >= 3, f"{chapter.name} renders almost no text"
    # The sidebar lists the chapters; the current one is marked.
    assert browser.find_elements(By.CSS_SELECTOR, ".sidebar-tree li.current-page")
    browser.save_screenshot(str(screenshots / "chapter.png"))

    marks = browser.find_elements(By.CSS_SELECTOR, "p.bookcheck-mark")
    if marks:
        block = marks[0].find_element(By.XPATH, "preceding-sibling::*[1]")
        scroll_to(browser, block)
        browser.save_screenshot(str(screenshots / "transcript.png"))

    browser.set_window_size(420, 900)
    open_page(browser, base_url + chapter.relative_to(site).as_posix())
    browser.save_screenshot(str(screenshots / "chapter-narrow.png"))
    browser.set_window_size(1400, 1000)

    set_theme(browser, base_url, "dark")
    open_page(browser, base_url + chapter.relative_to(site).as_posix())
    assert browser.execute_script("return document.body.dataset.theme") == "dark"
    background = browser.execute_script(
        "return getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)", "dark mode kept a white page"
    browser.save_screenshot(str(screenshots / "chapter-dark.png"))
    set_theme(browser, base_url, "auto")


def test_reference_pages_render(browser, base_url, site, screenshots):
    from selenium.webdriver.common.by import By

    open_page(browser, base_url + "api.html")
    entries = browser.find_elements(By.CSS_SELECTOR, "dl.c")
    assert entries, "the API reference has no C entries"
    links = browser.find_elements(By.CSS_SELECTOR, "p.example-source-link a")
    assert links, "API entries do not link to their source lines"
    browser.save_screenshot(str(screenshots / "api.png"))

    # An entry's link lands on its line of the numbered listing, highlighted.
    target = links[0].get_attribute("href")
    open_page(browser, target)
    fragment = unquote(urlsplit(target).fragment)
    line = browser.find_element(By.ID, fragment)
    scroll_to(browser, line)
    assert browser.execute_script("return location.hash") == "#" + fragment
    browser.save_screenshot(str(screenshots / "sources.png"))

    open_page(browser, base_url + "verification.html")
    browser.find_element(By.CSS_SELECTOR, "article h1")
    browser.save_screenshot(str(screenshots / "verification.png"))

    figures = browser.find_elements(By.CSS_SELECTOR, "#figure-build-spectrum")
    for path in html_files(site):
        if 'id="figure-build-spectrum"' in path.read_text(encoding="utf-8"):
            open_page(browser, base_url + path.relative_to(site).as_posix())
            figures = browser.find_elements(By.CSS_SELECTOR, "#figure-build-spectrum")
            scroll_to(browser, figures[0])
            browser.save_screenshot(str(screenshots / "figure.png"))
            break


def test_no_broken_internal_links_or_anchors(site, pages):
    broken = []
    ids: dict[Path, set] = {path: page.ids for path, page in pages.items()}
    for path, page in pages.items():
        for tag, value, line in page.links:
            parts = urlsplit(value)
            if parts.scheme or value.startswith("//"):
                continue
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if parts.path.endswith("/"):
                target = target / "index.html"
            where = f"{path.relative_to(site)}:{line}: <{tag}> {value!r}"
            if not target.exists():
                broken.append(f"{where}: no file {target.relative_to(site.parent)}")
                continue
            fragment = unquote(parts.fragment)
            if not fragment or target.suffix != ".html":
                continue
            if target not in ids:
                ids[target] = Page(target).ids
            if fragment not in ids[target]:
                broken.append(f"{where}: no id {fragment!r} in {target.relative_to(site)}")
    checked = sum(len(page.links) for page in pages.values())
    assert not broken, f"{len(broken)} broken of {checked} links:\n" + "\n".join(broken)


def test_search_finds_the_chapter_that_explains_gettotalrefcount(browser, base_url, site,
                                                                 pages):
    from selenium.webdriver.common.by import By

    mentioning = [docname(site, path) for path in chapters(site, pages)
                  if SEARCH_TERM in "".join(pages[path].text)]
    if not mentioning:
        pytest.skip(f"no chapter mentions {SEARCH_TERM} yet: nothing for search to find")
    open_page(browser, base_url + f"search.html?q={SEARCH_TERM}")
    deadline = time.monotonic() + 20
    summary = ""
    while time.monotonic() < deadline:
        summary = browser.execute_script(
            "const s = document.querySelector('#search-results .search-summary');"
            "return s ? s.innerText : ''")
        if "Search finished" in summary or "did not match" in summary:
            break
        time.sleep(0.1)
    assert "Search finished" in summary, f"search did not finish or found nothing: {summary!r}"
    results = []
    for link in browser.find_elements(By.CSS_SELECTOR, "#search-results ul.search li > a"):
        path = urlsplit(link.get_attribute("href")).path
        results.append(re.sub(r"\.html$", "", path.split("/", 1)[1] if path.startswith("/")
                              else path).lstrip("/"))
    explaining = [doc for doc in EXPLAINS_TERM if doc in mentioning] or mentioning
    top = results[:5]
    assert any(doc in top for doc in explaining), \
        f"searching {SEARCH_TERM!r} gave {results}, not one of {explaining} near the top"


def first_block(site: Path, pages: dict, kind: str) -> Path | None:
    """A page with a transcript of this kind that shows output (so leaving it out shows)."""
    output_class = {"pycon": 'class="go"', "console": 'class="go"'}[kind]
    for path in chapters(site, pages) + sorted(pages):
        html = path.read_text(encoding="utf-8")
        for block in re.findall(rf'<div class="[^"]*highlight-{kind}[^"]*".*?</pre>', html,
                                re.S):
            if output_class in block:
                return path
    return None


@pytest.mark.parametrize("kind, prompts", [("pycon", (">>> ", "... ")), ("console", ("$ ",))])
def test_copy_button_copies_the_commands_without_prompts_or_output(browser, base_url, site,
                                                                   pages, kind, prompts):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    page = first_block(site, pages, kind)
    if page is None:
        pytest.skip(f"no {kind} transcript with output in the book yet")
    open_page(browser, base_url + page.relative_to(site).as_posix())
    blocks = [b for b in browser.find_elements(By.CSS_SELECTOR,
                                               f"div.highlight-{kind} div.highlight")
              if b.find_elements(By.CSS_SELECTOR, "span.go")]
    block = blocks[0]
    shown = browser.execute_script("return arguments[0].querySelector('pre').innerText", block)
    expected = "\n".join(line[len(prompt):] for line in shown.splitlines()
                         for prompt in prompts if line.startswith(prompt))
    assert expected.strip(), f"the {kind} block on {page.name} has no prompt line: {shown!r}"
    browser.execute_script("navigator.clipboard.writeText('')")
    scroll_to(browser, block)
    button = block.find_element(By.CSS_SELECTOR, "button.copybtn")
    # A real pointer: the button shows on hover, and the clipboard needs a user gesture.
    ActionChains(browser).move_to_element(block).pause(0.3).click(button).perform()
    copied = ""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not copied:
        copied = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "navigator.clipboard.readText().then(done, error => done('ERROR ' + error));")
        time.sleep(0.1)
    assert not copied.startswith("ERROR"), copied
    assert copied == expected, (f"copying the {kind} block on {page.name} gave {copied!r}, "
                                f"expected {expected!r} (shown: {shown!r})")
    output = [line for line in shown.splitlines()
              if line.strip() and not line.startswith(prompts)]
    assert output and not any(line in copied.splitlines() for line in output)
