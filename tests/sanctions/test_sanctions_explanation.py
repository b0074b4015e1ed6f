from compliance.sanctions.explanation import hit_explanation

FACTORS = {
    "name_score": 0.9524,
    "token_sort": 0.9778,
    "token_alignment": 0.9524,
    "exact_name": False,
    "query_normalized": "antonio manuel noreaga",
    "listed_normalized": "antonio manuel noriega",
    "dob": "unknown",
    "country": "match",
    "adjustments": {"country": 0.02},
}


def test_the_score_row_adds_the_name_score_and_each_adjustment():
    rows = dict(hit_explanation(FACTORS, 0.9724))
    assert rows["Score"] == "0.9524 name +0.0200 country = 0.9724"


def test_secondary_evidence_says_which_way_it_moved_the_score():
    factors = {**FACTORS, "dob": "mismatch", "adjustments": {"dob": -0.12, "country": 0.02}}
    rows = dict(hit_explanation(factors, 0.8524))
    assert rows["Date of birth"] == "contradicts the listed one (−0.1200)"
    assert rows["Country"] == "matches the listed one (+0.0200)"
    assert rows["Score"] == "0.9524 name −0.1200 date of birth +0.0200 country = 0.8524"


def test_a_score_held_at_the_threshold_for_an_identical_name_is_named():
    factors = {**FACTORS, "name_score": 1.0, "exact_name": True, "dob": "mismatch"}
    factors["adjustments"] = {"dob": -0.12, "exact_name_floor": 0.0}
    rows = dict(hit_explanation(factors, 0.88))
    assert rows["Identical after normalizing"] == "Yes"
    assert "identical name kept at the threshold" in rows["Score"]


def test_a_capped_score_says_so():
    factors = {**FACTORS, "name_score": 1.0, "exact_name": True, "adjustments": {"country": 0.02}}
    assert dict(hit_explanation(factors, 1.0))["Score"].endswith("= 1.0000 (capped to 0–1)")


def test_factors_of_an_older_matcher_are_listed_as_stored():
    rows = hit_explanation({"jaro": 0.91}, 0.91)
    assert rows == [("jaro", "0.91")]
