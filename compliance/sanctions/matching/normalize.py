"""Name normalization shared by the index (listed names) and the query.

Both sides must go through the same steps, so that what remains to compare is the name itself:

1. transliteration to Latin: Cyrillic letters whose unidecode spelling differs from the
   BGN/PCGN romanization that English-language lists use ("й" -> "y", "я" -> "ya", "ю" -> "yu")
   are mapped first, then unidecode does the rest (Arabic, Greek, diacritics);
2. lower case; apostrophes dropped inside words ("Cho'n" -> "chon"), dots dropped so that
   "S.A." becomes "sa", every other punctuation mark becomes a space;
3. for persons, "LAST, First" becomes "First LAST", and honorifics (Mr, Dr, Sheikh, Haji...)
   are dropped; for entities, vessels and aircraft, legal-form words (LLC, GmbH, OOO, S.A.,
   "joint stock company"...) are dropped;
4. Arabic particles are made order-independent: the article ("al-", "el-") is dropped, "Abd",
   "Abdul", "Abdel", "Abdur"... become the token "abd" and "Abu"/"Abou" the token "abu", and a
   name written joined ("Abdulrahman", "Abubakar") is split the same way ("abd rahman"), since
   lists and people write "Abd al-Rahman", "Abdul Rahman" and "Abdulrahman" alike and swap
   token order; "Abdullah" in all its spellings becomes "abd allah"; "ibn" becomes "bin".

A step that would remove every token is skipped, so "Limited" or "Doctor" alone still match.
The sorted tokens (``key``) make the comparison independent of token order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from unidecode import unidecode

HONORIFICS = frozenset(
    """
    mr mrs ms miss mister madam madame mme mlle sir dame lord lady dr doctor prof professor
    rev reverend fr father sr jr hon honorable honourable excellency he
    sheikh shaikh shaykh sheik cheikh haji hajji hadji hajj alhaji alhaj mullah mulla molla
    maulana mawlana maulvi maulavi mawlawi moulvi qari imam sayed sayyid syed mufti hafiz
    """.split()
)

# Legal forms as token sequences; the longest forms are tried first.
_LEGAL_FORM_PHRASES = """
    limited liability company | limited liability partnership | joint stock company
    closed joint stock company | open joint stock company | public joint stock company
    public limited company | private limited company | limited partnership
    sociedad anonima | sa de cv | s de rl de cv | s de rl | sdn bhd | sp z oo | sp z o o
    pte ltd | pvt ltd | co ltd | company limited | fz llc | fz co
"""
_LEGAL_FORM_WORDS = """
    llc llp lp ltd limited inc incorporated corp corporation co company plc gmbh mbh ag kg
    ohg ug sa sas sarl srl spa sl bv nv oy ab asa jsc ojsc cjsc pjsc ooo oao zao pao ao tov
    pat dat fze fzco fzc fzllc pte pvt bhd tbk kft doo ad dd eood sro as ltda cia
    cv rl ca sal scs pty sprl
"""
#: Connecting words of entity names, dropped for entities so that a legal form or a name
#: written in another order ("C.V. DE S.A. X" / "X S.A. DE C.V.") leaves nothing behind.
ENTITY_STOPWORDS = frozenset("of the and de del des du y e et und for".split())
LEGAL_FORMS = frozenset(_LEGAL_FORM_WORDS.split())
_LEGAL_PHRASES = sorted(
    (tuple(p.split()) for p in re.split(r"[|\n]", _LEGAL_FORM_PHRASES) if p.strip()),
    key=len,
    reverse=True,
)

ARTICLES = frozenset({"al", "el", "ul"})
#: Words normalization drops (or may drop): a query token one edit from one of them and from
#: no listed token is most likely a mistyped legal form, article or title ("LsD", "Hsaji").
NOISE_WORDS = HONORIFICS | LEGAL_FORMS | ENTITY_STOPWORDS | ARTICLES | {w for p in _LEGAL_PHRASES for w in p}

_PARTICLES = {"abd": "abd", "abu": "abu", "abou": "abu", "abo": "abu", "ibn": "bin"}
_PARTICLES.update(dict.fromkeys(("abdul", "abdel", "abdal", "abdol", "abdoul", "abdu", "abdur", "abdus"), "abd"))
# A joined particle: the longest prefix first, then at least three letters of name.
_JOINED = re.compile(r"^(abdoul|abdul|abdel|abdal|abdol|abdur|abdus|abdu|abd|abou|abu)([a-z]{3,})$")
# What remains of "Abdullah", "Abdallah", "Abdellah", "Abdillah"... after the particle.
_ALLAH = frozenset({"lah", "llah", "la", "lla", "allah", "alla", "ullah", "ulla", "illah", "ellah"})
_ALLAH |= {form[:-1] + "kh" for form in _ALLAH if form.endswith("h")}  # Cyrillic "х" for "h"
_FUZZY_LEGAL_FORMS = tuple(w for w in LEGAL_FORMS if len(w) >= 4)
# Each form under itself and every one-deletion of it: a token one edit from a form shares a key.
_FUZZY_NEIGHBOURS: dict[str, list[str]] = {}
for _form in _FUZZY_LEGAL_FORMS:
    for _i in range(len(_form) + 1):
        _FUZZY_NEIGHBOURS.setdefault(_form[:_i] + _form[_i + 1 :], []).append(_form)
# Legal phrases, in either order, by their first token.
_PHRASES_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _phrase in _LEGAL_PHRASES:
    for _variant in dict.fromkeys((_phrase, _phrase[::-1])):
        _PHRASES_BY_FIRST.setdefault(_variant[0], []).append(_variant)
_CYRILLIC = str.maketrans(
    {
        "й": "y", "Й": "Y", "я": "ya", "Я": "Ya", "ю": "yu", "Ю": "Yu", "ё": "yo", "Ё": "Yo",
        "ы": "y", "Ы": "Y", "ъ": "", "Ъ": "", "ь": "", "Ь": "", "е": "e", "Е": "E",
    }
)  # fmt: skip

PERSON = "person"
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bc\u02bb]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A name reduced for comparison: ``tokens`` in written order, ``key`` sorted and joined."""

    tokens: tuple[str, ...]
    key: str

    def __bool__(self) -> bool:
        return bool(self.tokens)


def _strip_phrases(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase in _PHRASES_BY_FIRST.get(tokens[i], ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _without(tokens: list[str], drop) -> list[str]:
    kept = [t for t in tokens if t not in drop]
    return kept or tokens


def _split_particles(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        particle = _PARTICLES.get(token)
        if particle:
            out.append(particle)
            continue
        joined = _JOINED.match(token)
        if joined:
            prefix, rest = joined.groups()
            out.append(_PARTICLES[prefix])
            out.append("allah" if rest in _ALLAH else rest)
        elif token.startswith("abd") and token[3:] in _ALLAH:
            out.extend(("abd", "allah"))  # abdulla, abdalla: too short for the pattern
        else:
            out.append(token)
    return out


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one substitution, insertion, deletion or swap."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or (a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1 :] == shorter[i:]


def _strip_misspelled_legal_form(tokens: list[str]) -> list[str]:
    last = tokens[-1] if len(tokens) > 1 else ""
    if len(last) >= 4:
        forms = {f for i in range(len(last) + 1) for f in _FUZZY_NEIGHBOURS.get(last[:i] + last[i + 1 :], ())}
        if any(_one_edit(last, form) for form in forms):
            return tokens[:-1]
    return tokens


def normalize_name(name: str, kind: str | None = PERSON) -> NormalizedName:
    """Normalize ``name`` for comparison. ``kind`` "person" or None -> person rules;
    "entity", "vessel" or "aircraft" -> legal-form rules."""
    return _normalize(name, kind in (PERSON, None))


@lru_cache(maxsize=65536)
def _normalize(name: str, person: bool) -> NormalizedName:
    text = unidecode(name.translate(_CYRILLIC))
    text = _APOSTROPHES.sub("", text).replace(".", "")
    if person and text.count(",") == 1:
        last, _, first = text.partition(",")
        text = f"{first} {last}"
    tokens = _NON_ALNUM.sub(" ", text.lower()).split()
    if person:
        tokens = _without(tokens, HONORIFICS)
    else:
        tokens = _strip_phrases(tokens) or tokens
        tokens = _without(tokens, ENTITY_STOPWORDS)
        tokens = _strip_misspelled_legal_form(_without(tokens, LEGAL_FORMS))
    tokens = _without(tokens, ARTICLES)
    if person:
        tokens = _split_particles(tokens)
    else:
        tokens = [_PARTICLES.get(t, t) for t in tokens]
    return NormalizedName(tuple(tokens), " ".join(sorted(tokens)))


_PHONETIC = str.maketrans({"q": "k", "c": "k", "z": "s", "v": "f", "w": "f", "j": "y", "x": "ks"})
_VOWELS = re.compile(r"[aeiouy]+")
_DIGRAPH_H = re.compile(r"(?<=[kstdgfp])h")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """A coarse phonetic key: transliteration variants of one name share it.

    Mohammed / Muhammad / Mohamad -> "mhmd"; Usama / Osama -> "asm"; Qaddafi / Kadhafi -> "kdf";
    Felix / Feliks -> "flks";
    Khusein / Hussein -> "hsn".
    Consonant classes are merged, "kh" is "h", "h" after a consonant (sh, th, dh, gh) is dropped,
    vowels are dropped except that a leading vowel becomes "a", and doubles collapse.
    """
    # Arabic and Russian "h" are written "kh" as often as "h" (Khussein / Hussein).
    t = token.replace("ph", "f").replace("kh", "h").translate(_PHONETIC)
    t = _DIGRAPH_H.sub("", t)
    lead = "a" if t[:1] in "aeiouy" else ""
    return lead + _REPEATS.sub(r"\1", _VOWELS.sub("", t))


_SOUND = str.maketrans({"q": "k", "c": "k", "z": "s", "v": "f", "w": "f", "j": "y", "x": "ks"})
_Y_VOWEL = re.compile(r"y(?![aeiou])")
_VOWEL_RUNS = re.compile(r"[aeiou]+")
_CONSONANT_H = re.compile(r"(?<=[kstdgfpb])h")


_VOWEL_CLASS = {"a": "a", "e": "e", "i": "e", "o": "o", "u": "o"}


@lru_cache(maxsize=65536)
def phonetic(token: str) -> str:
    """A phonetic key: consonant classes, where the vowels are, and the class of the first
    vowel (a / e-i / o-u); later vowels only count as "a vowel here".

    Transliteration variants share it: Mohammed / Muhammad / Mohamad -> "mohamad",
    Hussein / Husayn / Khusein -> "hosan", Najjar / Nayyar (Cyrillic "Наййар") -> "nayar",
    Hijazi / Khiyazi -> "heyasa", Sajjad / Sayyad -> "sayad", Aly / Ali -> "ala". Different
    names that only differ in their first vowel do not (Hassan "hasan" / Hussein, Feng / Wang).
    Finer than :func:`skeleton`, which drops the vowels: Ming and Mingguo share a skeleton ("mng") but not this key.
    """
    t = token.replace("ph", "f").replace("kh", "h").translate(_SOUND)
    t = _Y_VOWEL.sub("i", _CONSONANT_H.sub("", t))  # y before a vowel is a consonant
    runs = _VOWEL_RUNS.split(t)
    if len(runs) > 1:
        first = _VOWEL_RUNS.search(t).group(0)[0]
        t = runs[0] + _VOWEL_CLASS[first] + "a".join(runs[1:])
    return _REPEATS.sub(r"\1", t)
