"""The parts of the payer adjudication simulator (:mod:`cleanclaim.synth.adjudicate`).

The public names live in :mod:`cleanclaim.synth.adjudicate`; these modules hold one step each:
the payer's memory (:mod:`.state`), the answer types (:mod:`.results`), front-end edits and
277CA acknowledgments (:mod:`.front_end`), claim and line edits (:mod:`.edits`), pricing and
cost sharing (:mod:`.pricing`), bookkeeping and 835 remittance building (:mod:`.remittance`),
and appeals (:mod:`.appeals`).
"""
