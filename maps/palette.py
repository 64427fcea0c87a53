"""How a map draws each kind of node and each relation: colour, shape and the words a room uses.

Kinds are gathered into families; each family has one colour and each kind in a family its own
shape, so no two kinds look alike and the colours stay few enough to tell apart. The colours have at
least 3:1 contrast on white (WCAG 2.1 for graphics) and stay distinguishable under simulated
protanopia, deuteranopia and tritanopia (Machado, Oliveira and Fernandes 2009, full severity):
:func:`simulate_colour_blindness` and :func:`colour_difference` are the check.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["FAMILY_COLOURS", "KIND_STYLE", "RELATION_STYLE", "REVERSED_RELATIONS", "colour_difference",
           "contrast_on_white", "kind_label", "kind_style", "relation_label", "relation_style",
           "simulate_colour_blindness"]

#: One colour per family of kinds.
FAMILY_COLOURS = {
    "public": "#0077BB", "money": "#E66101", "charity": "#332288", "community": "#CC79A7",
    "support": "#000000", "business": "#8B4513", "activity": "#009E73", "context": "#555555",
}
#: Family and shape of each node kind (shapes are vis-network's, drawn with the label outside).
KIND_STYLE = {
    "Council": ("public", "square"), "Directorate": ("public", "diamond"), "Team": ("public", "triangle"),
    "NHSBody": ("public", "hexagon"), "Contract": ("public", "dot"),
    "Funder": ("money", "diamond"), "Grant": ("money", "dot"),
    "Charity": ("charity", "dot"), "CharitableIncorporatedOrganisation": ("charity", "diamond"),
    "Organisation": ("community", "dot"), "UnregisteredGroup": ("community", "triangle"),
    "FaithGroup": ("community", "star"), "ResidentsAssociation": ("community", "square"),
    "Mutual": ("community", "hexagon"), "CommunityInterestCompany": ("community", "diamond"),
    "InfrastructureBody": ("support", "star"), "Partnership": ("support", "hexagon"), "Forum": ("support", "square"),
    "Alliance": ("support", "diamond"), "Network": ("support", "triangle"),
    "Business": ("business", "square"), "Company": ("business", "dot"), "BusinessImprovementDistrict": ("business", "triangle"),
    "Service": ("activity", "dot"), "Programme": ("activity", "diamond"), "Theme": ("activity", "star"),
    "SupportFunction": ("activity", "triangle"), "Consultation": ("activity", "square"),
    "Workshop": ("activity", "hexagon"), "Event": ("activity", "triangleDown"),
    "Ward": ("context", "hexagon"), "LSOA": ("context", "triangleDown"), "LocalAuthorityArea": ("context", "star"),
    "Building": ("context", "square"), "Land": ("context", "triangle"), "Person": ("context", "diamond"),
}
#: Names a room uses, where splitting the class name is not enough.
_KIND_WORDS = {
    "NHSBody": "NHS body", "CharitableIncorporatedOrganisation": "Charitable incorporated organisation (CIO)",
    "CommunityInterestCompany": "Community interest company (CIC)", "LSOA": "Neighbourhood (LSOA)",
    "Organisation": "Community organisation", "SupportFunction": "Support function",
    "InfrastructureBody": "Infrastructure (support) body", "LocalAuthorityArea": "Borough",
}
#: Relations drawn from their target to their source, so that money and commissions flow the way a
#: room reads them (from funder to recipient, from commissioner to provider).
REVERSED_RELATIONS = frozenset({"FUNDED_BY", "COMMISSIONED_BY", "PAID_BY"})
#: Colour, dashes (False: solid; True: dashed; a list: vis-network's dash and gap lengths, [2, 6] is
#: dotted) and words of each relation, as drawn (after reversal). No two relations look alike.
RELATION_STYLE = {
    "FUNDED_BY": (FAMILY_COLOURS["money"], False, "funds (money from funder to recipient)"),
    "AWARDED_TO": (FAMILY_COLOURS["money"], True, "grant awarded to"),
    "COMMISSIONED_BY": (FAMILY_COLOURS["public"], False, "commissions (from commissioner to provider)"),
    "PAID_BY": (FAMILY_COLOURS["public"], True, "pays (from payer to supplier)"),
    "CO_PRODUCES_WITH": (FAMILY_COLOURS["charity"], False, "co-produces with"),
    "PARTNERS_WITH": (FAMILY_COLOURS["community"], False, "partners with"),
    "MEMBER_OF": (FAMILY_COLOURS["support"], True, "member of"),
    "SUPPORTS": (FAMILY_COLOURS["support"], False, "supports"),
    "DELIVERS": (FAMILY_COLOURS["activity"], False, "delivers"),
    "ADDRESSES": (FAMILY_COLOURS["activity"], True, "works on (theme)"),
    "OFFERS_FUNCTION": (FAMILY_COLOURS["activity"], [2, 6], "offers (support function)"),
    "PART_OF": (FAMILY_COLOURS["context"], [2, 6], "part of"),
    "SUCCEEDS": (FAMILY_COLOURS["context"], False, "succeeds (took over from)"),
    "LOCATED_IN": (FAMILY_COLOURS["context"], True, "located in"),
}
#: Any other relation: dash and dot.
_OTHER_RELATION = (FAMILY_COLOURS["context"], [10, 4, 2, 4])

# Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
_CVD = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def kind_label(kind: str) -> str:
    """The words a room uses for a node kind.

    Examples
    --------
    >>> kind_label("BusinessImprovementDistrict"), kind_label("NHSBody"), kind_label("Charity")
    ('Business improvement district', 'NHS body', 'Charity')
    """
    if kind in _KIND_WORDS:
        return _KIND_WORDS[kind]
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|\d+", kind) or [kind]
    return " ".join([words[0], *(w if w.isupper() else w.lower() for w in words[1:])])


def kind_style(kind: str) -> tuple[str, str]:
    """The colour and shape of a node kind (unknown kinds: the context grey, a dot).

    Examples
    --------
    >>> kind_style("Funder"), kind_style("Charity")
    (('#E66101', 'diamond'), ('#332288', 'dot'))
    """
    family, shape = KIND_STYLE.get(kind, ("context", "dot"))
    return FAMILY_COLOURS[family], shape


def relation_label(relation: str) -> str:
    """The words of a relation as drawn (``FUNDED_BY`` is drawn from funder to recipient: "funds").

    Examples
    --------
    >>> relation_label("FUNDED_BY"), relation_label("LOCATED_IN")
    ('funds (money from funder to recipient)', 'located in')
    """
    if relation in RELATION_STYLE:
        return RELATION_STYLE[relation][2]
    return relation.replace("_", " ").lower()


def relation_style(relation: str) -> tuple[str, bool | list[int]]:
    """The colour of a relation's lines and their dashes (False: solid; True: dashed; or a list of
    dash and gap lengths).

    Examples
    --------
    >>> relation_style("FUNDED_BY")
    ('#E66101', False)
    """
    if relation in RELATION_STYLE:
        return RELATION_STYLE[relation][:2]
    return _OTHER_RELATION


def _linear(colour: str) -> np.ndarray:
    rgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(linear, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def simulate_colour_blindness(colour: str, vision: str) -> np.ndarray:
    """A colour as seen with ``vision`` (``protanopia``, ``deuteranopia``, ``tritanopia``), as linear RGB.

    Examples
    --------
    >>> simulate_colour_blindness("#000000", "protanopia").tolist()
    [0.0, 0.0, 0.0]
    """
    if vision not in _CVD:
        raise ValueError(f"vision {vision!r} is not simulated. Use one of: {', '.join(_CVD)}.")
    return np.clip(_CVD[vision] @ _linear(colour), 0, 1)


def colour_difference(first: str, second: str, vision: str | None = None) -> float:
    """CIE 1976 colour difference (Delta E) between two colours, as seen with ``vision`` (or full
    colour vision when None). About 2 is just noticeable side by side; small legend marks need more.

    Examples
    --------
    >>> round(colour_difference("#000000", "#FFFFFF"))
    100
    """
    a, b = (_linear(first), _linear(second)) if vision is None else (
        simulate_colour_blindness(first, vision), simulate_colour_blindness(second, vision))
    return float(np.linalg.norm(_lab(a) - _lab(b)))


def contrast_on_white(colour: str) -> float:
    """WCAG 2.1 contrast ratio of a colour against white (3 or more for graphics).

    Examples
    --------
    >>> round(contrast_on_white("#000000"))
    21
    """
    luminance = float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(colour))
    return 1.05 / (luminance + 0.05)
