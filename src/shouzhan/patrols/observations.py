"""What a patrol saw (巡查情况), as a small fixed vocabulary: each answer checked, each shown in words."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.limits import check_length

# key → (label, {value: words}); a value missing from the dict is "not observed".
CHOICES: dict[str, tuple[Any, dict[str, Any]]] = {
    "colour": (_l("水体颜色"), {"normal": _l("正常"), "turbid": _l("浑浊"), "black": _l("发黑"),
                                "green": _l("发绿（藻类）"), "other": _l("其他异色")}),
    "odour": (_l("气味"), {"none": _l("无异味"), "slight": _l("轻微异味"), "strong": _l("明显臭味")}),
    "debris": (_l("漂浮物"), {"none": _l("无"), "some": _l("少量"), "much": _l("大量")}),
    "outfall": (_l("排口"), {"none": _l("未见排放"), "normal": _l("正常排放"), "abnormal": _l("异常排放")}),
    "quality": (_l("水质类别（实测）"), {"I": _l("Ⅰ类"), "II": _l("Ⅱ类"), "III": _l("Ⅲ类"), "IV": _l("Ⅳ类"), "V": _l("Ⅴ类"),
                                       "worse_v": _l("劣Ⅴ类")}),
    "wall": (_l("防汛墙"), {"intact": _l("完好"), "cracked": _l("裂缝"), "damaged": _l("破损"),
                           "seeping": _l("渗漏")}),
    "encroachment": (_l("违法占用"), {"none": _l("无"), "building": _l("违章搭建"),
                                      "dumping": _l("倾倒堆放"), "fishing": _l("违规垂钓或捕捞")}),
}  # fmt: skip
NOTE_MAX = 500


def observations_clean(data: Any) -> dict[str, str]:
    """Only known answers are kept; an unknown value is refused naming the item."""
    if data in (None, ""):
        return {}
    if not isinstance(data, dict):
        raise ValidationError({"observations": [_("巡查情况格式不正确。")]})
    clean: dict[str, str] = {}
    for key, value in data.items():
        if value in (None, ""):
            continue
        if key == "note":
            text = str(value).strip()
            check_length(field="observations", text=text, limit=NOTE_MAX)
            if text:
                clean["note"] = text
            continue
        if key not in CHOICES:
            raise ValidationError({"observations": [_("没有“%(k)s”这一巡查项目。") % {"k": str(key)[:40]}]})
        label, values = CHOICES[key]
        if str(value) not in values:
            raise ValidationError({"observations": [_("“%(l)s”的选项不正确。") % {"l": label}]})
        clean[key] = str(value)
    return clean


def observations_words(data: dict[str, str]) -> list[tuple[str, str]]:
    """(item, answer) in the reader's language, in the vocabulary's order."""
    words = [(str(label), str(values[data[key]])) for key, (label, values) in CHOICES.items() if key in data]
    if data.get("note"):
        words.append((_("其他情况"), data["note"]))
    return words
