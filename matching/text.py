"""Text normalisation for mixed Vietnamese/English profiles.

Vietnamese is written with or without diacritics ("cảng biển" / "cang bien"), so every text
is folded to lower-case ASCII (``đ`` -> ``d``) before vectorising. A small bilingual
glossary then appends the English for common Vietnamese sector phrases, so that
"logistics cảng biển" and "port logistics" share words as well as character n-grams.

Folding loses what a person reads, so the reasons never show folded text: ``Surface``
keeps, for every folded word of a text, the word as it was written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = [
    "GLOSSARY",
    "STOP_WORDS",
    "VECTOR_STOP_WORDS",
    "Surface",
    "expand",
    "expand_folded",
    "fold",
    "fold_label",
    "has_diacritics",
    "is_vietnamese_syllable",
    "syllables_in",
]

_WORD = re.compile(r"[a-z0-9]+")
_SURFACE_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# The combining diacritical blocks: every mark that decomposed Latin letters carry (all of
# Vietnamese's tones, hooks, horns and breves are in the first).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

#: Folded Vietnamese phrase -> English words appended to the text (longest first wins).
GLOSSARY: dict[str, str] = {
    "cang bien": "port seaport maritime",
    "hang hai": "maritime shipping",
    "van tai bien": "shipping maritime",
    "van tai": "transport logistics",
    "kho bai": "warehouse logistics",
    "chuoi cung ung": "supply chain",
    "xuat nhap khau": "import export trade",
    "thuong mai dien tu": "ecommerce e-commerce",
    "ban le": "retail",
    "nong nghiep": "agriculture agritech",
    "thuy san": "aquaculture seafood",
    "nuoi trong": "aquaculture",
    "thuc pham": "food",
    "y te": "health healthcare medtech",
    "benh vien": "hospital healthcare",
    "suc khoe": "health",
    "duoc pham": "pharma",
    "giao duc": "education edtech",
    "hoc truc tuyen": "online learning edtech",
    "tai chinh": "finance fintech",
    "thanh toan": "payments fintech",
    "ngan hang": "banking fintech",
    "bao hiem": "insurance insurtech",
    "nang luong tai tao": "renewable energy cleantech",
    "nang luong mat troi": "solar energy",
    "dien gio": "wind energy",
    "nang luong": "energy",
    "moi truong": "environment climate",
    "xu ly rac": "waste recycling",
    "tai che": "recycling",
    "bat dong san": "real estate proptech",
    "xay dung": "construction",
    "san xuat": "manufacturing",
    "nha may thong minh": "smart factory manufacturing",
    "cong nghiep": "industry industrial",
    "tu dong hoa": "automation",
    "tri tue nhan tao": "artificial intelligence ai",
    "hoc may": "machine learning ai",
    "du lieu": "data",
    "phan mem": "software saas",
    "dien toan dam may": "cloud",
    "an ninh mang": "cybersecurity security",
    "chuyen doi so": "digital transformation",
    "thanh pho thong minh": "smart city",
    "giao thong": "mobility transport",
    "du lich": "tourism travel",
    "khach san": "hospitality hotel",
    "ban dan": "semiconductor",
    "vi mach": "chip semiconductor",
    "dien tu": "electronics",
    "thiet bi": "device hardware",
    "robot": "robotics",
    "viec lam": "jobs hr recruitment",
    "nhan su": "hr human resources",
    "tuyen dung": "recruitment hr",
    "giai tri": "entertainment media",
    "truyen thong": "media",
    "nguoi tieu dung": "consumer",
    "khach hang": "customers customer",
    "doanh nghiep": "enterprise b2b",
    "khoi nghiep": "startup",
    "doi moi sang tao": "innovation",
}
_PHRASES = sorted(GLOSSARY, key=len, reverse=True)
_GLOSSARY_RE = re.compile(r"\b(" + "|".join(re.escape(p) for p in _PHRASES) + r")\b")

#: English function words that are also Vietnamese syllables once folded ("an" in "an
#: ninh", "so" in "chuyển đổi số", "the" in "thẻ"): kept as words when vectorising.
_FOLDED_SYLLABLES = frozenset({
    "a", "am", "an", "be", "co", "con", "de", "do", "go", "he", "in", "me", "no", "on",
    "so", "ten", "the", "thin", "to", "top", "up",
})
#: Words dropped before vectorising: English function words, except the folded
#: Vietnamese syllables above (idf already weighs down what is common).
VECTOR_STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS) - _FOLDED_SYLLABLES

#: Vietnamese function words (folded): never shown as a shared term, alone or at the
#: edge of a phrase. Not dropped when vectorising: folded, several are also content
#: syllables ("cua" is "của" and "cua", crab; "tai" is "tại" and "tài chính").
_VI_FUNCTION_WORDS = frozenset({
    "va", "cua", "cac", "nhung", "duoc", "mot", "voi", "cho", "la", "tai", "trong", "nay",
    "nhu", "tren", "khi", "den", "theo", "ve", "da", "se", "thi", "ma", "hoac", "cung",
    "rat", "nhieu", "vao", "ra", "bang", "nhat", "chung", "toi", "ban", "ho", "minh",
    "tu", "de", "do", "co", "khong", "hay", "neu", "vi", "boi", "sau", "truoc", "nen",
    "moi", "tat", "ca", "dang", "luon", "hon", "gi", "nao", "dau",
    "viec", "su", "nguoi", "o", "qua", "giua", "duoi", "bi", "lai", "them", "chi",
})
#: What is never shown as a shared term.
STOP_WORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS) | _VI_FUNCTION_WORDS
#: Syllables of the glossary's Vietnamese phrases: never a word on their own.
_GLOSSARY_SYLLABLES = frozenset(w for p in GLOSSARY for w in p.split()) - {"robot"}


def fold(text: str) -> str:
    """Lower-case ASCII: diacritics removed, ``đ`` -> ``d``, punctuation to spaces."""
    text = text.lower().replace("đ", "d")
    text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(_WORD.findall(text))


#: The shape of a Vietnamese syllable once folded: an onset, a vowel group, a coda
#: ("sinh", "thanh", "nguyen"). English words rarely fit ("port", "solar", "data").
_VI_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:uye|uya|uyu|ieu|yeu|uoi|uou|oai|oay|uay|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|ua|ue"
    r"|ui|uo|uu|uy|ye|[aeiouy])"
    r"(?:ch|ng|nh|[cmnpt])?")


def is_vietnamese_syllable(folded: str) -> bool:
    """Whether a folded word has the shape of a Vietnamese syllable."""
    return _VI_SYLLABLE.fullmatch(folded) is not None


@lru_cache(maxsize=262_144)
def _fold_word(word: str) -> str:
    return fold(word)


@lru_cache(maxsize=65_536)
def fold_label(text: str) -> str:
    """``fold`` of a short text that repeats across profiles (a sector, a place), cached."""
    return fold(text)


_ACCENTED_WORD = re.compile(r"[^\W\d_]*[^\x00-\x7f][^\W\d_]*")


def syllables_in(texts: Iterable[str]) -> set[str]:
    """Folded words written with a diacritic somewhere in the texts: Vietnamese
    syllables, which on their own are part of a word, not a word ("biển" -> "bien")."""
    # A text in plain ASCII has no diacritic to find: only the others are scanned.
    found = set(_ACCENTED_WORD.findall("\n".join(t for t in texts if not t.isascii())))
    return {_fold_word(w) for w in found if has_diacritics(w)} | set(_GLOSSARY_SYLLABLES)


def has_diacritics(word: str) -> bool:
    """True when the word carries a Vietnamese (or any Latin) diacritic or ``đ``."""
    return "đ" in word.lower() or bool(_MARKS.search(unicodedata.normalize("NFKD", word)))


def expand(text: str) -> str:
    """Folded text plus the English of the Vietnamese glossary phrases found in it."""
    return expand_folded(fold(text))


def expand_folded(folded: str) -> str:
    """``expand`` of a text that is folded already."""
    extra = [GLOSSARY[m] for m in _GLOSSARY_RE.findall(folded)]
    return folded + (" " + " ".join(extra) if extra else "")


def label(text: str) -> str:
    """A folded label used to compare sector names and places."""
    return fold(text)


class Surface:
    """Folded words of some texts, mapped back to how they were written.

    ``Surface(texts).get(folded)`` is the first spelling seen of each word of a folded
    word or phrase ("cang bien" -> "cảng biển"), in lower case when it is also written so;
    ``syllables`` holds the folded words that were written with a Vietnamese diacritic
    somewhere: on their own they are syllables of a word, not words ("bien", "cong").
    """

    def __init__(self, texts: Iterable[str] = (), syllables: set[str] | None = None) -> None:
        self._forms: dict[str, str] = {}
        self.syllables: set[str] = set(_GLOSSARY_SYLLABLES) if syllables is None else syllables
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        """Learn the spellings of one text."""
        words = _SURFACE_WORD.findall(text)
        folded = [_fold_word(w) for w in words]
        vietnamese = any(not w.isascii() and has_diacritics(w) for w in words)
        for word, key in zip(words, folded, strict=True):
            if not key or " " in key:  # a word that folds to two (rare punctuation)
                continue
            if not word.isascii() and has_diacritics(word):
                self.syllables.add(key)
            elif vietnamese and is_vietnamese_syllable(key):
                # A Vietnamese text: "sinh" in "học sinh" is a syllable, though unaccented.
                self.syllables.add(key)
            known = self._forms.get(key)
            if known is None or (word.islower() and known[1:].islower()
                                 and known.lower() == word):
                # first spelling seen, but lower case once it is seen so: "Khách hàng"
                # opens a sentence, "khách hàng" is the word (while "AI" stays "AI")
                self._forms[key] = word

    def get(self, folded: str) -> str | None:
        """How a folded word or phrase was written, or None when a word was never seen."""
        forms = [self._forms.get(w) for w in folded.split()]
        if not forms or None in forms:
            return None
        return " ".join(forms)  # type: ignore[arg-type]

    def displayable(self, folded: str) -> bool:
        """Whether a folded word or pair can be shown to a person as a shared term.

        Never a function word at either end, never digits alone; a single word only when
        it is a word of its own (not a Vietnamese syllable) of three letters or more, or
        an acronym written in capitals ("AI", "IoT").
        """
        parts = folded.split()
        if not parts or parts[0] in STOP_WORDS or parts[-1] in STOP_WORDS:
            return False
        if all(p.isdigit() for p in parts) or any(p not in self._forms for p in parts):
            return False
        if len(parts) > 1:
            # Two syllables make a Vietnamese word ("cảng biển"); a syllable beside a word
            # of its own ("logistics cảng") is half of one.
            syllables = [p in self.syllables for p in parts]
            return all(syllables) or not any(syllables)
        word = self._forms[folded]
        if sum(c.isupper() for c in word) >= 2 and word.isascii():
            return True  # an acronym: "AI", "IoT"
        if folded in self.syllables or has_diacritics(word):
            return False
        return len(folded) >= 3 and not folded.isdigit()
