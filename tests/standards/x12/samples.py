"""Small hand-made X12 samples, built from segment lists so that envelope counts are right.

Segments are written with ``*`` and ``:``; :func:`render` swaps in other delimiters.
"""

from __future__ import annotations

__all__ = [
    "INSTITUTIONAL",
    "PROFESSIONAL",
    "REMITTANCE",
    "interchange",
    "render",
    "sample",
]

PROFESSIONAL = [
    "BHT*0019*00*BATCH1*20241201*1015*CH",
    "NM1*41*2*SUBMITTER INC*****46*SUB01",
    "PER*IC*JANE*TE*5555550100",
    "NM1*40*2*PAYER CLEARING*****46*REC01",
    "HL*1**20*1",
    "PRV*BI*PXC*207Q00000X",
    "NM1*85*2*FAMILY CLINIC*****XX*1234567893",
    "N3*1 MAIN ST",
    "N4*SPRINGFIELD*IL*62701",
    "REF*EI*371234567",
    "NM1*87*2",
    "N3*PO BOX 1",
    "N4*SPRINGFIELD*IL*62701",
    "HL*2*1*22*0",
    "SBR*P*18*GRP01******CI",
    "NM1*IL*1*DOE*JANE*Q***MI*MEM0001",
    "N3*2 ELM ST",
    "N4*SPRINGFIELD*IL*62701",
    "DMG*D8*19800215*F",
    "NM1*PR*2*ACME HEALTH*****PI*60054",
    "CLM*PCLM001*180.5***11:B:1*Y*A*Y*Y",
    "DTP*431*D8*20241101",
    "REF*9F*REFER01",
    "REF*G1*AUTH01",
    "HI*ABK:E119*ABF:I10*ABF:Z794",
    "NM1*DN*1*REFER*RITA****XX*1003000126",
    "NM1*82*1*RENDER*RON****XX*1992753880",
    "PRV*PE*PXC*207Q00000X",
    "NM1*77*2*ANNEX*****XX*1497758544",
    "SBR*S*01*OTHERGRP******CI",
    "NM1*IL*1*DOE*JOHN****MI*OTHERMEM",
    "NM1*PR*2*OTHER PAYER*****PI*OTHERPAYER",
    "REF*G1*OTHERAUTH",
    "LX*1",
    "SV1*HC:99214:25:GT*150.5*UN*1*11**1:2:3",
    "DTP*472*D8*20241120",
    "REF*G1*LINEAUTH",
    "NM1*82*1*LINE*LARA****XX*1245319599",
    "LX*2",
    "SV1*HC:81002*30*UN*2***1",
    "DTP*472*RD8*20241120-20241121",
    "LIN**N4*00002143380",
    "CTP****2*UN",
    "HL*3*1*22*1",
    "SBR*P**GRP02******CI",
    "NM1*IL*1*ROE*RICHARD****MI*MEM0002",
    "NM1*PR*2*ACME HEALTH*****PI*60054",
    "HL*4*3*23*0",
    "PAT*19",
    "NM1*QC*1*ROE*RICKY",
    "DMG*D8*20150704*M",
    "CLM*PCLM002*75***11:B:7*Y*A*Y*Y",
    "REF*F8*PAYERICN77",
    "HI*BK:J069",
    "LX*1",
    "SV1*HC:99213*75*UN*1***1",
    "DTP*472*D8*20241105",
    "CLM*PCLM003*20***02:B:1*Y*A*Y*Y",
    "HI*ABK:R51",
    "LX*1",
    "SV1*HC:99441*20*UN*1*02**1",
    "DTP*472*D8*20241106",
]

INSTITUTIONAL = [
    "BHT*0019*00*BATCH2*20241202*0800*CH",
    "NM1*41*2*HOSPITAL*****46*SUB02",
    "PER*IC*BILLING*TE*5555550101",
    "NM1*40*2*PAYER*****46*REC02",
    "HL*1**20*1",
    "PRV*BI*PXC*282N00000X",
    "NM1*85*2*GENERAL HOSPITAL*****XX*1245319599",
    "N3*9 HOSPITAL WAY",
    "N4*SPRINGFIELD*IL*62702",
    "REF*EI*370000001",
    "HL*2*1*22*0",
    "SBR*P*18*GRP9******MB",
    "NM1*IL*1*SMITH*ANNA****MI*MBI000111",
    "DMG*D8*19450310*F",
    "NM1*PR*2*MEDICARE*****PI*00431",
    "CLM*ICLM001*2500***11:A:1**A*Y*Y",
    "DTP*096*TM*1130",
    "DTP*434*RD8*20241110-20241114",
    "DTP*435*DT*202411100730",
    "CL1*1*7*01",
    "REF*G1*PREAUTH9",
    "HI*ABK:I214:::::::Y",
    "HI*ABJ:R0789",
    "HI*APR:R079",
    "HI*ABF:E119:::::::N*ABF:I10:::::::Y",
    "HI*BE:01:::1200",
    "NM1*71*1*ATTEND*ALAN****XX*1003000126",
    "NM1*82*1*RENDER*RUTH****XX*1992753880",
    "NM1*77*2*CATH LAB*****XX*1497758544",
    "LX*1",
    "SV2*0120**2000*UN*4",
    "LX*2",
    "SV2*0450*HC:99285:25*500*UN*1",
    "DTP*472*D8*20241110",
]

REMITTANCE = [
    "BPR*I*200*C*CHK************20241215",
    "TRN*1*CHK12345*1512345678",
    "DTM*405*20241214",
    "N1*PR*ACME HEALTH",
    "N3*1 PAYER PLAZA",
    "N4*HARTFORD*CT*06101",
    "REF*2U*60054",
    "N1*PE*FAMILY CLINIC*XX*1234567893",
    "LX*1",
    "CLP*PCLM001*1*180.5*150*10*12*ICN0001*11*1",
    "NM1*QC*1*DOE*JANE****MI*MEM0001",
    "MOA***MA01*N130",
    "SVC*HC:99214:25*150.5*130**1",
    "DTM*472*20241120",
    "CAS*CO*45*10.5",
    "CAS*PR*1*10",
    "REF*6R*1",
    "SVC*HC:81002*30*20**2",
    "DTM*472*20241120",
    "CAS*CO*45*10*1*97*0",
    "REF*6R*2",
    "LQ*HE*N20",
    "LQ*HE*M15",
    "CLP*PCLM002*4*75*0**12*ICN0002",
    "CAS*CO*29*75",
    "MIA*0****N1***************N2*N3",
    "PLB*1234567893*20241231*WO:X1*-50",
]


def interchange(groups: list[tuple[str, str, list[list[str]]]], control: int = 1) -> list[str]:
    """Segments of one interchange: groups of (functional id, version, transaction bodies)."""
    out = [
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *241201*1015*^*"
        f"00501*{control:09d}*0*P*:"
    ]
    for g, (functional_id, version, bodies) in enumerate(groups, 1):
        out.append(f"GS*{functional_id}*SENDER*RECEIVER*20241201*1015*{g}*X*{version}")
        for t, body in enumerate(bodies, 1):
            set_id = "835" if functional_id == "HP" else "837"
            out.append(f"ST*{set_id}*{t:04d}*{version}")
            out.extend(body)
            out.append(f"SE*{len(body) + 2}*{t:04d}")
        out.append(f"GE*{len(bodies)}*{g}")
    out.append(f"IEA*{len(groups)}*{control:09d}")
    return out


def render(
    segments: list[str],
    *,
    sep: str = "*",
    comp: str = ":",
    rep: str = "^",
    term: str = "~",
    eol: str = "\n",
) -> str:
    """The text of ``segments`` with the given delimiters and line ending after terminators."""
    table = str.maketrans({"*": sep, ":": comp, "^": rep})
    return "".join(s.translate(table) + term + eol for s in segments)


def sample(kind: str = "837P", **style: str) -> str:
    """One interchange with one transaction set of ``kind`` (837P, 837I or 835)."""
    groups = {
        "837P": ("HC", "005010X222A1", PROFESSIONAL),
        "837I": ("HC", "005010X223A2", INSTITUTIONAL),
        "835": ("HP", "005010X221A1", REMITTANCE),
    }
    functional_id, version, body = groups[kind]
    return render(interchange([(functional_id, version, [body])]), **style)
