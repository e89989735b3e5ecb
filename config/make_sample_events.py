#!/usr/bin/env python3
"""Write config/sample-events.jsonl: one year (the 2026 cycle) of OCOP events for Tuyên Quang.

The events follow spec.md §2 under rule set R148_1489 (in force since 2025-07-06) and use the
shapes of bench/gen_workload.py's dossiers: the commune screens and forwards, the
provincial council scores in round 2026-1 or 2026-2 and the province recognises 3-4 stars, the
best (average >= 90) go to the central council in round 2026-C for 5 stars. Every actor is a
user of config/sample.yaml; the script reads that file (stdlib only, no YAML library) and checks
every event against it (role, unit scope on the day, unit level) while it simulates the
lifecycle, so the expected outcome it prints is what `ocop import` should produce.

    python3 config/make_sample_events.py            # writes config/sample-events.jsonl
    python3 config/make_sample_events.py --check    # only simulate, check and print

The output is deterministic: the same seed and the same sample.yaml give the same bytes.
"""
import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import sys
from collections import Counter, OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
TZ = dt.timezone(dt.timedelta(hours=7))  # Asia/Ho_Chi_Minh, no DST
YEAR = 2026
SEED = 2026

# --- who acts at the province and at central (all defined in sample.yaml) ----------------------
COORDINATORS = ["coordinator.tq.thu", "coordinator.tq.hung"]
COUNCIL_TQ = ["council.tq.binh", "council.tq.hoa", "council.tq.cuong", "council.tq.dung",
              "council.tq.my", "council.tq.khanh", "council.tq.linh", "council.tq.phuc",
              "council.tq.tam"]
CHAIR_TQ, SIGNER_TQ = "chair.tq.son", "signer.tq.ngoc"
COORDINATOR_VN = "coordinator.vn.ha"
COUNCIL_VN = ["council.vn.an", "council.vn.bich", "council.vn.chien", "council.vn.duyen",
              "council.vn.hai", "council.vn.huong", "council.vn.long"]
CHAIR_VN, SIGNER_VN = "chair.vn.tuan", "signer.vn.minh"
QUORUM = 5
PARTS = {"A": 40, "B": 25, "C": 35}  # R148_1489
MANDATORY = {3: {"food_safety"}, 4: {"food_safety", "traceability"}, 5: {"food_safety", "traceability"}}

# Evaluation rounds of the 2026 cycle (sample.yaml `cycles`), with the decision each one ends in.
# One decision recognises the whole round, as provinces do ("Quyết định công nhận ... đợt 1").
ROUNDS = OrderedDict([
    ("2026-1", {"level": "province", "cutoff": dt.date(2026, 6, 30), "meeting": dt.date(2026, 7, 15),
                "decision_no": "1187/QĐ-UBND", "decision_date": dt.date(2026, 7, 28)}),
    ("2026-2", {"level": "province", "cutoff": dt.date(2026, 9, 30), "meeting": dt.date(2026, 10, 15),
                "decision_no": "2456/QĐ-UBND", "decision_date": dt.date(2026, 10, 28)}),
    ("2026-C", {"level": "central", "cutoff": dt.date(2026, 11, 15), "meeting": dt.date(2026, 11, 30),
                "decision_no": "5120/QĐ-BNNMT", "decision_date": dt.date(2026, 12, 18)}),
])
IDEAS_CLOSE, PLANS_CLOSE = dt.date(2026, 4, 30), dt.date(2026, 7, 31)

# --- communes with dossiers: key (ASCII, used in user ids), unit code, products -----------------
# Products are (name, product_set). The names are local specialities of each place (Chè Shan
# tuyết Cao Bồ, Hồng không hạt Quản Bạ, Mật ong bạc hà Mèo Vạc, Cam sành Hàm Yên, ...); the
# producers that register them in this sample are invented.
COMMUNES = [
    # former Hà Giang province
    ("bacquang", "TQ-BACQUANG", "Bắc Quang", [("Cam sành Bắc Quang", "fresh_produce"), ("Chè xanh Bắc Quang", "tea"),
                                 ("Mật ong hoa cam Bắc Quang", "honey")]),
    ("hungan", "TQ-HUNGAN", "Hùng An", [("Chè Shan tuyết Hùng An", "tea"), ("Hồng trà Hùng An", "tea")]),
    ("vinhtuy", "TQ-VINHTUY", "Vĩnh Tuy", [("Cam sành Vĩnh Tuy", "fresh_produce"), ("Cá lăng sông Lô sấy khô", "processed_meat")]),
    ("tanquang", "TQ-TANQUANG", "Tân Quang", [("Chè Shan tuyết Tân Quang", "tea"), ("Miến dong Tân Quang", "processed_produce")]),
    ("dongyen", "TQ-DONGYEN", "Đồng Yên", [("Gạo nếp cẩm Đồng Yên", "rice_cereals")]),
    ("lienhiep", "TQ-LIENHIEP", "Liên Hiệp", [("Cam sành Liên Hiệp", "fresh_produce")]),
    ("quangbinh", "TQ-QUANGBINH", "Quang Bình", [("Chè Shan tuyết Quang Bình", "tea"), ("Gạo Japonica Quang Bình", "rice_cereals")]),
    ("xuangiang", "TQ-XUANGIANG", "Xuân Giang", [("Gạo nếp nương Xuân Giang", "rice_cereals")]),
    ("vixuyen", "TQ-VIXUYEN", "Vị Xuyên", [("Thịt lợn đen gác bếp Vị Xuyên", "processed_meat"), ("Chè xanh Vị Xuyên", "tea")]),
    ("caobo", "TQ-CAOBO", "Cao Bồ", [("Chè Shan tuyết Cao Bồ", "tea"), ("Bạch trà Shan tuyết Cao Bồ", "tea"),
                           ("Homestay người Dao Cao Bồ", "community_tourism")]),
    ("thuongson", "TQ-THUONGSON", "Thượng Sơn", [("Chè Shan tuyết Thượng Sơn", "tea"), ("Trà hoa vàng Thượng Sơn", "herbal_tea")]),
    ("laochai", "TQ-LAOCHAI", "Lao Chải", [("Chè Shan tuyết Lao Chải", "tea"), ("Mật ong rừng Lao Chải", "honey")]),
    ("vietlam", "TQ-VIETLAM", "Việt Lâm", [("Miến dong Việt Lâm", "processed_produce"), ("Cam sành Việt Lâm", "fresh_produce")]),
    ("tungba", "TQ-TUNGBA", "Tùng Bá", [("Gà đen Tùng Bá", "fresh_meat"), ("Lạp xưởng gác bếp Tùng Bá", "processed_meat")]),
    ("hagiang1", "TQ-HAGIANG1", "Hà Giang 1", [("Thịt bò khô Hà Giang", "processed_meat"), ("Lạp xưởng Hà Giang", "processed_meat"),
                                 ("Bánh tam giác mạch Hà Giang", "processed_cereals")]),
    ("hagiang2", "TQ-HAGIANG2", "Hà Giang 2", [("Thịt trâu gác bếp Hà Giang", "processed_meat"), ("Tương ớt Hà Giang", "sauces")]),
    ("ngocduong", "TQ-NGOCDUONG", "Ngọc Đường", [("Cam sành Ngọc Đường", "fresh_produce")]),
    ("quanba", "TQ-QUANBA", "Quản Bạ", [("Hồng không hạt Quản Bạ", "fresh_produce"), ("Hồng sấy dẻo Quản Bạ", "processed_produce"),
                             ("Homestay thôn Nậm Đăm", "community_tourism")]),
    ("nghiathuan", "TQ-NGHIATHUAN", "Nghĩa Thuận", [("Rượu ngô Thanh Vân", "spirits"), ("Chè Shan tuyết Nghĩa Thuận", "tea")]),
    ("lungtam", "TQ-LUNGTAM", "Lùng Tám", [("Vải lanh thổ cẩm Lùng Tám", "textiles"), ("Khăn lanh thêu tay Lùng Tám", "textiles")]),
    ("tungvai", "TQ-TUNGVAI", "Tùng Vài", [("Hồng không hạt Tùng Vài", "fresh_produce"), ("Rượu ngô men lá Tùng Vài", "spirits")]),
    ("canty", "TQ-CANTY", "Cán Tỷ", [("Rượu ngô Cán Tỷ", "spirits")]),
    ("yenminh", "TQ-YENMINH", "Yên Minh", [("Thịt bò khô Yên Minh", "processed_meat"), ("Rượu ngô Lao Và Chải", "spirits"),
                               ("Hạt tam giác mạch Yên Minh", "rice_cereals")]),
    ("dugia", "TQ-DUGIA", "Du Già", [("Homestay Du Già", "community_tourism"), ("Chè Shan tuyết Du Già", "tea")]),
    ("maudue", "TQ-MAUDUE", "Mậu Duệ", [("Mật ong bạc hà Mậu Duệ", "honey"), ("Thịt bò vàng Mậu Duệ", "fresh_meat")]),
    ("dongvan", "TQ-DONGVAN", "Đồng Văn", [("Mật ong bạc hà Đồng Văn", "honey"), ("Bánh tam giác mạch Đồng Văn", "processed_cereals"),
                               ("Điểm du lịch phố cổ Đồng Văn", "community_tourism")]),
    ("lungcu", "TQ-LUNGCU", "Lũng Cú", [("Homestay bản Lô Lô Chải", "community_tourism"), ("Thổ cẩm Lô Lô Lũng Cú", "textiles")]),
    ("phobang", "TQ-PHOBANG", "Phố Bảng", [("Rượu ngô Phố Bảng", "spirits")]),
    ("saphin", "TQ-SAPHIN", "Sà Phìn", [("Mật ong bạc hà Sà Phìn", "honey"), ("Trang sức bạc thủ công người Mông Sà Phìn", "handicrafts")]),
    ("meovac", "TQ-MEOVAC", "Mèo Vạc", [("Mật ong bạc hà Mèo Vạc", "honey"), ("Thịt bò khô Mèo Vạc", "processed_meat"),
                             ("Homestay Pả Vi", "community_tourism"), ("Thổ cẩm Mèo Vạc", "textiles")]),
    ("khauvai", "TQ-KHAUVAI", "Khâu Vai", [("Rượu ngô Khâu Vai", "spirits"), ("Thịt bò vàng Khâu Vai", "fresh_meat")]),
    ("hoangsuphi", "TQ-HOANGSUPHI", "Hoàng Su Phì", [("Chè Shan tuyết Hoàng Su Phì", "tea"), ("Gạo Séng Cù Hoàng Su Phì", "rice_cereals"),
                                     ("Homestay ruộng bậc thang Hoàng Su Phì", "community_tourism")]),
    ("thongnguyen", "TQ-THONGNGUYEN", "Thông Nguyên", [("Chè Phìn Hồ", "tea"), ("Hồng trà Phìn Hồ", "tea")]),
    ("hothau", "TQ-HOTHAU", "Hồ Thầu", [("Homestay thôn Nậm Hồng", "community_tourism"), ("Lá tắm người Dao đỏ Hồ Thầu", "herbal_cosmetics")]),
    ("namdich", "TQ-NAMDICH", "Nậm Dịch", [("Chè Shan tuyết Nậm Dịch", "tea")]),
    ("polyngai", "TQ-POLYNGAI", "Pờ Ly Ngài", [("Chè Shan tuyết Pờ Ly Ngài", "tea"), ("Đương quy sấy khô Pờ Ly Ngài", "medicinal_herbs")]),
    ("banmay", "TQ-BANMAY", "Bản Máy", [("Tam thất Bản Máy", "medicinal_herbs")]),
    ("xinman", "TQ-XINMAN", "Xín Mần", [("Thảo quả khô Xín Mần", "spices"), ("Gạo Séng Cù Xín Mần", "rice_cereals"),
                             ("Chè Shan tuyết Xín Mần", "tea")]),
    ("namdan", "TQ-NAMDAN", "Nấm Dẩn", [("Rượu thóc Nấm Dẩn", "spirits")]),
    ("bacme", "TQ-BACME", "Bắc Mê", [("Cá suối sấy Bắc Mê", "processed_meat"), ("Mật ong Bắc Mê", "honey")]),
    ("yencuong", "TQ-YENCUONG", "Yên Cường", [("Cam Yên Cường", "fresh_produce")]),
    # former Tuyên Quang province
    ("hamyen", "TQ-HAMYEN", "Hàm Yên", [("Cam sành Hàm Yên", "fresh_produce"), ("Nước cam ép Hàm Yên", "soft_drinks")]),
    ("phuluu", "TQ-PHULUU", "Phù Lưu", [("Cam sành Phù Lưu", "fresh_produce")]),
    ("bachxa", "TQ-BACHXA", "Bạch Xa", [("Cam sành Bạch Xa", "fresh_produce")]),
    ("xuanvan", "TQ-XUANVAN", "Xuân Vân", [("Bưởi Soi Hà", "fresh_produce")]),
    ("thuongnong", "TQ-THUONGNONG", "Thượng Nông", [("Chè Shan tuyết Khau Mút", "tea")]),
    ("thuonglam", "TQ-THUONGLAM", "Thượng Lâm", [("Homestay bản Nà Tông", "community_tourism"), ("Thổ cẩm Tày Thượng Lâm", "textiles")]),
    ("tantrao", "TQ-TANTRAO", "Tân Trào", [("Chè xanh Tân Trào", "tea"), ("Homestay Tân Trào", "community_tourism")]),
    ("mylam", "TQ-MYLAM", "Mỹ Lâm", [("Chè Mỹ Bằng", "tea")]),
    ("chiemhoa", "TQ-CHIEMHOA", "Chiêm Hóa", [("Bánh gai Chiêm Hóa", "processed_cereals")]),
    ("nahang", "TQ-NAHANG", "Nà Hang", [("Cá hồ Na Hang sấy khô", "processed_meat")]),
]
FOOD_SETS = {"fresh_produce", "fresh_meat", "rice_cereals", "honey", "processed_cereals", "processed_produce",
             "processed_meat", "sauces", "spices", "tea", "herbal_tea", "soft_drinks", "spirits"}
VARIANTS = {  # a second product of the same kind gets one of these
    "tea": ["túi lọc", "hộp 200 g", "trà xanh", "hồng trà", "bạch trà"],
    "honey": ["chai 500 ml", "hũ 1 kg"], "fresh_produce": ["loại 1", "hộp quà 5 kg"],
    "spirits": ["chai 500 ml", "bình gốm 2 lít"], "processed_meat": ["gói 250 g", "hút chân không 500 g"],
    "textiles": ["khăn choàng", "túi thổ cẩm", "áo truyền thống"], "rice_cereals": ["túi 2 kg", "túi 5 kg"],
    "community_tourism": ["cơ sở 2", "cơ sở 3"]}
DEFAULT_VARIANTS = ["loại đặc biệt", "gói 500 g", "hộp quà"]
PRODUCER_TYPES = ["HTX", "HTX", "HTX", "Công ty TNHH", "Hộ kinh doanh"]
# Special council cases (spec §2 edge cases), each given to one dossier of round 2026-1 with the
# quality (target average) that makes it meaningful; the fail_* ones go to food products.
SPECIALS = {"exact50": None, "exact70": None, "exact90": 91.0, "rescore": None, "fail_traceability": 78.0,
            "fail_food_safety": 62.0, "no_quorum": None, "withdraw_review": None}
PERSON_NAMES = ["Lù Thị Mai", "Vàng Seo Chứ", "Hoàng Văn Páo", "Triệu Thị Sâm", "Nông Văn Tuấn",
                "Sùng Mí Dìn", "Lý Thị Hoa", "Giàng Thị Dở", "Phàn Văn Lìn", "Ma Thị Huyền",
                "Chảo Văn Quáng", "Mạc Thị Nga", "Thào Mí Chính", "Lục Văn Hải", "Nguyễn Thị Thơm"]
DOC_LABELS = {  # kinds used here (sample.yaml `documents.kinds` gives their Vietnamese names)
    "registration_form", "self_assessment", "business_plan", "samples", "commune_report", "test_report",
    "food_safety_cert", "label"}


# ================================================================================================
# Reading sample.yaml (the subset this project writes: one flow mapping per unit/user line)
# ================================================================================================
def _split_top(s, sep=","):
    out, depth, quote, cur = [], 0, False, []
    for ch in s:
        if ch == '"':
            quote = not quote
        elif not quote and ch in "[{":
            depth += 1
        elif not quote and ch in "]}":
            depth -= 1
        if ch == sep and depth == 0 and not quote:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur))
    return out


def _scalar(v):
    v = v.strip()
    if v.startswith('"') and v.endswith('"'):
        return v[1:-1]
    if v.startswith("[") and v.endswith("]"):
        return [_scalar(x) for x in _split_top(v[1:-1])]
    return v


def _flow_map(text):
    out = {}
    for part in _split_top(text):
        k, _, v = part.partition(":")
        out[k.strip()] = _scalar(v)
    return out


def _strip_comment(line):
    quote = False
    for i, ch in enumerate(line):
        if ch == '"':
            quote = not quote
        elif ch == "#" and not quote and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def read_sample_config(path):
    units, users, roles, holidays, working_days = {}, {}, {}, set(), set()
    section, sub = None, None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = _strip_comment(raw)
            if not line.strip():
                continue
            m = re.match(r"^([a-z_]+):", line)
            if m:
                section, sub = m.group(1), None
                continue
            if section in ("units", "users"):
                m = re.match(r"^\s*-\s*\{(.*)\}\s*$", line)
                if not m:
                    raise SystemExit(f"{path}: cannot read this {section} line (one flow map per line): {raw!r}")
                item = _flow_map(m.group(1))
                if section == "units":
                    units[item["code"]] = item
                else:
                    users[item["id"]] = item
            elif section == "roles":
                m = re.match(r"^\s+([a-z_]+):\s*\[(.*)\]\s*$", line)
                if m:
                    roles[m.group(1)] = {x.strip() for x in m.group(2).split(",") if x.strip()}
            elif section == "calendar":
                m = re.match(r"^\s{2}([a-z_]+):(.*)$", line)
                if m:
                    sub = m.group(1)
                    dates = re.findall(r"\d{4}-\d{2}-\d{2}", m.group(2))
                else:
                    dates = re.findall(r"\d{4}-\d{2}-\d{2}", line)
                target = {"holidays": holidays, "working_days": working_days}.get(sub)
                if target is not None:
                    target.update(dt.date.fromisoformat(d) for d in dates)
    for u in units.values():
        for k in ("valid_from", "valid_to"):
            u[k] = dt.date.fromisoformat(u[k]) if u.get(k) else None
    return units, users, roles, holidays, working_days


# ================================================================================================
# The lifecycle, as spec.md §2 describes it, to check every event and predict the outcome
# ================================================================================================
LEVELS = [("commune", "screen", None, None), ("province", "council", (3, 4), 90), ("central", "council", (5,), None)]
# R148_1489's `documents`; community tourism (a service) hands in no samples (`documents_by_group`)
REQUIRED_DOCS = {"register": {"registration_form", "self_assessment", "samples"}, "forward": {"commune_report"}}
REQUIRED_DOCS_TOURISM = {"register": {"registration_form", "self_assessment"}}
LEVEL_BOUND = {"accept_dossier", "return_dossier", "assess", "score", "close_scoring", "forward",
               "recognize", "not_recognize"}
BEFORE_RECOGNIZED = {"idea_submitted", "idea_returned", "idea_accepted", "plan_submitted", "plan_returned",
                     "in_development", "submitted", "returned", "under_review", "scored"}


def band(avg):
    return 5 if avg >= 90 else 4 if avg >= 70 else 3 if avg >= 50 else 2 if avg >= 30 else 1


class Sim:
    def __init__(self, cfg):
        self.units, self.users, self.roles, self.holidays, self.working_days = cfg
        self.d = {}
        self.certs = []

    def unit_valid(self, code, day):
        u = self.units[code]
        return (u["valid_from"] is None or u["valid_from"] <= day) and (u["valid_to"] is None or day <= u["valid_to"])

    def ancestors(self, code):
        out = []
        while code:
            out.append(code)
            code = self.units[code].get("parent")
        return out

    def fail(self, e, why):
        raise SystemExit(f"generator bug: {e['event']} {e.get('dossier') or e['data'].get('id')} "
                         f"by {e['actor']} at {e['at']}: {why}")

    def apply(self, e):
        ev, actor, data, day = e["event"], e["actor"], e.get("data", {}), e["at"].date()
        user = self.users.get(actor) or self.fail(e, "unknown actor")
        allowed = set().union(*(self.roles.get(r, set()) for r in user["roles"]))
        if ev not in allowed:
            self.fail(e, f"roles {user['roles']} do not allow it")
        if not self.unit_valid(user["unit"], day):
            self.fail(e, f"unit {user['unit']} not valid on {day}")
        if ev in ("submit_idea", "register") and "dossier" not in e:
            d = {"id": data["id"], "state": "none", "unit": data["unit"], "level": None, "docs": set(),
                 "sheets": {}, "score": None, "stars": None, "cert": None, "product": data["product"],
                 "tourism": data["product_set"] == "community_tourism"}
        else:
            d = self.d[e["dossier"]]
        if not self.unit_valid(d["unit"], day) or user["unit"] not in self.ancestors(d["unit"]):
            self.fail(e, f"unit {user['unit']} has no scope over {d['unit']}")
        lvl = LEVELS[d["level"]] if d["level"] is not None else None
        if ev in LEVEL_BOUND and self.units[user["unit"]]["level"] != lvl[0]:
            self.fail(e, f"actor level {self.units[user['unit']]['level']} != dossier level {lvl[0]}")
        s = d["state"]
        docs = {x["kind"] for x in data.get("documents", [])}

        def need(*states):
            if s not in states:
                self.fail(e, f"state {s} does not allow it")

        def go(state):
            d["state"] = state
            d["docs"] |= docs

        if ev == "submit_idea":
            need("none"); go("idea_submitted")
        elif ev == "accept_idea":
            need("idea_submitted"); go("idea_accepted")
        elif ev == "return_idea":
            need("idea_submitted"); data["reason"]; go("idea_returned")
        elif ev == "resubmit_idea":
            need("idea_returned"); go("idea_submitted")
        elif ev == "submit_plan":
            need("idea_accepted"); go("plan_submitted")
        elif ev == "approve_plan":
            need("plan_submitted"); go("in_development")
        elif ev == "return_plan":
            need("plan_submitted"); data["reason"]; go("plan_returned")
        elif ev == "resubmit_plan":
            need("plan_returned"); go("plan_submitted")
        elif ev == "reject":
            need("idea_submitted", "plan_submitted"); data["reason"]; go("rejected")
        elif ev == "register":
            need("none", "in_development")
            required = REQUIRED_DOCS_TOURISM if d["tourism"] else REQUIRED_DOCS
            if not required["register"] <= (d["docs"] | docs):
                self.fail(e, "register documents missing")
            d["level"] = 0
            go("submitted")
        elif ev == "return_dossier":
            need("submitted"); data["reason"]; data["missing"]; go("returned")
        elif ev == "resubmit":
            need("returned"); go("submitted")
        elif ev == "accept_dossier":
            need("submitted")
            if lvl[1] == "council":
                r = ROUNDS[data["round"]]
                if r["level"] != lvl[0] or day > r["cutoff"]:
                    self.fail(e, f"round {data['round']} is not open at {lvl[0]} on {day}")
                d["sheets"] = {}
            go("under_review")
        elif ev == "assess":
            need("under_review")
            if lvl[1] != "screen":
                self.fail(e, "assess at a council level")
            go("under_review")
        elif ev == "score":
            need("under_review")
            if lvl[1] != "council":
                self.fail(e, "score at a screening level")
            for k, mx in PARTS.items():
                if not 0 <= data[k] <= mx:
                    self.fail(e, f"part {k}={data[k]} outside 0..{mx}")
            d["sheets"][actor] = data["A"] + data["B"] + data["C"]
            go("under_review")
        elif ev == "close_scoring":
            need("under_review")
            if len(d["sheets"]) < QUORUM:
                self.fail(e, "no quorum")
            total = sum(d["sheets"].values())
            d["score"] = total / len(d["sheets"])
            failed = set(data.get("failed_criteria", []))
            stars = band(d["score"])
            while stars > 1 and MANDATORY.get(stars, set()) & failed:
                stars -= 1
            d["stars"] = stars
            go("scored")
        elif ev == "forward":
            if lvl[1] == "screen":
                need("under_review")
                if not REQUIRED_DOCS["forward"] <= (d["docs"] | docs):
                    self.fail(e, "forward documents missing")
            else:
                need("scored", "recognized")
                if lvl[3] is None or d["score"] < lvl[3]:
                    self.fail(e, f"score {d['score']} below forward_min")
            d["level"] += 1
            d["score"], d["stars"], d["sheets"] = None, None, {}
            go("submitted")
        elif ev == "recognize":
            need("scored")
            stars = min(d["stars"], max(lvl[2]))
            if stars not in lvl[2]:
                self.fail(e, f"{stars} stars not recognised at {lvl[0]}")
            dec = dt.date.fromisoformat(data["decision_date"])
            if dec > day:
                self.fail(e, "decision dated after the event")
            cert = {"dossier": d["id"], "stars": stars, "level": lvl[0], "issued_on": dec, "state": "active"}
            if d["cert"] is not None:
                d["cert"]["state"] = "superseded"
            d["cert"] = cert
            self.certs.append(cert)
            go("recognized")
        elif ev == "not_recognize":
            need("scored"); data["reason"]
            go("recognized" if d["cert"] else "not_recognized")
        elif ev == "withdraw":
            if s not in BEFORE_RECOGNIZED:
                self.fail(e, f"state {s} does not allow it")
            data["reason"]
            go("recognized" if d["cert"] else "withdrawn")
        elif ev == "attach":
            if s in ("not_recognized", "rejected", "withdrawn"):
                self.fail(e, "attach to a final dossier")
            d["docs"].add(data["kind"])
        elif ev == "annotate":
            data["note"]
        else:
            self.fail(e, "unknown event")
        self.d[d["id"]] = d


# ================================================================================================
# Generating
# ================================================================================================
def doc(kind, dossier_id):
    name = f"{dossier_id}-{kind}.pdf"
    return {"kind": kind, "name": name, "sha256": hashlib.sha256(name.encode()).hexdigest(),
            "bytes": 150_000 + int(hashlib.sha256(name.encode()).hexdigest()[:4], 16)}


class Calendar:
    def __init__(self, holidays, working_days):
        self.holidays, self.working_days = holidays, working_days

    def working(self, day):
        if day in self.working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_working(self, day):
        while not self.working(day):
            day += dt.timedelta(days=1)
        return day


class Dossier:
    def __init__(self, gen, n, commune, start):
        self.gen, self.rng, self.cal = gen, gen.rng, gen.cal
        self.n, self.id = n, f"TQ-{YEAR}-{n:04d}"
        self.key, self.unit = commune[0], commune[1]
        self.officer, self.producer = f"officer.{self.key}", f"producer.{self.key}"
        self.clock = start
        self.events = []
        self.round = None

    def _office_time(self, t):
        """The first moment at or after t that falls in office hours (07:30-17:00) of a working day."""
        day = t.date()
        if not self.cal.working(day) or t.time() > dt.time(16, 45):
            if self.cal.working(day) and t.time() > dt.time(16, 45):
                day += dt.timedelta(days=1)
            day = self.cal.next_working(day)
            return dt.datetime.combine(day, dt.time(7, 30), TZ) + dt.timedelta(minutes=self.rng.randint(0, 150))
        if t.time() < dt.time(7, 30):
            return dt.datetime.combine(day, dt.time(7, 30), TZ) + dt.timedelta(minutes=self.rng.randint(0, 150))
        return t

    def add(self, event, actor, data=None, days=(0.2, 3.0), new=False, at=None):
        if at is None:
            at = self._office_time(self.clock + dt.timedelta(days=self.rng.uniform(*days)))
        if at < self.clock:
            raise SystemExit(f"generator bug: {self.id} {event} at {at} before {self.clock}")
        at = at.replace(microsecond=0)
        self.clock = at
        e = {"event": event, "actor": actor, "at": at}
        if not new:
            e["dossier"] = self.id
        if data is not None:
            e["data"] = data
        self.events.append(e)
        return e

    def on(self, day, hour, minute=0):
        """A fixed moment (a council meeting, a decision); must not lie before the clock."""
        t = dt.datetime.combine(day, dt.time(hour, 0), TZ) + dt.timedelta(minutes=minute)
        if self.clock > t:
            raise SystemExit(f"generator bug: {self.id} is at {self.clock}, after the fixed moment {t}")
        return t


def split_total(rng, total):
    """A scoresheet {A, B, C} of whole points, each within its part's maximum, summing to total."""
    a = min(40, max(0, round(total * 0.40 + rng.gauss(0, 1.2))))
    b = min(25, max(0, round(total * 0.25 + rng.gauss(0, 0.9))))
    c = total - a - b
    while c > 35:
        if a < 40:
            a += 1
        elif b < 25:
            b += 1
        c = total - a - b
    while c < 0:
        if a > 0:
            a -= 1
        else:
            b -= 1
        c = total - a - b
    return {"A": a, "B": b, "C": c}


class Generator:
    def __init__(self, cfg, seed):
        self.rng = random.Random(seed)
        self.cal = Calendar(cfg[3], cfg[4])
        self.products_used = Counter()
        self.n = 0
        self.dossiers = []
        self.meeting_slot = Counter()   # (round, day) -> dossiers scored so far
        self.decision_slot = Counter()

    # --- helpers ---------------------------------------------------------------------------
    def new_dossier(self, commune, start, food_only=False):
        self.n += 1
        d = Dossier(self, self.n, commune, start)
        self.dossiers.append(d)
        choices = [p for p in commune[3] if p[1] in FOOD_SETS] if food_only else commune[3]
        name, pset = self.rng.choice(choices)
        self.products_used[name] += 1
        uses = self.products_used[name]
        place = commune[2]
        kind = self.rng.choice(PRODUCER_TYPES)
        if pset == "community_tourism":
            what = name.replace("Homestay ", "").replace("Điểm du lịch ", "")
            producer = {"HTX": f"HTX Du lịch cộng đồng {what}", "Công ty TNHH": f"Công ty TNHH Du lịch {what}",
                        "Hộ kinh doanh": f"Hộ kinh doanh {self.rng.choice(PERSON_NAMES)}"}[kind]
        elif kind == "HTX":
            producer = f"HTX {name}" if uses == 1 else \
                f"HTX {self.rng.choice(['Nông lâm nghiệp', 'Sản xuất và Dịch vụ', 'Nông nghiệp'])} {place}"
        elif kind == "Hộ kinh doanh":
            producer = f"Hộ kinh doanh {self.rng.choice(PERSON_NAMES)}"
        else:
            producer = f"Công ty TNHH {self.rng.choice(['Nông sản', 'Thương mại và Dịch vụ', 'Đặc sản'])} {place}"
        # the first registration of a speciality takes its plain name; the next ones a packaging
        # or kind, then the producer's name, as provincial OCOP lists do
        variants = VARIANTS.get(pset, DEFAULT_VARIANTS)
        product = name if uses == 1 else f"{name} ({variants[uses - 2]})" if uses - 1 <= len(variants) \
            else f"{name} - {producer}"
        d.created = {"id": d.id, "product": product, "product_set": pset, "producer": producer, "unit": d.unit}
        d.food = pset in FOOD_SETS
        return d

    def start_day(self, lo, hi):
        day = lo + dt.timedelta(days=self.rng.randint(0, (hi - lo).days))
        day = self.cal.next_working(day)
        return dt.datetime.combine(day, dt.time(7, 30), TZ) + dt.timedelta(minutes=self.rng.randint(0, 420))

    # --- stages ----------------------------------------------------------------------------
    def idea_and_plan(self, d, plan=True, idea_return=False, plan_return=False):
        d.add("submit_idea", d.producer, d.created, new=True, days=(0, 0))
        if idea_return:
            d.add("return_idea", d.officer, {"reason": "Đề nghị bổ sung mô tả nguồn nguyên liệu và quy mô sản xuất"}, days=(1, 6))
            d.add("resubmit_idea", d.producer, days=(2, 8))
        d.add("accept_idea", d.officer, days=(1, 7))
        if not plan:
            return
        plan_day = self.start_day(dt.date(2026, 5, 4), dt.date(2026, 7, 10))
        d.add("submit_plan", d.producer, {"documents": [doc("business_plan", d.id)]}, at=max(plan_day, d.clock))
        assert d.clock.date() <= PLANS_CLOSE, d.id
        if plan_return:
            d.add("return_plan", d.officer, {"reason": "Phương án chưa làm rõ thị trường tiêu thụ và nguồn vốn đối ứng"}, days=(2, 8))
            return
        d.add("approve_plan", d.officer, days=(3, 12))

    def register(self, d, direct, day=None):
        docs = [doc("registration_form", d.id), doc("self_assessment", d.id)]
        if d.created["product_set"] != "community_tourism":  # a service hands in no samples
            docs.append(doc("samples", d.id))
        if direct:
            data = dict(d.created)
            data.update({"registration_type": "new", "documents": docs})
            d.add("register", d.producer, data, new=True, at=day)
        else:
            d.add("register", d.producer, {"registration_type": "new", "documents": docs}, at=max(day, d.clock))

    def commune_screening(self, d, ret=False, stop=None):
        """The commune checks the dossier, assesses the locality criteria and proposes it."""
        if ret:
            kind = self.rng.choice(["test_report", "food_safety_cert"]) if d.food else "label"
            reason = {"test_report": "Thiếu phiếu kết quả kiểm nghiệm chỉ tiêu an toàn thực phẩm còn hiệu lực",
                      "food_safety_cert": "Thiếu giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
                      "label": "Thiếu hình ảnh nhãn, bao bì sản phẩm"}[kind]
            d.add("return_dossier", d.officer, {"reason": reason, "missing": [kind]}, days=(1, 5))
            if stop == "returned":
                return
            d.add("resubmit", d.producer, {"documents": [doc(kind, d.id)]}, days=(3, 12))
        if stop == "submitted":
            return
        d.add("accept_dossier", d.officer, days=(1, 5))
        if stop == "under_review":
            return
        pts = {"origin": self.rng.choice([2, 3]), "local_labour": self.rng.choice([1, 2, 3]),
               "idea_origin": self.rng.choice([1, 2]), "local_identity": self.rng.choice([2, 3])}
        d.add("assess", d.officer, {"locality": pts}, days=(0.1, 2))
        d.add("forward", d.officer, {"documents": [doc("commune_report", d.id)]}, days=(0.3, 4))

    def open_round(self, level, day):
        for rid, r in ROUNDS.items():
            if r["level"] == level and day <= r["cutoff"]:
                return rid
        return None

    def council(self, d, rid, members, target, exact_sum=None, rescore=False, sheets=QUORUM):
        """Scores on the meeting day; returns the average the engine must compute."""
        r = ROUNDS[rid]
        slot = self.meeting_slot[rid]
        self.meeting_slot[rid] += 1
        day = r["meeting"]
        if slot >= 36:  # a council scores about 36 dossiers a day; the rest the next working day
            day = self.cal.next_working(day + dt.timedelta(days=1))
            slot -= 36
        base = d.on(day, 8, 12 * slot)
        chosen = self.rng.sample(members, sheets)
        if exact_sum is not None:
            m = exact_sum // 5
            totals = [m - 2, m + 1, m, m + 2, m - 1]
        else:
            totals = [max(12, min(100, round(target + self.rng.gauss(0, 2.4)))) for _ in chosen]
        final = {}
        for k, (member, total) in enumerate(zip(chosen, totals)):
            sheet = split_total(self.rng, total)
            d.add("score", member, sheet, at=base + dt.timedelta(minutes=1 + 2 * k, seconds=self.rng.randint(0, 59)))
            final[member] = total
        if rescore:  # a member corrects their sheet; the new one replaces the old
            member = chosen[0]
            total = min(100, totals[0] + 3)
            d.add("score", member, split_total(self.rng, total), at=d.clock + dt.timedelta(minutes=4))
            final[member] = total
        return sum(final.values()) / len(final), d.clock

    def province(self, d, quality, special=None, ret=False, annotate=False, stop=None):
        """Province: accept into the open round, council, chair closes, signer decides."""
        if SPECIALS.get(special):
            quality = SPECIALS[special]
        if ret:
            d.add("return_dossier", self.rng.choice(COORDINATORS),
                  {"reason": "Nhãn sản phẩm chưa thể hiện đầy đủ thông tin truy xuất nguồn gốc", "missing": ["label"]},
                  days=(1, 5))
            if stop == "returned":
                return
            d.add("resubmit", d.producer, {"documents": [doc("label", d.id)]}, days=(3, 10))
        probe = d._office_time(d.clock + dt.timedelta(days=self.rng.uniform(1, 6)))
        rid = self.open_round("province", probe.date())
        if rid is None or stop == "submitted":
            return  # waits at the province for next year's first round
        d.round = rid
        d.add("accept_dossier", self.rng.choice(COORDINATORS), {"round": rid}, at=probe)
        if annotate:
            d.add("annotate", self.rng.choice(COORDINATORS),
                  {"note": "Tổ giúp việc đã khảo sát thực tế cơ sở sản xuất, đề nghị Hội đồng xem xét"}, days=(1, 7))
        if special == "withdraw_review":
            d.add("withdraw", d.producer, {"reason": "Chủ thể xin rút hồ sơ để hoàn thiện bao bì, nhãn mác"}, days=(2, 10))
            return
        exact = {"exact50": 250, "exact70": 350, "exact90": 450}.get(special)
        sheets = QUORUM - 1 if special == "no_quorum" else QUORUM
        avg, _ = self.council(d, rid, COUNCIL_TQ, quality, exact_sum=exact, rescore=(special == "rescore"), sheets=sheets)
        if special == "no_quorum":
            d.add("annotate", CHAIR_TQ, {"note": "Chưa đủ số phiếu chấm (4/5); hoãn kết luận, chấm bổ sung ở kỳ họp sau"},
                  at=d.clock + dt.timedelta(minutes=5))
            return
        failed = {"fail_traceability": ["traceability"], "fail_food_safety": ["food_safety"]}.get(special)
        d.add("close_scoring", CHAIR_TQ, {"failed_criteria": failed} if failed else None,
              at=d.clock + dt.timedelta(minutes=self.rng.randint(2, 6)))
        stars = band(avg)
        while stars > 1 and failed and MANDATORY.get(stars, set()) & set(failed):
            stars -= 1
        if stars < 3:
            reason = ("Không đạt tiêu chí bắt buộc về an toàn thực phẩm" if failed and "food_safety" in failed
                      else f"Điểm trung bình {avg:.1f} dưới 50 điểm, chưa đủ điều kiện công nhận 3 sao")
            d.add("not_recognize", CHAIR_TQ, {"reason": reason}, at=d.clock + dt.timedelta(minutes=1))
            return
        r = ROUNDS[rid]
        k = self.decision_slot[rid]
        self.decision_slot[rid] += 1
        d.add("recognize", SIGNER_TQ, {"decision_no": r["decision_no"], "decision_date": r["decision_date"].isoformat()},
              at=d.on(r["decision_date"], 14, k))
        if avg >= 90 and not failed:
            self.central(d, quality)

    def central(self, d, quality):
        d.add("forward", self.rng.choice(COORDINATORS), days=(1, 6))
        rid = "2026-C"
        d.add("accept_dossier", COORDINATOR_VN, {"round": rid}, days=(1, 5))
        avg, _ = self.council(d, rid, COUNCIL_VN, quality - self.rng.uniform(0.5, 4.5))
        d.add("close_scoring", CHAIR_VN, at=d.clock + dt.timedelta(minutes=self.rng.randint(2, 6)))
        if avg >= 90:
            r = ROUNDS[rid]
            k = self.decision_slot[rid]
            self.decision_slot[rid] += 1
            d.add("recognize", SIGNER_VN, {"decision_no": r["decision_no"], "decision_date": r["decision_date"].isoformat()},
                  at=d.on(r["decision_date"], 15, k))
        else:
            d.add("not_recognize", CHAIR_VN,
                  {"reason": f"Điểm trung bình {avg:.1f} chưa đạt 90 điểm; sản phẩm giữ hạng 4 sao cấp tỉnh"},
                  at=d.clock + dt.timedelta(minutes=1))

    def quality(self):
        return self.rng.choices([42, 58, 64, 76, 84, 93], weights=[8, 26, 24, 20, 15, 7])[0] + self.rng.uniform(-4, 4)

    # --- scenarios -------------------------------------------------------------------------
    def build(self):
        rng = self.rng
        plan = []  # (scenario, extra) ; fixed quotas so that every path appears
        plan += [("dev_reject_idea", None)] * 3 + [("dev_reject_plan", None)]
        plan += [("dev_idea_returned_open", None)]
        plan += [("dev_withdraw", None)] * 2 + [("dev_plan_returned", None)] * 2
        plan += [("dev_in_development", None)] * 26 + [("dev_register", None)] * 20
        plan += [("dev_late_register", None)] * 2
        plan += [("direct_r1", None)] * 50 + [("direct_r2", None)] * 40
        plan += [("direct_withdraw_commune", None)] * 2 + [("direct_withdraw_province", None)] * 2
        plan += [("direct_returned_commune", None)] * 2 + [("direct_returned_province", None)] * 2
        plan += [("direct_waiting_province", None)] * 3 + [("direct_late", "submitted")] * 2
        plan += [("direct_late", "under_review")]
        rng.shuffle(plan)
        # special scoring cases, given to evaluated dossiers of the right kind
        evaluated = [i for i, (s, _) in enumerate(plan) if s == "direct_r1"]
        for i, sp in zip(rng.sample(evaluated, len(SPECIALS)), SPECIALS):
            plan[i] = (plan[i][0], sp)
        food_communes = [c for c in COMMUNES if any(p[1] in FOOD_SETS for p in c[3])]
        weighted = [c for c in COMMUNES for _ in c[3]]  # a commune with more specialities files more
        for scenario, extra in plan:
            commune = rng.choice(food_communes if str(extra).startswith("fail_") else weighted)
            getattr(self, "s_" + scenario.split("_", 1)[0])(scenario, extra, commune)
        return self.dossiers

    def s_dev(self, scenario, extra, commune):
        d = self.new_dossier(commune, self.start_day(dt.date(2026, 3, 2), dt.date(2026, 4, 17)))
        ret = self.rng.random() < 0.12
        if scenario == "dev_reject_idea":
            d.add("submit_idea", d.producer, d.created, new=True, days=(0, 0))
            d.add("reject", d.officer, {"reason": "Ý tưởng trùng với sản phẩm đã được hỗ trợ tại địa phương; chưa có vùng nguyên liệu"},
                  days=(2, 9))
        elif scenario == "dev_idea_returned_open":
            d.add("submit_idea", d.producer, d.created, new=True, days=(0, 0))
            d.add("return_idea", d.officer, {"reason": "Đề nghị bổ sung mô tả sản phẩm và cam kết của chủ thể"}, days=(2, 8))
        elif scenario == "dev_withdraw":
            self.idea_and_plan(d, plan=False, idea_return=ret)
            d.add("withdraw", d.producer, {"reason": "Chủ thể tạm dừng sản xuất, xin rút đăng ký ý tưởng"}, days=(10, 40))
        elif scenario == "dev_reject_plan":
            self.idea_and_plan(d, plan=False)
            plan_day = self.start_day(dt.date(2026, 5, 4), dt.date(2026, 7, 10))
            d.add("submit_plan", d.producer, {"documents": [doc("business_plan", d.id)]}, at=max(plan_day, d.clock))
            d.add("reject", d.officer, {"reason": "Vùng nguyên liệu không bảo đảm; chủ thể không đủ năng lực thực hiện phương án"},
                  days=(3, 12))
        elif scenario == "dev_plan_returned":
            self.idea_and_plan(d, idea_return=ret, plan_return=True)
        elif scenario == "dev_in_development":
            self.idea_and_plan(d, idea_return=ret, plan_return=False)
            if self.rng.random() < 0.3:
                d.add("attach", d.producer, doc("label", d.id), days=(20, 90))
        elif scenario in ("dev_register", "dev_late_register"):
            plan_return = self.rng.random() < 0.15
            self.idea_and_plan(d, idea_return=ret)
            if plan_return:  # returned once, resubmitted, then approved (rewrite the tail)
                d.events.pop()
                d.clock = d.events[-1]["at"]
                d.add("return_plan", d.officer, {"reason": "Đề nghị bổ sung kế hoạch tiêu thụ sản phẩm"}, days=(2, 6))
                d.add("resubmit_plan", d.producer, {"documents": [doc("business_plan", d.id)]}, days=(3, 10))
                d.add("approve_plan", d.officer, days=(2, 8))
            if scenario == "dev_late_register":
                self.register(d, False, self.start_day(dt.date(2026, 11, 2), dt.date(2026, 11, 27)))
                self.commune_screening(d, stop="under_review")
                return
            self.register(d, False, self.start_day(dt.date(2026, 8, 3), dt.date(2026, 9, 4)))
            self.commune_screening(d, ret=self.rng.random() < 0.1)
            self.province(d, self.quality(), special=extra, ret=self.rng.random() < 0.06,
                          annotate=self.rng.random() < 0.05)

    def s_direct(self, scenario, extra, commune):
        windows = {"direct_r1": (dt.date(2026, 3, 2), dt.date(2026, 5, 20)),
                   "direct_r2": (dt.date(2026, 6, 1), dt.date(2026, 8, 28)),
                   "direct_withdraw_commune": (dt.date(2026, 3, 2), dt.date(2026, 8, 28)),
                   "direct_withdraw_province": (dt.date(2026, 3, 2), dt.date(2026, 8, 20)),
                   "direct_returned_commune": (dt.date(2026, 7, 1), dt.date(2026, 10, 30)),
                   "direct_returned_province": (dt.date(2026, 4, 1), dt.date(2026, 9, 1)),
                   "direct_waiting_province": (dt.date(2026, 10, 1), dt.date(2026, 10, 23)),
                   "direct_late": (dt.date(2026, 11, 16), dt.date(2026, 12, 10))}
        lo, hi = windows[scenario]
        d = self.new_dossier(commune, self.start_day(lo, hi), food_only=str(extra).startswith("fail_"))
        self.register(d, True)
        rng = self.rng
        if scenario == "direct_withdraw_commune":
            d.add("accept_dossier", d.officer, days=(1, 5))
            d.add("withdraw", d.producer, {"reason": "Chưa có kết quả kiểm nghiệm; chủ thể xin rút hồ sơ, đăng ký lại năm sau"},
                  days=(3, 15))
            return
        if scenario == "direct_returned_commune":
            self.commune_screening(d, ret=True, stop="returned")
            return
        if scenario == "direct_late":
            self.commune_screening(d, stop=extra)
            return
        self.commune_screening(d, ret=rng.random() < 0.1)
        if scenario == "direct_withdraw_province":
            d.add("withdraw", d.producer, {"reason": "Chủ thể xin rút hồ sơ để hoàn thiện bao bì, nhãn mác"}, days=(1, 8))
            return
        if scenario == "direct_returned_province":
            self.province(d, self.quality(), ret=True, stop="returned")
            return
        if scenario == "direct_waiting_province":
            self.province(d, self.quality(), stop="submitted")
            return
        self.province(d, self.quality(), special=extra, ret=rng.random() < 0.06, annotate=rng.random() < 0.05)


def renumber(dossiers):
    """Dossier numbers follow the order in which dossiers arrive, as a registry would give them."""
    order = sorted(dossiers, key=lambda d: (d.events[0]["at"], d.n))
    for n, d in enumerate(order, 1):
        d.n, d.id = n, f"TQ-{YEAR}-{n:04d}"
        for e in d.events:
            if "dossier" in e:
                e["dossier"] = d.id
            data = e.get("data")
            if not data:
                continue
            if "id" in data:
                data["id"] = d.id
            if "documents" in data:
                data["documents"] = [doc(x["kind"], d.id) for x in data["documents"]]
            if e["event"] == "attach":
                e["data"] = doc(data["kind"], d.id)
    return order


# ================================================================================================
# --- after recognition (spec §10): a spring fair, a point of sale and an inspection round -----
ORGANISER_TQ, INSPECTOR_TQ, SCHEDULER_TQ = "organiser.tq.trang", "inspector.tq.khoa", "scheduler.tq"
PROMOTION_EVENTS = {"plan_activity", "open_registration", "close_registration", "start_activity",
                    "finish_activity", "close_activity", "cancel_activity", "apply", "select", "waitlist",
                    "decline", "withdraw_application", "report_outcome", "mark_no_show", "plan_inspection",
                    "record_inspection", "confirm_remedy", "close_inspection", "revoke"}


def after_recognition(dossiers, sim, seed):
    """The sixth step on the year's province certificates: events as (at, event) pairs.

    The engine checks every guard of spec §10 on import; this only picks inputs that meet them:
    province certificates of 3-4 stars issued by August, one producer per application (booth
    limit 2), booths within the activity's, each dossier applying once per activity."""
    rng = random.Random(seed + 17)
    by_id = {d.id: d for d in dossiers}
    certs = [c for c in sim.certs if c["level"] == "province" and c["state"] == "active"
             and c["issued_on"] <= dt.date(YEAR, 8, 31) and c["dossier"] in by_id]
    seen_producers, pool = set(), []
    for c in sorted(certs, key=lambda c: c["dossier"]):
        d = by_id[c["dossier"]]
        if d.created["producer"] in seen_producers:
            continue
        seen_producers.add(d.created["producer"])
        pool.append((c, d))
    rng.shuffle(pool)
    out = []

    def at(day, hour, minute=0):  # day = (month, day of month); a day past the month's end runs on
        d = dt.date(YEAR, day[0], 1) + dt.timedelta(days=day[1] - 1)
        return dt.datetime(d.year, d.month, d.day, hour, minute, tzinfo=TZ)

    def ev(when, event, actor, target=None, data=None):
        e = {"event": event, "actor": actor, "at": when}
        if target:
            e["dossier"] = target
        if data is not None:
            e["data"] = data
        out.append(e)

    def cert_id(c):
        return f"{c['dossier']}/province"

    # The spring fair before Tết, planned in summer: 12 booths, half the booth fee supported.
    fair = "TQ-XT-2026-001"
    ev(at((8, 3), 9), "plan_activity", ORGANISER_TQ, data={
        "name": "Hội chợ OCOP Xuân Tuyên Quang 2027", "kind": "fair", "unit": "TQ",
        "venue": "Quảng trường Nguyễn Tất Thành, phường Minh Xuân", "registration_opens": "2026-09-01",
        "registration_closes": "2026-10-15", "starts": "2026-12-10", "ends": "2026-12-14", "booths": 12,
        "booth_fee_vnd": 4000000, "support_percent": 50, "support_cap_vnd": 3000000})
    # A point of sale at the Na Hang tourist area, running into the new year.
    shop = "TQ-XT-2026-002"
    ev(at((8, 3), 10), "plan_activity", ORGANISER_TQ, data={
        "name": "Điểm giới thiệu và bán sản phẩm OCOP Khu du lịch sinh thái Na Hang", "kind": "point_of_sale",
        "unit": "TQ", "venue": "Khu du lịch sinh thái Na Hang", "registration_opens": "2026-08-10",
        "registration_closes": "2026-08-31", "starts": "2026-09-15", "ends": "2027-03-31", "booths": 6,
        "booth_fee_vnd": 1500000, "support_percent": 100, "support_cap_vnd": 1500000})
    ev(at((8, 10), 8), "open_registration", SCHEDULER_TQ, shop)
    shop_apps = pool[:6]
    for k, (c, d) in enumerate(shop_apps):
        ev(at((8, 12 + 2 * k), 9), "apply", d.producer,
           data={"activity": shop, "certificate": cert_id(c), "note": "Đăng ký trưng bày, bán sản phẩm"})
    ev(at((9, 1), 8), "close_registration", SCHEDULER_TQ, shop)
    for k, (c, d) in enumerate(shop_apps[:5]):
        ev(at((9, 3), 9, k), "select", ORGANISER_TQ, f"{shop}/{c['dossier']}")
    ev(at((9, 15), 0), "start_activity", SCHEDULER_TQ, shop)  # the sixth applicant is declined
    ev(at((9, 1), 8, 1), "open_registration", SCHEDULER_TQ, fair)
    fair_apps = pool[2:13]
    for k, (c, d) in enumerate(fair_apps):
        ev(at((9, 3 + 3 * k), 10), "apply", d.producer,
           data={"activity": fair, "certificate": cert_id(c), "booths": 2 if k % 4 == 0 else 1})
    ev(at((10, 16), 0), "close_registration", SCHEDULER_TQ, fair)
    picked, waiting, refused = fair_apps[:8], fair_apps[8:10], fair_apps[10:]
    for k, (c, d) in enumerate(picked):
        ev(at((10, 20), 9, k), "select", ORGANISER_TQ, f"{fair}/{c['dossier']}")
    for k, (c, d) in enumerate(waiting):
        ev(at((10, 20), 10, k), "waitlist", ORGANISER_TQ, f"{fair}/{c['dossier']}")
    for k, (c, d) in enumerate(refused):
        ev(at((10, 20), 11, k), "decline", ORGANISER_TQ, f"{fair}/{c['dossier']}",
           {"reason": "Sản phẩm cùng nhóm đã đủ gian hàng"})
    c, d = picked[-1]
    ev(at((11, 25), 15), "withdraw_application", d.producer, f"{fair}/{c['dossier']}",
       {"reason": "Chủ thể không bố trí được người đứng gian hàng"})
    ev(at((12, 10), 0), "start_activity", SCHEDULER_TQ, fair)  # the waitlisted are declined
    ev(at((12, 15), 0), "finish_activity", SCHEDULER_TQ, fair)
    for k, (c, d) in enumerate(picked[:5]):
        ev(at((12, 16 + k), 10), "report_outcome", d.producer, f"{fair}/{c['dossier']}",
           {"revenue_vnd": rng.randrange(8, 60) * 1000000, "contracts": rng.randrange(0, 4),
            "buyers": rng.randrange(40, 300)})
    c, d = picked[5]
    ev(at((12, 16), 16), "mark_no_show", ORGANISER_TQ, f"{fair}/{c['dossier']}")
    # picked[6] is still selected at year end: the outcome reminder goes to it.

    # The autumn inspection round of the province's certificates (hậu kiểm).
    targets = pool[13:19] if len(pool) >= 19 else pool[-6:]
    ids = []
    for k, (c, d) in enumerate(targets):
        ids.append(f"{d.unit}-HK-2026-001")
        ev(at((10, 1), 9, k), "plan_inspection", INSPECTOR_TQ,
           data={"certificate": cert_id(c), "due": "2026-11-13",
                 "criteria": ["Nhãn mác, truy xuất nguồn gốc", "An toàn thực phẩm", "Chất lượng so với hồ sơ"],
                 "team": "Đoàn kiểm tra liên ngành tỉnh"})
    results = ["compliant", "compliant", "compliant", "remedy_required", "remedy_required", "violation"]
    for k, ((c, d), result) in enumerate(zip(targets, results)):
        data = {"result": result, "findings": []}
        if result == "remedy_required":
            data["findings"] = [{"criterion": "Nhãn mác, truy xuất nguồn gốc", "note": "Nhãn thiếu mã QR truy xuất"}]
            data["remedy_days"] = 15
        if result == "violation":
            data["findings"] = [{"criterion": "An toàn thực phẩm", "note": "Mẫu kiểm nghiệm không đạt chỉ tiêu vi sinh"}]
            data["ground"] = "food_safety"
        ev(at((11, 10 + k % 3), 14, k), "record_inspection", INSPECTOR_TQ, ids[k], data)
    ev(at((11, 30), 10), "confirm_remedy", INSPECTOR_TQ, ids[3], {"note": "Đã bổ sung mã QR trên nhãn"})
    c, d = targets[5]
    ev(at((12, 4), 15), "revoke", SIGNER_TQ, cert_id(c),
       {"ground": "food_safety", "decision_no": "2150/QĐ-UBND", "decision_date": "2026-12-04"})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=os.path.join(HERE, "sample.yaml"), help="the configuration the events must fit")
    ap.add_argument("--out", default=os.path.join(HERE, "sample-events.jsonl"))
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--check", action="store_true", help="simulate and check only; write nothing")
    args = ap.parse_args()

    cfg = read_sample_config(args.config)
    gen = Generator(cfg, args.seed)
    dossiers = renumber(gen.build())

    rows = []
    for d in dossiers:
        for i, e in enumerate(d.events):
            rows.append((e["at"], d.n, i, e))
    rows.sort(key=lambda t: t[:3])
    last = {}
    for at, n, _, e in rows:
        if at.year != YEAR:
            raise SystemExit(f"generator bug: event outside {YEAR}: {e}")
        if last.get(n) and at < last[n]:
            raise SystemExit(f"generator bug: time goes back in dossier {n}")
        last[n] = at

    sim = Sim(cfg)
    for _, _, _, e in rows:
        sim.apply(e)
    # The sixth step, on the certificates the year produced (the engine checks its guards).
    extra = after_recognition(dossiers, sim, args.seed)
    rows += [(e["at"], 10 ** 6, i, e) for i, e in enumerate(extra)]
    rows.sort(key=lambda t: t[:3])

    if not args.check:
        with open(args.out, "w", encoding="utf-8", newline="\n") as f:
            for k, (_, _, _, e) in enumerate(rows, 1):
                line = {"key": f"tq-{k:06d}"}
                if "dossier" in e:
                    line["dossier"] = e["dossier"]
                line["event"] = e["event"]
                line["actor"] = e["actor"]
                line["at"] = e["at"].isoformat(timespec="seconds")
                if "data" in e:
                    line["data"] = e["data"]
                f.write(json.dumps(line, ensure_ascii=False) + "\n")

    # --- the expected outcome of importing the file ----------------------------------------
    states = Counter(d["state"] for d in sim.d.values())
    final = {"recognized", "not_recognized", "rejected", "withdrawn"}
    in_flight = Counter(f"{d['state']}" + (f"@{LEVELS[d['level']][0]}" if d["level"] is not None and d["state"] in
                                           ("submitted", "returned", "under_review", "scored") else "")
                        for d in sim.d.values() if d["state"] not in final)
    issued = Counter((c["level"], c["stars"]) for c in sim.certs)
    active = Counter(c["stars"] for c in sim.certs if c["state"] == "active")
    events = Counter(e["event"] for _, _, _, e in rows)
    out = sys.stdout
    print(f"{'checked' if args.check else 'wrote ' + os.path.relpath(args.out)}: {len(sim.d)} dossiers, "
          f"{len(rows)} events, {len({d.key for d in dossiers})} communes", file=out)
    print("final states: " + ", ".join(f"{s} {states[s]}" for s in ("recognized", "not_recognized", "rejected", "withdrawn"))
          + f", in flight {sum(in_flight.values())}", file=out)
    print("in flight: " + ", ".join(f"{k} {v}" for k, v in sorted(in_flight.items())), file=out)
    print("certificates issued: " + ", ".join(f"{lvl} {s}★ {v}" for (lvl, s), v in sorted(issued.items())) +
          f" (total {sum(issued.values())})", file=out)
    print("certificates active at year end: " + ", ".join(f"{s}★ {active[s]}" for s in sorted(active)) +
          f" (total {sum(active.values())}; {sum(1 for c in sim.certs if c['state'] == 'superseded')} superseded by 5★)", file=out)
    print("events: " + ", ".join(f"{k} {v}" for k, v in sorted(events.items())), file=out)


if __name__ == "__main__":
    main()
