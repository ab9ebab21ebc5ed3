"""English questions over Vietnamese articles: a small English -> Vietnamese glossary.

Lexical evidence needs Vietnamese words, so an English question's nouns ("students" ->
"học sinh") and topic words ("raise" -> "huy động | vận động | quyên góp") are looked up
here, after crude stemming ("households" -> "household"). The table is general vocabulary
of Vietnamese local and community news (administration, party life, farming, money), not
tied to any question. `english_type` is the English side of `questions.classify_question`;
the Vietnamese words that name what is asked (place, body and document words) live here too.
Does not translate anything else: an unknown English word is evidence that nobody can find.
"""
from __future__ import annotations

import re

from qa.lang.text import fold

# Vietnamese words that name what a question asks for ("huyện nào", "tổ chức nào", "kết luận nào").
PLACE_WORDS = ("thành phố", "thị trấn", "thị xã", "huyện", "xã", "phường", "tỉnh", "quận", "thôn", "bản", "khu",
               "tổ dân phố", "làng", "địa phương", "địa bàn")
ORG_WORDS = ("tổ chức", "đảng bộ", "đảng ủy", "chi bộ", "cơ quan", "đơn vị", "đoàn thể", "hội", "trường",
             "cấp ủy", "ban", "doanh nghiệp", "hợp tác xã", "công ty", "lực lượng")
CODE_WORDS = {"kết luận": "KL", "chỉ thị": "CT", "nghị quyết": "NQ", "kế hoạch": "KH", "quyết định": "QĐ",
              "quy định": "QĐ", "thông báo": "TB", "văn bản": "", "hướng dẫn": "HD", "công văn": ""}

# Counted things and units: "english[, english...]: vietnamese | vietnamese".
NOUNS = """
student, pupil: học sinh
child, children, kid: trẻ em | em | cháu
district: huyện
commune: xã
ward: phường
town, township: thị trấn
province: tỉnh
city: thành phố
village: thôn | bản | làng
hamlet: thôn | bản
residential area, quarter: khu
model: mô hình
collective: tập thể
individual: cá nhân
working day, workday, man-day, work day: ngày công
civil servant: cán bộ | công chức
official, cadre, officer, staff: cán bộ
public employee: viên chức
household, family, families: hộ | hộ gia đình
poor household: hộ nghèo
party member: đảng viên
member: hội viên | đoàn viên | đảng viên
union member: đoàn viên | hội viên
person: người
people: người | nhân dân | người dân | dân
resident, inhabitant: người dân | nhân dân
conference, meeting: hội nghị
house, home: nhà
cow, cattle: bò
buffalo: trâu
pig: heo | lợn
duck: vịt
chicken: gà
bee: ong
honey: mật | mật ong
fish: cá
rice: gạo | lúa
letter: thư
thank-you letter: thư cảm ơn
team, delegation: đoàn | đội
inspection team: đoàn kiểm tra
school: trường
project: dự án | công trình
facility: công trình
product: sản phẩm
ethnic group, ethnicity: dân tộc
group: nhóm | tổ
case: trường hợp | vụ
petition, complaint: đơn thư | khiếu nại
year: năm
month: tháng
day: ngày
participant, attendee: lượt người | người
example, role model: gương
business, enterprise, company: doanh nghiệp
cooperative: hợp tác xã
party cell: chi bộ
party committee: đảng ủy | cấp ủy
task, job, deed: việc | phần việc
tree: cây
camera: camera
length: chiều dài | dài
width: chiều rộng | rộng
height: chiều cao | cao
area: diện tích
gift: quà | suất quà
scholarship: học bổng
bridge: cầu
road: đường
metre, meter, m: m
kilometre, kilometer, km: km
hectare, ha: ha
tonne, ton: tấn
kilogram, kg: kg
litre, liter: lít
square metre, square meter: m2
"""
WORDS = """
raise, mobilise, mobilize, collect, gather: huy động | vận động | quyên góp
donate, contribute, contribution: ủng hộ | đóng góp
fund: quỹ
support, help, assist: hỗ trợ | giúp đỡ
go to school: đến trường
poor, poverty: nghèo
escape poverty: thoát nghèo
police: công an
military, army: quân sự | quân đội
flower: hoa
fence: tường rào
wall: tường
demolish, dismantle, tear down, pull down: phá dỡ
replicate, expand, spread: nhân rộng
commend, praise, honour, honor: biểu dương | khen thưởng | khen
award, present, give: tặng | trao
certificate of merit: bằng khen
honour roll, honor roll: ghi danh
register, sign up: đăng ký | ghi danh
economy, economic: kinh tế
develop, development: phát triển
livestock, cattle: gia súc | chăn nuôi
breed, breeding: sinh sản | chăn nuôi
youth union: đoàn thanh niên
women's union, women: phụ nữ
veteran: cựu chiến binh
farmer: nông dân
rural: nông thôn
new rural: nông thôn mới
charity, charitable, volunteer: thiện nguyện | từ thiện
maintain, sustain: duy trì
build, construct: xây dựng
plan: kế hoạch
conclusion: kết luận
directive: chỉ thị
resolution: nghị quyết
decision: quyết định
period, phase, stage: giai đoạn
provincial: tỉnh
good: tốt
uncle ho: bác | bác hồ
ho chi minh: hồ chí minh
follow: làm theo
study, learn: học tập
ethnic: dân tộc
live: sinh sống
light, lighting: thắp sáng
lane, alley: ngõ xóm
village road: đường làng
security: an ninh
environment: môi trường
waste, garbage, rubbish, trash: rác
sort, sorting, classify, classification: phân loại
source: nguồn
field, rice field: đồng ruộng | ruộng
clean, cleanliness: sạch
green: xanh
tree planting, plant: trồng | trồng cây
water: nước
road, street: đường
saturday: thứ bảy | thứ 7
sunday: chủ nhật
today: hôm nay
price: giá
gold: vàng
flood: lũ | lụt
relief: cứu trợ
storm: bão
boarding, semi-boarding: bán trú
secretary: bí thư
head, chief: trưởng
deputy, vice: phó
propaganda: tuyên giáo
committee: ban | ủy ban
inspection, inspect, supervision: kiểm tra | giám sát
tea: chè
coffee: cà phê
fruit: quả
vegetable: rau
safe: an toàn
tourism: du lịch
administrative: hành chính
reform: cải cách
denunciation: tố cáo
resolve, settle: giải quyết
local: địa phương
muscovy: xiêm
commitment, pledge: cam kết
politburo: bộ chính trị
central: trung ương
dialogue: đối thoại
citizen: công dân
save, saving, savings: tiết kiệm
lead, leader, leadership: lãnh đạo
emulation: thi đua
movement, campaign: phong trào
land: đất
electricity: điện
health: y tế
hospital: bệnh viện
education: giáo dục
culture, cultural: văn hóa
solidarity: đoàn kết
great solidarity: đại đoàn kết
department: ban | phòng | sở
tourist, visitor: khách du lịch | du khách | lượt khách
visit: thăm | đến
fight, prevent: phòng chống
"""
FUNCTION_WORDS = frozenset("""
how what which who whom whose when where why the a an of in on at did does do is are was were to for by
many much have has had been be and or with from that this these those their its it they there into
about as per since until during after before than all any each every some total altogether ever so
""".split())


_IRREGULAR = {"built": "build", "took": "take", "won": "win", "led": "lead", "made": "make", "got": "get",
              "gave": "give", "given": "give", "paid": "pay", "spent": "spend", "held": "hold", "began": "begin",
              "sold": "sell", "bought": "buy", "went": "go", "grew": "grow", "grown": "grow", "men": "man",
              "women": "woman", "children": "child", "people": "people", "leading": "lead"}


def stem(word: str) -> str:
    """Crude English stemming, applied alike to glossary keys and question words."""
    w = word.lower().replace("'s", "").replace("’s", "").strip("'’-")
    w = _IRREGULAR.get(w, w)
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("sses", "ss"), ("oes", "o"), ("ches", "ch"),
                         ("shes", "sh"), ("xes", "x"), ("ing", ""), ("ed", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith("ss")):
            w = w[: len(w) - len(suffix)] + repl
            break
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


_VIETNAMESE_SYLLABLE = re.compile(r"^[b-df-hk-np-tv-xđ]*[aeiouy]+(?:c|ch|m|n|ng|nh|p|t)?$")
# Verbs and fillers that say little about the topic: neither evidence nor missing evidence.
GENERIC = frozenset(stem(w) for w in """
take make get run go do become receive use put set keep let see say tell know think want need come
also still now currently recently already yet just only even more most less least other another same
number amount kind type sort way thing part whole there here able can could would should will shall may
might must s t like such percent percentage proportion share
""".split())


def _table(data: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    table = {}
    for line in data.strip().splitlines():
        keys, _, values = line.partition(":")
        vi = tuple(v.strip() for v in values.split("|"))
        for key in keys.split(","):
            table[tuple(stem(w) for w in re.findall(r"[\w'-]+", key.strip()))] = vi
    return table


NOUN_TABLE = _table(NOUNS)
WORD_TABLE = _table(WORDS)
MEASURES = {"m": "m", "km": "km", "ha": "ha", "tấn": "tấn", "kg": "kg", "lít": "lít", "m2": "m2"}
# Words that show a question is English (short glossary words like "ho", "chi" are Vietnamese too).
ENGLISH_WORDS = FUNCTION_WORDS | {
    w for t in (NOUNS, WORDS) for line in t.strip().splitlines() for w in re.findall(r"[a-z]{4,}", line.split(":")[0])
} - {"minh"}


def _lookup(words: list[str], i: int, table: dict) -> tuple[int, tuple[str, ...]] | None:
    """Longest glossary entry starting at words[i]: (number of words, Vietnamese forms)."""
    for n in (4, 3, 2, 1):
        key = tuple(stem(w) for w in words[i:i + n])
        if len(key) == n and key in table:
            return n, table[key]
    return None


def english_terms(question: str, names: set[str] = frozenset()) -> list[tuple[str, tuple[tuple[str, ...], ...]]]:
    """(English label, folded Vietnamese forms) for every content word of the question; words
    the glossary does not know come with no forms. `names`: folded syllables of proper names."""
    words = [w.strip("'’-") for w in re.findall(r"[^\W\d_][\w'’-]*", question.lower())]
    out, i = [], 0
    while i < len(words):
        if words[i] in FUNCTION_WORDS or fold(words[i]) in names:
            i += 1
            continue
        hit = _lookup(words, i, NOUN_TABLE) or _lookup(words, i, WORD_TABLE)
        if hit:
            n, vi = hit
            out.append((" ".join(words[i:i + n]), tuple(tuple(fold(v).split()) for v in vi)))
            i += n
            continue
        if stem(words[i]) not in GENERIC and words[i].isascii():
            # Vietnamese words inside an English question ("the Camera an ninh model") are evidence.
            vietnamese = _VIETNAMESE_SYLLABLE.match(words[i]) and words[i] not in ENGLISH_WORDS
            out.append((words[i], ((words[i],),) if vietnamese else ()))
        i += 1
    return out


def translate_terms(question: str) -> list[str]:
    """Vietnamese words and phrases, with diacritics, for the English content words of a
    question ("Saturday" -> "thứ bảy", "thứ 7"; "districts" -> "huyện"), in question order,
    without repeats. Only glossary translations: names and Vietnamese words already in the
    question, and English words the glossary does not know, give nothing. For lexical retrieval."""
    words = [w.strip("'’-") for w in re.findall(r"[^\W\d_][\w'’-]*", question.lower())]
    out: list[str] = []
    i = 0
    while i < len(words):
        hit = None if words[i] in FUNCTION_WORDS else _lookup(words, i, NOUN_TABLE) or _lookup(words, i, WORD_TABLE)
        out.extend(hit[1] if hit else ())
        i += hit[0] if hit else 1
    return list(dict.fromkeys(out))


_PHRASE_END = frozenset("did do does were was are is have has had in at on from to for by since with "
                        "that which who".split())


def _nouns_after(words: list[str], i: int) -> tuple[str, ...]:
    """Glossary nouns of the phrase starting at words[i], up to its verb ("collectives and individuals")."""
    found: list[str] = []
    start = i
    while i < len(words) and words[i] not in _PHRASE_END and not words[i].endswith("ed"):
        hit = _lookup(words, i, NOUN_TABLE) or (_lookup(words, i, WORD_TABLE) if i == start else None)
        if hit:
            found.extend(v for v in hit[1] if v not in found)
            i += hit[0]
        else:
            i += 1
    return tuple(found)


def _asks(kind: str, nouns: tuple[str, ...] = (), unit: str | None = None, **more) -> dict:
    return {"kind": kind, "nouns": tuple(nouns), "unit": unit, **more}


def english_type(question: str) -> dict:
    """The fields of `questions.QuestionType` for an English question (kind, nouns, unit...)."""
    q = question.lower()
    words = re.findall(r"[a-z][\w'-]*|%", q)
    total = bool(re.search(r"\b(in total|total|altogether|in all|overall)\b", q))
    which = r"\b(?:which|what|in which|for which)\s+"
    if re.search(r"\b(percent|percentage|proportion|share)\b|%", q):
        i = next((k + 1 for k, w in enumerate(words) if w in ("percent", "percentage", "%", "of")), len(words))
        return _asks("percent", _nouns_after(words, i), "%")
    if re.search(which + r"(period|phase|stage|term|years)\b|\bfrom when\b", q):
        return _asks("period")
    m = re.search(which + r"(conclusion|directive|resolution|decision|plan|regulation|document)\b", q)
    if m:
        vi = WORD_TABLE.get((stem(m.group(1)),), ("văn bản",))[0]
        return _asks("code", (vi,), CODE_WORDS.get(vi) or None)
    if re.search(r"\bwhen\b|" + which + r"(year|date|day|month|time)\b", q):
        return _asks("date")
    if re.search(r"\b(by whom|who (launch|run|start|organi[sz]|initiat|manag|implement|carr|lead|sponsor)\w*)\b", q):
        return _asks("person", ("tổ chức",))  # a person or a body
    if re.search(r"\b(who|whom|whose)\b|" + which + r"(person|official|leader|comrade|secretary)\b", q):
        return _asks("person")
    m = re.search(which + r"(\w+)", q)
    if m and m.group(1) != "s":
        hit = _lookup(words, words.index(m.group(1)), NOUN_TABLE) if m.group(1) in words else None
        if hit and hit[1][0] in PLACE_WORDS:
            return _asks("place", hit[1])
        if re.match(r"(organi[sz]ation|unit|agency|body|party|union|school|association|force|department|committee)", m.group(1)):
            vi = hit[1] if hit else ()
            return _asks("org", tuple(v for v in vi if v in ORG_WORDS) or vi)
    if re.search(r"\bwhere\b", q):
        return _asks("place")
    if re.search(r"\bhow (long|far)\b|\b(length|distance)\b", q):
        return _asks("amount", (), "m")
    if re.search(r"\bhow (big|large)\b|\b(area|surface)\b", q):
        return _asks("amount", (), "m2")
    if "how many" in q or "how much" in q:
        i = words.index("many" if "how many" in q else "much") + 1
        nouns = _nouns_after(words, i)[:3]
        if nouns and nouns[0] in MEASURES:
            return _asks("amount", (), MEASURES[nouns[0]], total=total)
        if "how many" in q:
            # A counted thing the glossary does not know: no figure can be checked against it.
            unknown = not nouns and i < len(words) and stem(words[i]) not in GENERIC and words[i] not in _PHRASE_END
            return _asks("count", nouns, total=total, unknown_noun=unknown)
        return _asks("amount", (), "VND", total=total)
    if re.search(r"\b(cost|budget|amount of money|sum of money)\b", q):
        return _asks("amount", (), "VND", total=total)
    m = re.search(which + r"(?:kinds? of |types? of )?(\w+)", q)
    if m and m.group(1) in words:
        nouns = _nouns_after(words, words.index(m.group(1)))[:1]
        if nouns:
            return _asks("list", nouns)
    return _asks("other")


# Vietnamese words that news text uses for one another: a question may say "quyên góp"
# where the article says "huy động". Folded forms; each group is one meaning.
VI_SYNONYMS = [tuple(tuple(fold(w).split()) for w in group.split(" | ")) for group in (
    "huy động | vận động | quyên góp | ủng hộ | đóng góp | gây quỹ",
    "hỗ trợ | giúp đỡ | trợ giúp",
    "khen thưởng | biểu dương | tuyên dương",
)]


def vi_synonyms(form: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The forms meaning the same as `form` (itself first), or just `form`."""
    for group in VI_SYNONYMS:
        if form in group:
            return (form,) + tuple(f for f in group if f != form)
    return (form,)
