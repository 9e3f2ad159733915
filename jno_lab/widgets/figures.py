"""The dashboard's bokeh plots, built in Python and embedded by the widget's front end.

Every plotted series lives in a named `ColumnDataSource` (the `History` source
name, or `<name>@<run>` for overlaid runs); the front end streams new rows into
those sources and recomputes the `*__smooth` columns of the loss plot. The
field view is two images (solution, residual) with named colour mappers and
the domain outline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from bokeh.embed import json_item
from bokeh.layouts import column, gridplot
from bokeh.models import ColorBar, ColumnDataSource, Legend, LinearColorMapper, Range1d, Title
from bokeh.palettes import Category10_10, Viridis256
from bokeh.plotting import figure

from ..diagnostics import Kind
from .field import FieldFrames, FieldView
from .history import History

if TYPE_CHECKING:
    from bokeh.embed.standalone import StandaloneEmbedJson

__all__ = ["FIGURE_HEIGHT", "build_layout", "layout_json", "smooth"]

FIGURE_HEIGHT = 300
_DASHES = ["solid", "dashed", "dotted", "dotdash"]
_AxisScale = Literal["linear", "log"]
_DIAGNOSTIC_PLOTS: dict[str, tuple[str, _AxisScale]] = {  # title and y axis per diagnostic
    Kind.GRADIENT_NORM: ("gradient norms", "log"),
    Kind.GRADIENT_COSINE: ("gradient cosines", "linear"),
    Kind.NTK_CONDITION: ("NTK condition number", "log"),
    Kind.NTK_TRACE: ("NTK trace", "log"),
    Kind.NTK_WEIGHT: ("NTK trace weights", "linear"),
    Kind.RESIDUAL_MEAN_ABS: ("residual statistics", "log"),
    Kind.RESIDUAL_MAX_ABS: ("residual statistics", "log"),
    Kind.RESIDUAL_STD: ("residual statistics", "log"),
}
_SERIES_PLOTS: tuple[tuple[str, str, _AxisScale, str], ...] = (  # source, title, y axis, label
    ("weights", "Constraint weights", "linear", "weight"),
    ("lrs", "Learning rates", "log", "learning rate (scale)"),
)


def smooth(values: np.ndarray, alpha: float) -> np.ndarray:
    """Exponential moving average in log space (losses span decades); `alpha` in [0, 1).

    The front end computes the same (see `src/dashboard/smoothing.ts`).

    Example:
        >>> smooth(np.array([1.0, 100.0]), 0.5).round(3).tolist()
        [1.0, 10.0]
    """
    out = np.empty_like(values, dtype=np.float64)
    state = None
    for i, v in enumerate(values):
        if not np.isfinite(v) or v <= 0:
            out[i] = v
            continue
        lv = np.log10(v)
        state = lv if state is None else alpha * state + (1 - alpha) * lv
        out[i] = 10.0**state
    return out


def _figure(title: str, y_axis: _AxisScale, y_label: str, x_label: str = "step") -> Any:
    p = figure(
        title=Title(text=title, text_font_size="12pt"),
        height=FIGURE_HEIGHT,
        sizing_mode="stretch_width",
        y_axis_type=y_axis,
        tools="pan,wheel_zoom,box_zoom,reset,save",
        active_scroll=None,
        output_backend="canvas",
    )
    p.xaxis.axis_label = x_label
    p.yaxis.axis_label = y_label
    return p


def _source(name: str, columns: dict[str, np.ndarray]) -> ColumnDataSource:
    return ColumnDataSource({k: np.asarray(v).tolist() for k, v in columns.items()}, name=name)


def _legend(p: Any) -> None:
    """Legend below the plot (long expression names would hide the curves), clickable."""
    if not p.legend:
        return
    legend = p.legend[0]
    p.center = [r for r in p.center if not isinstance(r, Legend)]
    legend.click_policy = "hide"
    legend.label_text_font_size = "9pt"
    legend.spacing = 0
    legend.padding = 4
    legend.margin = 4
    legend.border_line_alpha = 0
    p.add_layout(legend, "below")


def _label(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _loss_plot(runs: Sequence[tuple[str, History]], smoothing: float) -> Any:
    p = _figure("Losses", "log", "loss")
    for r, (run, history) in enumerate(runs):
        source = history.sources["losses"]
        data = source.rows(0)
        for key in source.labels:
            data[f"{key}__smooth"] = smooth(data[key], smoothing)
        cds = _source(_name("losses", run, r), data)
        for i, (key, label) in enumerate(source.labels.items()):
            color = "black" if key == "total" else Category10_10[(i - 1) % 10]
            legend = _label(label if len(runs) == 1 else f"{label} ({run})")
            dash = _DASHES[r % len(_DASHES)]
            p.line("step", key, source=cds, color=color, alpha=0.2, line_dash=dash)
            p.line(
                "step",
                f"{key}__smooth",
                source=cds,
                color=color,
                line_width=2,
                line_dash=dash,
                legend_label=legend,
            )
    _legend(p)
    return p


def _series_plot(
    runs: Sequence[tuple[str, History]],
    source_name: str,
    title: str,
    axis: _AxisScale,
    y_label: str,
) -> Any:
    p = _figure(title, axis, y_label)
    for r, (run, history) in enumerate(runs):
        source = history.sources[source_name]
        cds = _source(_name(source_name, run, r), source.rows(0))
        for i, (key, label) in enumerate(source.labels.items()):
            legend = _label(label if len(runs) == 1 else f"{label} ({run})")
            p.line(
                "step",
                key,
                source=cds,
                color=Category10_10[i % 10],
                line_width=2,
                line_dash=_DASHES[r % len(_DASHES)],
                legend_label=legend,
            )
    _legend(p)
    return p


def _tracker_plots(runs: Sequence[tuple[str, History]]) -> list[Any]:
    """One plot per tracker group (the name before '/'), NTK spectra on an index axis."""
    groups: dict[str, list[tuple[int, str, str, Any]]] = {}
    for r, (run, history) in enumerate(runs):
        for i, name in enumerate(history.tracker_names):
            key = f"t{i}"
            if key not in history.sources:
                continue
            group = Kind.of_name(name) or (name.split("/", 1)[0] if "/" in name else "trackers")
            groups.setdefault(group, []).append((r, run, key, history))
    plots = []
    for prefix, members in groups.items():
        spectrum = prefix is Kind.NTK_EIGENVALUES
        title, axis = _DIAGNOSTIC_PLOTS.get(prefix, (prefix, "linear"))
        if spectrum:
            p = _figure("NTK eigenvalues (latest)", "log", "eigenvalue", "index")
        else:
            p = _figure(title if prefix != "trackers" else "Trackers", axis, "value")
        for j, (r, run, key, history) in enumerate(members):
            source = history.sources[key]
            cds = _source(_name(key, run, r), source.rows(0))
            label = (
                source.labels["value"] if len(runs) == 1 else f"{source.labels['value']} ({run})"
            )
            x = "index" if spectrum else "step"
            p.line(
                x,
                "value",
                source=cds,
                color=Category10_10[j % 10],
                line_width=2,
                line_dash=_DASHES[r % len(_DASHES)],
                legend_label=label,
            )
            if spectrum:
                p.scatter(x, "value", source=cds, color=Category10_10[j % 10], size=4)
        _legend(p)
        plots.append(p)
    return plots


def _field_plots(view: FieldView, frames: FieldFrames | None) -> list[Any]:
    plots = []
    x0, x1, y0, y1 = view.grid.extent
    for name in view.exprs:
        values = None if frames is None else frames.values.get(name)
        if view.dimension == 1:
            p = _figure(name, "linear", name, "x")
            ys = np.zeros(view.grid.points.shape[0]) if values is None else values[-1]
            cds = _source(f"field:{name}", {"x": view.grid.points[:, 0], "y": ys})
            p.line("x", "y", source=cds, line_width=2)
            plots.append(p)
            continue
        image = np.full(view.grid.shape, np.nan) if values is None else values[-1]
        low, high = _range(image)
        mapper = LinearColorMapper(
            palette=Viridis256, low=low, high=high, nan_color=(0, 0, 0, 0), name=f"mapper:{name}"
        )
        height = FIGURE_HEIGHT + 60
        p = figure(
            title=Title(text=name, text_font_size="12pt"),
            height=height,
            sizing_mode="stretch_width",
            match_aspect=True,
            x_range=Range1d(start=x0, end=x1),
            y_range=Range1d(start=y0, end=y1),
            tools="pan,wheel_zoom,reset,save,hover",
            active_scroll=None,
        )
        p.xaxis.axis_label = "x"
        p.yaxis.axis_label = "y"
        cds = ColumnDataSource(
            {
                "image": [np.asarray(image, np.float32)],
                "x": [x0],
                "y": [y0],
                "dw": [x1 - x0],
                "dh": [y1 - y0],
            },
            name=f"field:{name}",
        )
        p.image(image="image", x="x", y="y", dw="dw", dh="dh", source=cds, color_mapper=mapper)
        xs = [ring[0] for ring in view.grid.outline]
        ys = [ring[1] for ring in view.grid.outline]
        p.multi_line(xs=xs, ys=ys, color="black", line_width=1.5)
        p.add_layout(ColorBar(color_mapper=mapper, width=10), "right")
        plots.append(p)
    return plots


def _range(image: np.ndarray) -> tuple[float, float]:
    finite = image[np.isfinite(image)]
    if not finite.size:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def _name(source: str, run: str, index: int) -> str:
    return source if index == 0 else f"{source}@{index}"


def build_layout(
    runs: Sequence[tuple[str, History]],
    view: FieldView | None = None,
    frames: FieldFrames | None = None,
    smoothing: float = 0.9,
) -> Any:
    """The dashboard's plots as one bokeh layout (first run live, the others overlaid)."""
    live = runs[0][1]
    series = [
        _series_plot(runs, name, title, axis, label)
        for name, title, axis, label in _SERIES_PLOTS
        if name in live.sources  # an emulator run has neither
    ]
    plots = [_loss_plot(runs, smoothing), *series, *_tracker_plots(runs)]
    rows = [plots[i : i + 2] for i in range(0, len(plots), 2)]
    if view is not None:
        fields = _field_plots(view, frames)
        if fields:
            rows.append(fields)
    grid = gridplot(rows, sizing_mode="stretch_width", toolbar_location="right")
    return column(grid, sizing_mode="stretch_width")


def layout_json(*args: Any, **kwargs: Any) -> StandaloneEmbedJson:
    """`build_layout` as a bokeh JSON item (what `Bokeh.embed.embed_item` takes)."""
    return json_item(build_layout(*args, **kwargs))
