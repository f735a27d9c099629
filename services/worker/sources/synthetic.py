"""SYNTHETIC job postings for tests and benchmarks — generated, seeded, never market truth.

Every record carries ``"synthetic": true``; a refresh that reads any such record labels the published
version ``SYNTHETIC`` in its source and attribution, so it can never pass for real figures.

    python -m services.worker.sources.synthetic postings.jsonl --count 100000 --seed 7 [--bad-ratio 0.01]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

from shared.catalog import Role, Skill, load_catalog

__all__ = ["generate_postings", "main"]

ANCHOR = dt.date(2025, 6, 30)  # fixed, so the same seed gives the same bytes on any day
TITLES = {
    "backend-developer": ["Backend Engineer", "Senior Backend Developer", "Software Engineer, Backend"],
    "fullstack-developer": ["Full Stack Developer", "Full-Stack Engineer"],
    "api-integration-engineer": ["API Engineer", "Integration Engineer"],
    "database-administrator": ["Database Administrator", "PostgreSQL DBA"],
    "data-engineer": ["Data Engineer", "Senior Data Engineer"],
    "devops-engineer": ["DevOps Engineer", "Senior DevOps Engineer"],
    "site-reliability-engineer": ["Site Reliability Engineer", "SRE"],
    "cloud-engineer": ["Cloud Engineer", "AWS Cloud Engineer"],
    "platform-engineer": ["Platform Engineer"],
    "application-security-engineer": ["Application Security Engineer", "AppSec Engineer"],
    "solutions-architect": ["Solutions Architect"],
    "systems-administrator": ["Systems Administrator", "Linux Administrator"],
}
LOCATIONS = ["Remote", "Berlin", "London", "New York, NY", "Austin, TX", "Toronto", "Warsaw", "Lisbon"]
FILLER = [
    "You will join a small team that owns its services end to end.",
    "We value clear writing, code review and pragmatic testing.",
    "Hybrid work, learning budget and a calm on-call rotation.",
    "Help us scale a product used by thousands of customers.",
]


def _posting(rng: random.Random, i: int, roles: list[Role], skills: dict[str, Skill]) -> dict[str, Any]:
    role = rng.choice(roles)
    required = list(role.requirements)
    picked = rng.sample(required, k=max(1, min(len(required), rng.randint(3, 7))))
    picked += rng.sample(list(skills), k=rng.randint(0, 2))
    words = [rng.choice(skills[s].synonyms or (skills[s].name,)) for s in picked]
    base = 70_000 + 2_500 * len(required) + rng.randint(-15_000, 25_000)
    record = {
        "id": f"syn-{i}",
        "title": rng.choice(TITLES.get(role.id, [role.name])),
        "description": f"{rng.choice(FILLER)} We use {', '.join(words)}. {rng.choice(FILLER)}",
        "salary": {"min": base, "max": base + rng.randint(10_000, 40_000)} if rng.random() < 0.7 else None,
        "location": rng.choice(LOCATIONS),
        "posted_date": (ANCHOR - dt.timedelta(days=rng.randint(0, 89))).isoformat(),
        "synthetic": True,
    }
    return record


def _spoil(rng: random.Random, record: dict[str, Any]) -> dict[str, Any] | str:
    kind = rng.randrange(4)
    if kind == 0:
        return {**record, "title": ""}
    if kind == 1:
        return {**record, "salary": "competitive"}
    if kind == 2:
        return {**record, "posted_date": "last week"}
    return "{not json"


def generate_postings(
    path: Path, count: int = 100_000, seed: int = 7, bad_ratio: float = 0.0, fmt: str | None = None
) -> Path:
    """Write ``count`` SYNTHETIC postings (JSON Lines, or CSV for a ``.csv`` path) to ``path``; return it."""
    path = Path(path)
    fmt = fmt or ("csv" if path.suffix == ".csv" else "jsonl")
    catalog = load_catalog()
    rng = random.Random(seed)
    roles, skills = list(catalog.roles.values()), dict(catalog.skills)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out) if fmt == "csv" else None
        if writer:
            writer.writerow(["id", "title", "description", "salary", "location", "posted_date", "synthetic"])
        for i in range(count):
            posting = _posting(rng, i, roles, skills)
            record = _spoil(rng, posting) if bad_ratio and rng.random() < bad_ratio else posting
            if writer:
                row = record if isinstance(record, dict) else {"title": record}
                salary = row.get("salary")
                amount = f"{salary['min']}-{salary['max']}" if isinstance(salary, dict) else (salary or "")
                writer.writerow(
                    [
                        row.get("id", ""),
                        row.get("title", ""),
                        row.get("description", ""),
                        amount,
                        row.get("location", ""),
                        row.get("posted_date", ""),
                        "true",
                    ]
                )
            else:
                out.write(
                    (record if isinstance(record, str) else json.dumps(record, separators=(",", ":"))) + "\n"
                )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", type=Path)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad-ratio", type=float, default=0.0)
    args = parser.parse_args(argv)
    generate_postings(args.path, args.count, args.seed, args.bad_ratio)
    print(f"wrote {args.count:,} SYNTHETIC postings to {args.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
