"""One notation for the whole course (CONTRIBUTING.md, "Notation"): the old forms never come back.

Scanned: the markdown and code of every notebook, the figure-label strings of every course_utils
module (axis labels, titles, legend labels, texts drawn on figures, label tables), and the loss
catalog's ``entry.latex``. Each rule is a pattern of a form the table says never to write, with an
example that must match it and a correct form that must not (so no rule can silently stop working).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MODULES = sorted((ROOT / "course_utils").rglob("*.py"))

_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_Y = r"(?:y|yᵢ|y_i|y_\{i\}|y_j|y_k)"
_YHAT = r"(?:ŷ|ŷᵢ|\\hat\s*\{?y\}?(?:_i|_\{i\}|_j|_k)?)"

#: (name, pattern, an old form it must catch, a correct form it must let through)
RULES: list[tuple[str, re.Pattern[str], str, str]] = [
    (
        "layer number in parentheses: write W^{[1]} / W[1]",
        re.compile(rf"[WbZAa]⁽[{_SUP}l]+⁾|\^\{{?\((?:\d+|l)\)\}}?"),
        "W⁽¹⁾ and $W^{(1)}$",
        "$W^{[1]}$ and W[1]",
    ),
    (
        "layer number as a bare superscript (reads as a power): write W[2]₁, b[2]",
        re.compile(rf"\b[WZAb][{_SUP}]|\b[WZA]\^\{{?\d"),
        "W²₁ and b¹₁",
        "W[2]₁₁, 2w², w₁x₁",
    ),
    (
        "layer number as a subscript: write W^{[1]} W^{[2]}",
        re.compile(r"\bW[₁-₉]\s*W[₁-₉]|\bb[₁-₉]\s*W[₁-₉]|\bW_\{?\d\}?\s*W_"),
        "W = W₁W₂, b = b₁W₂ + b₂, (X W_1 + b_1) W_2",
        "W^{[1]} W^{[2]}, w₁x₁ + w₂x₂",
    ),
    (
        "loss arguments in the wrong order: write L(y, ŷ), target first",
        re.compile(rf"\bL(?:_\{{[^}}]*\}}|_\w+)?\(\s*{_YHAT}\s*,"),
        r"L(ŷ, y), $L(\hat y_i, y_i)$, $L_{\text{sq}}(\hat y, y)$",
        r"L(y, ŷ), $L(y_i, \hat y_i)$",
    ),
    (
        "y − ŷ called the error (the error is e = ŷ − y)",
        re.compile(
            rf"(?i)\b(?:errors?|residuals?|e_i|eᵢ)\W{{0,12}}{_Y}\s*[−-]\s*{_YHAT}"
        ),
        r"the errors yᵢ − ŷᵢ; residual $y_i - \hat y_i$",
        "the error eᵢ = ŷᵢ − yᵢ",
    ),
    (
        "H for a hidden layer's activations: write A^{[1]} / A1",
        re.compile(r"\bH = (?:σ|\\sigma|sigmoid|tanh)|\bH\^\\top|\\partial H\b|\bH @ "),
        r"H = σ(Z^{[1]}), H^\top, \partial J/\partial H",
        r"A^{[1]} = \sigma(Z^{[1]}), the Hessian H = 2(...)",
    ),
    (
        "α for the learning rate: write η",
        re.compile(r"(?i)learning rate\W{0,6}(?:α|\\alpha)\b"),
        r"learning rate α, learning rate $\alpha$",
        "learning rate η, focal balance α",
    ),
    (
        "N for the number of samples: write m",
        re.compile(
            r"\\frac\{1\}\{N\}\s*\\sum_\{i|\b[Nn]umber of samples N\b|\bN samples\b"
        ),
        r"\frac{1}{N} \sum_{i=1}^{N}, N samples",
        r"\frac{1}{m} \sum_{i=1}^{m}",
    ),
    (
        "C or M for the number of classes: write K",
        re.compile(r"\b[CM] classes\b|\\sum_\{[ck]=1\}\^\{?[CM]\b"),
        r"C classes, \sum_{c=1}^{C}",
        r"K classes, \sum_{k=1}^{K}",
    ),
]


def offences(text: str) -> list[str]:
    """The rule names and the offending snippets found in ``text``."""
    found = []
    for name, pattern, _, _ in RULES:
        for match in pattern.finditer(text):
            start = max(match.start() - 20, 0)
            found.append(f"{name}: …{text[start : match.end() + 10]!r}…")
    return found


@pytest.mark.parametrize("rule", RULES, ids=[rule[0][:40] for rule in RULES])
def test_each_rule_catches_its_old_form_and_spares_the_new(rule):
    _, pattern, old, new = rule
    assert pattern.search(old), f"the rule misses its own example {old!r}"
    assert not pattern.search(new), f"the rule flags the correct form {new!r}"


# ---------------------------------------------------------------------------------------------
# notebooks


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_text_and_code_use_the_course_notation(path):
    notebook = nbformat.read(path, as_version=4)
    problems = [
        f"cell {index}: {problem}"
        for index, cell in enumerate(notebook.cells)
        for problem in offences(cell.source)
    ]
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# figure labels in the modules

_LABEL_CALLS = {
    "set_xlabel",
    "set_ylabel",
    "set_title",
    "suptitle",
    "set_label",
    "text",
    "annotate",
    "legend",
    "set_text",
}
_LABEL_TABLES = re.compile(r"LABELS|NAMES|TITLES")


def _strings(node: ast.AST) -> list[str]:
    """Every string constant inside ``node`` (f-strings contribute their literal parts)."""
    return [
        item.value
        for item in ast.walk(node)
        if isinstance(item, ast.Constant) and isinstance(item.value, str)
    ]


def figure_label_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of the strings a module draws on figures: arguments of the label calls,
    ``label=``/``title=`` keywords, and module-level tables named ``*LABELS*``/``*NAMES*``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else getattr(func, "id", "")
            )
            if name in _LABEL_CALLS:
                for argument in node.args:
                    found += [(node.lineno, s) for s in _strings(argument)]
            for keyword in node.keywords:
                if keyword.arg in {"label", "title", "xlabel", "ylabel"}:
                    found += [(node.lineno, s) for s in _strings(keyword.value)]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if any(_LABEL_TABLES.search(n) for n in names) and node.value is not None:
                found += [(node.lineno, s) for s in _strings(node.value)]
    return found


def test_the_label_scanner_sees_the_graph_and_axis_labels():
    # a control: the scan must reach the strings it is meant to check
    backprop = dict(
        (text, line)
        for line, text in figure_label_strings(ROOT / "course_utils" / "backprop.py")
    )
    assert "W[1]₂₂" in backprop and "$a^{[1]}_1$" in backprop
    descent = {
        t for _, t in figure_label_strings(ROOT / "course_utils/gradient_descent.py")
    }
    assert "error $e_i = \\hat y_i - y_i$" in descent and "weight $w$" in descent


@pytest.mark.parametrize(
    "path", MODULES, ids=[str(p.relative_to(ROOT / "course_utils")) for p in MODULES]
)
def test_module_figure_labels_use_the_course_notation(path):
    problems = [
        f"line {line}: {problem}"
        for line, text in figure_label_strings(path)
        for problem in offences(text)
    ]
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# the loss catalog's formulas (owned by the loss-library helpers, not by notebooks 00-03)

#: Catalog entries known to break a rule, with the reason; fix the formula in
#: course_utils/losses and delete the entry here (strict: a fixed entry fails until removed).
KNOWN_CATALOG_OFFENDERS: dict[str, str] = {}


def _catalog():
    from course_utils import losses

    return losses.catalog()


@pytest.mark.parametrize("name", sorted(_catalog()))
def test_catalog_formula_uses_the_course_notation(name, request):
    if name in KNOWN_CATALOG_OFFENDERS:
        request.applymarker(
            pytest.mark.xfail(reason=KNOWN_CATALOG_OFFENDERS[name], strict=True)
        )
    latex = _catalog()[name].latex
    assert not offences(latex), "\n".join(offences(latex))
    if latex.startswith("L("):
        assert re.match(r"L\(y, (\\hat y|z)\)", latex), "a loss is written L(y, ŷ)"


# ---------------------------------------------------------------------------------------------
# the Chinese edition (issue 22): the same mathematics, so the same rules, plus their Chinese words

ZH_NOTEBOOKS = sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))
ZH_CATALOG = (
    ROOT / "course_utils" / "locale" / "zh_CN" / "LC_MESSAGES" / "course_utils.po"
)

#: The rules whose words are English, said in Chinese (same tuple shape as RULES).
ZH_RULES: list[tuple[str, re.Pattern[str], str, str]] = [
    (
        "α for the learning rate (学习率): write η",
        re.compile(r"学习率(?:（[^）]*）)?\W{0,6}(?:α|\\alpha)(?![A-Za-z])"),
        r"学习率α为0.1；学习率（learning rate）$\alpha$",
        "学习率η，焦点损失的平衡系数α",
    ),
    (
        "N for the number of samples (样本数): write m",
        re.compile(
            r"(?<![A-Za-z])N\s*个样本|样本(?:数|个数|数量)(?:为|是)?\W{0,3}N(?![A-Za-z])"
        ),
        "N个样本；样本数为$N$",
        "m个样本；样本数为$m$；N(0, 1)的样本",
    ),
    (
        "C or M for the number of classes (类别数): write K",
        re.compile(
            r"(?<![A-Za-z])[CM]\s*个类别?|类别?(?:数|个数|数量)(?:为|是)?\W{0,3}[CM](?![A-Za-z])"
        ),
        "C个类别；类别数为$M$",
        "K个类别；类别数为$K$；CTC的类别",
    ),
    (
        "y − ŷ called the error (误差 is e = ŷ − y)",
        re.compile(rf"(?:误差|残差)(?:为|是|即)?\W{{0,12}}{_Y}\s*[−-]\s*{_YHAT}"),
        r"误差yᵢ − ŷᵢ；残差为$y_i - \hat y_i$",
        "误差eᵢ = ŷᵢ − yᵢ",
    ),
]

_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"


def spaced(text: str) -> str:
    """``text`` with a space between a Chinese character and a Latin letter, digit, ``$`` or ``\\``:
    Chinese writes ``损失L(ŷ, y)`` with no space, and the rules' word boundaries (``\\b``) need one."""
    text = re.sub(rf"(?<={_CJK})(?=[A-Za-z0-9$\\])", " ", text)
    return re.sub(rf"(?<=[A-Za-z0-9$}}])(?={_CJK})", " ", text)


def zh_offences(text: str) -> list[str]:
    """What the course's rules (on the spaced text) and their Chinese forms find in ``text``."""
    found = offences(spaced(text))
    for name, pattern, _, _ in ZH_RULES:
        for match in pattern.finditer(text):
            start = max(match.start() - 20, 0)
            found.append(f"{name}: …{text[start : match.end() + 10]!r}…")
    return found


@pytest.mark.parametrize("rule", ZH_RULES, ids=[rule[0][:40] for rule in ZH_RULES])
def test_each_zh_rule_catches_its_old_form_and_spares_the_new(rule):
    _, pattern, old, new = rule
    assert pattern.search(old), f"the rule misses its own example {old!r}"
    assert not pattern.search(new), f"the rule flags the correct form {new!r}"


def test_the_rules_see_old_forms_written_without_spaces_in_chinese():
    # a control: without spacing, \b hides these from the English rules
    for old in ("交叉熵损失L(ŷ, y)", "第二层的权重W²₁", "其中H = σ(Z)"):
        assert not offences(old) and zh_offences(old), old
    for new in ("损失L(y, ŷ)", "权重$W^{[1]}$", "激活值A = σ(Z)", "学习率η"):
        assert not zh_offences(new), new


@pytest.mark.parametrize("path", ZH_NOTEBOOKS, ids=[p.name for p in ZH_NOTEBOOKS])
def test_zh_notebook_text_and_code_use_the_course_notation(path):
    notebook = nbformat.read(path, as_version=4)
    problems = [
        f"cell {index}: {problem}"
        for index, cell in enumerate(notebook.cells)
        for problem in zh_offences(cell.source)
    ]
    assert not problems, "\n".join(problems)


def zh_figure_labels() -> dict[str, str]:
    """English figure label -> its Chinese translation, for every label the catalog holds."""
    from babel.messages.pofile import read_po

    labels = {text for path in MODULES for _, text in figure_label_strings(path)}
    with open(ZH_CATALOG, "rb") as file:
        catalog = read_po(file)
    return {
        message.id: message.string
        for message in catalog
        if isinstance(message.id, str) and message.id in labels
    }


def test_zh_figure_labels_use_the_course_notation():
    translated = zh_figure_labels()
    assert len(translated) >= 100, "the scan reaches the translated figure labels"
    problems = [
        f"{english!r} -> {problem}"
        for english, chinese in translated.items()
        for problem in zh_offences(chinese)
    ]
    assert not problems, "\n".join(problems)
