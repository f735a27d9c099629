"""Regenerate the catalogue's derived data files (``shared/catalog/``) from the real public data.

Usage (the team kit beside the repository holds the sources; no default, so no machine's path is assumed)::

    python -m tools.build_data --data-dir ../shared/data [--out-dir shared/catalog]

Writes, deterministically (same inputs -> byte-identical outputs):

- ``so_profiles.csv``: one row per Stack Overflow 2023 respondent whose DevType maps to a catalogue
  role: ``role, devtype, years_pro, skills`` (skills = ``;``-joined skill ids the respondent has worked
  with, mapped through ``SO_TECH`` below). This is the model's labelled data (ODbL 1.0).
- ``role_evidence.csv``: per role and skill, the SO share among that DevType, its lift over all mapped
  respondents, and the O*NET flag of the role's occupation (0 absent, 1 listed, 2 Hot Technology,
  3 In Demand). ``roles.yaml`` requirements are checked against it by the unit tests.
- ``market_snapshot.json``: per-skill demand and trend, per-role BLS figures. See README.md.
- ``postings/``: the bundled real postings (SkillSpan tech postings, GSA TTS postings) the refresh reads as
  ``bundled:NAME`` sources, their licences and ``sources.json`` (:mod:`tools.build_postings`).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from shared.catalog import CATALOG_DIR, Catalog, load_catalog, topological_order
from tools.build_postings import build_postings

__all__ = ["DEVTYPE_ROLE", "ONET_EXAMPLES", "SO_TECH", "build", "main"]

SO_FILE = "so_survey/so2023_us_subset.csv"
ONET_FILE = "onet/Technology Skills.txt"
BLS_FILE = "bls/backend_roles_market_figures.csv"

#: Stack Overflow 2023 DevType -> catalogue role (one DevType per respondent in this release).
DEVTYPE_ROLE = {
    "Developer, back-end": "backend-developer",
    "Developer, full-stack": "fullstack-developer",
    "Database administrator": "database-administrator",
    "Engineer, data": "data-engineer",
    "DevOps specialist": "devops-engineer",
    "Engineer, site reliability": "site-reliability-engineer",
    "Cloud infrastructure engineer": "cloud-engineer",
    "Developer Experience": "platform-engineer",
    "Security professional": "application-security-engineer",
    "System administrator": "systems-administrator",
}

#: Survey column -> {answer: skill ids}. Answers not listed carry no catalogue skill.
SO_TECH: dict[str, dict[str, tuple[str, ...]]] = {
    "LanguageHaveWorkedWith": {
        "Python": ("python",),
        "Java": ("java",),
        "Go": ("go",),
        "JavaScript": ("javascript",),
        "TypeScript": ("typescript",),
        "PHP": ("php",),
        "Ruby": ("ruby",),
        "C#": ("csharp",),
        "Kotlin": ("kotlin",),
        "Rust": ("rust",),
        "Bash/Shell (all shells)": ("bash",),
        "PowerShell": ("bash",),
        "HTML/CSS": ("frontend",),
        "SQL": ("sql",),
    },
    "DatabaseHaveWorkedWith": {
        "PostgreSQL": ("postgresql",),
        "MySQL": ("mysql",),
        "MariaDB": ("mysql",),
        "Microsoft SQL Server": ("sql-server",),
        "Oracle": ("oracle-database",),
        "MongoDB": ("mongodb",),
        "Redis": ("redis",),
        "Elasticsearch": ("elasticsearch",),
        "Solr": ("elasticsearch",),
        "Snowflake": ("data-warehouses",),
        "BigQuery": ("data-warehouses",),
    },
    "PlatformHaveWorkedWith": {
        "Amazon Web Services (AWS)": ("aws",),
        "Microsoft Azure": ("azure",),
        "Google Cloud": ("gcp",),
    },
    "WebframeHaveWorkedWith": {
        "Node.js": ("nodejs",),
        "Express": ("nodejs", "web-frameworks"),
        "NestJS": ("nodejs", "web-frameworks"),
        "Fastify": ("nodejs", "web-frameworks"),
        "Django": ("web-frameworks",),
        "Flask": ("web-frameworks",),
        "FastAPI": ("web-frameworks",),
        "Spring Boot": ("web-frameworks",),
        "ASP.NET CORE": ("web-frameworks",),
        "ASP.NET": ("web-frameworks",),
        "Ruby on Rails": ("web-frameworks",),
        "Laravel": ("web-frameworks",),
        "Symfony": ("web-frameworks",),
        "Phoenix": ("web-frameworks",),
        "Play Framework": ("web-frameworks",),
        "CodeIgniter": ("web-frameworks",),
        "React": ("frontend",),
        "Angular": ("frontend",),
        "AngularJS": ("frontend",),
        "Vue.js": ("frontend",),
        "Svelte": ("frontend",),
        "Next.js": ("frontend",),
        "Nuxt.js": ("frontend",),
        "jQuery": ("frontend",),
        "Gatsby": ("frontend",),
        "Remix": ("frontend",),
        "Solid.js": ("frontend",),
        "Qwik": ("frontend",),
        "Lit": ("frontend",),
        "Elm": ("frontend",),
    },
    "MiscTechHaveWorkedWith": {
        "Apache Kafka": ("message-queues",),
        "RabbitMQ": ("message-queues",),
        "Apache Spark": ("spark",),
        "Hadoop": ("spark",),
        "Pandas": ("dataframes",),
        "NumPy": ("dataframes",),
        "Spring Framework": ("web-frameworks",),
    },
    "ToolsTechHaveWorkedWith": {
        "Docker": ("docker",),
        "Podman": ("docker",),
        "Kubernetes": ("kubernetes",),
        "Terraform": ("terraform",),
        "Pulumi": ("terraform",),
        "Ansible": ("config-management",),
        "Chef": ("config-management",),
        "Puppet": ("config-management",),
    },
    "OpSysProfessional use": {
        "Ubuntu": ("linux",),
        "Debian": ("linux",),
        "Red Hat": ("linux",),
        "Fedora": ("linux",),
        "Arch": ("linux",),
        "Other Linux-based": ("linux",),
    },
}

#: Skill id -> exact O*NET 29.2 "Example" names that denote it in Technology Skills.txt.
ONET_EXAMPLES: dict[str, tuple[str, ...]] = {
    "python": ("Python",),
    "java": ("Oracle Java", "Oracle Java 2 Platform Enterprise Edition J2EE"),
    "go": ("Go",),
    "javascript": ("JavaScript",),
    "typescript": ("TypeScript",),
    "nodejs": ("Node.js",),
    "php": ("PHP",),
    "ruby": ("Ruby", "Ruby on Rails"),
    "csharp": ("C#", "Microsoft .NET Framework"),
    "kotlin": ("Kotlin",),
    "rust": ("Rust",),
    "bash": ("Bash", "Shell script", "UNIX Shell", "Microsoft PowerShell"),
    "frontend": (
        "React",
        "Google Angular",
        "Vue.js",
        "Hypertext markup language HTML",
        "Cascading style sheets CSS",
    ),
    "sql": ("Structured query language SQL", "Transact-SQL", "Oracle PL/SQL"),
    "postgresql": ("PostgreSQL",),
    "mysql": ("MySQL",),
    "sql-server": ("Microsoft SQL Server",),
    "oracle-database": ("Oracle Database",),
    "mongodb": ("MongoDB",),
    "redis": ("Redis",),
    "elasticsearch": ("Elasticsearch", "Apache Solr"),
    "rest": ("RESTful API", "JavaScript Object Notation JSON"),
    "graphql": ("GraphQL",),
    "web-frameworks": ("Django", "Spring Boot", "Spring Framework", "Microsoft ASP.NET", "Ruby on Rails"),
    "linux": ("Linux", "UNIX", "Red Hat Enterprise Linux"),
    "networking": ("Border Gateway Protocol BGP",),
    "docker": ("Docker",),
    "kubernetes": ("Kubernetes", "Red Hat OpenShift"),
    "aws": ("Amazon Web Services AWS software", "Amazon Elastic Compute Cloud EC2"),
    "gcp": ("Google Cloud software",),
    "azure": ("Microsoft Azure software",),
    "nginx": ("Apache HTTP Server", "Apache Tomcat"),
    "ci-cd": ("Jenkins CI", "Atlassian Bamboo"),
    "terraform": ("IBM Terraform", "Amazon Web Services AWS CloudFormation"),
    "config-management": ("Ansible software", "Chef", "Puppet"),
    "message-queues": ("Apache Kafka", "RabbitMQ", "IBM WebSphere MQ"),
    "microservices": ("Microservices Architecture",),
    "system-design": ("Unified modeling language UML",),
    "authn-authz": ("Microsoft Active Directory",),
    "tls": ("Encryption software",),
    "security-testing": ("Portswigger BurP Suite", "Tenable Nessus", "Wireshark"),
    "etl": ("Microsoft SQL Server Integration Services SSIS", "Informatica software", "Apache Airflow"),
    "data-modelling": ("Quest Erwin Data Modeler",),
    "spark": ("Apache Spark", "Apache Hadoop", "Apache Hive"),
    "data-warehouses": ("Amazon Redshift", "Teradata Database", "Snowflake", "BigQuery"),
    "git": ("Git", "GitHub", "GitLab", "Atlassian Bitbucket"),
    "testing": ("JUnit", "Selenium"),
    "observability": ("Splunk Enterprise", "Nagios", "Prometheus", "Grafana Labs Grafana Cloud"),
}

SNAPSHOT_VERSION = "bundled-2024.05-2"
SNAPSHOT_AS_OF = "2024-05-31"  # reference period of the newest figures (BLS OEWS May 2024)
ATTRIBUTION = [
    "This product includes information from the O*NET 29.2 Database by the U.S. Department of Labor, "
    "Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license.",
    "U.S. Bureau of Labor Statistics: Occupational Employment and Wage Statistics, May 2024, and Employment "
    "Projections 2023-2033 (public domain).",
    "Stack Overflow Developer Survey 2023 (US respondents), Open Database License (ODbL) 1.0.",
]


def _years(row: dict[str, str]) -> float:
    for key in ("YearsCodePro", "WorkExp"):
        value = row.get(key, "").strip()
        if value.replace(".", "", 1).isdigit():
            return float(value)
        if value.startswith("Less than"):
            return 0.5
        if value.startswith("More than"):
            return 50.0
    return 0.0


def read_profiles(data_dir: Path) -> list[tuple[str, str, float, tuple[str, ...]]]:
    """Labelled survey profiles: (role, devtype, years of professional coding, sorted skill ids)."""
    out = []
    with open(data_dir / SO_FILE, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            role = DEVTYPE_ROLE.get(row["DevType"])
            if role is None:
                continue
            skills = {
                s for col, table in SO_TECH.items() for a in row[col].split(";") for s in table.get(a, ())
            }
            out.append((role, row["DevType"], _years(row), tuple(sorted(skills))))
    return out


def read_onet(data_dir: Path) -> dict[str, dict[str, int]]:
    """O*NET-SOC code -> {skill id: 1 listed, 2 Hot Technology, 3 In Demand} for mapped examples."""
    by_example = defaultdict(list)
    for skill, examples in ONET_EXAMPLES.items():
        for example in examples:
            by_example[example].append(skill)
    flags: dict[str, dict[str, int]] = defaultdict(dict)
    with open(data_dir / ONET_FILE, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            flag = 3 if row["In Demand"].strip() == "Y" else 2 if row["Hot Technology"].strip() == "Y" else 1
            for skill in by_example.get(row["Example"].strip(), ()):
                code = row["O*NET-SOC Code"]
                flags[code][skill] = max(flags[code].get(skill, 0), flag)
    return flags


def read_bls(data_dir: Path) -> dict[str, dict[str, str]]:
    with open(data_dir / BLS_FILE, encoding="utf-8", newline="") as fh:
        return {row["soc"]: row for row in csv.DictReader(fh)}


def _shares(
    profiles: list[tuple[str, str, float, tuple[str, ...]]],
) -> tuple[dict[str, Counter[str]], Counter[str], Counter[str]]:
    per_role: dict[str, Counter[str]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    sizes: Counter[str] = Counter(p[0] for p in profiles)
    for role, _, _, skills in profiles:
        per_role[role].update(skills)
        overall.update(skills)
    return per_role, overall, sizes


def _demand(
    catalog: Catalog,
    observable: set[str],
    overall: Counter[str],
    total: int,
    onet: dict[str, dict[str, int]],
    codes: list[str],
) -> tuple[dict[str, float], dict[str, str]]:
    """Per-skill demand share and its basis, first source that has evidence wins (see README)."""
    weight = {0: 0.0, 1: 0.25, 2: 0.5, 3: 1.0}
    demand: dict[str, float] = {}
    basis: dict[str, str] = {}
    for skill in catalog.skill_ids:
        onet_value = sum(weight[onet.get(c, {}).get(skill, 0)] for c in codes) / len(codes)
        if skill in observable:
            demand[skill], basis[skill] = overall[skill] / total, "so2023"
        elif onet_value > 0:
            demand[skill], basis[skill] = onet_value, "onet29.2"
    # No direct evidence: a prerequisite is wanted at least as much as the skills built on it.
    for skill in reversed(topological_order(catalog)):
        if skill in demand:
            continue
        users = [
            demand[s] for s in catalog.skill_ids if skill in catalog.skills[s].prerequisites and s in demand
        ]
        if users:
            demand[skill], basis[skill] = max(users), "dependants"
    evidenced = dict(demand)
    for skill in catalog.skill_ids:  # still nothing: the (lower) median of the category, an imputed prior
        if skill not in demand:
            category = catalog.skills[skill].category
            peers = sorted(v for s, v in evidenced.items() if catalog.skills[s].category == category)
            demand[skill] = peers[(len(peers) - 1) // 2] if peers else 0.0
            basis[skill] = "category-median"
    return demand, basis


def _csv_text(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def build(data_dir: Path, catalog: Catalog) -> dict[str, str]:
    """Compute every derived file; returns {file name: text}."""
    profiles = read_profiles(data_dir)
    onet = read_onet(data_dir)
    bls = read_bls(data_dir)
    per_role, overall, sizes = _shares(profiles)
    total = len(profiles)
    observable = {s for table in SO_TECH.values() for ids in table.values() for s in ids}

    profile_rows = [[r, d, f"{y:g}", ";".join(s)] for r, d, y, s in profiles]
    evidence = []
    for role in catalog.roles.values():
        flags = onet.get(role.onet_code or "", {})
        n = sizes.get(role.id, 0)
        for skill in catalog.skill_ids:
            share = per_role[role.id][skill] / n if n and skill in observable else None
            base = overall[skill] / total if skill in observable else None
            lift = share / base if share is not None and base else None
            evidence.append(
                [
                    role.id,
                    skill,
                    n,
                    "" if share is None else f"{share:.4f}",
                    "" if lift is None else f"{lift:.3f}",
                    flags.get(skill, 0),
                    role.levels.get(skill, 0),
                    next((g.label for g in role.alternatives if skill in g.skills), ""),
                ]
            )

    # Demand: SO share among all mapped (backend-ish) respondents when the survey observes the skill,
    # else the O*NET signal averaged over the catalogue's occupations (In Demand 1, Hot 0.5, listed 0.25).
    codes = sorted({r.onet_code for r in catalog.roles.values() if r.onet_code})
    growth = {
        r.id: float(bls[r.occupation_code]["ep_pct_change_2023_2033"])
        for r in catalog.roles.values()
        if r.occupation_code in bls
    }
    demand, basis = _demand(catalog, observable, overall, total, onet, codes)
    skills_out = {}
    for skill in catalog.skill_ids:
        needs = [
            (lvl, growth[r.id])
            for r in catalog.roles.values()
            for s, lvl in r.levels.items()
            if s == skill and r.id in growth
        ]
        trend = sum(lvl * g for lvl, g in needs) / sum(lvl for lvl, _ in needs) / 100 if needs else 0.0
        skills_out[skill] = {
            "demand": round(demand[skill], 4),
            "trend": round(trend, 4),
            "basis": basis[skill],
        }
    roles_out = {}
    for role in catalog.roles.values():
        row = bls.get(role.occupation_code or "")
        if row is None:
            continue
        roles_out[role.id] = {
            "occupation_code": role.occupation_code,
            "occupation_title": row["title"],
            "employment": int(row["oews_employment_may2024"]),
            "openings": int(round(float(row["ep_annual_openings_2023_2033_thousands"]) * 1000)),
            "salary_p10": int(row["oews_p10_wage_may2024"]),
            "salary_median": int(row["oews_median_annual_wage_may2024"]),
            "salary_p90": int(row["oews_p90_wage_may2024"]),
            "growth_pct": float(row["ep_pct_change_2023_2033"]),
        }
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "source": "bundled: O*NET 29.2 technology skills, BLS OEWS May 2024 and EP 2023-2033, "
        "Stack Overflow Developer Survey 2023 (US)",
        "as_of": SNAPSHOT_AS_OF,
        "attribution": ATTRIBUTION,
        "notes": {
            "demand": "share of the survey's backend-ish respondents (mapped DevTypes) who worked with the "
            "skill; for skills the survey does not ask about (basis onet29.2): mean over the catalogue's "
            "O*NET occupations of 1 In Demand, 0.5 Hot Technology, 0.25 listed, 0 absent; with neither "
            "(basis dependants): the highest demand among skills that need it as a prerequisite; else "
            "(basis category-median) the median of its category, an imputed prior",
            "trend": "requirement-level-weighted mean of BLS projected employment change 2023-2033 "
            "(fraction) of the roles needing the skill",
            "openings": "BLS EP average annual openings 2023-2033",
            "salary": "BLS OEWS May 2024 annual wages (USD)",
        },
        "skills": skills_out,
        "roles": roles_out,
    }
    return {
        "so_profiles.csv": _csv_text(["role", "devtype", "years_pro", "skills"], profile_rows),
        "role_evidence.csv": _csv_text(
            ["role", "skill", "respondents", "so_share", "so_lift", "onet_flag", "required_level", "choice"],
            evidence,
        ),
        "market_snapshot.json": json.dumps(snapshot, indent=1, sort_keys=False) + "\n",
    }


def main(argv: list[str] | None = None) -> int:
    """Write the derived files; prints one line per file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="folder with so_survey/, onet/, bls/, postings/"
    )
    parser.add_argument("--out-dir", type=Path, default=CATALOG_DIR)
    args = parser.parse_args(argv)
    files = {**build(args.data_dir, load_catalog()), **build_postings(args.data_dir)}
    for name, text in files.items():
        (args.out_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (args.out_dir / name).write_text(text, encoding="utf-8")
        print(f"wrote {args.out_dir / name} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
