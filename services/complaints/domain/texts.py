"""What the complainant reads: status and clock wording in Arabic and English, and the language
to answer in. Plain words: no investigative detail."""

from __future__ import annotations

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
        "Your complaint could not be accepted. You will receive the reasons.",
        "تعذر قبول شكواك. ستصلك الأسباب.",
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


def notification_text(reference: str, about: str, language: str) -> str:
    """The message a complainant is sent when their complaint moves to `about`."""
    if language == "ar":
        return f"شكواك {reference}: {status_text(about, 'ar')}"
    return f"Your complaint {reference}: {status_text(about, 'en')}"
