"""The bundled real postings (``bundled:NAME``), the ``usajobs:`` source syntax, how the files are built."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from services.worker.refresh import Progress, build
from services.worker.settings import WorkerSettings
from services.worker.sources import SourceError
from services.worker.sources.bundled import BUNDLED_DIR, PARTS, fetch_bundled
from services.worker.sources.usajobs import Descriptor, Item, Remuneration, annual_pay, posting_record
from shared.catalog.matching import SkillMatcher
from shared.contracts.sources import BUNDLED, parse_source
from shared.contracts.tasks import BrokerSettings
from tools.build_postings import build_postings, near_duplicates, role_key

ABOUT = json.loads((BUNDLED_DIR / "sources.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "kind", "canonical"),
    [
        ("bundled:real-postings", "bundled", "bundled:real-postings"),
        ("bundled:skillspan-2021", "bundled", "bundled:skillspan-2021"),
        ("bundled:gsa-tts-2018-2025", "bundled", "bundled:gsa-tts-2018-2025"),
        ("usajobs:", "usajobs", "usajobs:"),
        (
            "usajobs:Keyword=python&JobCategoryCode=2210",
            "usajobs",
            "usajobs:JobCategoryCode=2210&Keyword=python",
        ),
        ("usajobs:DatePosted=60&LocationName=Denver%2C%20Colorado", "usajobs", None),
        ("usajobs:Organization=GS;TR&PositionTitle=IT+Specialist", "usajobs", None),
    ],
)
def test_real_source_strings(text: str, kind: str, canonical: str | None) -> None:
    spec = parse_source(text)
    assert spec.kind == kind
    assert parse_source(str(spec)) == spec  # the canonical form parses back to the same source
    if canonical:
        assert str(spec) == canonical


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("bundled:", "unknown bundled source"),
        ("bundled:synthetic", "unknown bundled source"),
        ("bundled:../market_snapshot.json", "unknown bundled source"),
        ("usajobs:Foo=1", "unknown parameter 'Foo'"),
        ("usajobs:ResultsPerPage=9999", "unknown parameter 'ResultsPerPage'"),  # paging is the worker's
        ("usajobs:DatePosted=61", "DatePosted has a value it does not accept"),
        ("usajobs:JobCategoryCode=IT", "JobCategoryCode has a value"),
        ("usajobs:Keyword=", "Keyword has a value"),
        ("usajobs:Keyword=a&Keyword=b", "given twice"),
        ("usajobs:python", "written as a query string"),
    ],
)
def test_bad_real_source_strings_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_source(text)


def test_the_default_source_is_the_real_bundled_postings() -> None:
    assert BrokerSettings().refresh_source == "bundled:real-postings"
    assert set(PARTS) == set(BUNDLED)


def test_the_bundled_files_are_what_sources_json_says() -> None:
    for name, about in ABOUT.items():
        rows = [
            json.loads(line)
            for line in (BUNDLED_DIR / about["file"]).read_text(encoding="utf-8").splitlines()
        ]
        dates = sorted(r["posted_date"] for r in rows if "posted_date" in r)
        assert len(rows) == about["postings"] and len({r["id"] for r in rows}) == len(rows), name
        assert (len(dates), dates[0], dates[-1]) == (about["dated"], about["first"], about["last"]), name
        assert sum(1 for r in rows if "salary_min" in r) == about["with_salary"], name
        assert not any(r.get("synthetic") for r in rows)
    assert (BUNDLED_DIR / "LICENSE-skillspan").read_text().startswith("MIT License")
    assert "CC0" in (BUNDLED_DIR / "LICENSE-gsa-tts.md").read_text()


@pytest.mark.parametrize("name", list(BUNDLED))
def test_a_bundled_source_refreshes_into_a_real_credited_version(name: str) -> None:
    progress = Progress(sample_limit=5)
    outcome = build(
        f"bundled:{name}", WorkerSettings(source_max_bytes=1024), progress, None, dt.date(2026, 1, 1)
    )
    document = outcome.document
    expected = sum(ABOUT[part]["postings"] for part in PARTS[name])
    assert progress.read == progress.accepted == document.postings == expected and progress.rejected == 0
    assert not document.synthetic and document.source == f"postings: bundled:{name}"
    credits = document.attribution[1:]
    assert len(credits) == len(PARTS[name])
    for part, credit in zip(PARTS[name], credits, strict=True):
        assert ABOUT[part]["credit"] in credit and ABOUT[part]["licence"] in credit
        assert f"{ABOUT[part]['first']}..{ABOUT[part]['last']}" in credit
    assert document.as_of == max(ABOUT[part]["last"] for part in PARTS[name])
    again = build(f"bundled:{name}", WorkerSettings(), Progress(sample_limit=5), None, dt.date(2026, 1, 1))
    assert again.version == outcome.version  # same bytes, same version


def test_bundled_postings_measure_technologies_not_web_addresses() -> None:
    outcome = build("bundled:real-postings", WorkerSettings(), Progress(sample_limit=5), None)
    skills = outcome.document.skills
    assert skills["http"].demand < 0.2  # the GSA pages link everywhere ("https://..."): links are not HTTP
    top = sorted(skills, key=lambda s: -skills[s].demand)[:10]
    assert {"java", "javascript", "aws", "python"} <= set(top), top


def test_a_damaged_bundle_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="sources.json"):
        fetch_bundled("real-postings", tmp_path)
    (tmp_path / "sources.json").write_text((BUNDLED_DIR / "sources.json").read_text())
    with pytest.raises(SourceError, match="missing: skillspan-2021.jsonl, gsa-tts-2018-2025.jsonl"):
        fetch_bundled("real-postings", tmp_path)


def test_web_addresses_name_no_skill(matcher: SkillMatcher) -> None:
    text = "Apply at https://join.tts.gsa.gov/python-jobs/ or www.docker-careers.com; we serve HTTPS with Go."
    assert matcher.match(text) == {"http", "go"}


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    from shared.catalog import load_catalog

    return SkillMatcher(load_catalog())


def _kit(tmp_path: Path, tts: list[dict], skillspan: list[dict]) -> Path:
    (tmp_path / "postings/tts_join").mkdir(parents=True)
    (tmp_path / "postings/skillspan").mkdir(parents=True)
    (tmp_path / "postings/tts_join/LICENSE.md").write_text("CC0 1.0 Universal")
    (tmp_path / "postings/skillspan/LICENSE").write_text("MIT License")
    for path, rows in (
        ("postings/tts_join/postings.jsonl", tts),
        ("postings/skillspan/postings.jsonl", skillspan),
    ):
        (tmp_path / path).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return tmp_path


BOILERPLATE = " ".join(
    f"Every TTS role shares hiring paragraph number {i} about benefits." for i in range(40)
)


SHORT = " ".join(BOILERPLATE.split()[:60])


def _page(
    id_: str, title: str, text: str, opens: str | None, first: str = "2019-01-01T10:00:00-05:00"
) -> dict:
    role = " ".join(f"{text} Step {i}." for i in range(6))
    return {
        "id": id_,
        "title": title,
        "description_markdown": f"<p>{role}</p> {{% include apply.html %}} {SHORT}",
        "opens_date": opens,
        "first_committed": first,
        "salary_min_usd": 100000.0,
        "salary_max_usd": 120000.0,
        "location": "Remote",
    }


def test_the_build_keeps_the_latest_of_a_reposted_role_and_every_distinct_role(tmp_path: Path) -> None:
    duties = "Design Python services on cloud.gov and review Terraform plans every week with the team."
    tts = [
        _page("a", "18F - Consulting Software Engineer", duties, "2019-03-01"),
        _page(
            "a", "Upcoming Role - 18F Consulting Software Engineer GS15", duties + " Updated.", "2020-02-01"
        ),
        _page("b", "18F - Content Strategist", "Write plain language guides for agencies.", None),
        _page("c", "My test job", "nothing " * 50, "2019-05-05"),
    ]
    skillspan = [
        {
            "posting_key": "dev-tech-1",
            "source": "tech",
            "date_posted": "2021-02-03",
            "text": "Backend Engineer <ORGANIZATION> Date posted: 2021-02-03 Likes: 0\n"
            "Location options:\nRemote\nTechnologies\npython django",
        },
        {"posting_key": "dev-house-1", "source": "house", "date_posted": None, "text": "Nurse\nCare."},
    ]
    files = build_postings(_kit(tmp_path, tts, skillspan))
    gsa = [json.loads(line) for line in files["postings/gsa-tts-2018-2025.jsonl"].splitlines()]
    assert [(r["id"], r["posted_date"]) for r in gsa] == [
        ("gsa-tts-b", "2019-01-01"),
        ("gsa-tts-a", "2020-02-01"),
    ]
    assert (
        "Updated." in gsa[1]["description"]
        and "{%" not in gsa[1]["description"]
        and "<p>" not in gsa[1]["description"]
    )
    assert gsa[1]["salary_min"] == 100000 and gsa[1]["location"] == "Remote"
    [posting] = [json.loads(line) for line in files["postings/skillspan-2021.jsonl"].splitlines()]
    assert posting["title"] == "Backend Engineer" and posting["location"] == "Remote"
    assert "Technologies\npython django" in posting["description"]
    about = json.loads(files["postings/sources.json"])
    assert about["gsa-tts-2018-2025"]["postings"] == 2 and about["skillspan-2021"]["postings"] == 1
    assert files == build_postings(tmp_path)  # deterministic


def test_near_duplicates_need_the_same_role_or_nearly_the_same_text() -> None:
    def rec(title: str, text: str) -> dict:
        return {"title": title, "description": text}

    short = " ".join(BOILERPLATE.split()[:200])
    manager = " ".join(f"manager duty {i} of planning roadmaps" for i in range(15))
    engineer = " ".join(f"engineer duty {i} of writing Go" for i in range(15))
    # the same hiring text, different roles (texts ~ 0.5 alike): both kept; the same role again: merged
    assert (
        len(near_duplicates([rec("Product Manager", short + manager), rec("Engineer", short + engineer)]))
        == 2
    )
    assert near_duplicates(
        [rec("18F - Engineer", short + engineer), rec("Engineer GS15", short + engineer + " new")]
    ) == [rec("Engineer GS15", short + engineer + " new")]
    assert near_duplicates(
        [rec("Engineer", "alpha beta gamma delta epsilon"), rec("Designer", "zeta eta theta iota kappa")]
    ) == [
        rec("Engineer", "alpha beta gamma delta epsilon"),
        rec("Designer", "zeta eta theta iota kappa"),
    ]
    assert (
        role_key("Login.gov: Product Manager GS15")
        == role_key("login.gov - Product Manager")
        == "product manager"
    )


@pytest.mark.parametrize(
    ("text", "skills"),
    [  # words of the bundled postings the taxonomy named only in part before issue 17
        ("Technologies\npython sql dbt data-warehouse airflow", {"python", "sql", "etl", "data-warehouses"}),
        ("Python 3 .\nAirflow Singer Flask and pandas", {"python", "etl", "web-frameworks", "dataframes"}),
        ("Technologies\nspring java spring-mvc", {"java", "web-frameworks"}),
        ("REST APIs in Node.js with Express.js or ExpressJS", {"rest", "nodejs", "web-frameworks"}),
    ],
)
def test_words_of_real_postings_name_their_skills(matcher: SkillMatcher, text: str, skills: set[str]) -> None:
    assert matcher.match(text) == skills


@pytest.mark.parametrize(
    ("bands", "expected"),
    [
        ([("50000", "60000", "PA")], (50000, 60000)),
        ([("40.5", "", "PH")], (84524, None)),  # 2,087 hours a year
        ([("3000", "3500", "BW")], (78000, 91000)),  # 26 pay periods
        ([("8000", "9000", "PM")], (96000, 108000)),
        ([("0", "0", "WC"), ("300", "400", "PD")], (78000, 104000)),  # without compensation skipped
        ([("12", "14", "PW")], (None, None)),  # piece work: no yearly figure
        ([("n/a", "", "PA")], (None, None)),
        ([], (None, None)),
    ],
)
def test_usajobs_pay_is_normalised_to_a_year(bands: list[tuple[str, str, str]], expected: tuple) -> None:
    pay = [Remuneration(minimum_range=a, maximum_range=b, rate_interval_code=c) for a, b, c in bands]
    assert annual_pay(pay) == expected


def test_a_usajobs_item_without_a_title_becomes_a_record_the_reader_rejects() -> None:
    record = posting_record(Item(matched_object_id=7, matched_object_descriptor=Descriptor()))
    assert record == {"id": "usajobs-7"}  # no title, no text: read_postings names the field
