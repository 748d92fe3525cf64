"""Words on the pages, in English and Arabic: headings, figures, and the codes events carry.

ICCS titles and area names come from libs/reference; everything else shown is here.
"""

from __future__ import annotations

from typing import Literal

from libs.reference import Reference, load_reference
from libs.reference.concerns import COMMUNITY_CONCERNS, ICCS_CONCERN_PREFIX

from .programme_labels import PROGRAMME_CODES, PROGRAMME_WORDS

Lang = Literal["en", "ar"]

WORDS: dict[str, tuple[str, str]] = {
    # how charts and tables say what they do not show (dashboard/specs.py)
    "chart_empty": (
        "Nothing to draw: every figure is zero or missing for these filters.",
        "لا شيء للرسم: كل الأرقام صفر أو غير متاحة لهذه المرشحات.",
    ),
    "partial_period": ("Unfinished period", "فترة غير مكتملة"),
    "partial_note": (
        "Dashed: periods the chosen dates cover only in part ({periods}); their counts are "
        "not comparable with whole periods.",
        "الخط المتقطع: فترات لا تغطي التواريخ المختارة إلا جزءاً منها ({periods})؛ أعدادها لا "
        "تقارن بالفترات الكاملة.",
    ),
    "target": ("Target", "الهدف"),
    "target_unknown": ("No target is set for this chart", "لا هدف محدداً لهذا الرسم"),
    "missing_none_closed": (
        "nothing to measure: no complaint received in the period has closed yet",
        "لا شيء لقياسه: لم تُغلق أي شكوى من شكاوى الفترة بعد",
    ),
    "missing_no_population": (
        "no population figure for this area (stations have none)",
        "لا رقم للسكان لهذه المنطقة (لا أرقام سكان للمراكز)",
    ),
    "missing_no_denominator": (
        "nothing to take a share of in the period",
        "لا شيء تُحسب منه النسبة في الفترة",
    ),
    "no_open_alerts": ("No open alerts for these filters", "لا تنبيهات قائمة لهذه المرشحات"),
    "rows_shown": (
        "{first}–{last} of {shown} open ({all} in all, cleared ones included)",
        "{first}–{last} من {shown} قائمة ({all} في المجموع، مع التي زالت)",
    ),
    "all_rows_csv": ("All, cleared ones included (CSV)", "الكل مع التي زالت (CSV)"),
    "page_newer": ("‹ Previous", "‹ السابق"),
    "page_older": ("Next ›", "التالي ›"),
    "page_of": ("page {page} of {pages}", "الصفحة {page} من {pages}"),
    "public_report_rule": (
        'Counts from 1 to 4 are shown as "<5"; "x" marks a count withheld so that a small one '
        "cannot be worked out from the total.",
        "تظهر الأعداد من 1 إلى 4 بصيغة \"<5\"؛ وتدل \"x\" على عدد محجوب كي لا يُستنتج عدد صغير "
        "من المجموع.",
    ),
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
    # signing in with the identity provider (sign_in.py, login.html)
    "sign_in_with": ("Sign in with", "تسجيل الدخول عبر"),
    "sign_in_failed": ("Sign-in did not succeed", "لم ينجح تسجيل الدخول"),
    "sign_in_again": ("Sign in again", "أعد تسجيل الدخول"),
    "dev_sign_in": ("Development sign-in", "تسجيل الدخول للتطوير"),
    "signed_in_as": ("Signed in as", "مسجّل الدخول باسم"),
    "role_ministry_analyst": ("Ministry analyst", "محلل في الوزارة"),
    "role_station_officer": ("Station officer", "ضابط مركز"),
    "role_oversight": ("Oversight body", "جهة رقابية"),
    "role_admin": ("Administrator", "مسؤول النظام"),
    "role_forum_coordinator": ("Forum coordinator", "منسق منتدى"),
    "role_complaints_officer": ("Complaints officer", "موظف الشكاوى"),
    "role_investigator": ("Investigator", "محقق"),
    "role_reviewer": ("Reviewer", "مراجع"),
    # freshness (freshness.html)
    "figures_as_of": ("Figures as of", "الأرقام حتى"),
    "no_events_yet": ("no event applied yet", "لم يُطبَّق أي حدث بعد"),
    "figures_behind": (
        "These figures are behind: analytics is still applying events.",
        "هذه الأرقام متأخرة: ما زالت التحليلات تطبّق الأحداث.",
    ),
    "events_waiting": ("events waiting", "حدثاً في الانتظار"),
    "behind_fix": (
        "They catch up by themselves while analytics runs; if this stays, see analytics' log,"
        " /readyz and jisr dlq list --service analytics.",
        "تلحق الأرقام بنفسها ما دامت خدمة التحليلات تعمل؛ إن استمر ذلك فراجع سجلها وحالة"
        " جاهزيتها.",
    ),
    "lag_unknown": (
        "How far analytics is behind is unknown: the broker does not answer.",
        "مدى تأخر التحليلات غير معروف: الوسيط لا يجيب.",
    ),
    "history_short": (
        "The broker holds fewer events than were published: a rebuild now would lose figures.",
        "يحتفظ الوسيط بأحداث أقل مما نُشر: إعادة البناء الآن ستُفقد أرقاماً.",
    ),
    "history_fix": ("To restore them, run", "لاستعادتها نفّذ"),
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
    # crime by victim and domestic violence (crime view)
    "by_victim_sex": ("Incidents by victim sex", "الحوادث حسب جنس الضحية"),
    "by_victim_age_band": ("Incidents by victim age band", "الحوادث حسب الفئة العمرية للضحية"),
    "domestic_over_time": (
        "Domestic-violence incidents over time",
        "حوادث العنف الأسري عبر الزمن",
    ),
    "domestic_by_area": ("Domestic-violence incidents by area", "حوادث العنف الأسري حسب المنطقة"),
    "victim_sex": ("Victim sex", "جنس الضحية"),
    "victim_age_band": ("Victim age band", "الفئة العمرية للضحية"),
    "domestic": ("Domestic violence", "العنف الأسري"),
    "domestic_incidents": ("Domestic-violence incidents", "حوادث العنف الأسري"),
    "domestic_share": ("Domestic share", "نسبة العنف الأسري"),
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
    # the before/after evaluation (domain.evaluation)
    "evaluation": ("Before/after evaluation", "تقييم ما قبل البرنامج وما بعده"),
    "start": ("Programme start", "بداية البرنامج"),
    "days": ("Days in each window", "أيام كل فترة"),
    "role": ("Area", "المنطقة"),
    "eval_incidents": (
        "Incidents before and after (this dashboard's counts)",
        "الحوادث قبل وبعد (أعداد هذه اللوحة)",
    ),
    "eval_incidents_test": (
        "Weighted displacement difference and E-test (incidents service)",
        "فرق الإزاحة الموزون واختبار E (خدمة الحوادث)",
    ),
    "eval_complaints": ("Complaints received and closed", "الشكاوى المستلمة والمغلقة"),
    "eval_survey": (
        "Survey perceptions: positive share with its 95% interval",
        "آراء الاستطلاع: نسبة الإجابات الإيجابية مع فترة الثقة 95%",
    ),
    "eval_survey_shares": (
        "Positive share before and after, by area",
        "نسبة الإجابات الإيجابية قبل وبعد حسب المنطقة",
    ),
    "incidents_before": ("Incidents before", "الحوادث قبل"),
    "incidents_after": ("Incidents after", "الحوادث بعد"),
    "incidents_change": ("Change", "التغيّر"),
    "incidents_change_share": ("Change (share of before)", "التغيّر (نسبةً إلى ما قبل)"),
    "received_before": ("Received before", "المستلمة قبل"),
    "received_after": ("Received after", "المستلمة بعد"),
    "closed_before": ("Closed before", "المغلقة قبل"),
    "closed_after": ("Closed after", "المغلقة بعد"),
    "treated_before": ("Pilot: before", "التجربة: قبل"),
    "treated_after": ("Pilot: after", "التجربة: بعد"),
    "comparison_before": ("Comparison: before", "المقارنة: قبل"),
    "comparison_after": ("Comparison: after", "المقارنة: بعد"),
    "wdd": ("WDD", "فرق الإزاحة الموزون"),
    "wdd_ci_low": ("WDD 95% interval: low", "فترة الثقة 95%: الحد الأدنى"),
    "wdd_ci_high": ("WDD 95% interval: high", "فترة الثقة 95%: الحد الأعلى"),
    "wdd_variance": ("Variance", "التباين"),
    "wdd_z": ("z", "z"),
    "wdd_p": ("WDD p-value", "القيمة الاحتمالية لفرق الإزاحة"),
    "etest_p": ("E-test p-value (pilot)", "القيمة الاحتمالية لاختبار E (التجربة)"),
    "before_share": ("Before", "قبل"),
    "before_ci_low": ("Before: 95% low", "قبل: الحد الأدنى 95%"),
    "before_ci_high": ("Before: 95% high", "قبل: الحد الأعلى 95%"),
    "before_answered": ("Before: answered", "قبل: عدد المجيبين"),
    "before_suppressed": ("Before: left out", "قبل: مستبعدة"),
    "after_share": ("After", "بعد"),
    "after_ci_low": ("After: 95% low", "بعد: الحد الأدنى 95%"),
    "after_ci_high": ("After: 95% high", "بعد: الحد الأعلى 95%"),
    "after_answered": ("After: answered", "بعد: عدد المجيبين"),
    "after_suppressed": ("After: left out", "بعد: مستبعدة"),
    "share_change": ("Change (points)", "التغيّر (نقاط)"),
    "treated_before_share": ("Pilot, before", "التجربة، قبل"),
    "treated_after_share": ("Pilot, after", "التجربة، بعد"),
    "comparison_before_share": ("Comparison, before", "المقارنة، قبل"),
    "comparison_after_share": ("Comparison, after", "المقارنة، بعد"),
    "treated_incidents_before": ("Pilot: incidents before", "التجربة: الحوادث قبل"),
    "treated_incidents_after": ("Pilot: incidents after", "التجربة: الحوادث بعد"),
    "comparison_incidents_before": ("Comparison: incidents before", "المقارنة: الحوادث قبل"),
    "comparison_incidents_after": ("Comparison: incidents after", "المقارنة: الحوادث بعد"),
    "evaluation_windows": (
        "Windows of equal length (the WDD compares counts; unequal windows are refused): "
        "before | after (days in each)",
        "فترتان متساويتان (يقارن فرق الإزاحة الموزون الأعداد، وتُرفض الفترات غير المتساوية): "
        "قبل | بعد (أيام كل فترة)",
    ),
    "evaluation_unavailable": (
        "The incidents service's WDD and E-test are unavailable; the counts shown are this "
        "dashboard's own",
        "فرق الإزاحة الموزون واختبار E من خدمة الحوادث غير متاحين؛ الأعداد المعروضة من هذه "
        "اللوحة",
    ),
    "evaluation_counts_differ": (
        "The incidents service counts differently from the table above (this dashboard is "
        "behind, or records changed since): its WDD uses the counts shown beside it",
        "تختلف أعداد خدمة الحوادث عن الجدول أعلاه (اللوحة متأخرة أو تغيّرت السجلات): يستخدم "
        "فرق الإزاحة الأعداد المعروضة بجانبه",
    ),
    "evaluation_same_area": (
        "The comparison area is the pilot area itself: the WDD is 0 by construction",
        "منطقة المقارنة هي منطقة التجربة نفسها: فرق الإزاحة صفر حتماً",
    ),
    "evaluation_suggested": (
        "Not chosen, so suggested from the survey waves (choose your own above)",
        "لم تُختر، فاقتُرحت من جولات الاستطلاع (اختر ما تريد أعلاه)",
    ),
    # the station scorecard's perceptions (evaluation.perceptions)
    "perceptions": (
        "Perceptions: waves covering this station (its cells), positive share with its 95% "
        "interval",
        "الآراء: جولات الاستطلاع التي تشمل المركز (خلاياه)، نسبة الإجابات الإيجابية مع فترة "
        "الثقة 95%",
    ),
    "perceptions_waves": ("Survey waves covering the station", "جولات الاستطلاع التي تشمل المركز"),
    "perceptions_responses": ("Survey responses at the station", "ردود الاستطلاع في المركز"),
    "perceptions_safe_after_dark_share": ("Feel safe after dark", "يشعرون بالأمان ليلاً"),
    "perceptions_trust_police_share": ("Trust the police", "يثقون بالشرطة"),
    "all_ci_low": ("All: 95% low", "الجميع: الحد الأدنى 95%"),
    "all_ci_high": ("All: 95% high", "الجميع: الحد الأعلى 95%"),
    "female_ci_low": ("Women: 95% low", "النساء: الحد الأدنى 95%"),
    "female_ci_high": ("Women: 95% high", "النساء: الحد الأعلى 95%"),
    "male_ci_low": ("Men: 95% low", "الرجال: الحد الأدنى 95%"),
    "male_ci_high": ("Men: 95% high", "الرجال: الحد الأعلى 95%"),
}

CODES: dict[str, tuple[str, str]] = {
    # victims' sex in incident events (crime view)
    "female": ("Female", "أنثى"),
    "male": ("Male", "ذكر"),
    "unknown": ("Not known", "غير معروف"),
    "no_victim_recorded": ("No victim recorded", "لم تُسجَّل ضحية"),
    # oversight bodies (registered codes; the demo registers `ombudsman`)
    "ombudsman": ("Ombudsman", "ديوان المظالم"),
    "national_human_rights_centre": (
        "National Centre for Human Rights",
        "المركز الوطني لحقوق الإنسان",
    ),
    "human_rights_commission": ("Human rights commission", "مفوضية حقوق الإنسان"),
    "inspector_general": ("Inspector general", "المفتش العام"),
    "integrity_commission": ("Integrity commission", "هيئة النزاهة"),
    "parliamentary_committee": ("Parliamentary committee", "اللجنة البرلمانية"),
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
    # the two areas of a before/after evaluation
    "treated": ("Pilot area", "منطقة التجربة"),
    "comparison": ("Comparison area", "منطقة المقارنة"),
    # perception survey items: short, for axes and tables (fora holds the full wording)
    "feel_safe_after_dark": ("Safe after dark", "الأمان ليلاً"),
    "trust_police": ("Trust the police", "الثقة بالشرطة"),
    "advise_report_domestic_violence": ("Report domestic violence", "الإبلاغ عن العنف الأسري"),
    "advise_report_theft": ("Report theft", "الإبلاغ عن السرقة"),
    "advise_report_assault": ("Report assault", "الإبلاغ عن الاعتداء"),
    "heard_of_council": ("Heard of the council", "معرفة مجلس الأمن المحلي"),
}

# The programme pages' words and codes (kept in their own module; none shadows one above).
for _key, _words in PROGRAMME_WORDS.items():
    WORDS.setdefault(_key, _words)
for _key, _words in PROGRAMME_CODES.items():
    CODES.setdefault(_key, _words)
#: fora's vocabularies whose codes the programme pages show, in the programme's own words.
VOCABULARIES = ("activity_kinds", "audiences", "member_groups", "forum_origins", "meeting_kinds")


def vocabulary_label(value: str, lang: Lang) -> str | None:
    """A code's label in the first of fora's vocabularies that has it (None: none has)."""
    reference = load_reference()
    for name in VOCABULARIES:
        vocabulary = reference.vocabularies.get(name)
        if vocabulary is not None and value in vocabulary:
            return vocabulary.label(value, lang)
    return None


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
    # fora's vocabularies first: the programme's own words (member groups, audiences, ...)
    known = vocabulary_label(value, lang)
    if known is not None:
        return known
    plain = value.replace("_", " ")
    en, ar = CODES.get(value) or COMMUNITY_CONCERNS.get(value) or (plain, plain)
    return ar if lang == "ar" else en
