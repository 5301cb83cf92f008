"""Word lists for question understanding and answer extraction (data only).

Each concept lists Arabic and English words for one thing a journalist asks
about, so an English question can be matched against an Arabic report and the
reverse. Words are raw; callers analyse them with ``arabic.tokenize``. Places
are a small gazetteer of Syrian places often named in conflict reports.
"""

from __future__ import annotations

from assistant.text.arabic import normalize

_CONCEPT_TEXT = {
    # events
    "killed": "قتل قتلى قتيل قتيلا قتلوا مقتل قضوا قضى لقوا مصرع استشهد استشهاد شهيد شهداء وفاة "
              "توفي ضحايا حصيلة اعدم اعدام killed kill dead death deaths died toll fatalities "
              "executed lives",
    "injured": "جرحى جريح جرح جرحت مصاب مصابين المصابين اصابة اصابات اصيب injured wounded "
               "injuries hurt wounding",
    "destroyed": "دمر تدمير مدمر دمار destroyed destruction demolished razed",
    "displaced": "نازح نازحين نزوح مهجر تهجير displaced refugees fled",
    "detained": "معتقل معتقلين اعتقال اعتقل detained arrested detainees",
    # who / what is counted
    "civilians": "مدني مدنيين مدنيون مدنيا civilians civilian",
    "children": "اطفال طفل طفلا اطفالا children child kids boys",
    "women": "نساء امرأة سيدات سيدة مواطنات women woman",
    "regime": "قوات النظام النظام الجيش النظامي قوات الحكومة regime government pro-regime forces",
    "isis": "تنظيم الدولة الإسلامية داعش islamic state isis isil daesh",
    "hts": "هيئة تحرير الشام جبهة النصرة النصرة hayat tahrir sham hts nusra",
    "fighters": "مقاتل مقاتلين مقاتلا عناصر عنصر عنصرا مسلحين fighters fighter militants members "
                "gunmen combatants",
    "officers": "ضابط ضباط officers officer",
    "airstrikes": "غارة غارات ضربة ضربات طلعات airstrikes airstrike strikes strike raids raid sorties",
    "barrels": "برميل براميل barrel barrels",
    "hospitals": "مستشفى مستشفيات مشفى مشافي مشاف hospital hospitals",
    "doctors": "طبيب اطباء طبيبا doctors doctor physicians",
    "staff": "طاقم كادر عاملين عامل staff workers personnel",
    "patients": "مرضى مريض patients patient",
    "videos": "فيديو مقطع مقاطع videos video footage clips",
    "incidents": "حادثة حوادث حادثه واقعة incidents incident cases",
    "attacks": "هجوم هجمات attacks attack",
    "people": "شخص اشخاص نسمة people persons",
    "beneficiaries": "مستفيد مستفيدين المستفيدين beneficiaries",
    "homes": "منزل منازل بيوت بيت مساكن homes houses home",
    "missiles": "صاروخ صواريخ missiles missile rockets rocket",
    "shells": "قذيفة قذائف shells shell mortar mortars",
    "chemical": "كيماوي كيميائي كيماوية كيميائية chemical",
    "chlorine": "كلور chlorine",
    "cluster": "عنقودي عنقودية cluster",
    "incendiary": "حارق حارقة incendiary",
    "thermobaric": "فراغي فراغية حرارية thermobaric vacuum",
    "mosque": "جامع مسجد mosque",
    "reinforcements": "تعزيزات reinforcements",
    "days": "يوم ايام days day",
    "times": "مرة مرات times",
    "representatives": "ممثلين ممثل representatives",
    "negotiation": "تفاوض التفاوض مفاوضات يتفاوض تتفاوض negotiating negotiation negotiations talks",
    "bombing": "قصف bombing bombardment shelling shelled bombed",
    "russian": "روسي روسية الروسية روسيا russian russia russians",
    "alleged": "مزعوم مزعومة المزعومة يرجح المرجحة alleged allegedly suspected",
    "archive": "ارشيف الأرشيف archive",
    "used": "استخدم استخدمت استخدام استعمال used use using",
    "weapons": "سلاح اسلحة أسلحة الأسلحة weapon weapons arms",
    "identified": "حدد حددت تحديد identified identify documented",
}
_MONTH_TEXT = ["January Jan كانون يناير", "February Feb شباط فبراير", "March Mar آذار مارس",
               "April Apr نيسان أبريل ابريل إبريل", "May أيار مايو", "June Jun حزيران يونيو يونيه",
               "July Jul تموز يوليو يوليه", "August Aug آب أغسطس اغسطس", "September Sep Sept أيلول سبتمبر",
               "October Oct تشرين أكتوبر اكتوبر", "November Nov تشرين نوفمبر", "December Dec كانون ديسمبر"]
CONCEPTS: dict[str, list[str]] = {k: v.split() for k, v in _CONCEPT_TEXT.items()}
CONCEPTS.update({f"month{i + 1}": words.split() for i, words in enumerate(_MONTH_TEXT)})
EVENTS = frozenset({"killed", "injured", "destroyed", "displaced", "detained"})
GENERIC = frozenset({"days", "times"})

# Gazetteer: English spellings and Arabic names of the same place.
_PLACE_TEXT = """aleppo|حلب; idlib|idleb|إدلب; damascus|دمشق; homs|حمص; hama|hamah|حماة; raqqa|الرقة;
deir ez-zor|deir ezzor|dayr al-zawr|دير الزور; daraa|deraa|درعا; latakia|اللاذقية; tartus|طرطوس;
qamishli|القامشلي; hasakah|hasaka|الحسكة; manbij|منبج; ghouta|الغوطة; douma|دوما;
yarmouk|اليرموك; kafranbel|kafr nabl|كفرنبل; khan shaykhun|khan sheikhoun|خان شيخون; ariha|أريحا;
tal rifaat|تل رفعت; jisr al-shughur|jisr al-shugour|جسر الشغور; lataminah|latamneh|اللطامنة;
talbisseh|talbiseh|تلبيسة; hamouria|hamouriyeh|حمورية; saraqeb|سراقب;
maarat al-numan|maarat al-nouman|معرة النعمان; afrin|عفرين; kobani|كوباني|عين العرب;
palmyra|تدمر; qalamoun|القلمون; shinan|shnan|شنان; kafr takharim|kafrtakharim|كفرتخاريم;
hajar al-aswad|الحجر الأسود; tadamon|التضامن; qadam|القدم; buyir|بوير; base 46|الفوج 46;
khan al-assal|خان العسل; al-bab|الباب; jarablus|جرابلس; azaz|اعزاز; tal abyad|تل أبيض;
zabadani|الزبداني; madaya|مضايا; darayya|داريا; sarmin|سرمين; kafr zita|كفرزيتا;
al-lataminah|اللطامنة; urum al-kubra|أورم الكبرى; atarib|الأتارب; syria|سوريا|سورية"""
PLACE_GROUPS: list[list[str]] = [
    [normalize(n.strip()) for n in group.split("|")] for group in _PLACE_TEXT.split(";")
]
PLACES: tuple[str, ...] = tuple(n for g in PLACE_GROUPS for n in g)
CONCEPTS.update({f"place:{g[0]}": g for g in PLACE_GROUPS})

# Words that make up question cues, not content ("how many", "كم", "according to").
QWORDS = """كم عدد بأي ما متى أين اين من أي اي هل كيف لماذا ماذا بالضبط وفق وفقا بحسب حسب
how many much what when where who whom which whose why according did does do was were is are
the a an exactly""".split()

MONTHS = {
    "en": "January February March April May June July August September October November "
          "December".split(),
    "ar": "كانون الثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول|تشرين الثاني|كانون الأول"
          .split("|"),
}

# Weapons and munitions, longest first so "براميل متفجرة" wins over "براميل".
WEAPONS = sorted("""براميل متفجرة|برميل متفجر|ذخائر عنقودية|قنابل عنقودية|أسلحة كيماوية|سلاح كيماوي
|غاز الكلور|الكلور|غاز السارين|السارين|أسلحة حارقة|ذخائر حارقة|قنابل حارقة|صواريخ|صاروخ|قذائف هاون
|قذائف مدفعية|قذائف|قنابل|قنبلة|رشاشات ثقيلة|طائرات مسيرة|طائرة مسيرة|سيارة مفخخة|عبوة ناسفة|ألغام
|أسلحة فراغية|ذخائر فراغية|قصف مدفعي|قصف صاروخي|قصف مدفعي وصاروخي|الطائرات الحربية والمروحية
|الطائرات الحربية|الطائرات المروحية|طائرات حربية|طائرات مروحية|barrel bombs|barrel bomb|cluster munitions|cluster bombs|chemical weapons
|chlorine gas|chlorine|sarin|incendiary weapons|incendiary munitions|rockets|rocket|missiles|missile
|mortar shells|mortars|mortar|artillery shells|artillery|shells|bombs|car bomb|truck bomb|ied|drones
|drone|thermobaric weapons|vacuum bombs|landmines|heavy machine guns""".replace("\n", "").split("|"),
                 key=len, reverse=True)

# Armed actors and institutions named in reports, longest first.
ACTORS = sorted("""قوات النظام|المسلحين الموالين لها|المسلحون الموالون|تنظيم “الدولة الإسلامية”
|تنظيم الدولة الإسلامية|الدولة الإسلامية|داعش|هيئة تحرير الشام|جبهة النصرة|قوات سوريا الديمقراطية
|قسد|الجيش السوري الحر|الجيش الحر|الفصائل المقاتلة|الفصائل الإسلامية|الفصائل|القوات الروسية|الروس
|الطائرات الروسية|الطائرات الحربية|القوات الجوية الروسية|القوات الجويّة الروسية|القوات التركية
|التحالف الدولي|وحدات حماية الشعب|حزب الله|الدفاع المدني|النظام|regime forces|government forces
|pro-government forces|syrian army|syrian government|russian forces|russian air force|russian
|islamic state|isis|isil|daesh|nusra front|al-nusra|hayat tahrir al-sham|hts|sdf
|syrian democratic forces|free syrian army|fsa|rebels|hezbollah|us-led coalition|coalition
|turkish forces|ypg|white helmets|civil defence""".replace("\n", "").split("|"), key=len, reverse=True)

# Place-type words that announce a place name ("بلدة حمورية", "Ariha town").
PLACE_TYPES = """منطقة مدينة بلدة قرية حي أحياء مخيم ريف محافظة مشفى مستشفى جامع مسجد القسم
area city town village district neighbourhood neighborhood camp countryside province""".split()

# Cue patterns per type, checked in this order on the normalised question.
QUESTION_CUES: list[tuple[str, str]] = [
    ("time", r"في اي ساعه|اي ساعه|متي بالضبط|في اي وقت|ما الوقت|الساعه كم|ما ساعه"
             r"|what time|at what hour|which hour|when exactly|what hour"),
    ("weapon", r"باي سلاح|اي سلاح|ما السلاح|ما الاسلحه|ما نوع السلاح|ما نوع الذخير|اي ذخير|ما الذخائر"
               r"|باي ذخير|what weapon|which weapon|what kind of weapon|what type of weapon"
               r"|what munition|which munition|what type of munition|what kind of munition|with what"),
    ("count", r"كم|ما عدد|عدد|ما حصيله|how many|how much|death toll|number of|what toll"),
    ("date", r"متي|في اي يوم|اي يوم|ما تاريخ|في اي تاريخ|في اي شهر|في اي عام|في اي سنه|تاريخ"
             r"|\bwhen\b|what date|which date|which day|what day|on what day|in what month|in what year"),
    ("place", r"من اين|الي اين|اين|اي حي|اي احياء|اي منطق|اي مدين|اي بلد|اي قري|في اي مكان|ما الموقع"
              r"|اي محافظ|\bwhere\b|which (?:neighbou?rhoods?|district|town|city|village|area|province"
              r"|region|places?)|what (?:place|town|city|village|area|location)"),
    ("actor", r"^و?من (?!اين)|من هي|من هم|من المسؤول|اي جه|اي فصيل|ما الجه|اي طرف|الاطراف|\bwho\b"
              r"|\bwhom\b|which (?:group|party|parties|side|faction|force|forces|organi[sz]ation|armed)"
              r"|what (?:group|party|faction|organi[sz]ation)"),
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
