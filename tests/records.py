"""Canonical records for tests: one of each kind with every field given a value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cleanclaim.domain import (
    Authorization,
    Claim,
    ClaimPayment,
    Coverage,
    DenialCase,
    Finding,
    Member,
    Payer,
    Plan,
    Provider,
    Record,
)

D = dt.date


def full_claim(claim_id: str = "CLM-0001", **changes: object) -> Claim:
    data: dict[str, object] = dict(
        claim_id=claim_id,
        claim_type="institutional",
        frequency_code="7",
        original_claim_ref="ICN-998877",
        payer_id="PAYER01",
        payer_name="Example Health Plan",
        filing_indicator="CI",
        member_id="ABC123456789",
        subscriber_first_name="Rosa",
        subscriber_last_name="O'Neil",
        patient_first_name="Ana",
        patient_last_name="O'Neil, Jr.",
        patient_birth_date=D(1958, 2, 28),
        patient_sex="F",
        patient_relationship="19",
        patient_address_line="12 Elm St, Apt 3",
        patient_city="Springfield",
        patient_state="IL",
        patient_postal_code="62701",
        billing_npi="1234567893",
        billing_name="Springfield Clinic",
        billing_tax_id="123456789",
        billing_taxonomy="282N00000X",
        billing_address_line="400 Main St",
        billing_city="Springfield",
        billing_state="IL",
        billing_postal_code="627011234",
        rendering_npi="1245319599",
        rendering_name="Rivera",
        rendering_first_name="Luis",
        referring_npi="1003000126",
        referring_name="Chen",
        referring_first_name="Mei",
        facility_npi="1508869908",
        facility_name="Springfield Surgery Center",
        facility_address_line="9 Lake Dr",
        facility_city="Springfield",
        facility_state="IL",
        facility_postal_code="627029876",
        place_of_service="22",
        type_of_bill="0137",
        statement_from=D(2024, 2, 27),
        statement_to=D(2024, 3, 1),
        admission_date=D(2024, 2, 27),
        discharge_status="01",
        total_charge=Decimal("1234567890.12"),
        prior_auth_number="PA-5544",
        referral_number="REF-1",
        submitted_on=D(2024, 3, 5),
        diagnoses=[
            {"sequence": 2, "code": "I10", "qualifier": "ABF", "present_on_admission": "Y"},
            {"sequence": 1, "code": "E1165", "qualifier": "ABK", "present_on_admission": "N"},
        ],
        lines=[
            {
                "line_number": 1,
                "procedure_code": "99213",
                "modifiers": ["25", "XU", "LT", "76"],
                "revenue_code": "0450",
                "units": Decimal("1.5"),
                "charge": Decimal("0.01"),
                "service_from": D(2024, 2, 29),
                "service_to": D(2024, 3, 1),
                "diagnosis_pointers": [1, 2, 3, 4],
                "place_of_service": "23",
                "rendering_npi": "1245319599",
                "rendering_name": "Rivera",
                "rendering_first_name": "Luis",
                "ndc": "00002143380",
                "prior_auth_number": "PA-LINE-1",
            },
            {"line_number": 2, "units": 1, "charge": "99.99", "service_from": D(2024, 3, 1)},
        ],
    )
    data.update(changes)
    return Claim.model_validate(data)


def full_records() -> dict[type[Record], list[Record]]:
    """One record of each stored kind with every optional field set."""
    return {
        Payer: [
            Payer(
                payer_id="PAYER01",
                name="Example Health Plan",
                timely_filing_days=180,
                appeal_window_days=180,
                corrected_claim_days=365,
                member_id_pattern=r"^[A-Z]{3}\d{9}$",
            )
        ],
        Plan: [
            Plan(
                plan_id="PLAN-GOLD",
                payer_id="PAYER01",
                name="Gold PPO",
                product_line="commercial",
                excluded_codes=["S9999", "97810"],
                auth_required_codes=["70553", "E0601"],
                limits=[
                    {
                        "benefit": "physical_therapy",
                        "procedure_codes": ["97110", "97140"],
                        "max_units": "20",
                        "period": "calendar_year",
                    },
                    {
                        "benefit": "acupuncture",
                        "procedure_codes": ["97810"],
                        "max_units": "12.5",
                        "period": "lifetime",
                    },
                ],
            )
        ],
        Member: [
            Member(
                member_id="ABC123456789",
                first_name="Ana",
                last_name="O'Neil",
                birth_date=D(1958, 2, 28),
                sex="F",
                address_line="1 Main St",
                city="Springfield",
                state="IL",
                postal_code="62701",
            )
        ],
        Coverage: [
            Coverage(
                coverage_id="COV-1",
                member_id="ABC123456789",
                payer_id="PAYER01",
                plan_id="PLAN-GOLD",
                product_line="medicare_advantage",
                subscriber_id="ABC123456789",
                group_number="GRP-77",
                relationship="01",
                effective_date=D(2024, 1, 1),
                termination_date=D(2024, 12, 31),
                cob_order=2,
            )
        ],
        Provider: [
            Provider(
                payer_id="PAYER01",
                npi="1245319599",
                entity_type="1",
                name="Rivera",
                first_name="Luis",
                taxonomy="207Q00000X",
                tax_id="987654321",
                state="IL",
                network_status="out_of_network",
                network_effective=D(2020, 1, 1),
                network_termination=D(2025, 6, 30),
            )
        ],
        Authorization: [
            Authorization(
                auth_id="PA-5544",
                payer_id="PAYER01",
                member_id="ABC123456789",
                provider_npi="1245319599",
                procedure_codes=["70553", "70551"],
                start_date=D(2024, 2, 1),
                end_date=D(2024, 4, 30),
                units_approved="3",
                units_used="1.25",
                status="approved",
                decided_on=D(2024, 1, 30),
            )
        ],
        Claim: [full_claim(), full_claim("CLM-0002", claim_type="professional")],
        ClaimPayment: [
            ClaimPayment(
                payment_id="TRN123:1",
                claim_id="CLM-0001",
                payer_id="PAYER01",
                payer_name="Example Health Plan",
                payer_tax_id="061234567",
                payer_address_line="PO Box 1200",
                payer_city="Hartford",
                payer_state="CT",
                payer_postal_code="061011200",
                payer_claim_control_number="ICN-1",
                payee_npi="1234567893",
                payee_name="Springfield Clinic",
                patient_first_name="Ana",
                patient_last_name="O'Neil, Jr.",
                member_id="ABC123456789",
                status="1",
                total_charge="100.00",
                paid="60.00",
                patient_responsibility="20.00",
                filing_indicator="MB",
                payment_date=D(2024, 4, 2),
                trace_number="TRN123",
                rarcs=["M15", "N130"],
                adjustments=[
                    {"group_code": "CO", "carc": "45", "amount": "20.00", "quantity": "1"},
                    {"group_code": "PR", "carc": "1", "amount": "20.00"},
                    {"group_code": "CO", "carc": "45", "amount": "-5.00"},
                ],
                lines=[
                    {
                        "line_number": 1,
                        "procedure_code": "99213",
                        "modifiers": ["25"],
                        "revenue_code": "0510",
                        "charge": "100.00",
                        "paid": "60.00",
                        "units_paid": "1",
                        "service_date": D(2024, 3, 1),
                        "rarcs": ["N4"],
                        "adjustments": [
                            {"group_code": "CO", "carc": "97", "amount": "40.00", "quantity": "2"}
                        ],
                    }
                ],
            )
        ],
        DenialCase: [
            DenialCase(
                case_id="CASE-1",
                claim_id="CLM-0001",
                payment_id="TRN123:1",
                payer_id="PAYER01",
                category="authorization",
                carcs=["197", "15"],
                rarcs=["N54"],
                denied_amount="40.00",
                status="appealed",
                priority=0.875,
                assigned_to="agent7",
                opened_on=D(2024, 4, 3),
                due_on=D(2024, 4, 10),
                appeal_deadline=D(2024, 9, 30),
                resolved_on=D(2024, 5, 1),
                recovered_amount="40.00",
            )
        ],
        Finding: [
            Finding(
                claim_id="CLM-0001",
                rule_id="coding.icd10.not_billable",
                severity="deny",
                category="coding",
                carc="16",
                rarc="M76",
                line=1,
                message="E11 is a category, not a billable code.",
                fix="Code to the highest specificity, e.g. E11.9.",
            )
        ],
    }
