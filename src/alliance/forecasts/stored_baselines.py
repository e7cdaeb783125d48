"""A council's baseline forecast from returns, stored in the database once for every web process.

Simulating a council's future takes about two seconds; each web process's own cache kept it only
for that process, so the first page in every process waited. The baseline (no scenario) is the
same for everyone who may see it until the council's accepted returns or its unit costs change,
so it is stored, keyed by what it was made from (`inputs`): a new accepted return or a changed
cost gives new inputs and so a new simulation, and the council's rows for older inputs are
deleted when the new one is stored. A scenario's forecast is simulated as before (it differs with
every choice) and kept in the process's cache.

Stored as NumPy's npz (`allow_pickle=False` when read back: nothing in the database can run code
here), the summary tables as Arrow IPC inside it.
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import numpy as np
import polars as pl
from django.db import IntegrityError, transaction

from alliance.forecasts.models import StoredBaseline
from alliance.organisations.models import Organisation
from forecast.bottom_up.simulate import Projection

# Raise when the simulation changes, so that baselines stored before are simulated again.
VERSION = 1
_ARRAYS = ("total_draws", "spend_draws", "population_draws", "spend_state_draws")
_FRAMES = ("populations", "totals", "spend")


def inputs(*parts: Any) -> str:
    """A short name for what a baseline is made from (the accepted return versions, the unit
    costs, the seed, the number of simulations), with this module's VERSION."""
    text = json.dumps([VERSION, *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def to_bytes(projection: Projection) -> bytes:
    arrays: dict[str, np.ndarray] = {
        "years": np.asarray(projection.years, dtype=np.int64),
        "seed": np.asarray([projection.seed], dtype=np.int64),
    }
    for name in _ARRAYS:
        value = getattr(projection, name)
        if value is not None:
            arrays[name] = value
    for name in _FRAMES:
        frame = getattr(projection, name)
        if frame is not None:
            buffer = io.BytesIO()
            frame.write_ipc(buffer)
            arrays[f"frame_{name}"] = np.frombuffer(buffer.getvalue(), dtype=np.uint8)
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)  # type: ignore[arg-type]
    return out.getvalue()


def from_bytes(data: bytes) -> Projection:
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        names = set(stored.files)

        def frame(name: str) -> pl.DataFrame | None:
            key = f"frame_{name}"
            return pl.read_ipc(io.BytesIO(stored[key].tobytes())) if key in names else None

        def array(name: str) -> np.ndarray | None:
            return stored[name] if name in names else None

        def required[T](value: T | None, name: str) -> T:
            if value is None:
                raise ValueError(f"the stored baseline has no {name}")
            return value

        return Projection(
            years=tuple(int(y) for y in stored["years"]),
            seed=int(stored["seed"][0]),
            populations=required(frame("populations"), "populations"),
            totals=required(frame("totals"), "totals"),
            spend=frame("spend"),
            total_draws=required(array("total_draws"), "total_draws"),
            spend_draws=array("spend_draws"),
            population_draws=required(array("population_draws"), "population_draws"),
            spend_state_draws=array("spend_state_draws"),
        )


def stored(organisation: Organisation, made_from: str, horizon: int) -> Projection | None:
    """The council's stored baseline for these inputs and years ahead, if there is one."""
    found = (
        StoredBaseline.objects.filter(organisation=organisation, inputs=made_from, horizon=horizon)
        .values_list("projection", flat=True)
        .first()
    )
    return None if found is None else from_bytes(bytes(found))


def store(organisation: Organisation, made_from: str, horizon: int, projection: Projection) -> None:
    """Store the baseline, and delete the council's baselines made from older inputs. Two
    processes storing the same baseline at once: the second finds it there and leaves it."""
    with transaction.atomic():
        StoredBaseline.objects.filter(organisation=organisation).exclude(inputs=made_from).delete()
        try:
            with transaction.atomic():
                StoredBaseline.objects.create(
                    organisation=organisation,
                    inputs=made_from,
                    horizon=horizon,
                    projection=to_bytes(projection),
                )
        except IntegrityError:
            pass  # another process stored the same one first
