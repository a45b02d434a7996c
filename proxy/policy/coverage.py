"""How much of a risk taxonomy a policy set covers: terms per risk, and the risks with none.

The taxonomy is TC260-003 / GB/T 45654 (appendix A): 5 groups, 31 risks. A policy belongs to
a risk through its category, ``tc260-a1-01`` for risk A.1 item 1. The standard asks for a
keyword library of at least 10,000 terms covering the 17 risks of groups A.1 and A.2, at least
200 terms for each A.1 risk and 100 for each A.2 risk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from proxy.policy.schema import Policy

CATEGORY_PREFIX = "tc260-"
LIBRARY_TARGET = 10_000
"""Terms the standard asks of the keyword library over groups A.1 and A.2."""


@dataclass(frozen=True, slots=True)
class Risk:
    id: str
    """``a1.01``: group A.1, item 1."""
    zh: str
    en: str

    @property
    def group(self) -> str:
        return self.id.split(".")[0]

    @property
    def category(self) -> str:
        return CATEGORY_PREFIX + self.id.replace(".", "-")

    @property
    def policy_id(self) -> str:
        return "tc260." + self.id

    @property
    def target(self) -> int:
        """The terms the standard asks for this risk (0: no keyword requirement)."""
        return {"a1": 200, "a2": 100}.get(self.group, 0)


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    zh: str
    en: str


GROUPS = (
    Group("a1", "违反社会主义核心价值观的内容", "Content violating the core socialist values"),
    Group("a2", "歧视性内容", "Discriminatory content"),
    Group("a3", "商业违法违规", "Commercial violations"),
    Group("a4", "侵犯他人合法权益", "Infringing the lawful rights and interests of others"),
    Group("a5", "无法满足特定服务类型的安全需求", "Failing the security needs of specific service types"),
)

RISKS = (
    Risk("a1.01", "煽动颠覆国家政权、推翻社会主义制度",
         "Inciting subversion of state power or the overthrow of the socialist system"),
    Risk("a1.02", "危害国家安全和利益、损害国家形象",
         "Endangering national security and interests, harming the national image"),
    Risk("a1.03", "煽动分裂国家、破坏国家统一和社会稳定",
         "Inciting secession, undermining national unity and social stability"),
    Risk("a1.04", "宣扬恐怖主义、极端主义", "Promoting terrorism or extremism"),
    Risk("a1.05", "宣扬民族仇恨", "Promoting ethnic hatred"),
    Risk("a1.06", "宣扬暴力、淫秽色情", "Promoting violence, obscenity or pornography"),
    Risk("a1.07", "传播虚假有害信息", "Spreading false and harmful information"),
    Risk("a1.08", "其他法律、行政法规禁止的内容",
         "Other content prohibited by laws and administrative regulations"),
    Risk("a2.01", "民族歧视", "Ethnic discrimination"),
    Risk("a2.02", "信仰歧视", "Discrimination by belief"),
    Risk("a2.03", "国别歧视", "Discrimination by nationality"),
    Risk("a2.04", "地域歧视", "Regional discrimination"),
    Risk("a2.05", "性别歧视", "Gender discrimination"),
    Risk("a2.06", "年龄歧视", "Age discrimination"),
    Risk("a2.07", "职业歧视", "Occupational discrimination"),
    Risk("a2.08", "健康歧视", "Health discrimination"),
    Risk("a2.09", "其他方面歧视", "Other discrimination"),
    Risk("a3.01", "侵犯他人知识产权", "Infringing the intellectual property rights of others"),
    Risk("a3.02", "违反商业道德", "Violating business ethics"),
    Risk("a3.03", "泄露他人商业秘密", "Disclosing the trade secrets of others"),
    Risk("a3.04", "利用算法、数据、平台等优势，实施垄断和不正当竞争行为",
         "Using advantages of algorithms, data or platforms for monopoly and unfair competition"),
    Risk("a3.05", "其他商业违法违规行为", "Other commercial violations"),
    Risk("a4.01", "危害他人身心健康", "Endangering the physical and mental health of others"),
    Risk("a4.02", "侵害他人肖像权", "Infringing the portrait rights of others"),
    Risk("a4.03", "侵害他人名誉权", "Infringing the reputation rights of others"),
    Risk("a4.04", "侵害他人荣誉权", "Infringing the honour rights of others"),
    Risk("a4.05", "侵害他人隐私权", "Infringing the privacy rights of others"),
    Risk("a4.06", "侵害他人个人信息权益", "Infringing the personal information rights of others"),
    Risk("a4.07", "侵犯他人其他合法权益", "Infringing other lawful rights and interests of others"),
    Risk("a5.01", "内容不准确，严重不符合科学常识或主流认知",
         "Inaccurate content, seriously at odds with scientific common sense or mainstream understanding"),
    Risk("a5.02", "内容不可靠，虽然不包含严重错误的内容，但无法对使用者形成帮助",
         "Unreliable content that, though free of serious errors, cannot help the user"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RiskCoverage:
    risk: Risk
    policies: tuple[str, ...]
    """Ids of the policies of this risk's category; empty when the set has none."""
    terms: int
    """Keywords and regexes over those policies."""

    @property
    def status(self) -> str:
        if not self.policies:
            return "no policy"
        if self.terms == 0:
            return "no terms"
        if self.terms < self.risk.target:
            return "below target"
        return "ok"


@dataclass(frozen=True, slots=True)
class Coverage:
    risks: tuple[RiskCoverage, ...]

    @property
    def library_terms(self) -> int:
        """Terms over the A.1 and A.2 risks: what the standard's 10,000 counts."""
        return sum(r.terms for r in self.risks if r.risk.target)

    @property
    def uncovered(self) -> tuple[Risk, ...]:
        return tuple(r.risk for r in self.risks if r.terms == 0)

    def to_json(self) -> dict[str, object]:
        return {
            "taxonomy": "TC260-003 / GB/T 45654",
            "library_terms": self.library_terms,
            "library_target": LIBRARY_TARGET,
            "risks": [
                {
                    "id": r.risk.id,
                    "category": r.risk.category,
                    "zh": r.risk.zh,
                    "en": r.risk.en,
                    "policies": list(r.policies),
                    "terms": r.terms,
                    "target": r.risk.target,
                    "status": r.status,
                }
                for r in self.risks
            ],
        }


def has_taxonomy(policies: Iterable[Policy]) -> bool:
    return any(p.category.startswith(CATEGORY_PREFIX) for p in policies)


def coverage(policies: Sequence[Policy]) -> Coverage:
    by_category: dict[str, list[Policy]] = {}
    for policy in policies:
        by_category.setdefault(policy.category, []).append(policy)
    return Coverage(
        tuple(
            RiskCoverage(
                risk,
                tuple(p.id for p in by_category.get(risk.category, ())),
                sum(len(set(p.keywords)) + len(p.regexes) for p in by_category.get(risk.category, ())),
            )
            for risk in RISKS
        )
    )


def render(report: Coverage) -> str:
    lines = ["TC260-003 coverage (terms per risk; asked: >= 200 per A.1 risk, >= 100 per A.2 risk):"]
    for r in report.risks:
        target = f"/{r.risk.target}" if r.risk.target else ""
        lines.append(f"  {r.risk.id}  {r.terms:>6}{target:<5} {r.status:<12} {r.risk.zh} ({r.risk.en})")
    total = report.library_terms
    lines.append(f"  keyword library over A.1 and A.2: {total} terms (asked: >= {LIBRARY_TARGET})")
    if report.uncovered:
        lines.append(f"  risks with no terms: {', '.join(r.id for r in report.uncovered)}")
    return "\n".join(lines)
