"""What the complainant reads: status and clock wording in Arabic and English, and the language
to answer in. Plain words: no investigative detail."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

STATUS_TEXT: dict[str, tuple[str, str]] = {
    # status: (English, Arabic). Plain words: no investigative detail.
    "received": ("We have received your complaint.", "استلمنا شكواك."),
    "logged": (
        "Your complaint has been recorded and acknowledged.",
        "تم تسجيل شكواك والإقرار باستلامها.",
    ),
    "triage": ("We are assessing how to handle your complaint.", "نقوم بتقييم كيفية معالجة شكواك."),
    "informal_resolution": (
        "Your complaint is being resolved informally, as you agreed.",
        "تتم معالجة شكواك بشكل ودي بموافقتك.",
    ),
    "formal_investigation": (
        "Your complaint will be formally investigated.",
        "سيتم التحقيق في شكواك رسميًا.",
    ),
    "not_accepted": (
        "Your complaint could not be accepted. The reasons follow.",
        "تعذر قبول شكواك. الأسباب أدناه.",
    ),
    "referred": (
        "Your complaint has been referred to the body responsible for it.",
        "أحيلت شكواك إلى الجهة المختصة.",
    ),
    "assigned": ("An independent investigator has been assigned.", "تم تعيين محقق مستقل."),
    "under_investigation": ("Your complaint is under investigation.", "شكواك قيد التحقيق."),
    "suspended": (
        "The investigation is paused for now; time paused does not count against the deadlines.",
        "التحقيق متوقف مؤقتًا؛ ولا تُحتسب مدة التوقف من المهل.",
    ),
    "findings": ("The investigation has reached its findings.", "توصل التحقيق إلى نتائجه."),
    "outcome": ("A decision on the outcome has been made.", "تم اتخاذ قرار بشأن النتيجة."),
    "complainant_notified": (
        "We have sent you the outcome of your complaint.",
        "أرسلنا إليك نتيجة شكواك.",
    ),
    "review_window": (
        "You may ask for a review of the outcome within the review period.",
        "يمكنك طلب مراجعة النتيجة خلال فترة المراجعة.",
    ),
    "review_requested": (
        "Your request for a review is being considered.",
        "طلب المراجعة قيد النظر.",
    ),
    "closed": ("Your complaint is closed.", "أُغلقت شكواك."),
    "reopened": (
        "Your complaint has been reopened because of new evidence.",
        "أُعيد فتح شكواك بسبب أدلة جديدة.",
    ),
}

#: Where the message itself says something other than the status page.
MESSAGE_TEXT: dict[str, tuple[str, str]] = {
    "complainant_notified": ("this is the outcome.", "هذه نتيجتها."),
}

CLOCK_TEXT: dict[str, tuple[str, str]] = {
    "acknowledgement": ("acknowledgement of your complaint", "الإقرار باستلام شكواك"),
    "progress_update": ("next progress update", "التحديث التالي حول سير الشكوى"),
    "investigation_escalation": ("investigation time limit", "المهلة القصوى للتحقيق"),
    "outcome_notice": ("notice of the outcome", "إشعارك بالنتيجة"),
    "review_window": ("end of the review period", "نهاية فترة المراجعة"),
}

LANGUAGES = ("ar", "en")


def language_from(accept_language: str | None, default: str = "ar") -> str:
    """The best of ar/en for an Accept-Language header (q-values honoured)."""
    best, best_q = default, -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if base in LANGUAGES and q > best_q:
            best, best_q = base, q
    return best


def status_text(status: str, language: str) -> str:
    english, arabic = STATUS_TEXT[status]
    return arabic if language == "ar" else english


def clock_text(kind: str, language: str) -> str:
    english, arabic = CLOCK_TEXT.get(kind, (kind.replace("_", " "), kind.replace("_", " ")))
    return arabic if language == "ar" else english


def notification_text(
    reference: str, about: str, language: str, details: Mapping[str, Any] | None = None
) -> str:
    """The message a complainant is sent when their complaint moves to `about`, with what was
    decided (findings, outcome, reasons) when there is something to tell."""
    lines = decision_lines(details or {}, language)
    said = _pick(MESSAGE_TEXT[about], language) if about in MESSAGE_TEXT else None
    if language == "ar":
        head = f"شكواك {reference}: {said or status_text(about, 'ar')}"
    else:
        head = f"Your complaint {reference}: {said or status_text(about, 'en')}"
    return "\n".join([head, *lines])


CATEGORY_TEXT: dict[str, tuple[str, str]] = {
    "use_of_force": ("use of force", "استخدام القوة"),
    "abuse_of_authority": ("abuse of authority", "إساءة استخدام السلطة"),
    "unlawful_arrest_or_detention": (
        "unlawful arrest or detention",
        "القبض أو الاحتجاز غير القانوني",
    ),
    "discourtesy": ("discourtesy", "سوء المعاملة"),
    "discriminatory_language": ("discriminatory language", "لغة تمييزية"),
    "corruption_or_bribery": ("corruption or bribery", "الفساد أو الرشوة"),
    "failure_in_duty": ("failure in duty", "التقصير في أداء الواجب"),
    "sexual_or_gender_based_misconduct": (
        "sexual or gender-based misconduct",
        "سوء سلوك جنسي أو قائم على النوع الاجتماعي",
    ),
    "property_damage_or_loss": ("damage to or loss of property", "إتلاف الممتلكات أو فقدانها"),
    "other": ("other conduct", "سلوك آخر"),
}

FINDING_TEXT: dict[str, tuple[str, str]] = {
    "SUBSTANTIATED": (
        "substantiated: the conduct was found to have happened",
        "ثبتت: تبيّن وقوع السلوك",
    ),
    "NOT_SUBSTANTIATED": (
        "not substantiated: there was not enough evidence either way",
        "لم تثبت: لم تتوفر أدلة كافية",
    ),
    "EXONERATED": (
        "exonerated: it happened but was lawful and proper",
        "تبرئة: وقع السلوك لكنه كان قانونيًا وسليمًا",
    ),
    "UNFOUNDED": ("unfounded: it was found not to have happened", "لا أساس لها: تبيّن عدم وقوعه"),
    "WITHDRAWN": ("withdrawn", "سُحبت"),
    "COMPLAINANT_UNAVAILABLE": (
        "closed: we could not reach you to continue",
        "أُغلقت: تعذر التواصل معك للمتابعة",
    ),
    "OFFICER_UNIDENTIFIED": (
        "closed: the officer could not be identified",
        "أُغلقت: تعذر تحديد هوية الضابط",
    ),
}

#: Reason codes a complainant may be told (outcomes, not accepted, referred). A code not listed
#: is shown as its words; staff choose codes, never free text, so no one else's data can slip in.
REASON_TEXT: dict[str, tuple[str, str]] = {
    # outcomes
    "sanction": ("disciplinary action against the officer(s)", "إجراء تأديبي بحق الضابط أو الضباط"),
    "remedy": (
        "a remedy for you (an apology, compensation or a correction)",
        "إنصافك (اعتذار أو تعويض أو تصحيح)",
    ),
    "sanction_and_remedy": (
        "disciplinary action and a remedy for you",
        "إجراء تأديبي وإنصاف لك",
    ),
    "learning": (
        "lessons and training for the officers and the station",
        "دروس وتدريب للضباط والمركز",
    ),
    "no_further_action": ("no further action", "لا إجراء إضافي"),
    "resolved_informally": ("resolved informally, as you agreed", "حُلّت وديًا بموافقتك"),
    # not accepted
    "out_of_time": ("it was made too long after the events", "قُدّمت بعد مرور وقت طويل على الأحداث"),
    "repetitive": ("it repeats a complaint already dealt with", "تكرر شكوى سبق النظر فيها"),
    "vexatious": ("it is an abuse of the complaints process", "تُعدّ إساءة لاستخدام إجراءات الشكاوى"),
    "not_police_conduct": ("it is not about the conduct of the police", "لا تتعلق بسلوك الشرطة"),
    "insufficient_information": (
        "there is not enough information to act on",
        "لا تتوفر معلومات كافية للتصرف",
    ),
    # referred
    "military_justice": ("to the military justice system", "إلى القضاء العسكري"),
    "public_prosecutor": ("to the public prosecutor", "إلى النيابة العامة"),
    "other_agency": ("to another agency responsible for it", "إلى جهة أخرى مختصة"),
    "anti_corruption_commission": (
        "to the anti-corruption commission",
        "إلى هيئة النزاهة ومكافحة الفساد",
    ),
}

NO_CONTACT_TEXT = (
    "We could not send you a message: you gave no contact details. The outcome is shown here.",
    "لم نتمكن من مراسلتك لأنك لم تترك وسيلة تواصل. النتيجة معروضة هنا.",
)

OVERDUE_TEXT = ("overdue", "متأخر")

# Months as written in Jordan (Levantine names), for dates shown to complainants.
MONTHS_AR = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)  # fmt: skip


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "ar" else pair[0]


def category_text(code: str, language: str) -> str:
    return _pick(CATEGORY_TEXT.get(code, (code.replace("_", " "),) * 2), language)


def finding_text(code: str, language: str) -> str:
    return _pick(FINDING_TEXT.get(code, (code.replace("_", " ").lower(),) * 2), language)


def reason_text(code: str, language: str) -> str:
    return _pick(REASON_TEXT.get(code, (code.replace("_", " "),) * 2), language)


def date_text(moment: datetime, language: str, timezone: str = "UTC") -> str:
    """A date as a complainant reads it, in the jurisdiction's time zone: 30 December 2026."""
    local = moment.astimezone(ZoneInfo(timezone))
    if language == "ar":
        return f"{local.day} {MONTHS_AR[local.month - 1]} {local.year}"
    return f"{local.day} {local.strftime('%B')} {local.year}"


def decision_lines(details: Mapping[str, Any], language: str) -> list[str]:
    """What a complainant is told of a decision: each allegation's finding, the outcome, the
    reasons for not accepting or referring, the review period. Codes only go in; categories
    (never officers) come out."""
    lines = []
    for item in details.get("findings") or []:
        category, finding = item["category"], item["finding"]
        lines.append(f"{category_text(category, language)}: {finding_text(finding, language)}")
    if details.get("outcome"):
        label = "النتيجة" if language == "ar" else "Outcome"
        lines.append(f"{label}: {reason_text(details['outcome'], language)}")
    if details.get("not_accepted"):
        label = "السبب" if language == "ar" else "Reason"
        lines.append(f"{label}: {reason_text(details['not_accepted'], language)}")
    if details.get("referred"):
        label = "أحيلت" if language == "ar" else "Referred"
        lines.append(f"{label} {reason_text(details['referred'], language)}")
    if details.get("review_until"):
        until = date_text(
            datetime.fromisoformat(details["review_until"]),
            language,
            details.get("timezone", "UTC"),
        )
        lines.append(
            f"يمكنك طلب مراجعة النتيجة حتى {until}."
            if language == "ar"
            else f"You may ask for a review of this outcome until {until}."
        )
    return lines


def review_closed_text(ended: datetime, language: str, timezone: str = "UTC") -> str:
    when = date_text(ended, language, timezone)
    if language == "ar":
        return f"انتهت فترة طلب المراجعة في {when}؛ لم يعد بالإمكان طلب مراجعة."
    return (
        f"The period for asking for a review ended on {when}; a review can no longer be asked for."
    )


def review_not_yet_text(language: str) -> str:
    if language == "ar":
        return "يمكنك طلب المراجعة بعد إبلاغك بنتيجة شكواك فقط."
    return "You can ask for a review only once you have been told the outcome of your complaint."
