"""Text normalisation for mixed Vietnamese/English profiles.

Vietnamese is written with or without diacritics ("cảng biển" / "cang bien"), so every text
is folded to lower-case ASCII (``đ`` -> ``d``) before vectorising. A small bilingual
glossary then appends the English for common Vietnamese sector phrases, so that
"logistics cảng biển" and "port logistics" share words as well as character n-grams.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["GLOSSARY", "expand", "fold"]

_WORD = re.compile(r"[a-z0-9]+")
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
    "doanh nghiep": "enterprise b2b",
    "khoi nghiep": "startup",
    "doi moi sang tao": "innovation",
}
_PHRASES = sorted(GLOSSARY, key=len, reverse=True)
_GLOSSARY_RE = re.compile(r"\b(" + "|".join(re.escape(p) for p in _PHRASES) + r")\b")


def fold(text: str) -> str:
    """Lower-case ASCII: diacritics removed, ``đ`` -> ``d``, punctuation to spaces."""
    text = text.lower().replace("đ", "d")
    text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(_WORD.findall(text))


def expand(text: str) -> str:
    """Folded text plus the English of the Vietnamese glossary phrases found in it."""
    folded = fold(text)
    extra = [GLOSSARY[m] for m in _GLOSSARY_RE.findall(folded)]
    return folded + (" " + " ".join(extra) if extra else "")


def label(text: str) -> str:
    """A folded label used to compare sector names and places."""
    return fold(text)
