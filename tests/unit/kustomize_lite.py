"""A small, strict kustomize renderer for the tests (``kubectl kustomize`` needs a binary; this needs PyYAML).

It supports what ``deploy/k8s`` uses and refuses anything else, so a kustomization that grows a feature
this file does not know fails the tests instead of being rendered wrongly: ``resources`` (files and
folders), ``namespace``, ``images`` and ``patches`` (strategic-merge patch files, optionally with a
``target`` of kind/name/labelSelector). Lists merge the way Kubernetes merges them for the fields named
in ``MERGE_KEYS``; every other list is replaced.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

__all__ = ["KustomizeError", "kustomization_paths", "load_documents", "render"]

KNOWN_KEYS = frozenset({"apiVersion", "kind", "resources", "namespace", "images", "patches"})
CLUSTER_SCOPED = frozenset(
    {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"}
)
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "name",
    "imagePullSecrets": "name",
    "ports": "containerPort",
}


class KustomizeError(ValueError):
    """A kustomization uses something this renderer does not support, or names a missing file."""


def load_documents(path: Path) -> list[dict[str, Any]]:
    """The non-empty YAML documents of one file."""
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _kustomization(folder: Path) -> dict[str, Any]:
    path = folder / "kustomization.yaml"
    if not path.is_file():
        raise KustomizeError(f"{folder}: no kustomization.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise KustomizeError(f"{path}: unsupported keys {sorted(unknown)}")
    return data


def kustomization_paths(folder: Path) -> list[Path]:
    """Every file a kustomization (and the ones it includes) names, resolved; missing ones included."""
    data = _kustomization(folder)
    paths = [folder / "kustomization.yaml"]
    for entry in data.get("resources", []):
        target = (folder / entry).resolve()
        paths.extend(kustomization_paths(target) if target.is_dir() else [target])
    paths.extend((folder / patch["path"]).resolve() for patch in data.get("patches", []))
    return paths


def _merge(base: Any, patch: Any, field: str = "") -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        if any(str(key).startswith("$") for key in patch):
            raise KustomizeError(f"patch directives are not supported: {sorted(patch)}")
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merge(base[key], value, key) if key in base else copy.deepcopy(value)
        return merged
    key = MERGE_KEYS.get(field)
    if key and isinstance(base, list) and isinstance(patch, list):
        merged_list = [copy.deepcopy(item) for item in base]
        index = {item.get(key): i for i, item in enumerate(merged_list)}
        for item in patch:
            if item.get(key) in index:
                merged_list[index[item[key]]] = _merge(merged_list[index[item[key]]], item, field)
            else:
                merged_list.append(copy.deepcopy(item))
        return merged_list
    return copy.deepcopy(patch)


def _labels_match(resource: dict[str, Any], selector: str) -> bool:
    labels = resource.get("metadata", {}).get("labels", {})
    for term in filter(None, (part.strip() for part in selector.split(","))):
        if "=" not in term or "!" in term:
            raise KustomizeError(f"only key=value label selectors are supported, not {term!r}")
        name, value = (part.strip() for part in term.split("=", 1))
        if labels.get(name) != value:
            return False
    return True


def _targets(
    resources: list[dict[str, Any]], patch: dict[str, Any], target: dict[str, Any] | None
) -> list[int]:
    if target is None:
        wanted = {"kind": patch["kind"], "name": patch["metadata"]["name"]}
    else:
        unknown = set(target) - {"kind", "name", "labelSelector"}
        if unknown:
            raise KustomizeError(f"unsupported patch target fields {sorted(unknown)}")
        wanted = {k: target[k] for k in ("kind", "name") if k in target}
    hits = [
        i
        for i, res in enumerate(resources)
        if res["kind"] == wanted.get("kind", res["kind"])
        and res["metadata"]["name"] == wanted.get("name", res["metadata"]["name"])
        and (target is None or _labels_match(res, target.get("labelSelector", "")))
    ]
    if not hits:
        raise KustomizeError(f"patch {wanted} (target {target}) matches no resource")
    return hits


def _set_image(container: dict[str, Any], images: list[dict[str, Any]]) -> None:
    image = container.get("image", "")
    name, _, tag = image.partition(":")
    for rule in images:
        if rule["name"] == name:
            container["image"] = f"{rule.get('newName', name)}:{rule.get('newTag', tag or 'latest')}"


def render(folder: Path) -> list[dict[str, Any]]:
    """The resources ``kubectl kustomize folder`` would print (order aside)."""
    folder = Path(folder)
    data = _kustomization(folder)
    resources: list[dict[str, Any]] = []
    for entry in data.get("resources", []):
        target = folder / entry
        if target.is_dir():
            resources.extend(render(target))
        elif target.is_file():
            resources.extend(load_documents(target))
        else:
            raise KustomizeError(f"{folder / 'kustomization.yaml'}: resource {entry} does not exist")
    for spec in data.get("patches", []):
        if set(spec) - {"path", "target"}:
            raise KustomizeError(f"unsupported patch entry {spec}")
        path = folder / spec["path"]
        if not path.is_file():
            raise KustomizeError(f"{folder / 'kustomization.yaml'}: patch {spec['path']} does not exist")
        for patch in load_documents(path):
            body = {k: v for k, v in patch.items() if k not in ("apiVersion", "kind", "metadata")}
            if spec.get("target") is None:
                body["metadata"] = {k: v for k, v in patch["metadata"].items() if k != "name"}
            for i in _targets(resources, patch, spec.get("target")):
                resources[i] = _merge(resources[i], body)
    for resource in resources:
        pod = resource.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            _set_image(container, data.get("images", []))
        if "namespace" in data:
            if resource["kind"] == "Namespace":
                resource["metadata"]["name"] = data["namespace"]
            elif resource["kind"] not in CLUSTER_SCOPED:
                resource["metadata"]["namespace"] = data["namespace"]
    return resources
