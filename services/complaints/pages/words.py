"""The pages' wording, (English, Arabic). What the complainant is told about their case (status,
clocks, findings, outcome) comes from the application layer, already in their language."""

from __future__ import annotations

from typing import Literal

Lang = Literal["ar", "en"]

WORDS: dict[str, tuple[str, str]] = {
    "site": ("Complaints about police conduct", "الشكاوى على سلوك الشرطة"),
    "skip": ("Skip to the content", "انتقل إلى المحتوى"),
    "switch": ("العربية", "English"),
    "home_intro": (
        "You can complain about how a police officer, unit or station treated you or "
        "someone else. You do not need an account, and you may stay anonymous.",
        "يمكنك تقديم شكوى على طريقة تعامل أحد أفراد الشرطة أو وحدة أو مركز معك أو مع غيرك. "
        "لا تحتاج إلى حساب، ويمكنك عدم ذكر اسمك.",
    ),
    "file": ("File a complaint", "تقديم شكوى"),
    "track": ("Follow your complaint", "متابعة شكواك"),
    "required": ("required", "مطلوب"),
    "optional": ("optional", "اختياري"),
    "errors_title": ("There is a problem with what you entered", "توجد مشكلة في ما أدخلته"),
    "what_happened": ("What happened", "ماذا حدث"),
    "narrative": ("Describe what happened", "صف ما حدث"),
    "narrative_help": (
        "Say when and where, who was involved and what they did (at least 10 characters).",
        "اذكر متى وأين، ومن كان حاضرًا، وماذا فعلوا (10 أحرف على الأقل).",
    ),
    "occurred_at": ("Date it happened", "تاريخ الحادثة"),
    "where": ("Where it happened", "مكان الحادثة"),
    "station_id": ("Police station", "مركز الشرطة"),
    "governorate_code": ("Governorate", "المحافظة"),
    "where_help": (
        "Choose the station if you know it; otherwise choose the governorate.",
        "اختر المركز إن كنت تعرفه؛ وإلا فاختر المحافظة.",
    ),
    "not_known": ("I do not know", "لا أعرف"),
    "allegation": ("Complaint", "الشكوى"),
    "allegation_n": ("Another complaint in the same matter", "شكوى أخرى في الموضوع نفسه"),
    "category": ("What kind of conduct", "نوع السلوك"),
    "choose": ("Choose…", "اختر…"),
    "against": ("Who is it about", "على من"),
    "against_officer": ("An officer", "أحد أفراد الشرطة"),
    "against_unit": ("A unit", "وحدة"),
    "against_station": ("The station", "المركز"),
    "officer_service_number": ("Officer's service number, if known", "الرقم العسكري للفرد إن عُرف"),
    "unit_code": ("Unit code, if it is about a unit", "رمز الوحدة إن كانت الشكوى على وحدة"),
    "about_you": ("About you", "عنك"),
    "about_you_help": (
        "Leave these empty to stay anonymous. Without a phone or email we cannot send you "
        "news: you can still follow your complaint here with the reference and PIN.",
        "اترك هذه الحقول فارغة إن أردت عدم ذكر هويتك. بدون هاتف أو بريد إلكتروني لا يمكننا "
        "مراسلتك، لكن يمكنك متابعة شكواك هنا بالرقم المرجعي والرمز السري.",
    ),
    "name": ("Your name", "اسمك"),
    "phone": ("Phone", "الهاتف"),
    "email": ("Email", "البريد الإلكتروني"),
    "address": ("Address", "العنوان"),
    "age_band": ("Age", "العمر"),
    "on_behalf": (
        "Filing for someone else (an organisation)",
        "تقديم الشكوى نيابة عن شخص آخر (جهة)",
    ),
    "on_behalf_help": (
        "Fill this only if an organisation files for the complainant.",
        "املأ هذا فقط إذا كانت جهة ما تقدم الشكوى نيابة عن المشتكي.",
    ),
    "organisation": ("Organisation", "الجهة"),
    "contact_name": ("Contact person", "الشخص المسؤول"),
    "contact_phone": ("Contact phone", "هاتف المسؤول"),
    "language": ("Language for letters and messages", "لغة المراسلات"),
    "lang_ar": ("Arabic", "العربية"),
    "lang_en": ("English", "الإنجليزية"),
    "send": ("Send the complaint", "أرسل الشكوى"),
    "filed_title": ("Your complaint has been received", "استلمنا شكواك"),
    "reference": ("Reference", "الرقم المرجعي"),
    "pin": ("PIN", "الرمز السري"),
    "keep_them": (
        "Write down the reference and the PIN now, or take a photo of this page. The PIN is "
        "shown only this once: we keep it only in a form nobody can read, so we cannot tell it "
        "to you again. You need both to follow your complaint.",
        "اكتب الرقم المرجعي والرمز السري الآن أو التقط صورة لهذه الصفحة. لن يظهر الرمز السري "
        "إلا هذه المرة: نحفظه بصيغة لا يمكن لأحد قراءتها، فلا يمكننا إخبارك به مرة أخرى. "
        "تحتاج إلى الاثنين لمتابعة شكواك.",
    ),
    "keep_secret": (
        "Do not give the PIN to anyone. Our staff will never ask you for it.",
        "لا تعطِ الرمز السري لأحد. لن يطلبه منك موظفونا أبدًا.",
    ),
    "already_shown": (
        "The reference and PIN were shown once and are not shown again. If you did not keep "
        "them, file the complaint again or call the complaints hotline.",
        "عُرض الرقم المرجعي والرمز السري مرة واحدة ولا يُعرضان مجددًا. إن لم تحتفظ بهما، "
        "فقدّم الشكوى من جديد أو اتصل بالخط الساخن للشكاوى.",
    ),
    "track_help": (
        "Enter the reference and the PIN you were given when you filed.",
        "أدخل الرقم المرجعي والرمز السري اللذين حصلت عليهما عند تقديم الشكوى.",
    ),
    "reference_help": ("Like CMP-1234-ABCD-5678", "مثل CMP-1234-ABCD-5678"),
    "pin_help": ("8 digits", "8 أرقام"),
    "show_status": ("Show the status", "اعرض الحالة"),
    "status_title": ("Your complaint", "شكواك"),
    "status": ("Status", "الحالة"),
    "since": ("Since", "منذ"),
    "next_deadline": ("Next step due", "الخطوة التالية مستحقة"),
    "overdue": ("overdue", "متأخرة"),
    "findings": ("Findings", "النتائج"),
    "outcome": ("Outcome", "القرار"),
    "reasons": ("Reasons", "الأسباب"),
    "history": ("History", "السجل"),
    "ledger_ok": (
        "The record of your complaint is intact (its chain of entries verifies).",
        "سجل شكواك سليم (سلسلة قيوده متحققة).",
    ),
    "ledger_bad": (
        "The record of your complaint does not verify. Tell the oversight body.",
        "تعذر التحقق من سجل شكواك. أبلغ جهة الرقابة.",
    ),
    "review": ("Ask for a review", "طلب مراجعة"),
    "review_help": (
        "If you disagree with the outcome, you can ask for it to be reviewed by someone "
        "independent of those who decided it.",
        "إن لم توافق على القرار، يمكنك طلب مراجعته من جهة مستقلة عن الجهة التي اتخذته.",
    ),
    "review_until": ("You can ask until", "يمكنك الطلب حتى"),
    "review_button": ("Ask for a review", "اطلب المراجعة"),
    "review_sent": ("Your request for a review has been recorded.", "سُجل طلبك للمراجعة."),
    "waive_help": (
        "If you accept the outcome and want no review, you can say so and the complaint closes.",
        "إن قبلت القرار ولا تريد مراجعة، يمكنك قول ذلك فتُغلق الشكوى.",
    ),
    "waive_button": ("I want no review: close my complaint", "لا أريد مراجعة: أغلق شكواي"),
    "waived": (
        "You chose no review; your complaint is closed.",
        "اخترت عدم المراجعة؛ أُغلقت شكواك.",
    ),
    "leave": ("Finish (forget the PIN on this device)", "إنهاء (نسيان الرمز على هذا الجهاز)"),
    "session_over": (
        "For your safety we forget the PIN after a while. Enter it again.",
        "حرصًا على أمانك ننسى الرمز السري بعد مدة. أدخله مرة أخرى.",
    ),
    "forbidden_title": ("This form has expired", "انتهت صلاحية هذا النموذج"),
    "forbidden": (
        "Open the page again and send the form from there.",
        "افتح الصفحة من جديد وأرسل النموذج منها.",
    ),
    "too_many_title": ("Please wait", "يرجى الانتظار"),
    "try_again_in": ("Try again in {minutes} minutes.", "حاول مرة أخرى بعد {minutes} دقيقة."),
    "refused_title": ("This could not be done", "تعذر تنفيذ الطلب"),
    "back": ("Back", "رجوع"),
    # form errors: what was wrong, in words
    "err_missing": ("is required", "مطلوب"),
    "err_short": ("is too short (at least {n} characters)", "قصير جدًا (على الأقل {n} أحرف)"),
    "err_long": ("is too long (at most {n} characters)", "طويل جدًا (على الأكثر {n} حرف)"),
    "err_format": ("is not in a valid form", "صيغته غير صحيحة"),
    "err_choice": ("choose one of the options", "اختر أحد الخيارات"),
    "err_date": ("is not a valid date", "ليس تاريخًا صحيحًا"),
    "err_future": ("cannot be in the future", "لا يمكن أن يكون في المستقبل"),
    "err_invalid": ("is not valid", "غير صحيح"),
    "err_unit_needed": (
        "a complaint about a unit needs the unit code",
        "الشكوى على وحدة تحتاج إلى رمز الوحدة",
    ),
    "err_station_needed": (
        "a complaint about the station needs the station chosen above",
        "الشكوى على المركز تحتاج إلى اختيار المركز أعلاه",
    ),
    "err_where": (
        "choose the station or the governorate",
        "اختر المركز أو المحافظة",
    ),
    "err_not_found": (
        "no complaint with this reference and PIN",
        "لا توجد شكوى بهذا الرقم المرجعي والرمز السري",
    ),
    "err_category_first": (
        "choose the kind of conduct for this complaint, or leave it all empty",
        "اختر نوع السلوك لهذه الشكوى أو اتركها فارغة كلها",
    ),
}

AGE_BANDS: dict[str, tuple[str, str]] = {
    "under_18": ("Under 18", "أقل من 18"),
    "18_24": ("18–24", "18–24"),
    "25_34": ("25–34", "25–34"),
    "35_44": ("35–44", "35–44"),
    "45_54": ("45–54", "45–54"),
    "55_64": ("55–64", "55–64"),
    "65_plus": ("65 or older", "65 فأكثر"),
}

CATEGORIES: dict[str, tuple[str, str]] = {
    "use_of_force": ("Use of force", "استخدام القوة"),
    "abuse_of_authority": ("Abuse of authority", "إساءة استخدام السلطة"),
    "unlawful_arrest_or_detention": (
        "Unlawful arrest or detention",
        "القبض أو الاحتجاز غير القانوني",
    ),
    "discourtesy": ("Discourtesy", "سوء المعاملة"),
    "discriminatory_language": ("Discriminatory language", "لغة تمييزية"),
    "corruption_or_bribery": ("Corruption or bribery", "الفساد أو الرشوة"),
    "failure_in_duty": ("Failure in duty", "التقصير في الواجب"),
    "sexual_or_gender_based_misconduct": (
        "Sexual or gender-based misconduct",
        "سوء سلوك جنسي أو قائم على النوع",
    ),
    "property_damage_or_loss": ("Property damage or loss", "إتلاف أو فقدان الممتلكات"),
    "other": ("Other", "أخرى"),
}


def word(key: str, lang: Lang, **values: object) -> str:
    english, arabic = WORDS[key]
    text = arabic if lang == "ar" else english
    return text.format(**values) if values else text


def label(table: dict[str, tuple[str, str]], key: str, lang: Lang) -> str:
    english, arabic = table.get(key, (key, key))
    return arabic if lang == "ar" else english
