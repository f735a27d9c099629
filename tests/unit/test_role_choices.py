"""Issue 14: ``GET /api/v1/roles`` lists a role's "one of several" requirements as ``choices``."""

from __future__ import annotations

import msgspec

from services.gateway.routes.catalog import RoleOut, _roles
from shared.catalog import load_catalog


def test_roles_list_their_choices_with_catalogue_skills() -> None:
    body, _ = _roles()
    roles = msgspec.json.decode(body, type=list[RoleOut])
    catalog = load_catalog()
    with_choices = [role for role in roles if role.choices]
    assert with_choices, "no role lists a choice"
    for role in roles:
        expected = catalog.roles[role.id].alternatives
        assert [(c.label, c.level, tuple(c.skills)) for c in role.choices] == [
            (a.label, a.level, a.skills) for a in expected
        ]
        for choice in role.choices:
            assert len(choice.skills) >= 2 and 1 <= choice.level <= 4
            assert set(choice.skills) <= set(catalog.skill_ids), choice
            assert not set(choice.skills) & set(role.requirements)
