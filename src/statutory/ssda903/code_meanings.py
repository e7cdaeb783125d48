"""What the SSDA903 codes a page may show mean, in the DfE's words (shortened where the guide's
are long), so a code is never shown bare: `with_meaning("REC", "E4A")` gives
"E4A Returned home to parents or others with parental responsibility, as planned"."""

from __future__ import annotations

# Reason the episode ceased (REC).
REC = {
    "E11": "Adopted: application for an adoption order unopposed",
    "E12": "Adopted: consent dispensed with by the court",
    "E13": "Left care to live with parents, relatives or others with no parental responsibility",
    "E14": "Accommodation on remand ended",
    "E15": "Age assessment found the young person is 18 or over",
    "E16": "Child moved abroad",
    "E17": "Aged 18 or over and stayed with their carers (for example, staying put)",
    "E2": "Died",
    "E3": "Care taken over by another council in the UK",
    "E4A": "Returned home to parents or others with parental responsibility, as planned",
    "E4B": "Returned home to parents or others with parental responsibility, not as planned",
    "E41": "Child arrangements order (residence order) granted",
    "E45": "Special guardianship order to former foster carers who are relatives or friends",
    "E46": "Special guardianship order to former foster carers who are not relatives or friends",
    "E47": "Special guardianship order to other carers who are relatives or friends",
    "E48": "Special guardianship order to other carers who are not relatives or friends",
    "E5": "Moved to independent living with formal advice and support",
    "E6": "Moved to independent living without formal advice and support",
    "E7": "Moved to residential care funded by adult social care",
    "E8": "Stopped being looked after for another reason",
    "E9": "Sentenced to custody",
    "X1": "Episode ended and a new one began the same day",
}

# Placement type (PLACE).
PLACE = {
    "A3": "Placed for adoption with consent, with their foster carers",
    "A4": "Placed for adoption with consent, not with their foster carers",
    "A5": "Placed for adoption under a placement order, with their foster carers",
    "A6": "Placed for adoption under a placement order, not with their foster carers",
    "H5": "Semi-independent living not regulated as a children's home",
    "K1": "Secure children's home",
    "K2": "Children's home",
    "K3": "Supported accommodation registered with Ofsted",
    "P1": "Placed with their parents or others with parental responsibility",
    "P2": "Independent living (a flat, lodgings, bed and breakfast or with friends)",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS or other place giving medical or nursing care",
    "R3": "Family centre or mother and baby unit",
    "R5": "Young offender institution",
    "S1": "Residential school",
    "T0": "Temporary placement",
    "T1": "Temporary period in hospital",
    "T2": "Temporary absence on holiday",
    "T3": "Temporary placement while their foster carers are on holiday",
    "T4": "Temporary placement of 7 days or less",
    "U1": "Foster care with relatives or friends, long term",
    "U2": "Foster care with relatives or friends who are approved adopters",
    "U3": "Foster care with relatives or friends, not long term",
    "U4": "Foster care with other foster carers, long term",
    "U5": "Foster care with other foster carers who are approved adopters",
    "U6": "Foster care with other foster carers, not long term",
    "Z1": "Other placement",
}

# Legal status (LS).
LS = {
    "C1": "Interim care order",
    "C2": "Full care order",
    "D1": "Freeing order granted",
    "E1": "Placement order granted",
    "J1": "Remanded to council or youth detention accommodation",
    "J2": "Placed in council accommodation under the Police and Criminal Evidence Act 1984",
    "J3": "Youth rehabilitation order with a residence or fostering requirement",
    "L1": "Under police protection, in council accommodation",
    "L2": "Emergency protection order",
    "L3": "Child assessment order, in council accommodation",
    "V2": "Accommodated under section 20 of the Children Act 1989",
    "V3": "Series of short breaks (each recorded)",
    "V4": "Series of short breaks (agreements recorded)",
}

# Reason for new episode (RNE).
RNE = {
    "S": "Started to be looked after",
    "L": "Change of legal status only",
    "P": "Change of placement and carers",
    "T": "Change of placement, same carers",
    "B": "Change of legal status, placement and carers",
    "U": "Change of legal status and placement, same carers",
}

# Category of need (CIN), as the CIN census's primary need codes.
CIN = {
    "N1": "Abuse or neglect",
    "N2": "Child's disability or illness",
    "N3": "Parental illness or disability",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
    "N9": "Not a child in need",
}

MEANINGS = {"REC": REC, "PLACE": PLACE, "LS": LS, "RNE": RNE, "CIN": CIN}


def meaning(column: str, code: str | None) -> str | None:
    """What `code` means in `column` ("REC", "PLACE", "LS", "RNE", "CIN"), or None."""
    if not code:
        return None
    return MEANINGS.get(column.upper(), {}).get(code.strip().upper())


def with_meaning(column: str, code: str | None) -> str:
    """The code followed by its meaning ("U4 Foster care with other foster carers, long
    term"), the code alone when its meaning is not known, "" for no code."""
    if not code:
        return ""
    found = meaning(column, code)
    return f"{code} {found}" if found else code
