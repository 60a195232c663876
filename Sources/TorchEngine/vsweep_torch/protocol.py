"""The vsweep trial protocol for Python engines (docs/protocol.md), in one small module.

A training script becomes a vsweep engine with five pieces, all here:

- ``load_config(argv, defaults)``: ``--config FILE`` (YAML or JSON) plus ``--set a.b=c``
  overrides (values read as YAML), checked against a tree of defaults; an unknown field or
  a value of the wrong type raises ``ConfigError`` naming the dotted field.
- ``Reporter``: writes the protocol events (``started``, ``report``, ``checkpoint``,
  ``finished``, ``error``) as JSON lines to stdout, flushed; non-finite metric values become
  the strings "NaN", "Infinity", "-Infinity". ``enabled=False`` (other ranks) writes nothing.
- ``Budget``: training seconds that exclude evaluation (``with budget.evaluating(): ...``)
  and an update count; ``budget.exhausted(updates)`` says when to stop.
- ``Termination``: a flag set by SIGTERM (``termination.requested``); finish the step,
  checkpoint, then ``finished`` with reason ``terminated`` and exit 0.
- ``run(main)``: runs ``main()`` and maps a ``ConfigError`` to an ``error`` event and exit
  status 2, any other exception to an ``error`` event and exit status 1.

``checkpoint_dir(config)`` gives (and creates) ``checkpoint.dir``; ``atomic_save`` writes a
file by rename. ``trainer_callback(...)`` builds a Hugging Face ``TrainerCallback`` (transformers
is imported only then) that reports, honours the budget and stops on SIGTERM.

Example (a complete engine)::

    from vsweep_torch import protocol as vp

    DEFAULTS = {"trial": None, "lr": 1e-3, "budget": {"updates": 100, "seconds": None},
                "checkpoint": {"dir": "runs/x"}}

    def main():
        config = vp.load_config(None, DEFAULTS)          # sys.argv[1:]
        out = vp.Reporter("my-engine 1.0")
        out.started(config, trial=config["trial"])
        budget = vp.Budget(updates=config["budget"]["updates"], seconds=config["budget"]["seconds"])
        stop = vp.Termination.install()
        updates = 0
        while not budget.exhausted(updates) and not stop.requested:
            with budget.training():
                loss = train_one_step()
            updates += 1
            if updates % 10 == 0:
                with budget.evaluating():
                    metrics = {"train_loss": loss}
                out.report(updates, tokens=updates * 1024, budget=budget, metrics=metrics)
        path = vp.checkpoint_dir(config) / "last.pt"
        vp.atomic_save(lambda f: torch.save(state, f), path)
        out.checkpoint(path, updates)
        out.finished("terminated" if stop.requested else "budget", metrics, updates=updates)

    if __name__ == "__main__":
        vp.run(main)
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import difflib
import json
import math
import os
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

__all__ = [
    "ConfigError", "Reporter", "Budget", "Termination", "load_config", "parse_args",
    "apply_overrides", "check_config", "checkpoint_dir", "atomic_save", "run",
    "trainer_callback", "ANY", "MAPPING",
]


class ConfigError(Exception):
    """A config or input problem: the engine emits ``error`` (with ``field``) and exits 2."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: In a defaults tree: a field that takes any value (default null).
ANY = _Marker("ANY")
#: In a defaults tree: a field that takes any mapping (free-form, default {}).
MAPPING = _Marker("MAPPING")


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------

def _metric(value: Any) -> Any:
    """A metric value as JSON allows: finite numbers as numbers, the rest as strings."""
    if isinstance(value, bool):
        return int(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"metric value {value!r} is not a number") from None
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if isinstance(value, int):
        return value
    return x


def _plain(value: Any) -> Any:
    """Config values as plain JSON (non-finite floats as strings, paths as strings)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return _metric(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class Reporter:
    """Writes protocol events, one JSON object per line, flushed (docs/protocol.md).

    ``enabled=False`` makes every call a no-op (data-parallel ranks other than 0).
    """

    def __init__(self, engine: str, stream=None, enabled: bool = True):
        self.engine = engine
        self.stream = stream if stream is not None else sys.stdout
        self.enabled = enabled

    def emit(self, event: str, **fields: Any) -> None:
        if not self.enabled:
            return
        obj = {"event": event}
        obj.update({k: v for k, v in fields.items() if v is not None})
        self.stream.write(json.dumps(obj, sort_keys=True, allow_nan=False, separators=(",", ":")) + "\n")
        self.stream.flush()

    def started(self, config: Mapping[str, Any], trial: str | None = None) -> None:
        self.emit("started", engine=self.engine, config=_plain(config), trial=trial)

    def report(self, updates: int, tokens: int, metrics: Mapping[str, Any], *,
               budget: "Budget | None" = None, train_seconds: float | None = None,
               eval_seconds: float | None = None, timings: Mapping[str, float] | None = None) -> None:
        """A ``report``; seconds come from ``budget`` unless given."""
        if budget is not None:
            train_seconds = budget.train_seconds if train_seconds is None else train_seconds
            eval_seconds = budget.eval_seconds if eval_seconds is None else eval_seconds
        self.emit("report", updates=int(updates), tokens=int(tokens),
                  train_seconds=max(0.0, float(train_seconds or 0.0)),
                  eval_seconds=None if eval_seconds is None else max(0.0, float(eval_seconds)),
                  metrics={k: _metric(v) for k, v in metrics.items()},
                  timings=None if timings is None else {k: float(v) for k, v in timings.items()})

    def checkpoint(self, path: str | os.PathLike, updates: int) -> None:
        self.emit("checkpoint", path=str(path), updates=int(updates))

    def finished(self, reason: str, metrics: Mapping[str, Any], updates: int | None = None) -> None:
        if reason not in ("budget", "terminated", "converged"):
            raise ValueError(f"finished: reason must be budget, terminated or converged (got {reason!r})")
        self.emit("finished", reason=reason, metrics={k: _metric(v) for k, v in metrics.items()},
                  updates=None if updates is None else int(updates))

    def error(self, message: str, field: str | None = None) -> None:
        self.emit("error", message=str(message), field=field)


# ---------------------------------------------------------------------------------------------
# Budget and termination
# ---------------------------------------------------------------------------------------------

class Budget:
    """An update and/or training-seconds budget; evaluation time is counted apart.

    Time inside ``with budget.training():`` counts as training seconds, inside
    ``with budget.evaluating():`` as evaluation seconds (checkpoints count there too).
    ``clock`` is injectable for tests.
    """

    def __init__(self, updates: int | None = None, seconds: float | None = None,
                 clock: Callable[[], float] = time.perf_counter):
        self.updates = updates
        self.seconds = seconds
        self.clock = clock
        self.train_seconds = 0.0
        self.eval_seconds = 0.0

    @contextlib.contextmanager
    def training(self):
        start = self.clock()
        try:
            yield
        finally:
            self.train_seconds += self.clock() - start

    @contextlib.contextmanager
    def evaluating(self):
        start = self.clock()
        try:
            yield
        finally:
            self.eval_seconds += self.clock() - start

    def exhausted(self, updates: int) -> bool:
        if self.updates is not None and updates >= self.updates:
            return True
        return self.seconds is not None and self.train_seconds >= self.seconds

    def fraction(self, updates: int) -> float:
        """Progress in [0, 1] (for schedules): updates for an update budget, else seconds."""
        if self.updates is not None:
            return min(1.0, updates / max(1, self.updates))
        if self.seconds is not None:
            return min(1.0, self.train_seconds / max(1e-9, self.seconds))
        return 0.0

    def state_dict(self) -> dict:
        return {"train_seconds": self.train_seconds, "eval_seconds": self.eval_seconds}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        self.train_seconds = float(state["train_seconds"])
        self.eval_seconds = float(state["eval_seconds"])


class Termination:
    """A flag raised by SIGTERM (and SIGINT). ``install()`` sets the handlers and returns it.

    ``install(deferred=True)`` is for processes that run collectives (torch.distributed ranks):
    instead of a handler, the signals are blocked in every thread and polled as pending signals
    at ``requested``/``agreed()``. A handler interrupts whatever system call the process is in;
    Python installs handlers without SA_RESTART, so a gloo collective interrupted mid-flight
    returned early on one rank and the ranks went on out of step, each waiting in a different
    collective for ever. A blocked signal interrupts nothing and waits to be polled.

    ``agreed()`` is the flag OR-reduced over torch.distributed ranks when a process group is
    initialised (every rank stops after the same step), else the local flag.
    """

    def __init__(self):
        self._requested = False
        self._deferred: tuple[int, ...] = ()

    @property
    def requested(self) -> bool:
        if not self._requested and self._deferred and signal.sigtimedwait(self._deferred, 0) is not None:
            self._requested = True
        return self._requested

    @requested.setter
    def requested(self, value: bool) -> None:
        self._requested = value

    def _handle(self, signum, frame):  # noqa: ARG002
        self._requested = True

    @classmethod
    def install(cls, signals: Iterable[int] = (signal.SIGTERM, signal.SIGINT),
                deferred: bool = False) -> "Termination":
        t = cls()
        if deferred:
            # Threads started later (gloo's, the data loaders') inherit the mask, so no thread
            # of the process ever runs a handler for these signals.
            t._deferred = tuple(signals)
            signal.pthread_sigmask(signal.SIG_BLOCK, t._deferred)
            return t
        for s in signals:
            signal.signal(s, t._handle)
        return t

    def agreed(self, device=None) -> bool:
        try:
            import torch
            import torch.distributed as dist
        except ImportError:  # pragma: no cover
            return self.requested
        if not (dist.is_available() and dist.is_initialized()):
            return self.requested
        flag = torch.tensor([1.0 if self.requested else 0.0], device=device or "cpu")
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        if flag.item() > 0:
            self._requested = True
        return self._requested


# ---------------------------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None, prog: str | None = None) -> argparse.Namespace:
    """``--config FILE [--set k=v]... [--resume CKPT] [--check]``."""
    p = argparse.ArgumentParser(prog=prog, description="a vsweep trial engine (docs/protocol.md)")
    p.add_argument("--config", required=True, help="trial config, YAML or JSON")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a dotted config key; the value is read as YAML")
    p.add_argument("--resume", default=None, help="checkpoint to continue from")
    p.add_argument("--check", action="store_true", help="validate the config and inputs, then exit")
    return p.parse_args(argv)


def _read_document(path: str) -> dict:
    import yaml
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the config: {e.strerror}") from None
    try:
        doc = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as e:
        raise ConfigError(f"{path}: not valid {'JSON' if path.endswith('.json') else 'YAML'}: {e}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: the config must be a mapping at the top level")
    return doc


def apply_overrides(config: dict, overrides: Iterable[str]) -> dict:
    """Applies ``key=value`` overrides with dotted keys in place; values are read as YAML
    (numbers, booleans, null, lists, mappings); a value that does not parse is a string."""
    import yaml
    for item in overrides:
        key, eq, text = item.partition("=")
        if not eq or not key:
            raise ConfigError(f'--set: expected key=value, got "{item}"')
        parts = key.split(".")
        if any(not p for p in parts):
            raise ConfigError(f"--set: empty component in dotted key {key!r}", field=key)
        try:
            value = yaml.safe_load("v: " + text)["v"]
        except Exception:  # noqa: BLE001 - anything unparsable is a string
            value = text
        node = config
        for i, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                raise ConfigError(f"--set {key}: {'.'.join(parts[:i + 1])} is not a mapping", field=key)
            node = child
        node[parts[-1]] = value
    return config


def _type_ok(default: Any, value: Any) -> bool:
    if value is None or default is None or default is ANY:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list):
        return isinstance(value, list)
    return True


def check_config(config: Mapping[str, Any], defaults: Mapping[str, Any], prefix: str = "") -> dict:
    """The effective config: ``defaults`` overlaid with ``config``; raises ``ConfigError``
    naming the dotted field for an unknown field (with the nearest known name) or a value
    whose type differs from the default's (ints pass for floats; null passes anywhere)."""
    out: dict = {}
    for key, value in config.items():
        field = prefix + str(key)
        if key not in defaults:
            near = difflib.get_close_matches(str(key), [str(k) for k in defaults], n=1)
            hint = f" (did you mean {prefix}{near[0]}?)" if near else ""
            raise ConfigError(f"unknown field {field}{hint}", field=field)
        d = defaults[key]
        if d is MAPPING:
            if value is not None and not isinstance(value, dict):
                raise ConfigError(f"{field} must be a mapping", field=field)
            out[key] = copy.deepcopy(value) if value is not None else {}
        elif isinstance(d, dict):
            if value is None:
                value = {}
            if not isinstance(value, dict):
                raise ConfigError(f"{field} must be a mapping (got {value!r})", field=field)
            out[key] = check_config(value, d, field + ".")
        else:
            if not _type_ok(d, value):
                raise ConfigError(f"{field} must be {type(d).__name__} like the default {d!r} (got {value!r})",
                                  field=field)
            out[key] = float(value) if isinstance(d, float) and isinstance(value, int) else copy.deepcopy(value)
    for key, d in defaults.items():
        if key in out:
            continue
        if d is MAPPING:
            out[key] = {}
        elif d is ANY:
            out[key] = None
        elif isinstance(d, dict):
            out[key] = check_config({}, d, prefix + str(key) + ".")
        else:
            out[key] = copy.deepcopy(d)
    return out


def load_config(argv: list[str] | None, defaults: Mapping[str, Any]) -> dict:
    """Parses ``argv`` (``parse_args``), reads ``--config``, applies ``--set`` and checks
    against ``defaults``. Returns the effective config with ``_args`` (the parsed
    arguments) removed; the arguments are available as ``load_config.last_args``."""
    args = parse_args(argv)
    raw = _read_document(args.config)
    apply_overrides(raw, args.set)
    config = check_config(raw, defaults)
    load_config.last_args = args  # type: ignore[attr-defined]
    return config


def checkpoint_dir(config: Mapping[str, Any]) -> Path:
    """``checkpoint.dir`` of the config, created if missing."""
    d = (config.get("checkpoint") or {}).get("dir")
    if not d:
        raise ConfigError("checkpoint.dir is required", field="checkpoint.dir")
    path = Path(d)
    path.mkdir(parents=True, exist_ok=True)
    return path


def atomic_save(write: Callable[[Any], None], path: str | os.PathLike) -> Path:
    """Calls ``write(file)`` on a temporary file in ``path``'s folder, fsyncs it and renames it
    to ``path``: a reader sees the old file or the complete new one, never a partial one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def run(main: Callable[[], Any], reporter: Reporter | None = None) -> None:
    """Runs ``main`` as an engine process: exit 0 on return; a ``ConfigError`` becomes an
    ``error`` event (with ``field``) and exit 2; any other exception an ``error`` event and exit 1
    (traceback on stderr). ``reporter`` defaults to one writing stdout."""
    out = reporter or Reporter("vsweep-python-engine")
    try:
        main()
    except ConfigError as e:
        out.error(e.message, field=e.field)
        sys.exit(2)
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001
        traceback.print_exc(file=sys.stderr)
        out.error(f"{type(e).__name__}: {e}")
        sys.exit(1)
    sys.exit(0)


# ---------------------------------------------------------------------------------------------
# Hugging Face Trainer
# ---------------------------------------------------------------------------------------------

def trainer_callback(reporter: Reporter, budget: Budget | None = None,
                     termination: Termination | None = None, tokens_per_step: int = 0):
    """A ``transformers.TrainerCallback`` that makes a ``Trainer`` a vsweep engine:
    every ``on_log`` becomes a ``report`` (numeric log values as metrics, ``updates`` =
    global step), ``on_evaluate`` too; it stops training when ``budget`` is exhausted or
    SIGTERM arrived (``termination``), and every ``on_save`` emits ``checkpoint``. Training
    seconds are wall time since ``on_train_begin`` minus the evaluation time the callback saw.
    Call ``reporter.finished(...)`` yourself after ``trainer.train()`` returns
    (``"terminated"`` when ``termination.requested``)."""
    from transformers import TrainerCallback  # lazily: the rest of the module needs no transformers

    budget = budget or Budget()

    class VsweepCallback(TrainerCallback):
        def __init__(self):
            self._start = None
            self._eval_start = None

        def _sync(self):
            if self._start is not None:
                budget.train_seconds = max(0.0, time.perf_counter() - self._start - budget.eval_seconds)

        def on_train_begin(self, args, state, control, **kw):
            self._start = time.perf_counter() - budget.train_seconds - budget.eval_seconds

        def on_step_end(self, args, state, control, **kw):
            self._sync()
            stop = budget.exhausted(state.global_step) or (termination is not None and termination.requested)
            if stop:
                control.should_training_stop = True
                control.should_save = True
            return control

        def on_prediction_step(self, args, state, control, **kw):
            if self._eval_start is None:
                self._eval_start = time.perf_counter()

        def on_evaluate(self, args, state, control, metrics=None, **kw):
            if self._eval_start is not None:
                budget.eval_seconds += time.perf_counter() - self._eval_start
                self._eval_start = None
            self._report(state, metrics or {})

        def on_log(self, args, state, control, logs=None, **kw):
            self._report(state, logs or {})

        def _report(self, state, logs):
            self._sync()
            metrics = {k: v for k, v in logs.items()
                       if isinstance(v, (int, float)) and not isinstance(v, bool)}
            reporter.report(state.global_step, tokens=state.global_step * tokens_per_step,
                            metrics=metrics, budget=budget)

        def on_save(self, args, state, control, **kw):
            path = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            reporter.checkpoint(path, state.global_step)

    return VsweepCallback()
