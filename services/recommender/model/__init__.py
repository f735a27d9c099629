"""The role-fit model: features, labelled data, training, artefact I/O and evaluation."""

from __future__ import annotations

from services.recommender.model.artefact import (
    DEFAULT_MODEL_DIR,
    ArtefactError,
    ModelArtefact,
    load_artefact,
    load_latest,
    save_artefact,
)

__all__ = [
    "DEFAULT_MODEL_DIR",
    "ArtefactError",
    "ModelArtefact",
    "load_artefact",
    "load_latest",
    "save_artefact",
]
