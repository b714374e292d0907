"""Small hand-made X12 samples, built from segment lists so that envelope counts are right.

Segments are written with ``*`` and ``:``; :func:`render` swaps in other delimiters.
"""

from __future__ import annotations

__all__ = [
    "ACK",
    "CLAIM_ACK",
    "ELIGIBILITY",
    "ELIGIBILITY_REQUEST",
    "ENROLLMENT",
    "INSTITUTIONAL",
    "KINDS",
    "PROFESSIONAL",
    "REMITTANCE",
    "STATUS",
    "STATUS_REQUEST",
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

ACK = [
    "AK1*HC*17*005010X222A1",
    "AK2*837*0001*005010X222A1",
    "IK3*CLM*22*2300*8",
    "CTX*CLM01:PCLM001",
    "IK4*5:3*1325*7*6",
    "IK5*R*5",
    "AK2*837*0002*005010X222A1",
    "IK5*A",
    "AK9*P*2*2*1",
]

CLAIM_ACK = [
    "BHT*0085*08*ACK0001*20241202*0900*TH",
    "HL*1**20*1",
    "NM1*PR*2*ACME HEALTH*****PI*60054",
    "TRN*1*BATCH9",
    "DTP*050*D8*20241201",
    "DTP*009*D8*20241202",
    "HL*2*1*21*1",
    "NM1*41*2*SUBMITTER INC*****46*SUB01",
    "TRN*2*BATCH1",
    "STC*A1:19:PR*20241202*WQ*255.5",
    "QTY*90*1",
    "QTY*AA*1",
    "HL*3*2*19*1",
    "NM1*85*2*FAMILY CLINIC*****XX*1234567893",
    "TRN*1*0",
    "STC*A1:19:PR**WQ*255.5",
    "QTY*QA*1",
    "QTY*QC*1",
    "AMT*YU*180.5",
    "AMT*YY*75",
    "HL*4*3*PT",
    "NM1*QC*1*DOE*JANE****MI*MEM0001",
    "TRN*2*PCLM001",
    "STC*A2:20:PR*20241202*WQ*180.5",
    "REF*1K*ICN0001",
    "DTP*472*RD8*20241120-20241121",
    "HL*5*3*PT",
    "NM1*QC*1*ROE*RICKY****MI*MEM0002",
    "TRN*2*PCLM002",
    "STC*A7:21:IL*20241202*U*75******A7:33:QC",
    "STC*A3:116*20241202*U*75",
    "DTP*472*D8*20241105",
    "SVC*HC:99213*75",
    "STC*A7:454*20241202*U",
]

STATUS = [
    "BHT*0010*08*STAT01*20241210*1200*DG",
    "HL*1**20*1",
    "NM1*PR*2*ACME HEALTH*****PI*60054",
    "HL*2*1*21*1",
    "NM1*41*2*SUBMITTER INC*****46*SUB01",
    "HL*3*2*19*1",
    "NM1*1P*2*FAMILY CLINIC*****XX*1234567893",
    "HL*4*3*22*1",
    "NM1*IL*1*ROE*RICHARD****MI*MEM0002",
    "HL*5*4*23",
    "NM1*QC*1*ROE*RICKY",
    "TRN*2*TRACE77",
    "STC*F1:65*20241208**75*60*20241207**20241209*CHK900",
    "REF*1K*ICN0002",
    "REF*EJ*PCLM002",
    "DTP*472*D8*20241105",
    "HL*6*3*22*0",
    "NM1*IL*1*DOE*JANE****MI*MEM0001",
    "TRN*2*TRACE78",
    "STC*P1:20*20241209",
    "REF*EJ*PCLM001",
]

STATUS_REQUEST = [
    "BHT*0010*13*REQ77*20241210*1130",
    "HL*1**20*1",
    "NM1*PR*2*ACME HEALTH*****PI*60054",
    "HL*2*1*21*1",
    "NM1*41*2*SUBMITTER INC*****46*SUB01",
    "HL*3*2*19*1",
    "NM1*1P*2*FAMILY CLINIC*****XX*1234567893",
    "HL*4*3*22*1",
    "NM1*IL*1*ROE*RICHARD****MI*MEM0002",
    "HL*5*4*23",
    "DMG*D8*20150704*M",
    "NM1*QC*1*ROE*RICKY",
    "TRN*1*TRACE77",
    "REF*1K*ICN0002",
    "REF*EJ*PCLM002",
    "AMT*T3*75",
    "DTP*472*D8*20241105",
    "HL*6*3*22*0",
    "DMG*D8*19800215*F",
    "NM1*IL*1*DOE*JANE****MI*MEM0001",
    "TRN*1*TRACE78",
    "REF*EJ*PCLM001",
    "AMT*T3*180.5",
    "DTP*472*RD8*20241120-20241121",
]

ENROLLMENT = [
    "BGN*00*ENR0001*20241201*1200****4",
    "N1*P5*EMPLOYER INC*FI*123456789",
    "N1*IN*ACME HEALTH*XV*60054",
    "INS*Y*18*030**A***FT",
    "REF*0F*SUB0001",
    "REF*1L*GRP01",
    "DTP*356*D8*20240101",
    "NM1*IL*1*DOE*JANE*Q***34*123456789",
    "PER*IP**TE*5555550100",
    "N3*2 ELM ST*APT 4",
    "N4*SPRINGFIELD*IL*62701",
    "DMG*D8*19800215*F",
    "NM1*31*1",
    "N3*PO BOX 9",
    "N4*CHICAGO*IL*60601",
    "HD*030**HLT*PPO500*FAM",
    "DTP*348*D8*20240101",
    "DTP*349*D8*20241231",
    "REF*CE*commercial",
    "COB*P*MEDICARE123*1",
    "REF*6P*MGRP",
    "DTP*344*D8*20240301",
    "N1*IN*MEDICARE*XV*00431",
    "HD*030**DEN*DEN100",
    "DTP*348*D8*20240601",
    "REF*X9*COV-DENTAL-1",
    "INS*N*19*030**A",
    "REF*0F*SUB0001",
    "REF*23*SUB0001-02",
    "NM1*IL*1*DOE*JIMMY",
    "DMG*D8*20150704*M",
    "HD*030**HLT*PPO500*FAM",
    "DTP*348*D8*20240101",
    "REF*1L*GRP99",
    "LS*2700",
    "LX*1",
    "N1*75*REPORTING",
    "REF*17*ABC",
    "LE*2700",
]

ELIGIBILITY_REQUEST = [
    "BHT*0022*13*REQ01*20241201*0900",
    "HL*1**20*1",
    "NM1*PR*2*ACME HEALTH*****PI*60054",
    "HL*2*1*21*1",
    "NM1*1P*2*FAMILY CLINIC*****XX*1234567893",
    "HL*3*2*22*0",
    "TRN*1*TRACE01*1234567890",
    "NM1*IL*1*DOE*JANE****MI*MEM0001",
    "DMG*D8*19800215*F",
    "DTP*291*D8*20241201",
    "EQ*30",
    "EQ*98^MH",
]

ELIGIBILITY = [
    "BHT*0022*11*REQ01*20241201*0901",
    "HL*1**20*1",
    "NM1*PR*2*ACME HEALTH*****PI*60054",
    "HL*2*1*21*1",
    "NM1*1P*2*FAMILY CLINIC*****XX*1234567893",
    "HL*3*2*22*1",
    "TRN*2*TRACE01*1234567890",
    "NM1*IL*1*DOE*JANE****MI*MEM0001",
    "REF*6P*GRP01",
    "N3*2 ELM ST",
    "N4*SPRINGFIELD*IL*62701",
    "DMG*D8*19800215*F",
    "DTP*291*RD8*20240101-20241231",
    "EB*1*FAM*30^1^98**PPO 500",
    "EB*C*IND*30***23*500*****Y",
    "DTP*291*D8*20240101",
    "EB*A*IND*98*****0.2****Y",
    "MSG*AFTER DEDUCTIBLE",
    "EB*6**MH",
    "DTP*347*D8*20240630",
    "HL*4*3*23*0",
    "TRN*2*TRACE02*1234567890",
    "NM1*03*1*DOE*JIMMY",
    "DMG*D8*20150704*M",
    "AAA*N**73*C",
]

_SET_IDS = {
    "HC": "837",
    "HP": "835",
    "FA": "999",
    "HN": "277",
    "BE": "834",
    "HS": "270",
    "HB": "271",
    "HR": "276",
}


def largest_professional(claim_id: str = "C" * 38) -> list[str]:
    """An 837P transaction set body at the guide's limits: a 38-character claim ID, 12
    diagnoses, 50 lines with four modifiers and four pointers each, the largest amounts."""
    lines: list[str] = []
    for n in range(1, 51):
        lines += [
            f"LX*{n}",
            "SV1*HC:99213:25:59:LT:RT*99999999.99*UN*9999.999*11**1:2:3:4",
            "DTP*472*D8*20241130",
        ]
    hi = "HI*" + "*".join(["ABK:E119"] + ["ABF:" + "Z" + str(n).zfill(6) for n in range(11)])
    return [*PROFESSIONAL[:20], f"CLM*{claim_id}*4999999999.5***11:B:1*Y*A*Y*Y", hi, *lines]


def interchange(groups: list[tuple[str, str, list[list[str]]]], control: int = 1) -> list[str]:
    """Segments of one interchange: groups of (functional id, version, transaction bodies)."""
    out = [
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *241201*1015*^*"
        f"00501*{control:09d}*0*P*:"
    ]
    for g, (functional_id, version, bodies) in enumerate(groups, 1):
        out.append(f"GS*{functional_id}*SENDER*RECEIVER*20241201*1015*{g}*X*{version}")
        for t, body in enumerate(bodies, 1):
            set_id = _SET_IDS.get(functional_id, "837")
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
    """One interchange with one transaction set of ``kind`` (a key of :data:`KINDS`)."""
    groups = KINDS
    functional_id, version, body = groups[kind]
    return render(interchange([(functional_id, version, [body])]), **style)


KINDS: dict[str, tuple[str, str, list[str]]] = {
    "837P": ("HC", "005010X222A1", PROFESSIONAL),
    "837I": ("HC", "005010X223A2", INSTITUTIONAL),
    "835": ("HP", "005010X221A1", REMITTANCE),
    "999": ("FA", "005010X231A1", ACK),
    "277CA": ("HN", "005010X214", CLAIM_ACK),
    "277": ("HN", "005010X212", STATUS),
    "276": ("HR", "005010X212", STATUS_REQUEST),
    "834": ("BE", "005010X220A1", ENROLLMENT),
    "270": ("HS", "005010X279A1", ELIGIBILITY_REQUEST),
    "271": ("HB", "005010X279A1", ELIGIBILITY),
}
"""Functional id, guide and body of each sample kind."""
