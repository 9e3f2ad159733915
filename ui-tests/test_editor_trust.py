"""Python code in a document: the notice, the review dialog, trust, and runs that go non-finite."""

import json
import re

import pytest
from editor_helpers import (
    editor,
    node,
    open_document,
    shut_down_kernels,  # noqa: F401 - autouse fixture
    validity,
    wait_connected,
)
from playwright.sync_api import Page, expect
from workbench_documents import CODE, code_document, diverging_document, variant, write

REVIEW_TITLE = "Review the Python code of this document"
RUN_TIMEOUT_MS = 240_000


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1000}}


def open_code_document(lab: Page, lab_server: dict, name: str, code: str = CODE) -> None:
    write(code_document(code), lab_server["root"], name)
    open_document(lab, name)
    expect(editor(lab).locator(".react-flow__node").first).to_be_visible()
    wait_connected(lab)
    expect(validity(lab)).to_have_attribute("data-state", "valid", timeout=30_000)


def review_dialog(lab: Page):
    return lab.get_by_role("dialog", name=REVIEW_TITLE)


def trusted_digests(lab_server: dict) -> list[str]:
    path = lab_server["trust_file"]
    return sorted(json.loads(path.read_text())["trusted"]) if path.exists() else []


def test_untrusted_code_is_reviewed_before_it_runs(lab, lab_server, artifacts):
    code_text = variant("run")
    before = trusted_digests(lab_server)
    open_code_document(lab, lab_server, "code.jnolab", code_text)
    view = editor(lab)
    notice = view.get_by_role("region", name="Untrusted code")
    expect(notice).to_contain_text(
        "This document contains Python code in 1 custom function node. Review it before running"
    )
    expect(node(lab, "f").locator(".jp-JnoLab-nodeCode")).to_have_text("Python")
    lab.screenshot(path=artifacts / "editor-trust-notice.png")

    # Run: the kernel refuses, the review opens with the code, verbatim.
    toolbar = view.get_by_role("toolbar", name="Run")
    toolbar.get_by_role("button", name="▶ Run").click()
    dialog = review_dialog(lab)
    expect(dialog).to_be_visible(timeout=60_000)
    expect(dialog).to_contain_text("Nothing was run")
    block = dialog.locator('.jp-JnoLab-codeBlock[data-node-id="f"]')
    assert block.inner_text() == code_text
    expect(dialog.locator(".jp-JnoLab-codeNodeId")).to_have_text(["f"])
    # Cancel is the default: it has the focus, so Enter or Escape trusts nothing.
    expect(dialog.locator(".jp-Dialog-button", has_text="Cancel")).to_be_focused()
    lab.screenshot(path=artifacts / "editor-trust-dialog.png")
    dialog.locator(".jp-Dialog-button", has_text="Cancel").click()
    expect(dialog).to_have_count(0)
    status = toolbar.locator(".jp-JnoLab-runStatus")
    expect(toolbar.locator(".jp-JnoLab-runError")).to_contain_text("Not run")
    lab.wait_for_timeout(1000)
    expect(status).to_have_attribute("data-state", "idle")
    expect(view.locator(".jp-JnoLab-dashboardArea .jp-JnoLab-dashboard")).to_have_count(0)
    assert trusted_digests(lab_server) == before

    # Run again, trust and run: the run starts and finishes.
    toolbar.get_by_role("button", name="▶ Run").click()
    expect(dialog).to_be_visible(timeout=60_000)
    dialog.get_by_role("button", name="Trust and run").click()
    expect(dialog).to_have_count(0)
    expect(status).to_have_attribute("data-state", "finished", timeout=RUN_TIMEOUT_MS)
    expect(status).to_contain_text("step 200/200")
    expect(notice).to_have_count(0)
    expect(toolbar.locator(".jp-JnoLab-runError")).to_have_count(0)
    assert len(set(trusted_digests(lab_server)) - set(before)) == 1
    lab.screenshot(path=artifacts / "editor-trust-run-finished.png")

    # A fresh page: the code is trusted now, no notice.
    lab.goto(f"{lab_server['url']}/lab?reset&token={lab_server['token']}")
    lab.wait_for_function("() => window.jupyterapp !== undefined")
    lab.evaluate("() => window.jupyterapp.restored")
    open_document(lab, "code.jnolab")
    wait_connected(lab)
    expect(validity(lab)).to_have_attribute("data-state", "valid", timeout=30_000)
    lab.wait_for_timeout(500)
    expect(editor(lab).get_by_role("region", name="Untrusted code")).to_have_count(0)
    expect(node(lab, "f").locator(".jp-JnoLab-nodeCode")).to_have_text("Python")


def test_review_from_the_notice_shows_the_node_and_its_fields(lab, lab_server, artifacts):
    code_text = variant("fields")
    open_code_document(lab, lab_server, "fields.jnolab", code_text)
    view = editor(lab)
    notice = view.get_by_role("region", name="Untrusted code")
    notice.get_by_role("button", name="Review code…").click()
    dialog = review_dialog(lab)
    expect(dialog).to_be_visible()
    expect(dialog).not_to_contain_text("Nothing was run")
    expect(dialog.locator(".jp-Dialog-button", has_text="Cancel")).to_be_focused()
    lab.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(notice).to_be_visible()

    # "Show in graph" closes the review, trusting nothing, and selects the node.
    notice.get_by_role("button", name="Review code…").click()
    dialog.get_by_role("button", name="Show in graph").click()
    expect(dialog).to_have_count(0)
    inspector = view.get_by_role("complementary", name="Inspector")
    expect(inspector.locator("h2")).to_have_text("Custom function")
    expression = inspector.get_by_label("expression of a, b (Python code)")
    expect(expression).to_have_value(code_text)
    code = inspector.get_by_label("code (Python beyond the grammar)")
    expect(code).to_be_checked()
    expect(inspector).to_contain_text("Code runs only once you trust this document")
    lab.screenshot(path=artifacts / "editor-trust-inspector.png")
    before = trusted_digests(lab_server)

    # Without `code` the text must be of the grammar: the kernel's problem shows on the field.
    code.uncheck()
    grammar = inspector.get_by_label("expression of a, b", exact=True)
    expect(grammar).to_have_attribute("aria-invalid", "true", timeout=30_000)
    error = inspector.locator(".jp-JnoLab-fieldError")
    expect(error).to_contain_text("mark the node as code")
    expect(notice).to_have_count(0)
    expect(inspector).to_contain_text("e.g. sin(a) * b + 1")
    lab.screenshot(path=artifacts / "editor-expression-problem.png")
    assert trusted_digests(lab_server) == before
    grammar.fill("a - 3 + 0 * b")
    expect(validity(lab)).to_have_attribute("data-state", "valid", timeout=30_000)
    expect(grammar).not_to_have_attribute("aria-invalid", "true")


def test_predicate_field_explains_the_grammar_and_shows_its_problem(lab, lab_server, artifacts):
    open_code_document(lab, lab_server, "predicate.jnolab", variant("predicate"))
    view = editor(lab)
    view.get_by_role("tab", name="Geometry").click()
    view.get_by_role("button", name="+ Tag by predicate").click()
    field = view.get_by_label("predicate of x, y")
    expect(field).to_have_value("x < 0.5")
    expect(view.locator(".jp-JnoLab-tag")).to_contain_text("e.g. x < 0.5 and y > 0")
    field.fill("x < 0.5 and z > 0")
    expect(field).to_have_attribute("aria-invalid", "true", timeout=30_000)
    expect(view.locator(".jp-JnoLab-tag .jp-JnoLab-fieldError")).to_contain_text(
        "not a predicate of x and y"
    )
    lab.screenshot(path=artifacts / "editor-predicate-problem.png")
    field.fill("x < 0.5 and y > 0")
    expect(field).not_to_have_attribute("aria-invalid", "true", timeout=30_000)


def test_a_run_that_goes_non_finite_says_where(lab, lab_server, artifacts):
    write(diverging_document(), lab_server["root"], "diverging.jnolab")
    open_document(lab, "diverging.jnolab")
    wait_connected(lab)
    expect(validity(lab)).to_have_attribute("data-state", "valid", timeout=30_000)
    view = editor(lab)
    toolbar = view.get_by_role("toolbar", name="Run")
    toolbar.get_by_role("button", name="▶ Run").click()
    status = toolbar.locator(".jp-JnoLab-runStatus")
    expect(status).to_have_attribute("data-state", "failed", timeout=RUN_TIMEOUT_MS)
    notice = view.get_by_role("region", name="Training diverged")
    expect(notice).to_contain_text("Training diverged at step ")
    expect(notice).to_contain_text("was NaN or infinite")
    expect(notice).to_contain_text("Try a smaller learning rate")
    step = int(notice.get_attribute("data-step") or "-1")
    assert 1 <= step <= 100, step  # within the first chunk of 100 steps
    text = status.inner_text()
    match = re.search(r"step (\d+)/2000", text)
    assert match, text
    assert int(match.group(1)) <= 100, text
    assert f"not finite at step {step}" in text, text
    assert re.search(r"the loss of constraint \S", notice.inner_text())
    lab.screenshot(path=artifacts / "editor-run-nonfinite.png")
    notice.get_by_role("button", name="Hide the message").click()
    expect(notice).to_have_count(0)
    expect(status).to_contain_text(f"not finite at step {step}")
