"""A PCN's stages over rounds, drawn on the server as SVG: one small chart per domain, each with
its text alternative, beside the table of the same figures (and its CSV). Drawn here rather than
in the browser so the chart shows without JavaScript; every mark has at least 3:1 contrast
against white (WCAG 1.4.11)."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .selectors import DomainProgress, Progress

BLUE, GRID, TEXT, GREY = "#005eb8", "#d8dde0", "#212b32", "#4c6272"
WIDTH, HEIGHT = 340, 190
LEFT, RIGHT, TOP, BOTTOM = 78, 40, 16, 44


def movement_text(change: int | None) -> str:
    """ "Up 1 stage", "Down 2 stages", "No change"; "" when it cannot be said."""
    if change is None:
        return ""
    if change == 0:
        return "No change"
    stages = "stage" if abs(change) == 1 else "stages"
    return f"{'Up' if change > 0 else 'Down'} {abs(change)} {stages}"


def round_label(assessment) -> str:
    return f"{assessment.round.date:%b %Y}"


def _description(progress: Progress, domain: DomainProgress) -> str:
    parts = [
        f"{point.stage or 'not rated'} in {a.round.name} ({a.round.date:%B %Y})"
        for a, point in zip(progress.assessments, domain.points, strict=True)
    ]
    moved = movement_text(domain.movement)
    summary = f" {moved} since the baseline." if moved else ""
    return f"{domain.name}: " + "; ".join(parts) + "." + summary


def _panel(progress: Progress, domain: DomainProgress, index: int) -> SafeString:
    stages = progress.stage_names
    levels = max(len(stages), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step_y = plot_h / max(levels - 1, 1)
    count = len(progress.assessments)
    step_x = plot_w / max(count - 1, 1)

    # Coordinates as text: format_html escapes its arguments, so numbers are formatted first.
    def x(i: int) -> str:
        return f"{LEFT + (plot_w / 2 if count == 1 else i * step_x):.1f}"

    def y(position: int) -> str:
        return f"{TOP + (levels - 1 - position) * step_y:.1f}"

    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
        '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" font-size="12" '
        'fill="{}">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, y(p), y(p), GRID, LEFT - 8, y(p), TEXT, name)
            for p, name in enumerate(stages)
        ),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}</text>',
        (
            (x(i), HEIGHT - BOTTOM + 20, GREY, round_label(a))
            for i, a in enumerate(progress.assessments)
        ),
    )
    points = [(x(i), y(p.position)) for i, p in enumerate(domain.points) if p.position is not None]
    line = ""
    if len(points) > 1:
        path = " ".join(f"{px},{py}" for px, py in points)
        line = format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="3"/>', path, BLUE
        )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="6" fill="{}" stroke="#ffffff" stroke-width="2"/>',
        ((px, py, BLUE) for px, py in points),
    )
    title_id, desc_id = f"maturity-chart-{index}-title", f"maturity-chart-{index}-desc"
    return format_html(
        '<figure class="maturity-chart" data-testid="maturity-chart-{}">'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{} {}" focusable="false">'
        '<title id="{}">{}</title><desc id="{}">{}</desc>{}{}{}{}</svg>'
        '<figcaption class="nhsuk-body-s">{}{}</figcaption></figure>',
        index,
        WIDTH,
        HEIGHT,
        title_id,
        desc_id,
        title_id,
        domain.name,
        desc_id,
        _description(progress, domain),
        grid,
        labels,
        line,
        dots,
        domain.name,
        format_html(": <strong>{}</strong>", movement_text(domain.movement))
        if domain.movement is not None
        else "",
    )


def progress_charts(progress: Progress) -> SafeString:
    """One chart per domain; nothing when the PCN has not submitted an assessment yet."""
    if not progress.assessments:
        return mark_safe("")
    return mark_safe(
        "".join(_panel(progress, domain, i) for i, domain in enumerate(progress.domains, 1))
    )


def stage_class(position: int | None) -> str:
    """The heat map's cell class: darker for a later stage (each with its text, never colour
    alone)."""
    return "maturity-stage--none" if position is None else f"maturity-stage--{min(position, 4)}"
