"""Sanctions screening benchmark: recall, false positives and latency on the real lists.

Plain script: ``.venv/bin/python tests/bench/bench_sanctions.py [--threshold 0.86]``.

- Recall: variants generated from listed names (typos, swapped tokens, a dropped middle
  name, diacritics, spelling and Cyrillic transliterations, "LAST, First" flips) must find the
  entry they came from.
- False positives: realistic names built from common given and family names of many cultures
  (Faker locales plus romanized Arabic and Persian names), each checked not to be listed
  (its normalized form equals no listed name) and not to be a listed person's name with one
  middle name dropped -- exactly what the recall half generates as a ``dropped_middle``
  variant and requires to hit ("Omar Othman" for the listed "Omar Mohammed Othman"), so it
  cannot also count as a false positive. The check compares normalized keys only (no fuzzy
  matching), so spelling variants and near-namesakes of listed names stay in the negative
  set; the number skipped by each check is printed. Any hit counts as a false positive.
- Latency of one ``screen()`` against OFAC + UN, median and p99, against a brute-force
  rapidfuzz Jaro-Winkler scan over every listed name. Timed on a freshly built index with the
  normalization caches emptied: the queries were already screened for recall, and their
  cached lookups would otherwise flatter the figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from faker import Faker
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from compliance.sanctions.lists import parse_ofac, parse_un  # noqa: E402
from compliance.sanctions.matching import DEFAULT_THRESHOLD, Matcher, normalize_name  # noqa: E402
from compliance.sanctions.matching import matcher as matching_matcher  # noqa: E402
from compliance.sanctions.matching import normalize as matching_normalize  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "sanctions"
SEED = 20240301
SWEEP = (0.78, 0.80, 0.82, 0.84, 0.85, 0.86, 0.87, 0.88, 0.89, 0.90)

ARABIC_GIVEN = """Mohammed Ahmed Ali Hassan Hussein Omar Khalid Abdullah Ibrahim Yusuf Mustafa
Karim Tariq Samir Nabil Walid Faisal Hamza Bilal Majid Rami Sami Ziad Adel Fatima Aisha Mariam
Zainab Layla Nour Huda Salma Rania Yasmin Amal Hana Dalia Rasha Mona Khadija Sara""".split()
ARABIC_FAMILY = """Haddad Khoury Mansour Saleh Nasser Hamdan Farouk Qureshi Malik Siddiqui
Chaudhry Rashid Jaber Darwish Abbas Saad Bakr Othman Suleiman Yassin Hijazi Tamimi Khatib
Najjar Sabbagh Attar Zaid Haidar Kassem Shami Masri Halabi Obeid Awad Barakat Fakhoury""".split()
PERSIAN_GIVEN = """Reza Mehdi Hossein Amir Saeed Hamid Majid Babak Kaveh Dariush Zahra Maryam
Fatemeh Narges Shirin Leila Parisa Niloufar Azadeh Mahsa""".split()
PERSIAN_FAMILY = """Ahmadi Hosseini Karimi Rezaei Mohammadi Moradi Jafari Rahimi Sadeghi Hashemi
Kazemi Ghorbani Tehrani Shirazi Esfahani Bagheri Navabi Farahani Kamali Nikpour""".split()
FAKER_LOCALES = """en_US en_GB es_ES es_MX de_DE fr_FR it_IT pt_BR pl_PL nl_NL tr_TR ru_RU
uk_UA zh_CN ko_KR vi_VN id_ID en_IN sv_SE cs_CZ""".split()

# Romanized -> Cyrillic as a Russian-language register would write it (digraphs first).
CYRILLIC_DIGRAPHS = [
    ("shch", "щ"),
    ("kh", "х"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("zh", "ж"),
    ("ts", "ц"),
    ("ya", "я"),
    ("yu", "ю"),
]
CYRILLIC = dict(zip("abvgdezijklmnoprstufhcyqw", "абвгдезийклмнопрстуфхкыкв", strict=True))
CYRILLIC["x"] = "кс"


def to_cyrillic(text: str) -> str:
    for latin, cyrillic in CYRILLIC_DIGRAPHS:
        text = text.replace(latin, cyrillic)
    return "".join(CYRILLIC.get(ch, ch) for ch in text)


SPELLINGS = [
    ("mohammed", "muhammad"),
    ("muhammad", "mohamed"),
    ("mohamed", "mohammad"),
    ("ou", "u"),
    ("u", "ou"),
    ("ee", "i"),
    ("ph", "f"),
    ("y", "i"),
    ("i", "y"),
    ("kh", "h"),
    ("sh", "ch"),
    ("q", "k"),
    ("dh", "d"),
    ("ss", "s"),
    ("mm", "m"),
    ("dd", "d"),
    ("ie", "i"),
    ("ei", "ey"),
    ("oo", "u"),
    ("w", "v"),
]
ACCENTS = str.maketrans("aeiouncAEIOUNC", "áéîöüñçÁÉÎÖÜÑÇ")


def load_entries():
    ofac = parse_ofac(DATA / "sdn.csv", DATA / "alt.csv", DATA / "add.csv")
    un = parse_un(DATA / "UN_consolidated.xml")
    return ofac.entries + un.entries


def typo(name: str, rng: random.Random) -> str:
    positions = [i for i, ch in enumerate(name) if ch.isalpha()]
    if len(positions) < 6:
        return name
    i = rng.choice(positions[1:])  # first letters are rarely mistyped
    op = rng.choice(("sub", "del", "ins", "swap"))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if op == "sub":
        return name[:i] + letter + name[i + 1 :]
    if op == "del":
        return name[:i] + name[i + 1 :]
    if op == "ins":
        return name[:i] + letter + name[i:]
    if i + 1 < len(name) and name[i + 1].isalpha():
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + letter + name[i + 1 :]


def display_tokens(name: str, kind: str) -> list[str]:
    """Tokens in reading order ('LAST, First' flipped) keeping the original spelling."""
    if kind == "person" and name.count(",") == 1:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    return name.replace(",", " ").split()


def variants(entry, listed, rng):
    tokens = display_tokens(listed, entry.kind)
    plain = " ".join(tokens)
    out = {"typo": typo(plain, rng), "swapped": " ".join(reversed(tokens))}
    if entry.kind == "person" and len(tokens) >= 3:
        dropped = tokens[:]
        del dropped[rng.randrange(1, len(tokens) - 1)]
        out["dropped_middle"] = " ".join(dropped)
        out["last_first"] = f"{tokens[-1].upper()}, {' '.join(tokens[:-1])}"
    elif entry.kind == "person" and len(tokens) == 2:
        out["last_first"] = f"{tokens[1].upper()}, {tokens[0]}"
    out["diacritics"] = plain.translate(ACCENTS)
    lowered = plain.lower()
    options = [(a, b) for a, b in SPELLINGS if a in lowered]
    if options:
        a, b = rng.choice(options)
        out["spelling"] = lowered.replace(a, b, 1).title()
    if entry.kind == "person":
        out["cyrillic"] = to_cyrillic(lowered)
    out["typo_and_swap"] = typo(" ".join(reversed(tokens)), rng)
    return out


def dropped_middle_keys(entries) -> set[str]:
    """Normalized keys of every listed person name with one middle name dropped, built the
    way ``variants`` builds its ``dropped_middle`` queries."""
    keys = set()
    for entry in entries:
        if entry.kind != "person":
            continue
        for listed in entry.names:
            if listed.alias_type in ("weak", "original_script"):
                continue
            tokens = display_tokens(listed.name, entry.kind)
            for i in range(1, len(tokens) - 1):
                keys.add(normalize_name(" ".join(tokens[:i] + tokens[i + 1 :]), "person").key)
    return keys


def realistic_names(count: int, rng: random.Random, listed_keys: set[str], variant_keys: set[str]) -> list[str]:
    fakers = []
    for locale in FAKER_LOCALES:
        fake = Faker(locale)
        fake.seed_instance(rng.randrange(1 << 30))
        fakers.append(fake)
    names: list[str] = []
    skipped = skipped_variants = 0
    while len(names) < count:
        pick = rng.random()
        if pick < 0.2:
            name = f"{rng.choice(ARABIC_GIVEN)} {rng.choice(ARABIC_FAMILY)}"
        elif pick < 0.3:
            name = f"{rng.choice(PERSIAN_GIVEN)} {rng.choice(PERSIAN_FAMILY)}"
        else:
            fake = rng.choice(fakers)
            name = f"{fake.first_name()} {fake.last_name()}"
        key = normalize_name(name, "person").key
        if key in listed_keys:
            skipped += 1  # actually listed: not a false-positive candidate
            continue
        if key in variant_keys:
            skipped_variants += 1  # a listed name minus a middle name: a positive here
            continue
        names.append(name)
    print(
        f"  realistic names generated: {count} (skipped {skipped} that are listed, "
        f"{skipped_variants} that are a listed name with a middle name dropped)"
    )
    return names


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--entries", type=int, default=1500, help="entries to vary")
    parser.add_argument("--negatives", type=int, default=4000)
    parser.add_argument("--sweep", action="store_true", help="recall/FP for several thresholds")
    parser.add_argument("--show", type=int, default=8, help="misses/false positives to print")
    args = parser.parse_args()
    rng = random.Random(SEED)

    started = time.perf_counter()
    entries = load_entries()
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    matcher = Matcher.build(entries)
    build_s = time.perf_counter() - started
    listed_names = sum(len(e.names) for e in entries)
    print(f"entries: {len(entries)}, names: {listed_names}, indexed names: {len(matcher)}")
    print(f"parse: {parse_s:.2f} s, index build: {build_s:.2f} s")

    listed_keys = {normalize_name(n.name, e.kind).key for e in entries for n in e.names} | {
        normalize_name(n.name, "person").key for e in entries for n in e.names
    }

    # Recall on variants of strong names of persons and entities.
    pool = [e for e in entries if e.kind in ("person", "entity")]
    sample = rng.sample(pool, min(args.entries, len(pool)))
    per_type: dict[str, list[int]] = {}
    misses = []
    queries = []
    target_scores: list[float] = []
    for entry in sample:
        strong = [n for n in entry.names if n.alias_type not in ("weak", "original_script")]
        listed = rng.choice(strong).name
        for label, query in variants(entry, listed, rng).items():
            hits = matcher.screen(query, threshold=min(args.threshold, SWEEP[0]))
            target = max(
                (h.score for h in hits if h.source == entry.source and h.ref == entry.ref),
                default=0.0,
            )
            target_scores.append(target)
            found = target >= args.threshold
            per_type.setdefault(label, []).append(found)
            queries.append(query)
            if not found:
                misses.append((label, query, listed))
    total = sum(len(v) for v in per_type.values())
    found_all = sum(sum(v) for v in per_type.values())
    print(f"\nrecall at threshold {args.threshold}: {found_all / total:.4f} ({found_all}/{total})")
    for label, values in sorted(per_type.items()):
        print(f"  {label:16s} {sum(values) / len(values):.4f}  (n={len(values)})")
    for label, query, listed in rng.sample(misses, min(args.show, len(misses))):
        print(f"    miss [{label}] {query!r} <- {listed!r}")

    # False positives on realistic names that are not listed.
    negatives = realistic_names(args.negatives, rng, listed_keys, dropped_middle_keys(entries))
    false_positives = []
    negative_scores = []
    for name in negatives:
        hits = matcher.screen(name, threshold=min(args.threshold, SWEEP[0]))
        negative_scores.append(hits[0].score if hits else 0.0)
        if hits and hits[0].score >= args.threshold:
            false_positives.append((name, hits[0]))
    rate = len(false_positives) / len(negatives)
    print(f"false-positive rate: {rate:.4f} ({len(false_positives)}/{len(negatives)})")
    for name, hit in false_positives[: args.show]:
        print(f"    fp {name!r} -> {hit.matched_name!r} {hit.score}")

    if args.sweep:
        print("\nthreshold  recall  false-positive rate")
        for threshold in SWEEP:
            recall = sum(s >= threshold for s in target_scores) / len(target_scores)
            fp = sum(s >= threshold for s in negative_scores) / len(negative_scores)
            print(f"  {threshold:.2f}    {recall:.4f}  {fp:.4f}")

    # Latency: a mix of variant and non-listed queries, as an exchange would send them,
    # against a fresh index with every normalization cache emptied, so that nothing the
    # recall and false-positive passes above computed for these queries makes them cheaper.
    mix = rng.sample(queries, min(2000, len(queries))) + negatives[:2000]
    rng.shuffle(mix)
    for module in (matching_normalize, matching_matcher):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()
    matcher = Matcher.build(entries)
    timings = []
    for query in mix:
        t0 = time.perf_counter()
        matcher.screen(query)
        timings.append(time.perf_counter() - t0)
    median, p99 = statistics.median(timings), percentile(timings, 0.99)
    print(f"\nscreen() latency over {len(mix)} queries: median {median * 1e3:.3f} ms, p99 {p99 * 1e3:.3f} ms")

    # Brute force: Jaro-Winkler of the normalized query against every normalized listed name.
    keys = matcher._keys  # noqa: SLF001 - the benchmark compares against the same names
    brute = []
    for query in mix[:500]:
        t0 = time.perf_counter()
        key = normalize_name(query).key
        process.extract(key, keys, scorer=JaroWinkler.normalized_similarity, limit=10)
        brute.append(time.perf_counter() - t0)
    brute_median = statistics.median(brute)
    print(
        f"brute-force Jaro-Winkler scan over {len(keys)} names: median "
        f"{brute_median * 1e3:.3f} ms, p99 {percentile(brute, 0.99) * 1e3:.3f} ms"
    )
    print(f"speed-up (median): {brute_median / median:.1f}x")


if __name__ == "__main__":
    main()
