"""The skills taxonomy, the roles catalogue and the bundled market snapshot, loaded and validated.

`load_catalog()` reads `skills.yaml` and `roles.yaml` from this folder (or another folder) and refuses a
broken file with a `CatalogError` naming the file, the line and the field. `load_snapshot()` reads the
bundled market figures (`market_snapshot.json`). Provenance and licences: README.md in this folder.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import msgspec
import yaml

__all__ = [
    "CATALOG_DIR",
    "AnyOf",
    "Requirement",
    "Catalog",
    "CatalogError",
    "Role",
    "SNAPSHOT_PATH",
    "Skill",
    "find_cycle",
    "load_catalog",
    "load_snapshot",
    "parse_catalog",
    "prerequisite_closure",
    "topological_order",
]

CATALOG_DIR = Path(__file__).resolve().parent
SNAPSHOT_PATH = CATALOG_DIR / "market_snapshot.json"
MIN_LEVEL, MAX_LEVEL = 1, 4

_ID = re.compile(r"^[a-z0-9][a-z0-9_.+-]*$")
_SOC = re.compile(r"^\d{2}-\d{4}$")
_ONET = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
_URL_OR_POINTER = re.compile(r"^\S.{4,}$")
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class CatalogError(ValueError):
    """A catalogue or snapshot file is invalid; the message names the file, line and field."""


class Skill(msgspec.Struct, kw_only=True, frozen=True):
    """One skill of the taxonomy."""

    id: str
    name: str
    category: str
    synonyms: tuple[str, ...] = ()
    prerequisites: tuple[str, ...] = ()
    resource: str = ""
    effort_hours: int = 20


class AnyOf(msgspec.Struct, kw_only=True, frozen=True):
    """A requirement met by any one of several skills (one server-side language of several)."""

    label: str
    level: int
    skills: tuple[str, ...]


class Requirement(msgspec.Struct, kw_only=True, frozen=True):
    """One requirement of a role: a skill, or one of `skills`, at `level`; `label` names a choice."""

    skills: tuple[str, ...]
    level: int
    label: str | None = None


class Role(msgspec.Struct, kw_only=True, frozen=True):
    """One role of the catalogue with the skill levels (1..4) it requires.

    `requirements` are single skills; each of `alternatives` is met by any one of its skills."""

    id: str
    name: str
    description: str
    occupation_code: str | None = None
    onet_code: str | None = None
    requirements: dict[str, int] = {}
    alternatives: tuple[AnyOf, ...] = ()

    @property
    def items(self) -> tuple[Requirement, ...]:
        """Every requirement, single skills first (file order), then the choices."""
        return tuple(Requirement(skills=(s,), level=lvl) for s, lvl in self.requirements.items()) + tuple(
            Requirement(skills=g.skills, level=g.level, label=g.label) for g in self.alternatives
        )

    @property
    def levels(self) -> dict[str, int]:
        """Skill -> the level the role asks of it, alone or as one of a choice's alternatives."""
        out = dict(self.requirements)
        for group in self.alternatives:
            out.update(dict.fromkeys(group.skills, group.level))
        return out


class Catalog(msgspec.Struct, kw_only=True, frozen=True):
    """Skills and roles; dict order is file order, which is also the model's feature/class order."""

    skills: dict[str, Skill]
    roles: dict[str, Role]
    categories: tuple[str, ...]

    @property
    def skill_ids(self) -> tuple[str, ...]:
        """Skill ids in file order (the model's feature order)."""
        return tuple(self.skills)

    @property
    def role_ids(self) -> tuple[str, ...]:
        """Role ids in file order."""
        return tuple(self.roles)


# --- YAML walking with line numbers ---------------------------------------------------------------


class _Ctx:
    def __init__(self, name: str) -> None:
        self.name = name

    def error(self, node: yaml.Node | None, field: str, message: str) -> CatalogError:
        line = node.start_mark.line + 1 if node is not None else 1
        return CatalogError(f"{self.name}, line {line}, field '{field}': {message}")

    def mapping(self, node: yaml.Node, field: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, field, "expected a mapping")
        out: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise self.error(key, field, "keys must be plain strings")
            if key.value in out:
                raise self.error(key, f"{field}.{key.value}", "duplicate key")
            out[key.value] = value
        return out

    def sequence(self, node: yaml.Node, field: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, field, "expected a list")
        return list(node.value)

    def scalar(self, node: yaml.Node, field: str, kind: type = str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, field, f"expected a {kind.__name__}")
        value = _CONSTRUCTOR.construct_object(node)
        if kind is str and value is None:
            return None
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.error(node, field, f"expected an integer, got {node.value!r}")
        if kind is str and not isinstance(value, str):
            value = str(value)
        return value

    def fields(
        self, node: yaml.Node, field: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict[str, yaml.Node]:
        items = self.mapping(node, field)
        for name in required:
            if name not in items:
                raise self.error(node, f"{field}.{name}", "missing field")
        for name, value in items.items():
            if name not in required and name not in optional:
                raise self.error(value, f"{field}.{name}", "unknown field")
        return items


def _compose(text: str, ctx: _Ctx) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise CatalogError(f"{ctx.name}, line {line}: not valid YAML: {exc}") from exc
    if node is None:
        raise CatalogError(f"{ctx.name}, line 1: the file is empty")
    return node


def _id(ctx: _Ctx, node: yaml.Node, field: str) -> str:
    value = ctx.scalar(node, field)
    if not isinstance(value, str) or not _ID.match(value) or len(value) > 64:
        raise ctx.error(node, field, f"invalid id {value!r} (lowercase slug ^[a-z0-9][a-z0-9_.+-]*$)")
    return value


def _string_list(ctx: _Ctx, node: yaml.Node | None, field: str) -> list[tuple[str, yaml.Node]]:
    if node is None:
        return []
    out = []
    for i, item in enumerate(ctx.sequence(node, field)):
        value = ctx.scalar(item, f"{field}[{i}]")
        if not value:
            raise ctx.error(item, f"{field}[{i}]", "empty value")
        out.append((value, item))
    return out


def _parse_skills(text: str, ctx: _Ctx) -> tuple[tuple[str, ...], dict[str, Skill], dict[str, yaml.Node]]:
    root = ctx.fields(_compose(text, ctx), "<root>", ("categories", "skills"), ())
    categories: list[str] = []
    for i, (value, node) in enumerate(_string_list(ctx, root["categories"], "categories")):
        if value in categories:
            raise ctx.error(node, f"categories[{i}]", f"duplicate category {value!r}")
        categories.append(_id(ctx, node, f"categories[{i}]"))
    skills: dict[str, Skill] = {}
    prereq_nodes: dict[str, yaml.Node] = {}
    optional = ("synonyms", "prerequisites", "resource", "effort_hours")
    for i, item in enumerate(ctx.sequence(root["skills"], "skills")):
        where = f"skills[{i}]"
        f = ctx.fields(item, where, ("id", "name", "category"), optional)
        skill_id = _id(ctx, f["id"], f"{where}.id")
        where = f"skills[{skill_id}]"
        if skill_id in skills:
            raise ctx.error(f["id"], f"{where}.id", f"duplicate id {skill_id!r}")
        category = ctx.scalar(f["category"], f"{where}.category")
        if category not in categories:
            raise ctx.error(f["category"], f"{where}.category", f"unknown category {category!r}")
        effort = ctx.scalar(f["effort_hours"], f"{where}.effort_hours", int) if "effort_hours" in f else 20
        if effort < 1:
            raise ctx.error(f["effort_hours"], f"{where}.effort_hours", "must be a positive number of hours")
        resource = ctx.scalar(f["resource"], f"{where}.resource") if "resource" in f else ""
        if resource and not _URL_OR_POINTER.match(resource):
            raise ctx.error(f["resource"], f"{where}.resource", "expected a URL or a book/doc pointer")
        name = ctx.scalar(f["name"], f"{where}.name")
        if not name:
            raise ctx.error(f["name"], f"{where}.name", "empty name")
        prerequisites = _string_list(ctx, f.get("prerequisites"), f"{where}.prerequisites")
        prereq_nodes.update({f"{skill_id}>{p}": node for p, node in prerequisites})
        skills[skill_id] = Skill(
            id=skill_id,
            name=name,
            category=category,
            synonyms=tuple(v for v, _ in _string_list(ctx, f.get("synonyms"), f"{where}.synonyms")),
            prerequisites=tuple(p for p, _ in prerequisites),
            resource=resource,
            effort_hours=effort,
        )
    for skill in skills.values():
        for p in skill.prerequisites:
            node = prereq_nodes[f"{skill.id}>{p}"]
            if p not in skills:
                raise ctx.error(node, f"skills[{skill.id}].prerequisites", f"unknown skill {p!r}")
            if p == skill.id:
                raise ctx.error(node, f"skills[{skill.id}].prerequisites", "a skill cannot require itself")
    return tuple(categories), skills, prereq_nodes


def _parse_roles(text: str, ctx: _Ctx, skills: dict[str, Skill]) -> dict[str, Role]:
    root = ctx.fields(_compose(text, ctx), "<root>", ("roles",), ())
    roles: dict[str, Role] = {}
    for i, item in enumerate(ctx.sequence(root["roles"], "roles")):
        where = f"roles[{i}]"
        f = ctx.fields(
            item,
            where,
            ("id", "name", "description", "requirements"),
            ("occupation_code", "onet_code", "alternatives"),
        )
        role_id = _id(ctx, f["id"], f"{where}.id")
        where = f"roles[{role_id}]"
        if role_id in roles:
            raise ctx.error(f["id"], f"{where}.id", f"duplicate id {role_id!r}")
        codes: dict[str, str | None] = {}
        for key, pattern in (("occupation_code", _SOC), ("onet_code", _ONET)):
            value = ctx.scalar(f[key], f"{where}.{key}") if key in f else None
            if value is not None and not pattern.match(value):
                raise ctx.error(f[key], f"{where}.{key}", f"invalid code {value!r}")
            codes[key] = value
        requirements: dict[str, int] = {}
        for skill_id, node in ctx.mapping(f["requirements"], f"{where}.requirements").items():
            field = f"{where}.requirements.{skill_id}"
            if skill_id not in skills:
                raise ctx.error(node, field, f"unknown skill {skill_id!r}")
            level = ctx.scalar(node, field, int)
            if not MIN_LEVEL <= level <= MAX_LEVEL:
                raise ctx.error(node, field, f"level {level} out of range {MIN_LEVEL}..{MAX_LEVEL}")
            requirements[skill_id] = level
        if not requirements:
            raise ctx.error(f["requirements"], f"{where}.requirements", "a role needs at least one skill")
        alternatives = _parse_alternatives(ctx, f.get("alternatives"), where, skills, set(requirements))
        roles[role_id] = Role(
            id=role_id,
            name=ctx.scalar(f["name"], f"{where}.name"),
            description=ctx.scalar(f["description"], f"{where}.description"),
            occupation_code=codes["occupation_code"],
            onet_code=codes["onet_code"],
            requirements=requirements,
            alternatives=alternatives,
        )
    return roles


def _parse_alternatives(
    ctx: _Ctx, node: yaml.Node | None, where: str, skills: dict[str, Skill], taken: set[str]
) -> tuple[AnyOf, ...]:
    """A role's `alternatives`: each a label, a level and two or more skills no other requirement names."""
    if node is None:
        return ()
    out = []
    for i, item in enumerate(ctx.sequence(node, f"{where}.alternatives")):
        field = f"{where}.alternatives[{i}]"
        g = ctx.fields(item, field, ("label", "level", "skills"), ())
        label = ctx.scalar(g["label"], f"{field}.label")
        if not label:
            raise ctx.error(g["label"], f"{field}.label", "empty label")
        level = ctx.scalar(g["level"], f"{field}.level", int)
        if not MIN_LEVEL <= level <= MAX_LEVEL:
            raise ctx.error(
                g["level"], f"{field}.level", f"level {level} out of range {MIN_LEVEL}..{MAX_LEVEL}"
            )
        members = _string_list(ctx, g["skills"], f"{field}.skills")
        if len(members) < 2:
            raise ctx.error(g["skills"], f"{field}.skills", "a choice needs at least two skills")
        for skill_id, member in members:
            if skill_id not in skills:
                raise ctx.error(member, f"{field}.skills", f"unknown skill {skill_id!r}")
            if skill_id in taken:
                raise ctx.error(member, f"{field}.skills", f"skill {skill_id!r} is already a requirement")
            taken.add(skill_id)
        out.append(AnyOf(label=label, level=level, skills=tuple(v for v, _ in members)))
    return tuple(out)


# --- graph helpers ---------------------------------------------------------------------------------


def find_cycle(prerequisites: dict[str, tuple[str, ...]]) -> list[str] | None:
    """Return a prerequisite cycle as a path ``[a, b, ..., a]``, or None when the graph is acyclic."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in prerequisites.get(node, ()):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in prerequisites:
        if start not in state and (found := visit(start)):
            return found
    return None


def topological_order(catalog: Catalog, subset: list[str] | None = None) -> list[str]:
    """Skill ids with every prerequisite before the skills needing it; ties keep catalogue order."""
    wanted = set(catalog.skills if subset is None else subset)
    position = {s: i for i, s in enumerate(catalog.skills)}
    done: set[str] = set()
    order: list[str] = []
    pending = sorted(wanted, key=position.__getitem__)
    while pending:
        ready = [
            s for s in pending if all(p in done or p not in wanted for p in catalog.skills[s].prerequisites)
        ]
        if not ready:
            raise CatalogError(f"prerequisite cycle among {pending}")
        for s in ready:
            done.add(s)
            order.append(s)
        pending = [s for s in pending if s not in done]
    return order


def prerequisite_closure(catalog: Catalog, skill_id: str) -> list[str]:
    """All direct and indirect prerequisites of a skill, in topological order."""
    seen: set[str] = set()
    todo = list(catalog.skills[skill_id].prerequisites)
    while todo:
        s = todo.pop()
        if s not in seen:
            seen.add(s)
            todo.extend(catalog.skills[s].prerequisites)
    return topological_order(catalog, sorted(seen))


# --- entry points ----------------------------------------------------------------------------------


def parse_catalog(
    skills_text: str, roles_text: str, skills_name: str = "skills.yaml", roles_name: str = "roles.yaml"
) -> Catalog:
    """Build and validate a Catalog from the text of the two files (names are used in errors)."""
    sctx = _Ctx(skills_name)
    categories, skills, prereq_nodes = _parse_skills(skills_text, sctx)
    cycle = find_cycle({s.id: s.prerequisites for s in skills.values()})
    if cycle:
        node = prereq_nodes[f"{cycle[0]}>{cycle[1]}"]
        raise sctx.error(
            node, f"skills[{cycle[0]}].prerequisites", "prerequisite cycle " + " -> ".join(cycle)
        )
    roles = _parse_roles(roles_text, _Ctx(roles_name), skills)
    return Catalog(skills=skills, roles=roles, categories=categories)


@functools.cache
def _load_cached(directory: Path) -> Catalog:
    return _load(directory)


def _load(directory: Path) -> Catalog:
    files = [directory / "skills.yaml", directory / "roles.yaml"]
    try:
        texts = [f.read_text(encoding="utf-8") for f in files]
    except OSError as exc:
        raise CatalogError(f"cannot read the catalogue: {exc}") from exc
    return parse_catalog(texts[0], texts[1], str(files[0]), str(files[1]))


def load_catalog(path: Path | None = None) -> Catalog:
    """Load the catalogue from a folder holding skills.yaml and roles.yaml (default: this package)."""
    return _load_cached(CATALOG_DIR) if path is None else _load(Path(path))


_SNAPSHOT_KEYS = ("version", "source", "as_of", "attribution", "skills", "roles")


def load_snapshot(path: Path | None = None) -> dict[str, Any]:
    """Read the bundled market snapshot (or another file of the same shape) as a plain dict."""
    path = SNAPSHOT_PATH if path is None else Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogError(f"{path}: cannot read the market snapshot: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: the market snapshot is not a JSON object")
    missing = [k for k in _SNAPSHOT_KEYS if k not in data]
    if missing:
        raise CatalogError(f"{path}: field {missing[0]!r}: missing field")
    for skill_id, figures in data["skills"].items():
        if not 0.0 <= float(figures.get("demand", -1)) <= 1.0:
            raise CatalogError(f"{path}: field 'skills.{skill_id}.demand': expected a share in 0..1")
    return data
