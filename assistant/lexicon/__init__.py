"""Word lists for question understanding and answer extraction (data only).

Each concept lists Arabic and English words for one thing a journalist asks
about, so an English question can be matched against an Arabic report and the
reverse: casualty and event terms, who is counted, what is hit, months, and the
one-word names of the weapons table. Words are raw; callers analyse them with
``arabic.tokenize``. Places, actors and weapons are tables (``tables``, matched
by ``places`` and ``actors``); sources in ``data/SOURCES.md``.
"""

from __future__ import annotations

from assistant.lexicon.tables import weapons
from assistant.text.arabic import tokenize
from assistant.text.numwords import AR_MONTH_NAMES, MONTH_NAMES

_CONCEPT_TEXT = {
    # what happens to people in conflict reports (ACLED / HRW casualty terms, both languages)
    "killed": "قتل قتلى قتيل قتيلا قتلوا قتلت مقتل قضوا قضى مصرع استشهد استشهاد شهيد شهداء "
              "وفاة توفي ضحايا حصيلة اعدم اعدام جثة جثث killed kill dead death deaths died toll "
              "fatalities executed bodies",
    "injured": "جرحى جريح جرح جرحت مصاب مصابين المصابين اصابة اصابات اصيب injured wounded "
               "injuries hurt wounding",
    "destroyed": "دمر تدمير مدمر دمار destroyed destruction demolished razed",
    "displaced": "نازح نازحين نزوح مهجر تهجير displaced refugees fled",
    "detained": "معتقل معتقلين اعتقال اعتقل مختطف اختطاف detained arrested detainees abducted",
    "missing": "مفقود مفقودين فقدان missing",
    # who is counted
    "civilians": "مدني مدنيين مدنيون مدنيا civilians civilian",
    "children": "اطفال طفل طفلا اطفالا قاصر قاصرين children child kids boys girls minors",
    "women": "نساء امرأة سيدات سيدة مواطنات women woman",
    "fighters": "مقاتل مقاتلين مقاتلا عناصر عنصر عنصرا مسلحين fighters fighter militants members "
                "gunmen combatants",
    "soldiers": "جندي جنود عسكري عسكريين soldiers soldier troops servicemen",
    "officers": "ضابط ضباط officers officer",
    "people": "شخص اشخاص نسمة مواطنين people persons residents",
    "medics": "طبيب اطباء طبيبا ممرض مسعف مسعفين طاقم كادر doctors doctor physicians nurses "
              "medics paramedics staff",
    "patients": "مرضى مريض patients patient",
    "journalists": "صحفي صحفيين اعلامي اعلاميين journalists journalist reporters",
    "teachers": "معلم معلمين مدرسين teachers teacher",
    # what is hit or counted
    "airstrikes": "غارة غارات ضربة ضربات طلعات airstrikes airstrike strikes strike raids raid sorties",
    "attacks": "هجوم هجمات اعتداء attacks attack",
    "incidents": "حادثة حوادث حادثه واقعة incidents incident cases",
    "bombing": "قصف bombing bombardment shelling shelled bombed",
    "explosions": "انفجار انفجارات تفجير explosion explosions blast blasts",
    "hospitals": "مستشفى مستشفيات مشفى مشافي مشاف hospital hospitals clinic",
    "schools": "مدرسة مدارس school schools",
    "markets": "سوق اسواق market markets",
    "mosque": "جامع مسجد مساجد mosque mosques",
    "homes": "منزل منازل بيوت بيت مساكن homes houses home",
    "vehicles": "سيارة سيارات الية اليات حافلة حافلات vehicles vehicle cars buses",
    "aircraft": "طائرة طائرات مروحية مروحيات aircraft planes jets warplanes helicopters",
    "videos": "فيديو مقطع مقاطع videos video footage clips",
    # military and political developments (ACLED's event types: battles, strategic
    # developments such as agreements, troop movements and transfers of territory)
    "clashes": "اشتباك اشتباكات معارك معركة clashes clash fighting battles battle",
    "offensive": "عملية عمليات حملة offensive operation operations campaign",
    "reinforcements": "تعزيزات تعزيز حشود reinforcements reinforcement",
    "convoy": "رتل ارتال قافلة قوافل convoy convoys",
    "ceasefire": "هدنة وقف اطلاق النار ceasefire truce",
    "agreement": "اتفاق اتفاقية تسوية agreement deal settlement",
    "negotiations": "تفاوض مفاوضات محادثات negotiations negotiating talks",
    "evacuation": "اجلاء خروج evacuation evacuated",
    "siege": "حصار محاصر siege besieged",
    "control": "سيطرة سيطر control seized captured took",
    "withdrawal": "انسحاب انسحبت withdrawal withdrew retreat",
    "days": "يوم ايام days day",
    "times": "مرة مرات times",
}
CONCEPTS: dict[str, list[str]] = {k: v.split() for k, v in _CONCEPT_TEXT.items()}
# Months, from the one table of month names (text.numwords).
CONCEPTS.update({f"month{i + 1}": names.split("|") + [MONTH_NAMES["en"][i]]
                 for i, names in enumerate(AR_MONTH_NAMES)})
# Weapons: each one-word name of the weapons table, so "chlorine" finds «الكلور» (names the
# words above already mean — "airstrikes", "helicopters" — stay with those).
_TAKEN = {t for words in CONCEPTS.values() for w in words for t in tokenize(w)}
for _w in weapons().values():
    _names = [n for n in _w.names if len(n.split()) == 1 and tokenize(n)
              and not set(tokenize(n)) & _TAKEN]
    if _names:
        CONCEPTS[f"weapon:{_w.id}"] = _names
        _TAKEN.update(t for n in _names for t in tokenize(n))
EVENTS = frozenset({"killed", "injured", "destroyed", "displaced", "detained", "missing"})
GENERIC = frozenset({"days", "times"})
MONTHS = MONTH_NAMES

# Words that make up question cues, not content ("how many", "كم", "according to").
QWORDS = """كم عدد بأي ما متى أين اين من أي اي هل كيف لماذا ماذا بالضبط وفق وفقا بحسب حسب
how many much what when where who whom which whose why according did does do was were is are
the a an exactly""".split()

# Place-type words that announce a place name ("بلدة حمورية", "Ariha town").
# Words that make the name after them a place (administrative units and the feature types
# of a gazetteer: GeoNames' classes — hill, mountain, airport, base, market, street …).
PLACE_TYPES = """منطقة مدينة بلدة قرية حي أحياء مخيم ريف محافظة مشفى مستشفى جامع مسجد القسم
قاعدة مطار سوق شارع تل جبل نهر ساحة دوار حاجز معبر مدرسة جسر سد ميناء
area city town village district neighbourhood neighborhood camp countryside province
base airport airbase market street hill mountain river square roundabout checkpoint
crossing school bridge dam port""".split()

# Words that make the name after them an actor: kinds of organisation and a person's
# titles (general Arabic and English vocabulary of news reports).
ACTOR_TYPES = """جماعة منظمة وحدة شركة هيئة لجنة جمعية مؤسسة جبهة حركة فصيل لواء كتيبة تنظيم
حزب مجلس وزارة محكمة جامعة المحامي الطبيب الدكتور الرائد العقيد العميد النقيب الملازم
الصحفي الناشط المتحدث الوزير المدير القائد الشيخ""".split()

# The means of an attack, as a question names them (normalised Arabic: ة → ه, أ → ا).
_MEANS_AR = (r"سلاح|اسلحه|الاسلحه|السلاح|ذخير\S*|ذخائر|صاروخ\S*|صواريخ|قنبل\S*|قنابل|قذيف\S*"
             r"|قذائف|برميل|براميل|طائر\S*|طراز")
_MEANS_EN = (r"weapons?|munitions?|ammunition|missiles?|rockets?|bombs?|shells?|aircraft"
             r"|warplanes?|planes?|jets?|helicopters?|drones?|explosives?|gas")
# Cue patterns per type, checked in this order on the normalised question.
QUESTION_CUES: list[tuple[str, str]] = [
    ("time", r"في اي ساعه|اي ساعه|متي بالضبط|في اي وقت|ما الوقت|الساعه كم|ما ساعه"
             r"|what time|at what hour|which hour|when exactly|what hour"),
    # a question about the means: "what / which (kind of) missiles, bombs, aircraft…",
    # «أي / ما (نوع) صاروخ، قنابل، ذخائر، طائرة…», «بماذا استُهدف / قُصف»
    ("weapon", r"(?:ب|من )?اي (?:نوع (?:من )?)?(?:" + _MEANS_AR + r")|ما (?:نوع |طراز )?(?:ال)?(?:"
               + _MEANS_AR + r")|ما (?:نوع|طراز)\b|بماذا (?:است?هدف|قصف|ضرب|هوجم|رمي|رمت|رموا)"
               r"|\b(?:what|which)\s+(?:(?:kind|type|sort|model)s?\s+of\s+)?(?:" + _MEANS_EN
               + r")\b|with what"),
    ("count", r"كم|ما عدد|عدد|ما حصيله|how many|how much|death toll|number of|what toll"),
    ("date", r"متي|في اي يوم|اي يوم|ما تاريخ|في اي تاريخ|في اي شهر|في اي عام|في اي سنه|تاريخ"
             r"|\bwhen\b|what date|which date|which day|what day|on what day|in what month|in what year"),
    ("place", r"من اين|الي اين|اين|اي حي|اي احياء|اي منطق|اي مدين|اي بلد|اي قري|في اي مكان|ما الموقع"
              r"|اي محافظ|\bwhere\b|which (?:neighbou?rhoods?|district|town|city|village|area|province"
              r"|region|places?)|what (?:place|town|city|village|area|location)"),
    ("actor", r"^و?من (?!اين|اي )|من هي|من هم|من المسؤول|اي جه|اي فصيل|ما الجه|اي طرف|الاطراف|\bwho\b"
              r"|\bwhom\b|which (?:group|party|parties|side|faction|force|forces|organi[sz]ation|armed)"
              r"|what (?:group|party|faction|organi[sz]ation)"
              # "which (US military) command", «ما المنظمة / أي جماعة / ما الشركات»
              r"|\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?:groups?|factions?|parties|party|forces?|command|organi[sz]ations?"
              r"|compan(?:y|ies)|units?|agenc(?:y|ies)|authorit(?:y|ies)|militias?|coalition"
              r"|ministry|court|universit(?:y|ies)|charit(?:y|ies)|ngos?)\b"
              r"|(?:ما|اي) (?:ال)?(?:منظم|جماع[هات]|جه[هات]|شرك|هيئ|لجن|جمعي|مؤسس|فصائل|تنظيم|حزب"
              r"|مجلس|وزار|محكم|جامعه|وحده|وحدات)"),
]

# Words that end the "what is counted" phrase after كم / how many.
TARGET_STOP_WORDS = """الذي الذين التي اللذين اللتين اللواتي ممن من في خلال على الى إلى عن منذ بين بعد
قبل حين يوم كان كانت تم هل were was did do does had have has are is in on at from according during
since by of after before when"""

# Capitalised words after "in/on/of" that are not places.
NOT_PLACE_WORDS = """the syrian observatory sohr daesh isis isil islamic nusra hazm russian russia turkish
tuesday monday wednesday thursday friday saturday sunday january february march april may june july
august september october november december"""

# Words between a figure and what it counts ("52 على الأقل عدد عناصر …").
FILLER_WORDS = """على الأقل عدد نحو حوالي قرابة أكثر أقل ما لا يقل عن at least about around nearly some
more than over estimated total of"""
# A figure followed by one of these is a duration or measure, not a count.
UNIT_WORDS = """يوم يوما أيام ساعة ساعات أسبوع أسابيع شهر أشهر سنة سنوات عام أعوام عاما دقيقة دقائق
كيلومتر كم متر day days hour hours week weeks month months year years minute minutes km kilometres
kilometers metres percent بالمئة بالمائة % old"""

# Fact-sheet labels ("الموقع: إدلب") that introduce an answer of a type.
ANSWER_LABELS = {
    "place": r"الموقع|المكان|location|place",
    "actor": r"الجاني المحتمل|الجهة المسؤولة|المسؤولية المحتملة|المسؤولية المُحتملة|perpetrators?"
             r"|responsib(?:le|ility)",
    "weapon": r"الأسلحة المُستخدمة|الأسلحة المستخدمة|السلاح المستخدم|الأسلحة|weapons?(?: used)?"
              r"|munitions?",
}
