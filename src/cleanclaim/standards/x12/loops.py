"""Which loop of its implementation guide a segment sits in: the loop IDs a 999 reports (IK303).

:func:`loop_tracker` gives, for a transaction set of a guide it knows (837P 005010X222, 837I
005010X223, 835 005010X221, 277CA 005010X214), a :class:`LoopTracker` that is shown the set's
segments in order and answers with the loop ID (``2300``, ``2010BA``...) of each, or None for a
segment outside every loop (BHT, the 835's BPR and PLB, SE).

A segment starts a loop when it is the loop's first segment (HL by its level code, CLM, LX, an
NM1 by its entity code where the guide names one...) and otherwise belongs to the last loop
started: in these guides a loop's own segments all come before its child loops, so no segment
ever returns to an enclosing loop once a child loop has begun. An NM1 is looked up in the table
of the loop it follows (its "zone"): NM1*82 is 2310B after a CLM of an 837P, 2420A after its
LX. An entity code the guide does not have in that place leaves the segment in the loop before;
an HL of a level the guide does not have starts a loop whose ID is unknown (None).
"""

from __future__ import annotations

from typing import Final

__all__ = ["TRIGGERS", "LoopTracker", "loop_tracker"]

_HEADER: Final = "HEADER"

# HL03 -> the hierarchical loop it starts.
_HL_LOOPS: Final[dict[str, dict[str, str]]] = {
    "837": {"20": "2000A", "22": "2000B", "23": "2000C"},
    "277CA": {"20": "2000A", "21": "2000B", "19": "2000C", "PT": "2000D"},
}

# Segments that start a loop whatever their qualifier; "zone" loops (which NM1 tables follow)
# are the ones also listed in _ZONES. None: the segment is outside every loop (a footer).
_SEGMENT_LOOPS: Final[dict[str, dict[str, str | None]]] = {
    "837": {"CLM": "2300", "LX": "2400", "LIN": "2410", "SVD": "2430", "LQ": "2440"},
    "835": {"LX": "2000", "CLP": "2100", "SVC": "2110", "PLB": None},
    "277CA": {"SVC": "2220D"},
}
_ZONES: Final = frozenset({"2000A", "2000B", "2000C", "2000D", "2300", "2320", "2400"})

_837_PARTIES: Final[dict[str, dict[str, str]]] = {
    _HEADER: {"41": "1000A", "40": "1000B"},
    "2000A": {"85": "2010AA", "87": "2010AB", "PE": "2010AC"},
    "2000B": {"IL": "2010BA", "PR": "2010BB"},
    "2000C": {"QC": "2010CA"},
}

# (family, zone) -> NM1 entity code (NM101) -> loop.
_NM1_LOOPS: Final[dict[tuple[str, str], dict[str, str]]] = {
    **{("837P", zone): table for zone, table in _837_PARTIES.items()},
    **{("837I", zone): table for zone, table in _837_PARTIES.items()},
    ("837P", "2300"): {
        "DN": "2310A", "P3": "2310A", "82": "2310B", "77": "2310C", "DQ": "2310D",
        "PW": "2310E", "45": "2310F",
    },
    ("837P", "2320"): {
        "IL": "2330A", "PR": "2330B", "DN": "2330C", "P3": "2330C", "82": "2330D",
        "77": "2330E", "DQ": "2330F", "85": "2330G",
    },
    ("837P", "2400"): {
        "82": "2420A", "QB": "2420B", "77": "2420C", "DQ": "2420D", "DK": "2420E",
        "DN": "2420F", "P3": "2420F", "PW": "2420G", "45": "2420H",
    },
    ("837I", "2300"): {
        "71": "2310A", "72": "2310B", "ZZ": "2310C", "82": "2310D", "77": "2310E",
        "DN": "2310F",
    },
    ("837I", "2320"): {
        "IL": "2330A", "PR": "2330B", "71": "2330C", "72": "2330D", "ZZ": "2330E",
        "77": "2330F", "82": "2330G", "DN": "2330H", "85": "2330I",
    },
    ("837I", "2400"): {"72": "2420A", "ZZ": "2420B", "82": "2420C", "DN": "2420D"},
}

TRIGGERS: Final = frozenset(
    {"SE", "HL", "NM1", "N1", "SBR", "TRN"} | {tag for t in _SEGMENT_LOOPS.values() for tag in t}
)
"""The segment ids that may start or end a loop: any other is in :attr:`LoopTracker.loop`
(callers over large files show the tracker only these)."""

# The 835 names its parties with N1 (1000A payer, 1000B payee) in the header.
_N1_LOOPS: Final[dict[str, str]] = {"PR": "1000A", "PE": "1000B"}

# 277CA: the name (2100x) and trace (2200x) loops of each hierarchical level.
_277_SUFFIX: Final = {"2000A": "A", "2000B": "B", "2000C": "C", "2000D": "D"}


def _get(el: list[str], index: int) -> str:
    return el[index] if index < len(el) else ""


class LoopTracker:
    """Follows one transaction set segment by segment; see the module docstring."""

    __slots__ = ("family", "kind", "loop", "zone")

    def __init__(self, family: str) -> None:
        self.family = family
        self.kind = "837" if family.startswith("837") else family
        self.zone = _HEADER
        self.loop: str | None = None

    def see(self, el: list[str]) -> str | None:
        """The loop ID of the segment ``el`` (element 0 is its id), the next in the set."""
        tag = el[0]
        if tag == "SE":
            return None
        if tag == "HL":
            started = _HL_LOOPS.get(self.kind, {}).get(_get(el, 3))
            if started is None:  # a level the guide does not have: which loop is unknown
                self.zone, self.loop = "HL", None
                return None
        elif tag == "NM1":
            started = self._nm1(_get(el, 1))
        elif tag == "N1" and self.kind == "835" and self.zone == _HEADER:
            started = _N1_LOOPS.get(_get(el, 1))
        elif tag == "SBR" and self.kind == "837" and self.zone in ("2300", "2320"):
            started = "2320"
        elif tag == "TRN" and self.kind == "277CA" and self.zone in _277_SUFFIX:
            started = "2200" + _277_SUFFIX[self.zone]
        else:
            table = _SEGMENT_LOOPS.get(self.kind, {})
            if tag not in table:
                return self.loop
            started = table[tag]
            if started is None:
                self.zone, self.loop = "FOOTER", None
                return None
        if started is not None:
            self.loop = started
            if started in _ZONES:
                self.zone = started
        return self.loop

    def _nm1(self, entity: str) -> str | None:
        if self.kind == "277CA":
            suffix = _277_SUFFIX.get(self.zone)
            return "2100" + suffix if suffix else None
        return _NM1_LOOPS.get((self.family, self.zone), {}).get(entity)


def loop_tracker(set_id: str, version: str) -> LoopTracker | None:
    """A tracker for a transaction set of ``set_id`` and guide ``version``; None if unknown."""
    if set_id == "837" and version.startswith("005010X222"):
        return LoopTracker("837P")
    if set_id == "837" and version.startswith("005010X223"):
        return LoopTracker("837I")
    if set_id == "835" and version.startswith("005010X221"):
        return LoopTracker("835")
    if set_id == "277" and version.startswith("005010X214"):
        return LoopTracker("277CA")
    return None
