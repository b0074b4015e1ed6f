"""The name matcher on the real OFAC + UN lists: hard cases, secondary evidence, explanations."""

from pathlib import Path

import pytest

from compliance.sanctions.lists import ListEntry, ListName, parse_ofac, parse_un
from compliance.sanctions.matching import DEFAULT_THRESHOLD, Matcher, normalize_name
from compliance.sanctions.matching.matcher import CANDIDATES

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "sanctions"
SADDAM = {("un", "IQi.001"), ("ofac_sdn", "7843")}


@pytest.fixture(scope="module")
def matcher():
    ofac = parse_ofac(DATA / "sdn.csv", DATA / "alt.csv", DATA / "add.csv")
    un = parse_un(DATA / "UN_consolidated.xml")
    return Matcher.build(ofac.entries + un.entries)


def refs(hits):
    return {(h.source, h.ref) for h in hits}


def test_exact_primary_name_scores_one(matcher):
    hit = next(h for h in matcher.screen("Saddam Hussein al-Tikriti") if h.ref == "IQi.001")
    assert hit.score == 1.0
    assert hit.alias_type == "primary"
    assert hit.factors["exact_name"] is True


def test_alias_hit_names_the_alias(matcher):
    hit = matcher.screen("National Bank of Cuba", kind="entity")[0]
    assert (hit.ref, hit.matched_name, hit.alias_type) == ("306", "NATIONAL BANK OF CUBA", "aka")


def test_last_comma_first_form(matcher):
    assert SADDAM <= refs(matcher.screen("AL-TIKRITI, Saddam Hussein"))


def test_swapped_tokens(matcher):
    assert SADDAM <= refs(matcher.screen("Tikriti Saddam Hussein"))


def test_diacritics(matcher):
    assert SADDAM <= refs(matcher.screen("Saddám Husséin al-Tikríti"))


def test_cyrillic_transliteration(matcher):
    assert ("un", "IQi.001") in refs(matcher.screen("Саддам Хусейн аль-Тикрити"))


def test_spelling_transliteration(matcher):
    assert SADDAM <= refs(matcher.screen("Sadam Husain al-Tikrity"))


def test_dropped_middle_name(matcher):
    assert SADDAM <= refs(matcher.screen("Saddam al-Tikriti"))


def test_typo(matcher):
    assert SADDAM <= refs(matcher.screen("Saddam Hussien al-Tikriti"))


def test_honorific_is_ignored(matcher):
    hits = matcher.screen("Sheikh Ayman al-Zawahiri")
    assert ("un", "QDi.006") in refs(hits)
    assert hits[0].score == 1.0


def test_legal_form_is_ignored_for_entities(matcher):
    hit = matcher.screen("Banco Nacional de Cuba, S.A.", kind="entity")[0]
    assert (hit.ref, hit.score) == ("306", 1.0)


def test_matching_dob_raises_the_score(matcher):
    plain = matcher.screen("Sadam Husein Tikriti")[0]
    with_dob = matcher.screen("Sadam Husein Tikriti", birth_date="1937-04-28")[0]
    assert with_dob.score > plain.score
    assert with_dob.factors["dob"] == "match"


def test_contradicting_dob_lowers_a_fuzzy_hit_below_the_threshold(matcher):
    assert SADDAM <= refs(matcher.screen("Sadam Husein Tikriti"))
    assert not SADDAM & refs(matcher.screen("Sadam Husein Tikriti", birth_date="1990-01-01"))


def test_exact_name_is_never_hidden_by_dob_or_country(matcher):
    hits = matcher.screen("Saddam Hussein al-Tikriti", birth_date="1990-01-01", country="FR")
    hit = next(h for h in hits if h.ref == "IQi.001")
    assert hit.score >= DEFAULT_THRESHOLD
    assert hit.factors["dob"] == "mismatch"
    assert hit.factors["country"] == "mismatch"
    assert "exact_name_floor" in hit.factors["adjustments"]


def test_matching_country_is_reported(matcher):
    hit = next(h for h in matcher.screen("Saddam Hussein al-Tikriti", country="IQ"))
    assert hit.factors["country"] == "match"


@pytest.mark.parametrize("name", ["John Smith", "Maria Garcia Lopez", "Jean Dupont", "Li Wei"])
def test_non_listed_names_do_not_hit(matcher, name):
    assert matcher.screen(name) == []


def test_one_shared_common_token_is_not_a_hit(matcher):
    assert matcher.screen("Mohammed Schneider") == []


def test_kind_restricts_the_entries_compared(matcher):
    assert all(h.entry.kind == "person" for h in matcher.screen("Hermann", kind="person"))


def test_hits_are_sorted_by_score(matcher):
    scores = [h.score for h in matcher.screen("Ali Saddam Hussein al-Tikriti")]
    assert scores == sorted(scores, reverse=True)


def test_factors_explain_the_score(matcher):
    factors = matcher.screen("Sadam Husein Tikriti")[0].factors
    assert set(factors) >= {"name_score", "dob", "country", "adjustments", "listed_normalized"}
    assert factors["dob"] == "unknown"


def test_blocking_scores_only_a_few_candidates(matcher):
    rows = matcher._candidates(normalize_name("Mohammed Ali Hassan").tokens, [0, 1, 2, 3])
    assert 0 < len(rows) <= CANDIDATES < len(matcher)


def test_weak_aliases_are_not_screened_by_default():
    entry = ListEntry(
        source="t",
        ref="1",
        kind="person",
        primary_name="Saddam Hussein",
        names=(ListName("Saddam Hussein"), ListName("Abu Ali", "weak")),
    )
    assert Matcher.build([entry]).screen("Abu Ali") == []
    assert Matcher.build([entry], include_weak=True).screen("Abu Ali")[0].alias_type == "weak"


def test_unknown_kind_is_refused(matcher):
    with pytest.raises(ValueError):
        matcher.screen("x", kind="company")


def test_normalize_inverts_last_first_and_sorts():
    assert normalize_name("AL-ZAWAHIRI, Dr. Ayman").key == "ayman zawahiri"


def test_normalize_drops_legal_forms_for_entities_only():
    assert normalize_name("Sovcomflot PJSC", "entity").key == "sovcomflot"
    assert normalize_name("Sovcomflot PJSC", "person").key == "pjsc sovcomflot"
