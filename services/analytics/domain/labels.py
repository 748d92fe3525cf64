"""Words on the pages, in English and Arabic: headings, figures, and the codes events carry.

ICCS titles and area names come from libs/reference; everything else shown is here.
"""

from __future__ import annotations

from typing import Literal

from libs.reference import Reference, load_reference
from libs.reference.concerns import COMMUNITY_CONCERNS, ICCS_CONCERN_PREFIX

Lang = Literal["en", "ar"]

WORDS: dict[str, tuple[str, str]] = {
    # navigation and chrome
    "title": ("jisr — ministry dashboard", "جسر — لوحة الوزارة"),
    "overview": ("National overview", "نظرة وطنية عامة"),
    "crime": ("Crime", "الجريمة"),
    "accountability": ("Accountability", "المساءلة"),
    "engagement": ("Community engagement", "المشاركة المجتمعية"),
    "scorecard": ("Station scorecard", "بطاقة أداء المركز"),
    "public_report": ("Public transparency report", "تقرير الشفافية العام"),
    "login": ("Sign in", "تسجيل الدخول"),
    "logout": ("Sign out", "تسجيل الخروج"),
    "token": ("Access token", "رمز الدخول"),
    "token_help": (
        "Paste the token your identity provider issued (for local use: jisr token --role "
        "ministry_analyst).",
        "الصق الرمز الصادر عن مزوّد الهوية (محلياً: jisr token --role ministry_analyst).",
    ),
    "bad_token": ("That token was not accepted", "لم يُقبل هذا الرمز"),
    "from": ("From", "من"),
    "to": ("To", "إلى"),
    "area": ("Area", "المنطقة"),
    "category": ("Category", "الفئة"),
    "all": ("All", "الكل"),
    "apply": ("Apply", "تطبيق"),
    "download_csv": ("Download CSV", "تنزيل CSV"),
    "json": ("JSON", "JSON"),
    "notes": ("Notes", "ملاحظات"),
    "month": ("Month", "الشهر"),
    "language": ("العربية", "English"),
    "forbidden": ("Not open to this token", "غير متاح لهذا الرمز"),
    "no_data": ("No data for these filters", "لا بيانات لهذه المرشحات"),
    "scope": ("Your scope", "نطاقك"),
    "national": ("National", "المستوى الوطني"),
    # figures
    "incidents": ("Incidents", "الحوادث"),
    "rate_per_100k": ("Rate per 100,000", "المعدل لكل 100,000"),
    "population": ("Population", "السكان"),
    "open_alerts": ("Open alerts", "تنبيهات قائمة"),
    "received": ("Complaints received", "الشكاوى المستلمة"),
    "complaints_received": ("Complaints received", "الشكاوى المستلمة"),
    "complaints_closed": ("Complaints closed", "الشكاوى المغلقة"),
    "closed": ("Closed", "مغلقة"),
    "median_days_to_close": ("Median days to close", "وسيط أيام الإغلاق"),
    "p90_days_to_close": ("90th percentile days to close", "المئين 90 لأيام الإغلاق"),
    "share_past_any_clock": ("Share past a statutory clock", "نسبة تجاوز مهلة قانونية"),
    "findings": ("Findings", "النتائج"),
    "substantiated_share": ("Share substantiated", "نسبة الثابتة"),
    "reviews_upheld": ("Reviews upheld", "مراجعات مقبولة"),
    "reviews_not_upheld": ("Reviews not upheld", "مراجعات مرفوضة"),
    "recommendations_open": ("Open recommendations", "توصيات مفتوحة"),
    "recommendations_overdue": ("Overdue recommendations", "توصيات متأخرة"),
    "fora": ("Fora", "المنتديات"),
    "meetings_held": ("Meetings held", "اجتماعات منعقدة"),
    "meetings_with_quorum": ("Meetings with quorum", "اجتماعات مكتملة النصاب"),
    "quorum_rate": ("Quorum rate", "نسبة اكتمال النصاب"),
    "women_only_sessions": ("Women-only sessions", "جلسات للنساء فقط"),
    "attendees": ("Attendances", "الحضور"),
    "women_attendees": ("Women attending", "حضور النساء"),
    "women_share": ("Women's share of attendance", "نسبة النساء من الحضور"),
    "women_target": ("Target share of women", "النسبة المستهدفة للنساء"),
    "actions_due": ("Actions due", "إجراءات مستحقة"),
    "actions_closed_on_time": ("Actions closed on time", "إجراءات أُنجزت في موعدها"),
    "actions_overdue": ("Actions overdue", "إجراءات متأخرة"),
    "on_time_share": ("Share of actions on time", "نسبة الإجراءات في موعدها"),
    "concerns_raised": ("Concerns raised", "مخاوف مطروحة"),
    "concerns": ("Concerns", "المخاوف"),
    "allegations": ("Allegations", "الادعاءات"),
    "complaints": ("Complaints", "الشكاوى"),
    "share": ("Share", "النسبة"),
    "expected": ("Expected", "المتوقع"),
    "upper_limit": ("Upper limit", "الحد الأعلى"),
    "observed": ("Observed", "المرصود"),
    "status": ("Status", "الحالة"),
    "week_start": ("Week", "الأسبوع"),
    "period": ("Period", "الفترة"),
    "made": ("Made", "صادرة"),
    "open": ("Open", "مفتوحة"),
    "overdue": ("Overdue", "متأخرة"),
    "accepted": ("Accepted", "مقبولة"),
    "declined": ("Declined", "مرفوضة"),
    "oversight_body": ("Oversight body", "جهة الرقابة"),
    "incidents_per_100k": ("Incidents per 100,000", "الحوادث لكل 100,000"),
    "governorate": ("Governorate", "المحافظة"),
    "district": ("District", "اللواء"),
    "station": ("Station", "المركز"),
    "method": ("Method", "الطريقة"),
    "raised": ("Raised", "قائم"),
    "cleared": ("Cleared", "زال"),
    "group": ("Group", "الفئة"),
    "forum_type": ("Forum type", "نوع المنتدى"),
    "clock": ("Statutory clock", "المهلة القانونية"),
    "finding": ("Finding", "النتيجة"),
    "outcome": ("Review outcome", "نتيجة المراجعة"),
    "iccs_code": ("ICCS", "التصنيف"),
    "received_over_time": ("Complaints received over time", "الشكاوى المستلمة عبر الزمن"),
    "incidents_over_time": ("Incidents over time", "الحوادث عبر الزمن"),
    "meetings_over_time": ("Meetings held over time", "الاجتماعات عبر الزمن"),
    "by_area": ("By area", "حسب المنطقة"),
    "by_category": ("By ICCS category", "حسب فئة التصنيف"),
    "by_allegation": ("By allegation category", "حسب فئة الادعاء"),
    "alerts": ("Baseline alerts", "تنبيهات خط الأساس"),
    "group_shares": ("Groups' share of attendance", "نسبة الفئات من الحضور"),
    "band_weekly_only": (
        "The expected band is weekly: choose a period of under a year to see it",
        "خط التوقع أسبوعي: اختر فترة أقل من سنة لعرضه",
    ),
    "band_needs_category": (
        "Choose an ICCS category to see its expected band",
        "اختر فئة من التصنيف لعرض خط التوقع الخاص بها",
    ),
    "band_unavailable": ("Expected band unavailable", "خط التوقع غير متاح"),
    "survey_cells_suppressed": (
        "Survey cells under the minimum size are suppressed by the fora service: they are left "
        "out of the shares and counted, never estimated. Suppressed cells",
        "خلايا الاستطلاع الأصغر من الحد الأدنى محجوبة من خدمة المنتديات: تُستبعد من النسب "
        "وتُعدّ ولا تُقدَّر أبداً. الخلايا المحجوبة",
    ),
    # perception surveys
    "survey_waves": ("Survey waves", "جولات الاستطلاع"),
    "survey_responses": ("Survey responses", "ردود الاستطلاع"),
    "safe_after_dark_share": ("Feel safe after dark", "يشعرون بالأمان ليلاً"),
    "trust_police_share": ("Trust the police", "يثقون بالشرطة"),
    "survey_by_gender": (
        "Survey perceptions: positive share by gender",
        "آراء الاستطلاع: نسبة الإجابات الإيجابية حسب الجنس",
    ),
    "survey_by_area": (
        "Survey perceptions: positive share by area",
        "آراء الاستطلاع: نسبة الإجابات الإيجابية حسب المنطقة",
    ),
    "item": ("Survey item", "بند الاستطلاع"),
    "answered": ("Answered", "عدد المجيبين"),
    "suppressed": ("Cells suppressed", "خلايا محجوبة"),
    "all_share": ("All respondents", "جميع المجيبين"),
    "all_answered": ("All: answered", "الجميع: عدد المجيبين"),
    "all_suppressed": ("All: cells suppressed", "الجميع: خلايا محجوبة"),
    "female_share": ("Women", "النساء"),
    "female_answered": ("Women: answered", "النساء: عدد المجيبات"),
    "female_suppressed": ("Women: cells suppressed", "النساء: خلايا محجوبة"),
    "male_share": ("Men", "الرجال"),
    "male_answered": ("Men: answered", "الرجال: عدد المجيبين"),
    "male_suppressed": ("Men: cells suppressed", "الرجال: خلايا محجوبة"),
    "above_survey": (
        "Above this level (not placed in one of these areas)",
        "مستوى أعلى (غير مسندة إلى إحدى هذه المناطق)",
    ),
}

CODES: dict[str, tuple[str, str]] = {
    # allegation categories
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
    # findings
    "SUBSTANTIATED": ("Substantiated", "ثابتة"),
    "NOT_SUBSTANTIATED": ("Not substantiated", "غير ثابتة"),
    "EXONERATED": ("Exonerated", "تبرئة"),
    "UNFOUNDED": ("Unfounded", "لا أساس لها"),
    "WITHDRAWN": ("Withdrawn", "مسحوبة"),
    "COMPLAINANT_UNAVAILABLE": ("Complainant unavailable", "تعذّر الوصول للمشتكي"),
    "OFFICER_UNIDENTIFIED": ("Officer unidentified", "لم يُحدَّد الموظف"),
    # alerts
    "raised": ("Raised", "قائم"),
    "cleared": ("Cleared", "زال"),
    "farrington_flexible": ("Farrington flexible (0.05 trend test)", "فارينغتون المرن"),
    "historical_limits": ("Historical limits (weekly)", "الحدود التاريخية (أسبوعية)"),
    "ewma": ("EWMA (restarted weekly)", "المتوسط المتحرك الأسي (يُعاد أسبوعياً)"),
    "farrington_1996": ("Farrington 1996", "فارينغتون 1996"),
    "noufaily_2013": ("Noufaily 2013 (improved Farrington)", "نوفايلي 2013 (فارينغتون المحسّن)"),
    "stroup_1989": ("CDC historical limits (Stroup 1989)", "الحدود التاريخية (ستروب 1989)"),
    "historical_limits_weekly": ("Historical limits (weekly)", "الحدود التاريخية (أسبوعية)"),
    "ewma_chart": ("EWMA control chart", "مخطط ضبط المتوسط المتحرك الأسي"),
    "ewma_restarted": ("EWMA (restarted weekly)", "المتوسط المتحرك الأسي (يُعاد أسبوعياً)"),
    # review outcomes
    "upheld": ("Upheld", "مقبولة"),
    "not_upheld": ("Not upheld", "مرفوضة"),
    # clocks
    "acknowledgement": ("Acknowledgement", "الإقرار بالاستلام"),
    "progress_update": ("Progress update", "إفادة بالتقدم"),
    "investigation_escalation": ("Investigation escalation", "تصعيد التحقيق"),
    "outcome_notice": ("Outcome notice", "إشعار النتيجة"),
    "review_window": ("Review window", "مهلة المراجعة"),
    "recommendation_answer": ("Recommendation answer", "الرد على التوصية"),
    # forum types
    "community_police_forum": ("Community police forum", "منتدى الشرطة المجتمعية"),
    "women_safety_forum": ("Women's safety forum", "منتدى سلامة المرأة"),
    "youth_forum": ("Youth forum", "منتدى الشباب"),
    "business_forum": ("Business forum", "منتدى قطاع الأعمال"),
    "school_safety_forum": ("School safety forum", "منتدى السلامة المدرسية"),
    "neighbourhood_watch": ("Neighbourhood watch", "مراقبة الحي"),
    "local_security_council": ("Local security council", "مجلس الأمن المحلي"),
    "coordination_council": ("Coordination council", "مجلس التنسيق"),
    # groups
    "womens_organisation": ("Women's organisations", "منظمات نسائية"),
    "youth": ("Youth", "الشباب"),
    "refugees_idps": ("Refugees and displaced", "اللاجئون والنازحون"),
    "host_community": ("Host community", "المجتمع المضيف"),
    "tribal": ("Tribal", "عشائري"),
    "religious": ("Religious", "ديني"),
    "business": ("Business", "قطاع الأعمال"),
    "ngo": ("NGOs", "منظمات غير حكومية"),
    "school": ("Schools", "المدارس"),
    "police": ("Police", "الشرطة"),
    # perception survey items: short, for axes and tables (fora holds the full wording)
    "feel_safe_after_dark": ("Safe after dark", "الأمان ليلاً"),
    "trust_police": ("Trust the police", "الثقة بالشرطة"),
    "advise_report_domestic_violence": ("Report domestic violence", "الإبلاغ عن العنف الأسري"),
    "advise_report_theft": ("Report theft", "الإبلاغ عن السرقة"),
    "advise_report_assault": ("Report assault", "الإبلاغ عن الاعتداء"),
    "heard_of_council": ("Heard of the council", "معرفة مجلس الأمن المحلي"),
}


def national_label(reference: Reference, lang: Lang) -> str:
    """The national level, named after the reference set's country: "National (Iraq)"."""
    name = reference.national_name_ar if lang == "ar" else reference.national_name_en
    return f"{word('national', lang)} ({name})"


def word(key: str, lang: Lang) -> str:
    en, ar = WORDS.get(key) or CODES.get(key) or (key, key)
    return ar if lang == "ar" else en


def code(value: str, lang: Lang) -> str:
    """A code carried by events, in words; an unknown code as it is (never an error)."""
    if value.startswith(ICCS_CONCERN_PREFIX):  # a concern filed under an ICCS category
        try:
            return load_reference().iccs_title(value.removeprefix(ICCS_CONCERN_PREFIX), lang)
        except KeyError:
            pass
    plain = value.replace("_", " ")
    en, ar = CODES.get(value) or COMMUNITY_CONCERNS.get(value) or (plain, plain)
    return ar if lang == "ar" else en
