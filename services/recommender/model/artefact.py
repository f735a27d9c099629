"""The trained model artefact: the fitted pipeline plus the metadata that identifies it.

Files are versioned, never overwritten: ``<dir>/rolefit-<UTC timestamp>-<hash8>.joblib`` with a
human-readable ``.json`` sidecar holding the same metadata. `load_latest` picks the newest by name.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np

__all__ = [
    "DEFAULT_MODEL_DIR",
    "ArtefactError",
    "ModelArtefact",
    "load_artefact",
    "load_latest",
    "save_artefact",
]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[3] / "var" / "models"
PREFIX = "rolefit-"
FORMAT = 1


class ArtefactError(RuntimeError):
    """No usable model artefact."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ModelArtefact:
    """A fitted scikit-learn pipeline (raw input matrix -> role probabilities) and its metadata."""

    pipeline: Any
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
        proba: np.ndarray = self.pipeline.predict_proba(x)  # scikit-learn is untyped
        classes = self.pipeline.classes_
        if len(classes) == len(self.roles):
            return proba
        out = np.zeros((len(x), len(self.roles)))
        out[:, classes] = proba
        return out

    def metadata(self) -> dict[str, Any]:
        """Everything but the pipeline, JSON-friendly."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "pipeline"}
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


def save_artefact(artefact: ModelArtefact, directory: Path) -> Path:
    """Write the artefact and its JSON sidecar; returns the .joblib path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{artefact.version}.joblib"
    tmp = path.with_suffix(".joblib.tmp")
    joblib.dump({"format": FORMAT, "pipeline": artefact.pipeline, "metadata": artefact.metadata()}, tmp)
    tmp.replace(path)  # atomic: readers never see half a file
    path.with_suffix(".json").write_text(json.dumps(artefact.metadata(), indent=2) + "\n", encoding="utf-8")
    return path


def load_artefact(path: Path) -> ModelArtefact:
    """Read one artefact file."""
    try:
        blob = joblib.load(path)
        meta = dict(blob["metadata"])
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported the same way
        raise ArtefactError(f"cannot read model artefact {path}: {exc}") from exc
    if meta.pop("format", None) != FORMAT:
        raise ArtefactError(f"model artefact {path} has an unknown format")
    meta["features"], meta["roles"] = tuple(meta["features"]), tuple(meta["roles"])
    return ModelArtefact(pipeline=blob["pipeline"], **meta)


def load_latest(directory: Path = DEFAULT_MODEL_DIR) -> ModelArtefact:
    """The newest artefact in a folder; ArtefactError naming the folder and the fix when there is none."""
    directory = Path(directory)
    files = sorted(directory.glob(f"{PREFIX}*.joblib")) if directory.is_dir() else []
    if not files:
        raise ArtefactError(f"no model artefact in {directory}: run `careerpath train` first")
    return load_artefact(files[-1])
