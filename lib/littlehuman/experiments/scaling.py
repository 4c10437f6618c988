"""The zoom and trade-off sizes of a dataset: the profile's, scaled for a small dataset and to
fit its train rows."""
from __future__ import annotations

from dataclasses import dataclass

from littlehuman.config import Profile
from littlehuman.experiments.grid import Shape


@dataclass(frozen=True)
class Sizes:
    """The zoom and trade-off sizes for one dataset; ``notes`` says how they were scaled."""

    zoom: tuple[int, ...]
    bases: tuple[int, ...]
    human: int
    step: int
    steps: int
    notes: tuple[str, ...] = ()

    @property
    def tradeoff_rows(self) -> int:
        """Real rows with a twin the trade-off needs: the largest base plus its additions."""
        return max(self.bases) + max(self.human, self.step * self.steps)


def _fit(values: tuple[int, ...], factor: float) -> tuple[int, ...]:
    """``values`` times ``factor`` rounded down (at least 1), distinct, largest first."""
    return tuple(sorted({max(1, int(v * factor + 1e-9)) for v in values}, reverse=True))


def _tenth(value: int) -> int:
    return max(1, round(value / 10))


def sizes(profile: Profile, shape: Shape) -> Sizes:
    """The zoom and trade-off sizes of ``profile`` for a dataset.

    The profile's sizes are written for a 5,000-row dataset: a ``small`` one (SciFact) takes a
    tenth of them when the profile keeps the PROTOCOL training size (``n_train`` 0); a profile
    that sets ``n_train`` chose its sizes itself (the cpu profile's 200/100 are "the sweep's
    200 twins", and a tenth would make 95%, 97.5% and 100% of 10 rows the same set). Sizes
    that the dataset's train rows cannot hold are scaled down together (ratios kept); each
    scaling is described in ``notes``."""
    p, notes = profile, []
    small, available = shape.small, shape.train_rows
    zoom, bases = tuple(p.zoom_sizes), tuple(p.tradeoff_bases)
    human, step = p.tradeoff_human, p.tradeoff_step
    if small and not p.n_train:
        zoom, bases = tuple(map(_tenth, zoom)), tuple(map(_tenth, bases))
        human, step = _tenth(human), _tenth(step)
        notes.append("a small dataset (as SciFact in the paper): the sizes are the profile's / 10")
    if available is not None and max(zoom) > available:
        new = _fit(zoom, available / max(zoom))
        notes.append(f"zoom sizes {sorted(zoom, reverse=True)} scaled to {list(new)} to fit the "
                     f"{available} train rows")
        zoom = new
    need = max(bases) + max(human, step * p.tradeoff_steps)
    if available is not None and need > available:
        factor = available / need
        new = _fit(bases, factor)
        human, step = max(1, int(human * factor)), max(1, int(step * factor))
        notes.append(f"trade-off sizes scaled by {factor:.3g} to fit the {available} train rows "
                     f"(bases {sorted(bases)} -> {sorted(new)}, +{human} human, steps of {step})")
        bases = new
    return Sizes(tuple(sorted(set(zoom), reverse=True)), tuple(sorted(set(bases))), human, step,
                 p.tradeoff_steps, tuple(notes))
