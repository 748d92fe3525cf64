"""What a reader of every dashboard page can rely on, checked in a real browser (Playwright).

`check_every_page(page, base_url)` finds the pages from the navigation (whatever pages are
added, their nav link is enough), opens each in every language, screenshots it and checks:

- the page's height is bounded (no endless lists: alerts are paginated);
- chart tick labels lie inside their chart and do not overlap one another;
- a chart with nothing to draw is a sentence, not axes (-1..1); share axes stay in 0-100 %,
  no value axis goes below zero;
- time charts are labelled with month names in the page's language (Arabic: the names used
  in Jordan and Iraq, "كانون الثاني"), never English ones on an Arabic page;
- a chart declaring a target (`data-target`) draws it as a line;
- a table's numbers are aligned like their header (and right/left by the page's direction);
- dates never wrap;
- no raw code (`ombudsman`, `use_of_force`) on a page: Arabic pages show no lowercase Latin
  word at all, English ones no snake_case;
- alert tables list open alerts only, a page at a time, with a link to all of them.

The signed-in session is the caller's (a cookie from /login, or an OIDC sign-in): this module
only navigates. Used by tests/analytics/test_dashboard_browser.py and the OIDC browser test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from libs.chassis.dates import MONTHS_AR, MONTHS_EN

MAX_HEIGHT = 6000  # px at the caller's viewport width
MAX_ALERT_ROWS = 25
EN_MONTHS = tuple(m[:3] for m in MONTHS_EN)
# lowercase Latin words an Arabic page may show (the product's name)
LATIN_ALLOWED = {"jisr"}
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_./-])[a-z][a-z0-9_]{2,}(?![A-Za-z0-9_])")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
DATE = re.compile(
    r"^\s*(\d{4}-\d{2}-\d{2}|\d{1,2} (?:"
    + "|".join(EN_MONTHS + MONTHS_EN + MONTHS_AR)
    + r") \d{4})\s*$"
)
NUMBER = re.compile(r"^\s*([−-]?[\d,]+(\.\d+)?%?|—|<5|x)\s*$")


@dataclass
class PageReport:
    path: str
    lang: str
    url: str
    height: int = 0
    screenshot: Path | None = None
    charts: int = 0
    tables: int = 0
    problems: list[str] = field(default_factory=list)


# One pass over the page in the browser: what the checks judge (measured, not guessed).
MEASURE = r"""
() => {
  const dir = document.documentElement.dir || 'ltr';
  const box = el => {
    const r = el.getBoundingClientRect();
    return {l: r.left, t: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height};
  };
  const lines = el => {
    const range = document.createRange(); range.selectNodeContents(el);
    const tops = [];
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      if (!tops.some(t => Math.abs(t - r.top) < r.height / 2)) tops.push(r.top);
    }
    return tops.length;
  };
  const first = dir === 'rtl' ? 'right' : 'left', last = dir === 'rtl' ? 'left' : 'right';
  const resolve = align => ['start', 'auto', '-webkit-auto'].includes(align) ? first
                         : align === 'end' ? last : align;
  const charts = [...document.querySelectorAll('.chart-box')].map(fig => {
    const plot = fig.querySelector('.js-plotly-plot');
    const out = {id: fig.dataset.chart || (plot && plot.id) || '',
                 time: fig.dataset.time === 'true',
                 target: fig.dataset.target === undefined ? null : Number(fig.dataset.target),
                 empty: !!fig.querySelector('[data-empty]'), drawn: !!plot, values: 0,
                 ticks: [], shapes: 0, plot: null, axes: {}};
    if (!plot) return out;
    out.plot = box(plot);
    for (const t of plot.data || []) {
      const vals = t.orientation === 'h' ? (t.x || []) : (t.y || []);
      out.values += vals.filter(v => typeof v === 'number' && isFinite(v)).length;
    }
    for (const [axis, sel] of [['x', 'g.xtick text'], ['y', 'g.ytick text']]) {
      for (const t of plot.querySelectorAll(sel)) {
        const text = t.textContent.trim();
        if (!text) continue;
        out.ticks.push({axis, text, ...box(t)});
      }
    }
    out.shapes = plot.querySelectorAll('.shapelayer path').length;
    const full = plot._fullLayout || {};
    for (const name of ['xaxis', 'yaxis']) {
      const a = full[name];
      if (a) out.axes[name] = {type: a.type, range: (a.range || []).map(Number),
                               tickformat: a.tickformat || '',
                               categorical: a.type === 'category' || a.type === 'date'};
    }
    return out;
  });
  const tables = [...document.querySelectorAll('table')].map(table => {
    const heads = [...table.querySelectorAll('thead tr:last-child th, thead tr:last-child td')];
    const rows = [...table.querySelectorAll('tbody tr')];
    const columns = heads.map((th, j) => ({
      header: th.textContent.trim(), header_align: resolve(getComputedStyle(th).textAlign),
      cells: rows.map(tr => tr.children[j]).filter(Boolean).map(td => ({
        text: td.textContent.trim(), align: resolve(getComputedStyle(td).textAlign)})),
    }));
    return {name: table.dataset.table || '', columns, rows: rows.length,
            statuses: [...table.querySelectorAll('td[data-key=status]')]
                        .map(td => td.dataset.value)};
  });
  const dates = [];
  for (const el of document.querySelectorAll('td, th, .nowrap, time, [data-month]')) {
    const text = el.textContent.trim();
    if (text.length < 40 && el.offsetParent !== null) dates.push({text, lines: lines(el)});
  }
  const svgText = [...document.querySelectorAll('svg text')].map(t => t.textContent).join(' ');
  const pagers = [...document.querySelectorAll('[data-pager]')].map(p => ({
    name: p.dataset.pager,
    all_link: !!document.querySelector(`[data-all-rows="${p.dataset.pager}"]`)}));
  return {dir, lang: document.documentElement.lang, height: document.documentElement.scrollHeight,
          width: document.documentElement.scrollWidth, viewport: window.innerWidth,
          text: document.body.innerText + ' ' + svgText, charts, tables, dates, pagers,
          commands: [...document.querySelectorAll('code')].map(c => c.textContent),
          alert_boxes: document.querySelectorAll('[data-table-box=alerts]').length};
}
"""

READY = """() => !document.querySelector('script[src$="dashboard.js"]')
                 || document.body.dataset.chartsReady === 'true'"""


def with_lang(url: str, lang: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"] + [("lang", lang)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def nav_paths(page, base_url: str) -> list[str]:
    """The same-site pages the current page's navigation links to."""
    hrefs = page.eval_on_selector_all(
        "header nav a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    origin = urlsplit(base_url).netloc
    out = []
    for href in hrefs:
        target = urlsplit(urljoin(page.url, href))
        if target.netloc == origin and target.path not in out:
            out.append(target.path)
    return out


def _overlap(a: dict, b: dict) -> float:
    w = min(a["r"], b["r"]) - max(a["l"], b["l"])
    h = min(a["b"], b["b"]) - max(a["t"], b["t"])
    return w * h if w > 1 and h > 1 else 0.0


def judge(m: dict[str, Any], lang: str, max_height: int = MAX_HEIGHT) -> list[str]:
    """The problems a page's measurements show (empty: none)."""
    problems = []
    if m["lang"] != lang or m["dir"] != ("rtl" if lang == "ar" else "ltr"):
        problems.append(f"page is lang={m['lang']} dir={m['dir']}, asked for {lang}")
    if m["height"] >= max_height:
        problems.append(f"page is {m['height']} px tall (limit {max_height})")
    if m["width"] > m["viewport"] + 2:
        problems.append(f"page is {m['width']} px wide in a {m['viewport']} px window")
    for c in m["charts"]:
        problems += [f"chart {c['id']}: {p}" for p in _judge_chart(c, lang)]
    for t in m["tables"]:
        problems += [f"table {t['name'] or '?'}: {p}" for p in _judge_table(t)]
    for d in m["dates"]:
        if DATE.match(d["text"]) and d["lines"] > 1:
            problems.append(f"date {d['text']!r} wraps over {d['lines']} lines")
    # A command the reader must type (e.g. the freshness banner's `jisr outbox replay`) is Latin
    # in every language: <code> is left out of the words judged.
    text = m["text"]
    for command in m["commands"]:
        text = text.replace(command, " ")
    problems += _judge_words(text, lang)
    pagers = {p["name"]: p for p in m["pagers"]}
    for t in m["tables"]:
        if t["name"] != "alerts":
            continue
        if any(s != "raised" for s in t["statuses"]):
            problems.append(f"alerts table lists alerts not open: {sorted(set(t['statuses']))}")
        if t["rows"] > MAX_ALERT_ROWS:
            problems.append(f"alerts table lists {t['rows']} rows on one page")
    if m["alert_boxes"] and not all(p["all_link"] for p in pagers.values()):
        problems.append("alerts: no link to every alert (cleared ones included)")
    if m["alert_boxes"] and "alerts" not in pagers:
        problems.append("alerts: no pager saying how many are shown")
    return problems


def _judge_chart(c: dict, lang: str) -> list[str]:
    out = []
    if c["empty"]:
        return ["both a sentence and a figure"] if c["drawn"] else []
    if not c["drawn"]:
        return ["not drawn, and no sentence saying why"]
    if c["values"] == 0:
        out.append("drawn with axes but no value (should be a sentence)")
    p = c["plot"]
    for t in c["ticks"]:
        if t["l"] < p["l"] - 2 or t["r"] > p["r"] + 2 or t["t"] < p["t"] - 2 or t["b"] > p["b"] + 2:
            out.append(f"tick label {t['text']!r} overflows the chart")
    for axis in ("x", "y"):
        ticks = [t for t in c["ticks"] if t["axis"] == axis]
        for i, a in enumerate(ticks):
            for b in ticks[i + 1 :]:
                if _overlap(a, b) > 4:
                    out.append(f"tick labels {a['text']!r} and {b['text']!r} overlap")
    for name, a in c["axes"].items():
        if a["categorical"] or not a["range"]:
            continue
        low, high = sorted(a["range"])
        if "%" in a["tickformat"] and (low < -1e-9 or high > 1 + 1e-9):
            out.append(f"share axis {name} runs {low:.0%}..{high:.0%}, not within 0-100 %")
        if low < -1e-9:
            out.append(f"value axis {name} goes below zero ({low:g})")
    if c["time"]:
        x = " ".join(t["text"] for t in c["ticks"] if t["axis"] == "x")
        english = [m for m in EN_MONTHS if re.search(rf"\b{m}", x)]
        if lang == "ar" and (english or not any(m in x for m in MONTHS_AR)):
            out.append(f"time axis not in Arabic month names: {x[:120]!r}")
        if lang == "en" and not english:
            out.append(f"time axis has no month names: {x[:120]!r}")
    if c["target"] is not None and c["shapes"] < 1:
        out.append(f"target {c['target']} declared but no line drawn")
    return out


def _judge_table(t: dict) -> list[str]:
    out = []
    for col in t["columns"]:
        cells = [c for c in col["cells"] if c["text"]]
        if not cells or not all(NUMBER.match(c["text"]) for c in cells):
            continue  # a column of labels: aligned to the start, whatever it holds
        aligns = {c["align"] for c in cells}
        if aligns != {col["header_align"]}:
            out.append(
                f"column {col['header']!r}: numbers aligned {sorted(aligns)}, "
                f"header {col['header_align']}"
            )
    return out


def _judge_words(text: str, lang: str) -> list[str]:
    if lang == "ar":
        latin = sorted({w for w in LATIN_WORD.findall(text) if w not in LATIN_ALLOWED})
        raw = latin + sorted({w for w in SNAKE.findall(text) if w.isupper()})
        return [f"Latin words or raw codes on an Arabic page: {raw[:12]}"] if raw else []
    raw = sorted(set(SNAKE.findall(text)))
    return [f"raw codes on the page: {raw[:12]}"] if raw else []


def check_page(page, lang: str, max_height: int = MAX_HEIGHT) -> tuple[dict, list[str]]:
    """The current page's measurements and problems (charts drawn first)."""
    page.wait_for_function(READY, timeout=30_000)
    m = page.evaluate(MEASURE)
    return m, judge(m, lang, max_height)


def check_every_page(
    page,
    base_url: str,
    langs: tuple[str, ...] = ("ar", "en"),
    screenshot_dir: Path | str | None = None,
    extra_paths: tuple[str, ...] = (),
    max_height: int = MAX_HEIGHT,
    raise_on_problems: bool = True,
) -> list[PageReport]:
    """Open every page the navigation offers (from `base_url`'s home, following each page's
    navigation too) plus `extra_paths`, in each language; screenshot (full page, PNG, named
    `<path>-<lang>.png`) and check each. Raises AssertionError listing every problem of every
    page, unless `raise_on_problems=False` (then read the reports' `problems`).

    `page` must already be signed in (its context holds the session cookie)."""
    shots = Path(screenshot_dir) if screenshot_dir else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    base = base_url.rstrip("/")
    response = page.goto(f"{base}/")
    assert response is not None and response.ok, f"{base}/ answered {response and response.status}"
    assert "/login" not in urlsplit(page.url).path, "not signed in: / went to the login page"
    todo = [*nav_paths(page, base), *extra_paths]
    assert todo, f"no navigation links on {page.url}"
    seen: list[str] = []
    reports = []
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.append(path)
        for lang in langs:
            url = with_lang(f"{base}{path}", lang)
            report = PageReport(path, lang, url)
            reports.append(report)
            answer = page.goto(url)
            if answer is None or not answer.ok:
                report.problems.append(f"answered {answer and answer.status}")
                continue
            m, report.problems = check_page(page, lang, max_height)
            report.height, report.charts, report.tables = (
                m["height"], len(m["charts"]), len(m["tables"]),
            )  # fmt: skip
            if shots:
                slug = path.strip("/").replace("/", "_") or "home"
                report.screenshot = shots / f"{slug}-{lang}.png"
                page.screenshot(path=str(report.screenshot), full_page=True)
            todo += [p for p in nav_paths(page, base) if p not in seen and p not in todo]
    problems = [f"{r.path} [{r.lang}]: {p}" for r in reports for p in r.problems]
    if raise_on_problems:
        assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
    return reports
