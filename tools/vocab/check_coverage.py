#!/usr/bin/env python3
"""Coverage check for places_sy.tsv: which of the issue's test names are present.

exact: the string equals name_ar/name_en or one of the alt names (English compared
case-insensitively). norm: after a light Arabic fold (أإآ->ا, ة->ه, ى->ي, tatweel and
diacritics removed) and a Latin fold (accents, apostrophes, hyphens -> space).
"""
import csv
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
AR = ("حلب إدلب|خان شيخون|الباغوز|دوما|كفرنبل|اللطامنة|سراقب|معرة النعمان|حمورية|عربين|الحجر الأسود|"
      "مخيم اليرموك|التضامن|القدم|تلبيسة|الرستن|أريحا|جسر الشغور|كفرتخاريم|شنان|تل رفعت|عفرين|منبج|الرقة|"
      "دير الزور|البوكمال|الميادين|تدمر|القريتين|الضمير|الرحيبة|جيرود|دمشق|درعا|القنيطرة|السويداء|طرطوس|"
      "بانياس|القامشلي").replace("حلب إدلب", "حلب|إدلب").split("|")
EN = ["Khan Sheikhoun", "Baghuz", "Eastern Ghouta", "Yarmouk"]


def norm(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub("[أإآٱ]", "ا", s).replace("ة", "ه").replace("ى", "ي").replace("ـ", "")
    s = re.sub(r"[\u064B-\u0652\u0670]", "", s)
    s = re.sub(r"['‘’ʿʾ`\-]", " ", s.casefold())
    return re.sub(r"\s+", " ", s).strip()


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "places_sy.tsv")
    exact, normed = {}, {}
    with open(path, encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            names = [r["name_ar"], r["name_en"]] + r["alt_names_ar"].split(" | ") + r["alt_names_en"].split(" | ")
            for n in names:
                n = n.strip()
                if n:
                    exact.setdefault(n.casefold(), []).append((r["id"], r["level"]))
                    normed.setdefault(norm(n), []).append((r["id"], r["level"]))
    found_e = found_n = 0
    for q in AR + EN:
        e = exact.get(q.casefold(), [])
        n = normed.get(norm(q), [])
        found_e += bool(e)
        found_n += bool(n)
        hits = e or n
        levels = sorted({lv for _, lv in hits})
        print("%-16s exact=%-3s norm=%-3s levels=%s e.g. %s" % (q, len(e), len(n), ",".join(levels),
                                                             ",".join(i for i, _ in hits[:3])))
    print("found exact %d/%d, normalised %d/%d" % (found_e, len(AR) + len(EN), found_n, len(AR) + len(EN)))


if __name__ == "__main__":
    main()
