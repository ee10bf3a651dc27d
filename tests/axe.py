"""axe-core (npm, vendored in node_modules by `npm ci`) run in a Playwright page: WCAG 2.1 A and AA.

The script is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
govern, so the page is checked exactly as it is served, policy included.
"""

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}

RUN = """([tags, exclude]) => axe.run(
  {include: [document], exclude: exclude.map((selector) => [selector])},
  {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]},
).then((results) => results.violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help,
  targets: v.nodes.map((node) => node.target.join(" ")),
})))"""


@cache
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def violations(page, exclude=()) -> list[dict]:
    """The serious and critical WCAG 2.1 A/AA violations on the page, each with its rule, impact, targets.

    `exclude` takes CSS selectors of third-party markup that cannot be fixed from here; each caller says why.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source() + "\n;undefined")
    found = page.evaluate(RUN, [TAGS, list(exclude)])
    return [v for v in found if v["impact"] in FAILING_IMPACTS]


def report(path: str, found: list[dict]) -> str:
    lines = [f"{path}:"]
    for v in found:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {target}" for target in v["targets"][:10])
        if len(v["targets"]) > 10:
            lines.append(f"    ... and {len(v['targets']) - 10} more")
    return "\n".join(lines)
