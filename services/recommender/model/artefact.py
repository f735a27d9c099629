"""The trained model artefact: the fitted pipeline plus the metadata that identifies it.

Files are versioned, never overwritten: ``<dir>/rolefit-<UTC timestamp>-<hash8>.joblib`` with a
human-readable ``.json`` sidecar holding the same metadata and, beside them, ``<version>.npz``: the plain
arrays inference needs (the linear model's `coef` and `intercept`, its `classes`, and the training split's
`train_rows`), named by the sidecar's ``arrays`` field. `load_latest` picks the newest by name and reads the
sidecar and the arrays only, so serving never imports scikit-learn or joblib (unpickling the pipeline
imported scikit-learn and SciPy: ~105 MB of the recommender's 190 MB at rest). Artefacts written before
the arrays existed are still read, from the .joblib (logged).

The model the arrays describe is what training builds: logits = scale_features(x) @ coef.T + intercept,
probabilities = softmax(logits).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from services.recommender.model.features import scale_features

__all__ = [
    "DEFAULT_MODEL_DIR",
    "ArtefactError",
    "LinearModel",
    "ModelArtefact",
    "linear_model",
    "load_artefact",
    "load_latest",
    "save_artefact",
]
log = logging.getLogger("careerpath.recommender")

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[3] / "var" / "models"
PREFIX = "rolefit-"
FORMAT = 1
LINEAR = ("coef", "intercept", "classes")


class ArtefactError(RuntimeError):
    """No usable model artefact."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class LinearModel:
    """The fitted model as plain arrays: logits = scale_features(x) @ coef.T + intercept (one row per
    class of `classes`)."""

    coef: np.ndarray
    intercept: np.ndarray
    classes: np.ndarray

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """The logits of every class for every row of the raw input matrix."""
        return np.asarray(scale_features(x) @ self.coef.T + self.intercept, dtype=np.float64)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ModelArtefact:
    """A fitted model (raw input matrix -> role probabilities) and its metadata: the scikit-learn
    `pipeline` (None when loaded from the arrays) and/or the `linear` arrays (None for an old artefact
    whose pipeline is not scale_features then a linear model). `train_rows`: the real profiles it was
    trained on (training.split's rows; None for an old artefact: the questionnaire splits again)."""

    pipeline: Any
    linear: LinearModel | None = None
    train_rows: np.ndarray | None = None
    version: str
    data_version: str
    features: tuple[str, ...]
    roles: tuple[str, ...]
    metrics: dict[str, Any]
    trained_at: str
    seed: int
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Probabilities in `roles` order (columns of roles absent from training are 0)."""
        if self.pipeline is None:
            assert self.linear is not None  # one of the two is always there
            z = self.linear.decision_function(x)
            e = np.exp(z - z.max(axis=1, keepdims=True))
            proba: np.ndarray = e / e.sum(axis=1, keepdims=True)
            classes = self.linear.classes
        else:
            proba = self.pipeline.predict_proba(x)  # scikit-learn is untyped
            classes = self.pipeline.classes_
        if len(classes) == len(self.roles):
            return proba
        out = np.zeros((len(x), len(self.roles)))
        out[:, classes] = proba
        return out

    def metadata(self) -> dict[str, Any]:
        """Everything but the pipeline and the arrays, JSON-friendly (``arrays`` names the .npz)."""
        skip = ("pipeline", "linear", "train_rows")
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in skip}
        data["features"], data["roles"] = list(self.features), list(self.roles)
        data["format"] = FORMAT
        return data

    def check_compatible(self, skill_ids: Sequence[str], role_ids: Sequence[str]) -> None:
        """Raise ArtefactError when the catalogue's features or roles differ from the model's."""
        if list(self.features[:-1]) != list(skill_ids) or list(self.roles) != list(role_ids):
            raise ArtefactError(
                f"model {self.version} was trained on another catalogue (features or roles differ): "
                "retrain it"
            )


def linear_model(pipeline: Any) -> LinearModel | None:
    """The arrays of a fitted pipeline that is `scale_features` then a linear model (what training
    builds); None for any other pipeline."""
    *transforms, (_, model) = pipeline.steps
    if [getattr(step, "func", None) for _, step in transforms] != [scale_features]:
        return None
    if any(step.kw_args or step.validate for _, step in transforms):
        return None
    if not all(hasattr(model, a) for a in ("coef_", "intercept_", "classes_")):
        return None
    return LinearModel(
        coef=np.asarray(model.coef_),
        intercept=np.asarray(model.intercept_),
        classes=np.asarray(model.classes_),
    )


def save_artefact(artefact: ModelArtefact, directory: Path) -> Path:
    """Write the artefact, its arrays (when it has them) and its JSON sidecar; returns the .joblib path."""
    import joblib  # training only: serving reads the arrays

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{artefact.version}.joblib"
    meta = artefact.metadata()
    if artefact.linear is not None and artefact.train_rows is not None:
        arrays = path.with_suffix(".npz")
        values = {name: getattr(artefact.linear, name) for name in LINEAR}
        with open(arrays.with_suffix(".npz.tmp"), "wb") as out:
            np.savez(out, train_rows=artefact.train_rows, **values)
        arrays.with_suffix(".npz.tmp").replace(arrays)
        meta["arrays"] = arrays.name
    tmp = path.with_suffix(".joblib.tmp")
    # the .joblib's metadata without `arrays`: code from before the arrays still loads the artefact
    joblib.dump({"format": FORMAT, "pipeline": artefact.pipeline, "metadata": artefact.metadata()}, tmp)
    tmp.replace(path)  # atomic: readers never see half a file
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return path


def load_artefact(path: Path, *, pipeline: bool = False) -> ModelArtefact:
    """Read one artefact: its JSON sidecar and arrays when it has them (no scikit-learn import), else (an
    artefact older than the arrays), or with `pipeline`, the .joblib."""
    path = Path(path)
    sidecar = path.with_suffix(".json")
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else {}
        if meta.get("arrays") and not pipeline:
            with np.load(path.with_name(meta["arrays"]), allow_pickle=False) as npz:
                linear = LinearModel(**{name: npz[name] for name in LINEAR})
                train_rows = npz["train_rows"]
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported the same way
        raise ArtefactError(f"cannot read model artefact {path}: {exc}") from exc
    if meta.get("arrays") and not pipeline:
        return _artefact(path, meta, None, linear, train_rows)
    if not pipeline:
        log.info("model artefact %s has no arrays: loading its pipeline (imports scikit-learn)", path.name)
    try:
        import joblib

        blob = joblib.load(path)
        meta = dict(blob["metadata"])
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported the same way
        raise ArtefactError(f"cannot read model artefact {path}: {exc}") from exc
    return _artefact(path, meta, blob["pipeline"], linear_model(blob["pipeline"]), None)


def _artefact(
    path: Path, meta: dict[str, Any], pipeline: Any, linear: LinearModel | None, train_rows: np.ndarray | None
) -> ModelArtefact:
    meta = dict(meta)
    meta.pop("arrays", None)
    if meta.pop("format", None) != FORMAT:
        raise ArtefactError(f"model artefact {path} has an unknown format")
    meta["features"], meta["roles"] = tuple(meta["features"]), tuple(meta["roles"])
    return ModelArtefact(pipeline=pipeline, linear=linear, train_rows=train_rows, **meta)


def load_latest(directory: Path = DEFAULT_MODEL_DIR) -> ModelArtefact:
    """The newest artefact in a folder; ArtefactError naming the folder and the fix when there is none."""
    directory = Path(directory)
    files = sorted(directory.glob(f"{PREFIX}*.joblib")) if directory.is_dir() else []
    if not files:
        raise ArtefactError(f"no model artefact in {directory}: run `careerpath train` first")
    return load_artefact(files[-1])
