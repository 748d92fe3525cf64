"""The community concerns fora raise that are not (or not only) crimes, with their English and
Arabic labels; ICCS sections and divisions cover the rest. Shared so that the fora pages and the
ministry dashboard name a concern the same way."""

from __future__ import annotations

COMMUNITY_CONCERNS: dict[str, tuple[str, str]] = {
    "street_lighting": ("Street lighting", "إنارة الشوارع"),
    "traffic": ("Traffic and road safety", "المرور والسلامة على الطرق"),
    "youth_idleness": ("Youth idleness", "فراغ الشباب"),
    "harassment": ("Harassment in public spaces", "التحرش في الأماكن العامة"),
    "online_safety": ("Online safety", "الأمان على الإنترنت"),
    "domestic_violence": ("Domestic violence", "العنف الأسري"),
    "drugs": ("Drug dealing and use", "تعاطي المخدرات والاتجار بها"),
    "noise": ("Noise and nuisance", "الضوضاء والإزعاج"),
    "abandoned_buildings": ("Abandoned buildings", "المباني المهجورة"),
    "school_safety": ("Safety around schools", "السلامة حول المدارس"),
}

#: How an ICCS category travels as a concern code in events: "0501" → "iccs_0501".
ICCS_CONCERN_PREFIX = "iccs_"
