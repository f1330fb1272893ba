"""National strategies and action plans: what a strategy document is, and what it contains.

A document is a strategy when its title says it adopts one ("Real Decreto …, por el que se aprueba el Plan
estratégico …", "关于印发《…行动计划（2021—2030年）》的通知", "Décret … portant approbation de la stratégie
nationale …") or is one ("Estrategia Nacional contra …", "国家禁毒规划"). Its facts are read from the text,
each with the span it was read from: the adopting body, the period covered, and which of the components a
UNODC-style strategy has (threat assessment, coordination body, action plan, monitoring and evaluation,
international cooperation) the text contains. A component is present when the text names it in its own
words; nothing is inferred beyond that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Span = tuple[int, int]

COMPONENTS = (
    "threat_assessment",
    "coordination_body",
    "action_plan",
    "monitoring_and_evaluation",
    "international_cooperation",
)

# A strategy's own words: "Plan General de Contabilidad", a "Plan de estudios" or a "Programa de ayudas"
# adopted by decree are plans, not strategies.
_NAME = (
    r"(?:Estrategia|Plan(?:es)? estrat[ée]gicos?|Plan(?:es)? (?:de acci[oó]n|nacional(?:es)?)|Stratégie|"
    r"Plan d'action|Plan national|Strategy|Action Plan|National Plan)"
)
# "…, por el que se aprueba el Plan estratégico estatal … a 2030, en aplicación de …" -> the plan's name.
_ADOPTS = re.compile(
    rf"(?:por (?:el|la) que se aprueba(?:n)?|portant (?:approbation|adoption) d[eu']\s*(?:la |le )?|"
    rf"approving the |adopting the )\s*(?:el |la |los |las |the )?(?P<name>{_NAME}\b[^,;]*)",
    re.IGNORECASE,
)
_IS_STRATEGY = re.compile(
    rf"^(?:(?:la |el |the )?(?:{_NAME}) (?:nacional|national|estatal|estratégico|stratégique|national)\b)|"
    r"(?:行动计划|战略|规划)(?:（|\(|》|$)|(?:национальн\w+ )?(?:стратеги\w+|план\w* действий)|"
    r"(?:الاستراتيجية الوطنية|خطة العمل الوطنية)",
    re.IGNORECASE,
)
_PERIOD = re.compile(
    r"(?P<period>(?:19|20)\d\d\s*[-–—至到]\s*(?:19|20)?\d\d(?:\s*年)?|"
    r"(?:a|hasta|horizonte|à l'horizon|to|until|by)\s+(?:19|20)\d\d|(?:19|20)\d\d\s*年(?:前)?)"
)
_ADOPTING_BODY = re.compile(
    r"(?:previa deliberación del|après délibération du|after deliberation of the)\s+"
    r"(?P<body>Consejo de Ministros|conseil des ministres|Council of Ministers)|"
    r"(?P<zh>国务院办公厅|国务院|中共中央办公厅|全国人民代表大会常务委员会)(?=印发|发布|批准|关于)",
    re.IGNORECASE,
)
# The words each component goes by, in the six UN languages (a component is present when one occurs).
_COMPONENT_WORDS = {
    # Phrases, not single words: "medidas" or "diagnóstico" occur in most laws.
    "threat_assessment": (
        r"evaluaci[oó]n de (?:la |las )?amenazas?|diagn[oó]stico de (?:la )?situaci[oó]n|"
        r"an[aá]lisis de (?:la )?situaci[oó]n|"
        r"problemas identificados|presiones y amenazas|évaluation de la menace|état des lieux|"
        r"threat assessment|situation analysis|威胁评估|形势分析|现状分析|оценк\w+ угроз|"
        r"تقييم التهديد"
    ),
    "coordination_body": (
        r"[oó]rgano de coordinaci[oó]n|comisi[oó]n (?:estatal|nacional|interministerial)|"
        r"comit[eé] (?:nacional|interministerial|de coordinaci[oó]n)|oficina central nacional|"
        r"organe de coordination|comité interministériel|coordinating body|coordination committee|"
        r"协调机制|联席会议|领导小组|协调小组|координационн\w+ (?:орган|совет)|هيئة التنسيق|لجنة وطنية"
    ),
    "action_plan": (
        r"plan de acci[oó]n|l[ií]neas de actuaci[oó]n|objetivos operativos|plan d'action|"
        r"action plan|行动措施|主要任务|工作措施|重点任务|план мероприятий|خطة العمل"
    ),
    "monitoring_and_evaluation": (
        r"seguimiento y evaluaci[oó]n|evaluaci[oó]n (?:intermedia|final)|indicadores de seguimiento|"
        r"suivi et (?:l')?évaluation|monitoring and evaluation|监督评估|督导检查|"
        r"评估考核|监测评估|мониторинг\w*|оценк\w+ (?:эффективности|реализации)|الرصد والتقييم"
    ),
    "international_cooperation": (
        r"cooperaci[oó]n (?:y participaci[oó]n )?internacional|coopération internationale|"
        r"international cooperation|国际合作|международн\w+ сотрудничеств\w*|التعاون الدولي"
    ),
}
_COMPONENT_PATTERNS = {k: re.compile(v, re.IGNORECASE) for k, v in _COMPONENT_WORDS.items()}


@dataclass(frozen=True)
class StrategyFacts:
    name: str  # the strategy's own name, as its title gives it
    adopting_body: str | None = None
    period: str | None = None  # as written: "a 2030", "2021—2030年"
    components: tuple[str, ...] = ()  # those of COMPONENTS the text names, in that order
    spans: dict[str, Span] = field(default_factory=dict)  # field or component -> where in the text


def strategy_name(title: str) -> str | None:
    """The name of the strategy a title adopts or is; None when the title is not a strategy's."""
    adopts = _ADOPTS.search(title)
    if adopts is not None:
        name = adopts["name"].strip().rstrip(".")
        return re.split(r",\s*(?:en aplicación|de conformidad|en desarrollo)\b", name)[0].strip()
    return title.strip() if _IS_STRATEGY.search(title.strip()) else None


def strategy_facts(title: str, text: str) -> StrategyFacts | None:
    """The strategy a document adopts or is, with what its text says of it; None when it is not one."""
    name = strategy_name(title)
    if name is None:
        return None
    spans: dict[str, Span] = {}
    body = _ADOPTING_BODY.search(text)
    adopting_body = None
    if body is not None:
        group = "body" if body["body"] else "zh"
        adopting_body = body[group]
        spans["adopting_body"] = body.span(group)
    period = None
    found = _PERIOD.search(name)
    if found is not None:
        period = found["period"]
    components = []
    for component, pattern in _COMPONENT_PATTERNS.items():
        match = pattern.search(text)
        if match is not None:
            components.append(component)
            spans[component] = match.span()
    return StrategyFacts(name, adopting_body, period, tuple(components), spans)
