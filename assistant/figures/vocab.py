"""The small vocabularies behind figure extraction (data only, no logic).

What a figure counts (``CATEGORIES``), which group it counts (``GROUPS``, a
normalised label with an English name), and the words that mark a number as
something other than a figure (``UNITS``, ``LABELS``). Places come from the
gazetteer (``lexicon.places``). Entries are whitespace-separated; ``_`` joins the words of a
phrase; a trailing ``*`` matches any ending. Arabic entries are matched after
``arabic.normalize`` and after dropping one clitic prefix (و ف ب ل ال وال …).
"""

from __future__ import annotations

# category -> words. Event categories say what happened to people; object
# categories say what thing is counted (they win when they follow the number).
EVENTS: dict[str, str] = {
    "killed": """قتل* مقتل* قتيل* شهيد* شهداء استشهاد* استشهد* قضوا قضى قضي حتفهم حتفه حتفها مصرع*
        جثث جثه جثامين جثمان* وفاه توفي* اعدام* اعدم* اعدموا
        kill* dead death* died die dying fatalities fatality bodies perished executed martyr*
        eliminated massacred""",
    "injured": """جرحى جريح* جرح* اصاب* اصيب* مصاب* injur* wound* hurt treated""",
    "casualties": """casualties casualty ضحايا victims""",
    "captured": """اسرى اسر اسرهم اسرت اعتقال* اعتقل* معتقل* اختطاف* اختطف* مختطف* احتجاز* محتجز*
        captur* arrest* detain* detention abduct* kidnap* prisoner* hostage*""",
    "displaced": """تهجير* مهجر* هجر* نزوح* نازح* نزح* لاجئ* تشريد* مشرد* اجلاء*
        displac* refugee* fled flee* evacuat* evacuees uprooted""",
    "missing": "مفقود* فقدان* missing",
}
OBJECTS: dict[str, str] = {
    "attacks": """هجوم هجمات هجومين حادثه حوادث حادثتين اعتداء* انفجار* تفجير* attack attacks incident*
        blast blasts explosion* bombings""",
    "strikes": """غاره غارات غارتين ضربه ضربات airstrike* air_strike* strike strikes raid raids sorties""",
    "shells": "قذيفه قذائف قذيفتين shell shells mortar* rocket_shell*",
    "barrel_bombs": "برميل* براميل barrel*",
    "rockets": "صاروخ* صواريخ rocket* missile*",
    "bombs": "قنبله قنابل قنبلتين bomb bombs munitions submunitions",
    "videos": "فيديو* مقطع* مقاطع video* footage clip clips",
    "hospitals": """مشفى مشافي مستشفى مستشفيات مستشفي منشات_طبيه مراكز_طبيه نقاط_طبيه hospital*
        مرافق_طبيه مرفق_طبي مراكز_صحيه medical_facilit* clinic*""",
    "schools": "مدرسه مدارس school schools",
    "buildings": "مبنى مباني منزل منازل بيوت جسر جسور مسجد مساجد building* house houses homes bridge* mosque*",
    "vehicles": "اليه اليات سياره* عربه عربات vehicle* cars tanks",
    "aircraft": "طائره طائرات مروحيه مروحيات aircraft* jets planes helicopter* drone*",
    "percent": "% بالمئه بالمائه المئه percent per_cent",
}

# label -> (English name, words). Generic groups yield to a specific group
# named right after them ("عناصر قوات النظام", "fighters from the Hazm movement").
GROUPS: dict[str, tuple[str, str]] = {
    "regime": ("regime forces and allied gunmen", """قوات_النظام عناصر_النظام جيش_النظام جنود_النظام
        الجيش_السوري القوات_الحكوميه قوات_الحكومه المسلحين_الموالين النظام regime_forces regime
        government_forces pro-government pro-regime syrian_army syrian_troops government_troops
        syrian_soldiers army_soldiers assad_forces"""),
    "is": ("Islamic State (IS) members", """تنظيم_الدوله الدوله_الاسلاميه داعش islamic_state isis
        isil daesh"""),
    "hts": ("Hay'at Tahrir al-Sham / Nusra members", """هيئه_تحرير_الشام تحرير_الشام جبهه_النصره
        النصره فتح_الشام tahrir_al-sham hts nusra al-nusra nusra_front al-qaeda"""),
    "rebels": ("rebel and Islamist factions", """الفصائل فصائل المعارضه الجيش_الحر الثوار جيش_الاسلام
        احرار_الشام فيلق_الرحمن الجبهه_الوطنيه rebel rebels opposition insurgents free_syrian_army fsa
        hazm jaish_al-islam jeish_al-islam ahrar faylaq"""),
    "sdf": ("SDF / Kurdish forces", """قوات_سوريا_الديمقراطيه قسد وحدات_حمايه_الشعب الوحدات_الكرديه
        sdf syrian_democratic_forces ypg kurdish_fighters kurdish_forces"""),
    "russian": ("Russian forces", """القوات_الروسيه الروس جنود_روس عسكريين_روس russian_forces
        russian_soldiers russian_troops russian_servicemen russian_military russians"""),
    "turkish": ("Turkish forces", "القوات_التركيه الجيش_التركي turkish_soldiers turkish_troops turkish_forces"),
    "coalition": ("US-led coalition", "التحالف_الدولي coalition"),
    "hezbollah": ("Hezbollah", "حزب_الله hezbollah hizbollah"),
    "iran": ("Iranian and Iran-backed forces", "الحرس_الثوري ايرانيين iranian* revolutionary_guard*"),
    "medics": ("medical and rescue workers", """الدفاع_المدني مسعف* كوادر_طبيه اطباء ممرض* عمال_اغاثه
        الطاقم_الطبي الكادر_الطبي الفريق_الطبي العاملين_في_المجال_الطبي عاملين_في_المجال_الطبي
        medics doctors nurses aid_workers rescue_workers rescuers paramedics health_workers
        white_helmets civil_defence civil_defense"""),
    "civilians": ("civilians", "مدني مدنيين مدنيا مدنيان مواطنين civilian civilians"),
    "children": ("children", "اطفال طفل طفلا طفله طفلين child children kids minors boys girls"),
    "women": ("women", "نساء سيدات سيده امراه مواطنات امراتين women woman"),
    "fighters": ("fighters (side not stated)", """عناصر عنصر عنصرا مقاتل مقاتلين مقاتلا مسلحين مسلحا
        جهاديين fighters militants gunmen jihadists combatants members"""),
    "soldiers": ("soldiers (side not stated)", "جنود جندي جنديا عسكريين soldiers troops servicemen"),
    "people": ("people", """اشخاص شخص شخصا اشخاصا مواطن نسمه people persons person residents
        individuals"""),
}
GENERIC_GROUPS = frozenset({"fighters", "soldiers", "people"})
# Words that make the number next to them a measure or a label, not a figure.
UNITS = """يوم يوما ايام يومين ساعه ساعات ساعتين دقيقه دقائق ثانيه ثوان اسبوع اسابيع اسبوعين شهر
    اشهر شهور شهرين سنه سنوات سنين عام اعوام عاما كم كيلومتر* كيلو متر مترا امتار ملم مم كغ
    كيلوغرام طن طنا اطنان رطل لتر ليتر دولار ليره يورو صباحا مساء ظهرا فجرا
    hour hours day days week weeks month months year years minute minutes second seconds km
    kilomet* kilometre* mile miles meter* metre* m mm kg tons tonnes liters litres dollar* pounds euros eur year-old views
    years-old am pm gmt utc"""
LABELS = """رقم الخطوه المرحله الفرقه الفيلق اللواء القرار الطريق المادة صفحه صوره الكتيبه
    no no. number resolution route highway division brigade corps image page figure chapter
    article version unit flight step phase"""
REVISION = "ارتفع ارتفاع يرتفع ليرتفع وارتفع rose risen rises climbed increased"
CONJUNCTIONS = "and و"
QUALIFIER_WORDS = """at least more than about around nearly some over up to as many almost approximately
    an estimated على الاقل اكثر من نحو حوالي قرابه زهاء عدد ما يقارب لا يقل عن الى"""
INCLUDING = "بينهم بينهن منهم منهن من_بينهم including among of_whom of_them"
