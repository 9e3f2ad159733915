"""Accessibility of the editor: tooltips on every button, keyboard focus order, text contrast
(WCAG AA, 4.5:1) in the JupyterLab Light and Dark themes."""

import json
import shutil
from pathlib import Path

import pytest
from editor_helpers import (
    editor,
    open_document,
    shut_down_kernels,  # noqa: F401 - autouse fixture
    validity,
    wait_connected,
)
from playwright.sync_api import Page, expect
from workbench_documents import code_document, diverging_document, variant, write

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
VIEWS = ["Graph", "Geometry", "Training", "Devices"]
WCAG_AA = 4.5

# The contrast of an element's text over the background it is drawn on: the
# nearest opaque background up the tree, with translucent ones blended in.
# Disabled controls are exempt (WCAG 1.4.3); a disabled button is measured
# through an enabled copy of it, so the Stop button counts while idle too.
CONTRAST_JS = """
([root, selectors]) => {
  const ctx = document.createElement('canvas').getContext('2d');
  const rgba = text => {
    ctx.fillStyle = '#000'; ctx.fillStyle = text;
    const v = ctx.fillStyle;
    if (v.startsWith('#')) {
      return [1, 3, 5].map(i => parseInt(v.slice(i, i + 2), 16)).concat([1]);
    }
    const n = v.match(/[\\d.]+/g).map(Number);
    if (v.startsWith('color(')) {  // color(srgb r g b / a), channels in [0, 1]
      return [n[0] * 255, n[1] * 255, n[2] * 255, n.length > 3 ? n[3] : 1];
    }
    return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const backdrop = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) { break; } }
    }
    let out = [255, 255, 255, 1];
    for (const c of layers.reverse()) { out = over(c, out); }
    return out;
  };
  const lum = c => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = el => {
    const bg = backdrop(el);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
  };
  const host = document.querySelector(root);
  const out = [];
  for (const selector of selectors) {
    for (const el of host.querySelectorAll(selector)) {
      if (!el.textContent.trim() || el.getClientRects().length === 0) { continue; }
      let target = el;
      if (el.disabled) {
        target = el.cloneNode(true);
        target.disabled = false;
        el.after(target);
      }
      out.push({ selector, text: el.textContent.trim().slice(0, 40),
                 ratio: Math.round(ratio(target) * 100) / 100 });
      if (target !== el) { target.remove(); }
    }
  }
  return out;
}
"""

TEXT_SELECTORS = [
    ".jp-JnoLab-tab",
    ".jp-JnoLab-button",
    ".jp-JnoLab-connection",
    ".jp-JnoLab-runStatus",
    ".jp-JnoLab-validity",
    ".jp-JnoLab-paletteItem",
    ".jp-JnoLab-paletteCategory",
    ".react-flow__node",
    ".jp-JnoLab-inspector",
    ".jp-JnoLab-fieldLabel",
    ".jp-JnoLab-doc",
    ".jp-JnoLab-problemList li",
    ".jp-JnoLab-meshStatus",
    ".jp-JnoLab-deviceTable td",
    ".jp-JnoLab-csgName",
    ".jp-JnoLab-canvasInfo",
    ".jp-JnoLab-nodeProblems",
    ".jp-JnoLab-inspectorProblems",
    ".jp-JnoLab-problemList",
]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1000}}


def open_poisson(lab: Page, lab_server: dict) -> None:
    shutil.copy(EXAMPLES / "poisson.jnolab", lab_server["root"] / "poisson.jnolab")
    open_document(lab, "poisson.jnolab")
    expect(editor(lab).locator(".react-flow__node").first).to_be_visible()
    wait_connected(lab)
    expect(validity(lab)).to_have_attribute("data-state", "valid", timeout=30_000)


def test_every_button_has_a_tooltip_or_label(lab, lab_server):
    open_poisson(lab, lab_server)
    view = editor(lab)
    for name in VIEWS:
        view.get_by_role("tab", name=name).click()
        lab.wait_for_timeout(300)
        unnamed = view.evaluate(
            """root => [...root.querySelectorAll('button, [role="button"], [role="tab"]')]
                .filter(b => b.getClientRects().length > 0)
                .filter(b => !(b.getAttribute('title') || '').trim()
                             && !(b.getAttribute('aria-label') || '').trim())
                .map(b => b.outerHTML.slice(0, 120))"""
        )
        assert unnamed == [], f"{name} view: buttons without a tooltip or label: {unnamed}"


def region(lab: Page) -> str:
    return lab.evaluate(
        """() => {
            const el = document.activeElement;
            const regions = [['.jp-JnoLab-header', 'header'], ['.jp-JnoLab-palette', 'palette'],
                ['.jp-JnoLab-toolbar', 'graph tools'], ['.jp-JnoLab-canvas', 'canvas'],
                ['.jp-JnoLab-inspector', 'inspector'], ['.jp-JnoLab-problems', 'problems']];
            for (const [selector, name] of regions) {
                if (el && el.closest(selector)) { return name; }
            }
            return el ? el.tagName.toLowerCase() : 'none';
        }"""
    )


def test_tab_goes_from_the_toolbar_to_the_palette_to_the_canvas(lab, lab_server):
    open_poisson(lab, lab_server)
    view = editor(lab)
    view.get_by_role("tab", name="Graph").focus()
    seen = [region(lab)]
    palette_stops = 0
    for _ in range(60):
        lab.keyboard.press("Tab")
        where = region(lab)
        outline = lab.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", f"no visible focus in the {where}"
        palette_stops += where == "palette"
        if where != seen[-1]:
            seen.append(where)
        if where == "canvas":
            break
    assert seen == ["header", "palette", "graph tools", "canvas"]
    assert palette_stops == 2  # the search box, then the list (one stop; arrows move in it)
    # Arrow keys move within the palette; Enter adds the focused node type.
    view.get_by_label("Search nodes").focus()
    lab.keyboard.press("ArrowDown")
    lab.keyboard.press("ArrowDown")
    focused = lab.evaluate("() => document.activeElement.dataset.nodeType")
    assert focused == "constant"
    lab.keyboard.press("Enter")
    expect(view.locator('.react-flow__node[data-id="constant1"]')).to_be_visible()


def measure(lab: Page) -> list[dict]:
    return lab.evaluate(CONTRAST_JS, [".jp-JnoLab-document:not(.lm-mod-hidden)", TEXT_SELECTORS])


def contrast(lab: Page) -> list[dict]:
    """Every view of the valid document, then the graph with problems (a node deleted)."""
    rows: list[dict] = []
    view = editor(lab)
    for name in VIEWS:
        view.get_by_role("tab", name=name).click()
        lab.wait_for_timeout(400)
        rows += measure(lab)
    view.get_by_role("tab", name="Graph").click()
    view.locator('.react-flow__node[data-id="u0"]').click(position={"x": 12, "y": 8})
    lab.keyboard.press("Delete")
    expect(validity(lab)).to_have_attribute("data-state", "invalid", timeout=30_000)
    view.locator('.react-flow__node[data-id="lap"]').click(position={"x": 12, "y": 8})
    expect(view.locator(".jp-JnoLab-inspectorProblems")).to_be_visible()
    rows += measure(lab)
    view.locator(".jp-JnoLab-canvas").focus()
    lab.keyboard.press("Control+z")
    expect(validity(lab)).to_have_attribute("data-state", "valid", timeout=30_000)
    return rows


def test_text_contrast_in_light_and_dark_themes(lab, lab_server, artifacts):
    open_poisson(lab, lab_server)
    report: dict[str, list[dict]] = {}
    for theme, light in [("JupyterLab Light", "true"), ("JupyterLab Dark", "false")]:
        lab.evaluate(
            "t => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme
        )
        expect(lab.locator("body")).to_have_attribute("data-jp-theme-light", light)
        lab.wait_for_timeout(800)  # the theme's style sheet applied
        rows = contrast(lab)
        assert len(rows) > 40
        report[theme] = sorted(rows, key=lambda r: r["ratio"])
        editor(lab).get_by_role("tab", name="Graph").click()
        lab.screenshot(
            path=artifacts / f"editor-contrast-{'light' if light == 'true' else 'dark'}.png"
        )
    (artifacts / "contrast.json").write_text(json.dumps(report, indent=1))
    lab.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme', "
        "{theme: 'JupyterLab Light'})"
    )
    failing = {theme: [r for r in rows if r["ratio"] < WCAG_AA] for theme, rows in report.items()}
    assert failing == {theme: [] for theme in report}, failing


# The notices and the code review: a document with untrusted code, then a run that diverges.
NOTICE_SELECTORS = [
    ".jp-JnoLab-banner .jp-JnoLab-bannerText",
    ".jp-JnoLab-banner .jp-JnoLab-button",
    ".jp-JnoLab-runStatus",
    ".jp-JnoLab-runError",
    ".jp-JnoLab-nodeCode",
    ".jp-JnoLab-fieldLabel",
    ".jp-JnoLab-fieldHint",
    ".jp-JnoLab-fieldError",
]
DIALOG = ".jp-JnoLab-codeReviewDialog"
DIALOG_SELECTORS = [
    ".jp-Dialog-header",
    ".jp-JnoLab-codeReview p",
    ".jp-JnoLab-codeNodeTitle",
    ".jp-JnoLab-codeNodeId",
    ".jp-JnoLab-codeNodeField",
    ".jp-JnoLab-codeBlock",
    ".jp-JnoLab-button",
    ".jp-Dialog-button",
]
THEMES = [("JupyterLab Light", "true", "light"), ("JupyterLab Dark", "false", "dark")]


def set_theme(lab: Page, theme: str, light: str) -> None:
    lab.evaluate(
        "t => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme
    )
    expect(lab.locator("body")).to_have_attribute("data-jp-theme-light", light)
    lab.wait_for_timeout(800)  # the theme's style sheet applied


def test_trust_notice_review_dialog_and_divergence_notice(lab, lab_server, artifacts):
    write(code_document(variant("a11y")), lab_server["root"], "a11y-code.jnolab")
    open_document(lab, "a11y-code.jnolab")
    wait_connected(lab)
    view = editor(lab)
    notice = view.get_by_role("region", name="Untrusted code")
    expect(notice).to_be_visible(timeout=30_000)
    view.locator('.react-flow__node[data-id="f"]').click(position={"x": 12, "y": 8})
    expect(view.locator(".jp-JnoLab-fieldHint").first).to_be_visible()
    report: dict[str, list[dict]] = {}
    for theme, light, short in THEMES:
        set_theme(lab, theme, light)
        rows = lab.evaluate(
            CONTRAST_JS, [".jp-JnoLab-document:not(.lm-mod-hidden)", NOTICE_SELECTORS]
        )
        notice.get_by_role("button", name="Review code…").click()
        dialog = lab.locator(DIALOG)
        expect(dialog.locator(".jp-Dialog-button", has_text="Cancel")).to_be_focused()
        rows += lab.evaluate(CONTRAST_JS, [DIALOG, DIALOG_SELECTORS])
        unnamed = dialog.evaluate(
            """root => [...root.querySelectorAll('button')]
                .filter(b => ![b, ...b.querySelectorAll('[title]')].some(
                    e => (e.getAttribute('title') || e.getAttribute('aria-label') || '').trim()))
                .map(b => b.outerHTML.slice(0, 120))"""
        )
        assert unnamed == [], f"dialog buttons without a tooltip or label: {unnamed}"
        # Tab stays in the dialog and every stop shows its focus.
        for _ in range(8):
            lab.keyboard.press("Tab")
            inside = lab.evaluate(f"() => !!document.activeElement.closest('{DIALOG}')")
            assert inside, "the focus left the review dialog"
            outline = lab.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", "no visible focus in the review dialog"
        lab.screenshot(path=artifacts / f"editor-trust-dialog-{short}.png")
        lab.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        report[theme] = rows

    write(diverging_document(), lab_server["root"], "a11y-diverging.jnolab")
    open_document(lab, "a11y-diverging.jnolab")
    wait_connected(lab)
    expect(validity(lab)).to_have_attribute("data-state", "valid", timeout=30_000)
    toolbar = editor(lab).get_by_role("toolbar", name="Run")
    toolbar.get_by_role("button", name="▶ Run").click()
    status = toolbar.locator(".jp-JnoLab-runStatus")
    expect(status).to_have_attribute("data-state", "failed", timeout=240_000)
    for theme, light, short in THEMES:
        set_theme(lab, theme, light)
        report[theme] += lab.evaluate(
            CONTRAST_JS, [".jp-JnoLab-document:not(.lm-mod-hidden)", NOTICE_SELECTORS]
        )
        lab.screenshot(path=artifacts / f"editor-nonfinite-{short}.png")
    set_theme(lab, "JupyterLab Light", "true")
    (artifacts / "contrast-notices.json").write_text(json.dumps(report, indent=1))
    for rows in report.values():
        measured = {r["selector"] for r in rows}
        assert {".jp-JnoLab-banner .jp-JnoLab-bannerText", ".jp-JnoLab-codeBlock"} <= measured
    failing = {theme: [r for r in rows if r["ratio"] < WCAG_AA] for theme, rows in report.items()}
    assert failing == {theme: [] for theme in report}, failing
