"""The fast skill matcher answers exactly what the plain one did: every mention (skill, words' offsets,
status, cue offsets) and every ``match`` set, on real and adversarial text.

The reference is the matcher as it stood before its fast path (:mod:`tests.matcher_reference`). Texts:
the bundled real postings as the worker reads them (title, description, skills), SkillSpan's postings
(``tests/data/skillspan/``), the CV texts (``tests/data/cv_texts.yaml``), 3,000 SYNTHETIC postings, the
hard cases of the matcher's docstring and tests, and 6,000 seeded random texts built from the taxonomy's
words in odd cases and glued by the rules' own cues: negations and their bridges, wishes, clause breaks,
look-alike contexts, compound separators, web addresses, ": none", and characters whose lower case is
ASCII or longer (Kelvin sign, dotted capital I); 2,000 of them without negating or wish words, where
``match`` may answer from the matches alone.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
import yaml

from services.worker.sources.synthetic import generate_postings
from shared.catalog import load_catalog
from shared.catalog.matching import FALSE_FRIENDS, SkillMatcher
from tests.matcher_reference import ReferenceMatcher
from tools.bench.matcher import worker_texts

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()
HARD_CASES = [
    "JavaScript and TypeScript, Java/JavaScript, I'm a Go-getter who likes to Go to market fast",
    "Go-live planning; ready to Go. Services in Go and Golang; docker go kubernetes",
    "we go to the rest of the node and spark joy. C, C++ and embedded C. C# and .NET Core",
    "R and Swift for analysis, then Spring cleaning. Spring Boot services. Rust belt, rust never sleeps",
    "Rust and Cargo. PostgreSQL and MySQL. PostgreSQL, T-SQL. Lived in Phoenix, AZ",
    "employment authorization required; java kotlin spring-boot amazon-web-services",
    "no Kubernetes experience. Python, not Java. without Docker or Podman. never used Terraform",
    "no experience with Kafka, but Python daily. Kubernetes: none. Helm (never used)",
    "not only Python but also Go. I want to learn Rust. I'd like to learn Kubernetes. Docker daily.",
    "SQL Server, SQL injection, HTTP caching, Python 3, REST/GraphQL, Python's, Docker-based, CI/CD",
    "see https://example.org/python-jobs or www.docker.com/go for Node.js, not just Java",
    "no MongoDB, Cassandra or K8s; haven't had a chance to use Kafka; without supervision on Python",
    "Oracle's database, an Oracle of truth, Oracle Cloud, go-to-market, Go to market",
]
# Glue between taxonomy words: the cues the rules read, separators, and characters that test offsets.
GLUE = [
    " ", " ", " ", ", ", "/", "-", "'", "’", "'s ", ".", ". ", "; ", ": ", "! ", "? ", "\n", "\r\n", "\t",
    " and ", " or ", " & ", " + ", " | ", " • ", " (", ") ", " [", "] ", " - ", " – ", " — ", "\u00a0",
    " no ", " not ", " No ", " NOT ", " without ", " never ", " don't ", " can't ", " zero ", " nor ",
    " not only ", " not just ", " not limited to ", " not later ", " no prior experience with ",
    " experience with ", " used ", " any ", " haven't had a chance to use ", " really ", " at all ",
    " but ", " however ", " although ", " except ", " yet ", " whereas ", " though ", ": none",
    " (never used)", " - no experience", ": not yet", " (no)", " no\n", ": no.", " want to learn ",
    " would like to learn ", " plan to pick up ", " interested in learning ", " next to learn ",
    " hoping to try ", " eager to study ", " keen to get into ", " to ", " ready to ", " let's ", " will ",
    " in ", " near ", " from ", " the ", " an ", "-getter ", "-live ", " ahead ", " the extra ", ", AZ",
    " Arizona", " area", " delivery", " joy", " belt", "'s", " of ", " Cloud", " Corp", " employment ",
    " work ", " https://example.org/python-go/", " www.kubernetes.io ", " ftp://host/java ", " http://x.y",
    " HTTPS://Example.org/Go-Java", " WWW.Go.dev ", "xhttp://docker", " ://python ", " http\u017f://go.dev",
    " http://a.b/?u=https://c.d/java ", "www.", "://", " hTTp://", " FTP://", " C++ ", " C# ", " .NET ",
    " 3 ", " 2.7 ", " 5+ years ", "K", "\u212a", "\u0130", "\u017f", "\U0001f600", "é", "++", "#", "..",
    "--", "/-", "'-",
]  # fmt: skip


def _cases(word: str, rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.45:
        return word
    if pick < 0.65:
        return word.lower()
    if pick < 0.8:
        return word.upper()
    if pick < 0.9:
        return word.title()
    return "".join(c.upper() if rng.random() < 0.5 else c for c in word)


def _words() -> list[str]:
    words = {w for s in CATALOG.skills.values() for w in (*s.synonyms, s.name, s.id)}
    words |= set(FALSE_FRIENDS) | {"Python", "Go", "go", "Java", "SQL", "HTTP", "Spring", "data", "high"}
    return sorted(words)


# The glue without negating or wish words: texts where ``match`` may answer from the matches alone.
PLAIN_GLUE = [
    g
    for g in GLUE
    if not re.search(
        r"(?i)\b(?:no|not|never|without|don't|can't|zero|nor|want|like|plan|"
        r"interested|next|hoping|eager|keen)\b|none",
        g,
    )
]


def _fuzz(count: int, seed: int, glue: list[str] = GLUE) -> list[str]:
    rng = random.Random(seed)
    words = _words()
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 40)):
            parts.append(_cases(rng.choice(words), rng) if rng.random() < 0.55 else rng.choice(glue))
        texts.append("".join(parts))
    return texts


def _skillspan() -> list[str]:
    texts: dict[tuple[str, int], list[str]] = {}
    for name in ("train_tech_knowledge.jsonl", "dev_knowledge.jsonl"):
        for line in (ROOT / "tests/data/skillspan" / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts.setdefault((name, row["idx"]), []).append(" ".join(row["tokens"]))
    return ["\n".join(sentences) for sentences in texts.values()]


@pytest.fixture(scope="module")
def matchers() -> tuple[SkillMatcher, ReferenceMatcher]:
    return SkillMatcher(CATALOG), ReferenceMatcher(CATALOG)


def _same(matchers: tuple[SkillMatcher, ReferenceMatcher], texts: list[str]) -> None:
    fast, reference = matchers
    assert texts
    for text in texts:
        expected = reference.mentions(text)
        assert fast.mentions(text) == expected, text
        assert fast.match(text) == reference.match(text), text


def test_bundled_real_postings(matchers: tuple[SkillMatcher, ReferenceMatcher]) -> None:
    folder = ROOT / "shared/catalog/postings"
    texts = [t for path in sorted(folder.glob("*.jsonl")) for t in worker_texts(path)]
    assert len(texts) > 200
    _same(matchers, texts)


def test_skillspan_and_cv_texts(matchers: tuple[SkillMatcher, ReferenceMatcher]) -> None:
    cvs = yaml.safe_load((ROOT / "tests/data/cv_texts.yaml").read_text(encoding="utf-8"))
    _same(matchers, [*_skillspan(), *(cv["text"] for cv in cvs)])


def test_synthetic_postings(matchers: tuple[SkillMatcher, ReferenceMatcher], tmp_path: Path) -> None:
    path = tmp_path / "synthetic.jsonl"
    generate_postings(path, count=3_000, seed=23, bad_ratio=0.0)
    _same(matchers, worker_texts(path))


def test_hard_cases_and_random_texts(matchers: tuple[SkillMatcher, ReferenceMatcher]) -> None:
    texts = [*HARD_CASES, "\n".join(HARD_CASES), "", "go", "Go", ".NET", "-", *_fuzz(4_000, seed=5)]
    texts += _fuzz(2_000, seed=6, glue=PLAIN_GLUE)
    fast, reference = matchers
    assert sum(m.status != "plain" for t in texts for m in reference.mentions(t)) > 1_000  # cues are hit
    _same(matchers, texts)


# Where the shortcuts of the lower-case split, the wish and ": none" tests, phrases by their first two words
# and SQL/HTTP's stand-alone test could go wrong: characters whose lower case is longer or ASCII, words that
# contain "no", "never" or a wish word without being one, cues at the very end, compound tokens, phrases
# across line ends, SQL and HTTP inside longer names.
SHORTCUT_CASES = [
    "Python", "python", "Go", "SQL", "C#", ".NET", "C++", "Python no", "Python - no", "Python:none",
    "Python\nnone", "Docker-none", "Docker-None used", "Kafka (None)", "Kafka: NONE", "Helm — no\n",
    "knowledge of Python, Node.js and Nomad; Python nevertheless", "unlike Java, explain Go, aim for Rust",
    "hopefully Kubernetes", "ınterested ın learnıng Python", "want to learn Ruſt", "Terraform (never uſed)",
    "\u212aubernetes and Go\u212a, Jav\u212a", "İstanbul: Python, Go, SQL", "PYTHON İ Docker no",
    "t-sql, pl/sql, http/2, REST/GraphQL, c++/c#, .net/java, spring-boot, ci/cd, node.js/express",
    "Spring\nBoot", "Amazon\nWeb\nServices", "we use amazon web", "Apache Kafka, Apache Spark, apache",
    "SQL Server and SQL", "sql server", "HTTP caching, HTTPS, http", "SQL injection; T-SQL", "HTTP/2 only",
    "Microsoft SQL Server, Microsoft Azure, Azure SQL", "Oracle Database, oracle, Oracle Cloud",
    "docker go kubernetes", "python, rust", "Go-getter", "ready to\nGo", "Phoenix,\nAZ",
]  # fmt: skip
SHORTCUT_GLUE = [
    *GLUE, "knowledge", " Nomad ", "none", "-none", " NONE", " unlike ", " nevertheless ", " explain ",
    " aim ", "\u212aubernetes", "ı", " uſed", "\nnone", " no", "Spring\n", "\nBoot", " amazon web ",
    " SQL Server ", " HTTP caching ", "t-sql", "http/2",
]  # fmt: skip


def test_shortcut_edges(matchers: tuple[SkillMatcher, ReferenceMatcher]) -> None:
    texts = [
        *SHORTCUT_CASES,
        *(a + "\n" + b for a, b in zip(SHORTCUT_CASES, SHORTCUT_CASES[1:], strict=False)),
    ]
    texts += _fuzz(3_000, seed=7, glue=SHORTCUT_GLUE)
    fast, reference = matchers
    assert sum(bool(reference.match(t)) for t in texts) > 2_000  # skills are found
    _same(matchers, texts)


# ``match``'s sparse path (no split: the taxonomy's words found by one regex, tokens read only around them):
# hits that are not whole tokens (token characters before, a joiner and a word character after), compound
# taxonomy words and their pieces, negating words glued to others, phrases cut by the text's end or a line,
# look-alikes in lists (their neighbours' gaps), hits at the text's start and end, ": none" after a hit.
SPARSE_CASES = [
    "python", "Python.", "Python.x", "python-", "python's", "+go docker", " -python", "x.net .net", ".python",
    "/python", "python/", "docker-based", "on-call rota", "ci/cd", "T-SQL and SQL", "pl/sql", "http/2 HTTP",
    "no-python", "+no python", "no+ python", "nopython", "python no", "not-docker", "docker:none",
    "docker,no",
    "spring", "Spring Boot", "spring\nboot", "amazon web", "Amazon Web Services.", "amazon web services-x",
    "docker, go, kubernetes", "docker + go", "docker and go", "docker & go", "Go docker", "Docker/go",
    "docker go-getter", "docker  go\n kubernetes", "rest, docker", "docker rest", "vault.docker",
    "SQL Server SQL", "sql server", "HTTP caching http", "python 3", "c# c++ .net", "node.js express",
    "Python, want to learn Go", "docker.want to learn go", "next.js next to learn python",
    "x_want to learn go",
    "docker\u00a0go", "DOCKER GO", "helm, oracle, rust", "docker, rust belt", "docker, ready to go",
]  # fmt: skip
SPARSE_GLUE = [g for g in SHORTCUT_GLUE if g in PLAIN_GLUE or g in {"+", "-", ".", "/", "'", "’"}]
SPARSE_GLUE += [
    "+", ".", "x", "-x", "x-", "'s", " docker ", " go ", " Go ", ", go,", " & ", "\n", " : none", "+no ",
    # wishes (found by the same scan as the taxonomy's words in an ASCII text), glued or not
    " want to learn ", " Wanting to try ", ",hoping to try ", " interested in learning ", " NEXT to learn ",
    " aim to study ", "_want to learn ", " keen to pick up ", " plans\tto get into ", "-like to learn ",
]  # fmt: skip


def test_sparse_match_edges(matchers: tuple[SkillMatcher, ReferenceMatcher]) -> None:
    texts = [*SPARSE_CASES, *(a + " " + b for a, b in zip(SPARSE_CASES, SPARSE_CASES[1:], strict=False))]
    texts += _fuzz(4_000, seed=8, glue=SPARSE_GLUE)
    fast, reference = matchers
    sparse = [t for t in texts if fast._match_sparse(t) is not None]
    assert len(sparse) > 600  # the sparse path answers these (the others fall back to the split)
    assert sum(bool(fast._match_sparse(t)) for t in sparse) > 400
    for text in texts:
        assert fast.match(text) == reference.match(text), text


# The sparse path with negating and wish words, tokens that are not whole hits and web addresses (issue 17,
# fifth round): a negating word at the look-back's reach (six words) and one word past it, behind a clause
# break (". ; : ! ? ( ) [ ] | •", a line end, "but", "however"), behind a word that is no bridge, "not only"
# then a negating word further back, lists after a negation, a negating word glued to a joiner ("-no",
# "no-code"), a mention that is a piece of a compound token after a negation, wishes at 120 characters
# and across a sentence end, wish words inside other words and next to non-ASCII letters, "ı" and "ſ",
# web addresses next to hits and in upper case (the split path reads "WWW." as words), long texts.
NEGATION_CASES = [
    "no experience with any Python", "no prior professional commercial production Python",
    "no prior professional commercial production hands-on Python", "no x Python", "no, Python",
    "no. Python", "no; Python", "no: Python", "no! Python", "no? Python", "no (Python)", "no [Python]",
    "no | Python", "no • Python", "no\nPython", "no\r\nPython", "no but Python", "no However Python",
    "not only Python", "not Only Python", "no Just Docker", "not LIMITED to Python", "NOT Less Go",
    "no, not only Python", "no not only Python", "not just Docker but Go",
    "without Docker or Podman or Kubernetes", "no MongoDB, Cassandra or K8s or Redis",
    "never used Terraform, Ansible, Chef, Puppet, Go", "no docker go kubernetes", "-no Python", "/no python",
    "'no Python", "no-code Python", "not-docker python", "no security-testing", "haven't used T-SQL",
    "no REST/GraphQL", "no C# .NET", "don't Python", "don’t Python", "DON'T python", "NoT Java",
    "Nor Go", "zero Kubernetes", "no Spring Boot", "no amazon web services", "no-sql MongoDB",
    "without supervision on Python", "lack of Python", "lacking Python", "no 3 Python", "no K8s Python",
    "no Python: none", "Python (never used), Go", "Kafka - no experience",
    "https://no.example.org/python python", "no https://example.org python", "no www.python.org python",
    "WWW.Go.dev and Python", "see WWW.example.org/python-jobs", "WWW.x/python",
    "HTTP://x/python go", "see www.docker.com/go for Go", "xhttp://docker go", "x-https://python.org",
    "want to learn Go", "I want\tto learn Go", "Want To Learn Go", "éwant to learn Go", "•want to learn Go",
    "want to learn. Go", "want to learn\nGo", "like to try Rust", "hopefully Kubernetes", "claim to learn Go",
    "ınterested ın learnıng Python", "want to learn Ruſt", "planning to pick up Go", "next to learn: Python",
    "interested in learning " + "x " * 60 + "Python", "want to learn " + "y" * 106 + " Python",
    "want to learn " + "y" * 107 + " Python", "want to learn " + "y" * 105 + " Python",
    "no " + "a " * 5 + "Python", "no " + "a " * 6 + "Python", "not " + "with " * 5 + "Python",
    "not " + "with " * 6 + "Python", "no " + " " * 300 + "Python", "no" + "-" * 80 + " Python",
]  # fmt: skip
NEGATION_GLUE = [
    *GLUE, *SPARSE_GLUE, " no-code ", "-no ", " not-", "/no ", " no-", " like-minded ", " next-generation ",
    " claim ", " shop ", "é", "•", " •want to learn ", " with ", " a ", " x ", " very ", " K8s ", " 3 ",
    " https://no.example.org/ ", " WWW.Go.dev ", " www.python.org/no ", " security-testing ", " Nor ",
    " not Only ", " NOT Later ",
]  # fmt: skip


def test_sparse_negation_and_wish_edges(matchers: tuple[SkillMatcher, ReferenceMatcher]) -> None:
    texts = [
        *NEGATION_CASES,
        *(a + " " + b for a, b in zip(NEGATION_CASES, NEGATION_CASES[1:], strict=False)),
    ]
    texts += _fuzz(5_000, seed=9, glue=NEGATION_GLUE)
    texts += ["".join(texts[k : k + 60]) for k in range(0, 2_000, 60)]  # long texts, many cues
    # the six tokens before a mention read from a character in no token: a long token across where the
    # reading starts ends with a negating word, any number of bridges and spaces before the mention
    texts += [
        "no " + "x" * 30 + glued + " with" * bridges + " " * pad + "Python"
        for glued in ("no", "-no", ".no")
        for bridges in range(7)
        for pad in range(1, 300, 1 if bridges == 5 else 7)
    ]
    fast, reference = matchers
    sparse = [t for t in texts if fast._match_sparse(t) is not None]
    assert len(sparse) > 0.8 * len(texts)  # the sparse path answers these now (not "İ", the Kelvin sign)
    answers = [reference.match(t) for t in sparse]
    assert (
        sum(a != {m.skill for m in reference.mentions(t)} for a, t in zip(answers, sparse, strict=True)) > 500
    )
    for text, expected in zip(sparse, answers, strict=True):
        assert fast._match_sparse(text) == expected, text
        assert fast.match(text) == expected, text


def test_real_postings_take_the_sparse_path(matchers: tuple[SkillMatcher, ReferenceMatcher]) -> None:
    folder = ROOT / "shared/catalog/postings"
    texts = [t for path in sorted(folder.glob("*.jsonl")) for t in worker_texts(path)] + _skillspan()
    fast, reference = matchers
    sparse = [t for t in texts if fast._match_sparse(t) is not None]
    assert len(sparse) == len(texts)
    for text in sparse:
        assert fast._match_sparse(text) == reference.match(text), text


def test_only_four_characters_read_as_ascii_letters() -> None:
    # the sparse path's wish words come from its scan of the lower-case text unless the text has "ı" or "ſ"
    # ("İ" and the Kelvin sign are read the plain way): no other character is an ASCII letter to re.I
    letter = re.compile("[a-z]", re.IGNORECASE)
    odd = {c for c in map(chr, range(0x80, 0x110000)) if letter.fullmatch(c)}
    assert odd == {"\u0130", "\u0131", "\u017f", "\u212a"}


def test_sparse_wishes_next_to_other_characters(matchers: tuple[SkillMatcher, ReferenceMatcher]) -> None:
    glue = [
        "é", "ñ", "ǅ", "Ｗ", "\u2003", "\u3000", "\u00a0", "\u200b", "•", "’", "_", "ß", "\U0001f600",
        " ", ". ", "want", "Want", "WANT", " to ", "\u2003to\u3000", " learn ", "learn", " interested ",
        " in ", " learning ", "want to learn ", "\u2003Want\u3000to\u00a0learn ",
        "éwant to learn ", "ñ want to try ", "_want to learn ", "•want to learn ", "Ｗant to learn ",
        " ınterested ın learnıng ", " want to learn\u2003", " next ",
        " like ", " plan ", " hoping ", " try ", " pick up ", "ıo", "ſ",
    ]  # fmt: skip
    texts = _fuzz(3_000, seed=10, glue=glue)
    fast, reference = matchers
    assert sum(m.status == "wanted" for t in texts for m in reference.mentions(t)) > 300
    for text in texts:
        assert fast.match(text) == reference.match(text), text
