#!/usr/bin/env python3
"""Draws a Grafana dashboard's layout as an SVG picture, from the dashboard JSON alone.

    tools/dashboard_layout.py [DASHBOARD.json] [-o OUT.svg]    write the picture
    tools/dashboard_layout.py [DASHBOARD.json] --check OUT.svg  exit 1 if OUT.svg is not current

Defaults: deploy/grafana/airflow-logs.json and docs/grafana-dashboard.svg of this repository.

One rectangle per panel at its gridPos on Grafana's 24-column grid, with the panel's title, its
type and its first query (a text panel: its first paragraph), wrapped and cut to fit. The output
depends only on the JSON (no time, no fonts measured), so the committed picture can be checked
against the dashboard. Exits 1, naming the panels, when a gridPos is outside the grid or two
panels overlap, as Grafana would silently move them.

Standard library only.
"""

import argparse
import json
import re
import sys
import textwrap
from pathlib import Path
from xml.sax.saxutils import escape

GRID_COLUMNS = 24
COL_PX = 40  # one grid column
ROW_PX = 26  # one grid row (Grafana: 30 px at its default size; a little tighter here)
GAP_PX = 4  # space between neighbouring panels
PAD_PX = 16  # outer margin
HEADER_PX = 52  # dashboard title and variables
TITLE_FONT = 13
SMALL_FONT = 11
CODE_FONT = 10.5
CODE_CHAR_PX = CODE_FONT * 0.6  # advance of a monospace glyph
CODE_LINE_PX = 13
TITLE_CHAR_PX = TITLE_FONT * 0.58  # generous mean advance of a bold sans glyph

TYPE_FILL = {
    "timeseries": "#e8f1fb",
    "stat": "#e9f7ef",
    "state-timeline": "#eef5e6",
    "table": "#fdf2e3",
    "barchart": "#f3ecfa",
    "logs": "#f1f1f1",
    "text": "#fffbe6",
    "row": "#dddddd",
}
DEFAULT_FILL = "#f5f5f5"

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DASHBOARD = REPO / "deploy" / "grafana" / "airflow-logs.json"
DEFAULT_SVG = REPO / "docs" / "grafana-dashboard.svg"


class LayoutError(Exception):
    pass


def flatten_panels(panels):
    """Panels in grid order; a collapsed row's own panels follow the row."""
    out = []
    for p in panels:
        out.append(p)
        out.extend(p.get("panels", []) if p.get("type") == "row" else [])
    return out


def check_layout(panels):
    """Returns the problems: bad or duplicate ids, positions outside the grid, overlaps."""
    problems = []
    seen_ids = {}
    boxes = []
    for p in panels:
        name = f'panel {p.get("id")} "{p.get("title", "")}"'
        pid = p.get("id")
        if not isinstance(pid, int):
            problems.append(f"{name}: id is not an integer")
        elif pid in seen_ids:
            problems.append(f"{name}: id {pid} also used by {seen_ids[pid]}")
        else:
            seen_ids[pid] = name
        g = p.get("gridPos")
        if not isinstance(g, dict) or not all(isinstance(g.get(k), int) for k in "xywh"):
            problems.append(f"{name}: gridPos needs integer x, y, w, h")
            continue
        x, y, w, h = g["x"], g["y"], g["w"], g["h"]
        if x < 0 or y < 0 or w < 1 or h < 1 or x + w > GRID_COLUMNS:
            problems.append(f"{name}: gridPos x={x} y={y} w={w} h={h} is outside the {GRID_COLUMNS}-column grid")
            continue
        for other, (ox, oy, ow, oh) in boxes:
            if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h:
                problems.append(f"{name} overlaps {other}")
        boxes.append((name, (x, y, w, h)))
    return problems


def first_query(panel):
    """The text shown in a panel's box and how many more queries it has."""
    targets = [t for t in panel.get("targets", []) if t.get("expr")]
    if targets:
        return targets[0]["expr"], len(targets) - 1
    if panel.get("type") == "text":
        content = panel.get("options", {}).get("content", "")
        paragraph = content.strip().split("\n\n")[0]
        return re.sub(r"[*`_]", "", " ".join(paragraph.split())), 0
    return "", 0


def datasource_type(panel):
    ds = panel.get("datasource")
    return ds.get("type", "") if isinstance(ds, dict) else ""


def fit(text, chars):
    """Cuts text to `chars` characters, marking the cut."""
    return text if len(text) <= chars else text[: max(chars - 1, 0)] + "…"


def wrap(text, chars, max_lines):
    """Wraps text to lines of at most `chars` characters; a cut last line ends with '…'."""
    if chars < 4 or max_lines < 1:
        return []
    lines = textwrap.wrap(" ".join(text.split()), width=chars, break_long_words=True, break_on_hyphens=False)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = fit(lines[-1] + " …", chars) if len(lines[-1]) + 2 <= chars else fit(lines[-1], chars - 1) + "…"
    return lines


def variables(dashboard):
    names = [v.get("name", "") for v in dashboard.get("templating", {}).get("list", [])]
    return "variables: " + ", ".join("$" + n for n in names) if names else ""


def render(dashboard):
    panels = flatten_panels(dashboard.get("panels", []))
    bottom = max((p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels), default=0)
    width = PAD_PX * 2 + GRID_COLUMNS * COL_PX
    height = PAD_PX * 2 + HEADER_PX + bottom * ROW_PX
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{PAD_PX}" y="{PAD_PX + 18}" font-size="18" font-weight="bold" fill="#222">'
        f'{escape(dashboard.get("title", ""))}</text>',
        f'<text x="{PAD_PX}" y="{PAD_PX + 38}" font-size="{SMALL_FONT}" fill="#555">'
        f'{escape(fit(variables(dashboard), int((width - 2 * PAD_PX) / (SMALL_FONT * 0.55))))}</text>',
    ]
    top = PAD_PX + HEADER_PX
    for p in sorted(panels, key=lambda p: (p["gridPos"]["y"], p["gridPos"]["x"])):
        g = p["gridPos"]
        x = PAD_PX + g["x"] * COL_PX + GAP_PX / 2
        y = top + g["y"] * ROW_PX + GAP_PX / 2
        w = g["w"] * COL_PX - GAP_PX
        h = g["h"] * ROW_PX - GAP_PX
        ptype = p.get("type", "")
        fill = TYPE_FILL.get(ptype, DEFAULT_FILL)
        out.append(f'<g id="panel-{p.get("id")}">')
        out.append(f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="4" fill="{fill}" stroke="#8a8a8a"/>')
        title_chars = int((w - 12) / TITLE_CHAR_PX)
        out.append(
            f'<text x="{x + 6:g}" y="{y + 16:g}" font-size="{TITLE_FONT}" font-weight="bold" fill="#222">'
            f'{escape(fit(p.get("title", ""), title_chars))}</text>'
        )
        if h < 34:
            out.append("</g>")
            continue
        query, more = first_query(p)
        kind = ptype
        ds = datasource_type(p)
        if ds and ds != "loki":
            kind += f" · {ds}"
        if more:
            kind += f" · +{more} more quer{'y' if more == 1 else 'ies'}"
        out.append(
            f'<text x="{x + 6:g}" y="{y + 31:g}" font-size="{SMALL_FONT}" fill="#666">'
            f'{escape(fit(kind, int((w - 12) / (SMALL_FONT * 0.55))))}</text>'
        )
        is_code = bool(p.get("targets"))
        lines = wrap(query, int((w - 12) / CODE_CHAR_PX), int((h - 42) / CODE_LINE_PX))
        for i, line in enumerate(lines):
            font = 'font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" ' if is_code else 'font-style="italic" '
            out.append(
                f'<text x="{x + 6:g}" y="{y + 47 + i * CODE_LINE_PX:g}" {font}font-size="{CODE_FONT}" '
                f'fill="#1d3d6b" xml:space="preserve">{escape(line)}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dashboard", nargs="?", default=str(DEFAULT_DASHBOARD), help="dashboard JSON")
    ap.add_argument("-o", "--output", default=None, help=f"SVG to write (default {DEFAULT_SVG.relative_to(REPO)})")
    ap.add_argument("--check", metavar="FILE.svg", help="compare with FILE.svg instead of writing; exit 1 if it differs")
    args = ap.parse_args(argv)

    try:
        dashboard = json.loads(Path(args.dashboard).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"dashboard_layout: {args.dashboard}: {e}", file=sys.stderr)
        return 2
    problems = check_layout(flatten_panels(dashboard.get("panels", [])))
    if problems:
        for problem in problems:
            print(f"dashboard_layout: {args.dashboard}: {problem}", file=sys.stderr)
        return 1
    svg = render(dashboard)

    if args.check:
        try:
            current = Path(args.check).read_text(encoding="utf-8")
        except OSError as e:
            print(f"dashboard_layout: {e}", file=sys.stderr)
            return 1
        if current != svg:
            print(
                f"dashboard_layout: {args.check} is not the picture of {args.dashboard}; "
                f"regenerate it with tools/dashboard_layout.py {args.dashboard} -o {args.check}",
                file=sys.stderr,
            )
            return 1
        return 0

    output = Path(args.output) if args.output else DEFAULT_SVG
    with open(output, "w", encoding="utf-8", newline="\n") as f:
        f.write(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
