"""Referrals for the bulk generator (三调联动, DESIGN.md §15), in SQL after the cases are copied:
each generated county gets its agencies (a police station per town, the court, the petition
office and 人社, one liaison each); every case that came from 110, the court or a petition gets
the agency's referral, received when the case was logged and answered when it concluded; every
case closed `referred` was referred out to 人社. A few percent of the cases, as in the demo
year; the timings follow DESIGN.md §15 (calendar approximations of the working-day periods).
"""

from accounts.agencies import Agency, AgencyMember

INBOUND_SQL = """
INSERT INTO cases_referral (case_id, agency_id, direction, kind, status, note, county_id, town_id,
    sent_at, sent_by_id, receive_due, received_at, received_by_id, answer_due, answered_at,
    answered_by_id, result, result_note, closed_at, next_due)
SELECT DISTINCT ON (c.id) c.id, a.id, 'in', k.kind,
    CASE WHEN c.concluded_at IS NULL THEN 'received'
         WHEN c.concluded_at + interval '1 day' <= now() THEN 'closed' ELSE 'answered' END,
    '', c.county_id, c.town_id,
    c.reported_at - k.lead, m.user_id, c.reported_at - k.lead + k.receive,
    c.reported_at, c.reported_by_id, c.reported_at + k.period,
    c.concluded_at + interval '2 hours',
    CASE WHEN c.concluded_at IS NOT NULL THEN COALESCE(c.assignee_id, c.reported_by_id) END,
    CASE WHEN c.concluded_at IS NULL THEN ''
         WHEN c.status = 'resolved' OR c.outcome = 'agreement' THEN 'mediated'
         WHEN c.outcome = 'failed' THEN 'failed' ELSE 'handled' END,
    CASE WHEN c.concluded_at IS NULL THEN '' ELSE '已办理，结果已反馈。' END,
    CASE WHEN c.concluded_at + interval '1 day' <= now() THEN c.concluded_at + interval '1 day' END,
    CASE WHEN c.concluded_at IS NULL THEN c.reported_at + k.period END
FROM cases_case c
JOIN (VALUES
    ('police_referral', 'police', 'police_110', interval '3 hours', interval '24 hours',
     interval '21 days'),
    ('court_referral', 'court', 'court_entrusted', interval '1 day', interval '1 day',
     interval '30 days'),
    ('petition', 'petition', 'petition', interval '1 day', interval '1 day', interval '15 days')
) AS k(source, agency_kind, kind, lead, receive, period) ON k.source = c.source
JOIN accounts_agency a ON a.county_id = c.county_id AND a.kind = k.agency_kind AND a.active
    AND (a.kind <> 'police' OR a.area_id = c.town_id)
JOIN LATERAL (SELECT user_id FROM accounts_agencymember WHERE agency_id = a.id
              ORDER BY id LIMIT 1) m ON true
WHERE c.county_id = ANY(%(counties)s)
  AND NOT EXISTS (SELECT 1 FROM cases_referral r WHERE r.case_id = c.id)
ORDER BY c.id, a.id
"""

OUTBOUND_SQL = """
INSERT INTO cases_referral (case_id, agency_id, direction, kind, status, note, county_id, town_id,
    sent_at, sent_by_id, receive_due, received_at, received_by_id, answer_due, answered_at,
    answered_by_id, result, result_note, closed_at, next_due)
SELECT DISTINCT ON (c.id) c.id, a.id, 'out', 'transfer',
    CASE WHEN c.concluded_at + interval '9 days' <= now() THEN 'closed'
         WHEN c.concluded_at + interval '8 days' <= now() THEN 'answered' ELSE 'received' END,
    '移交人社部门依法处理。', c.county_id, c.town_id,
    c.concluded_at, COALESCE(c.assignee_id, c.reported_by_id), c.concluded_at + interval '1 day',
    c.concluded_at + interval '4 hours', m.user_id, c.concluded_at + interval '21 days',
    CASE WHEN c.concluded_at + interval '8 days' <= now() THEN c.concluded_at + interval '8 days' END,
    CASE WHEN c.concluded_at + interval '8 days' <= now() THEN m.user_id END,
    CASE WHEN c.concluded_at + interval '8 days' <= now() THEN 'handled' ELSE '' END,
    CASE WHEN c.concluded_at + interval '8 days' <= now() THEN '已依法处理。' ELSE '' END,
    CASE WHEN c.concluded_at + interval '9 days' <= now() THEN c.concluded_at + interval '9 days' END,
    CASE WHEN c.concluded_at + interval '8 days' > now() THEN c.concluded_at + interval '21 days' END
FROM cases_case c
JOIN accounts_agency a ON a.county_id = c.county_id AND a.kind = 'administrative'
    AND a.department = '人社' AND a.active
JOIN LATERAL (SELECT user_id FROM accounts_agencymember WHERE agency_id = a.id
              ORDER BY id LIMIT 1) m ON true
WHERE c.county_id = ANY(%(counties)s) AND c.outcome = 'referred'
  AND NOT EXISTS (SELECT 1 FROM cases_referral r WHERE r.case_id = c.id)
ORDER BY c.id, a.id
"""


def ensure_agencies(counties, password: str) -> None:
    """A generated county's agencies and one liaison each (the demo county has its own)."""
    from grids.models import Area
    from seeds.bulk import _ensure_users

    have = set(Agency.objects.filter(county_id__in=[c.id for c in counties]).values_list(
        "county_id", flat=True
    ))  # fmt: skip
    for county in counties:
        if county.id in have:
            continue
        code = county.code[:6]
        rows = [(f"{code}-court", f"{county.name}人民法院", "court", "", county.id),
                (f"{code}-petition", f"{county.name}信访局", "petition", "", county.id),
                (f"{code}-hr", f"{county.name}人力资源和社会保障局", "administrative", "人社",
                 county.id)]  # fmt: skip
        codes = dict(
            Area.objects.filter(pk__in=[t.id for t in county.towns]).values_list("id", "code")
        )
        rows += [
            (f"{codes[t.id][:9]}-police", f"{t.name}派出所", "police", "", t.id)
            for t in county.towns
        ]
        Agency.objects.bulk_create(
            [
                Agency(code=c, name=n, kind=k, department=d, area_id=a, county_id=county.id)
                for c, n, k, d, a in rows
            ],
            ignore_conflicts=True,
        )
        agencies = list(Agency.objects.filter(code__in=[r[0] for r in rows]))
        ids = _ensure_users(
            [(f"li{a.code}", f"{a.name}联络人", "liaison", a.area_id) for a in agencies], password
        )
        AgencyMember.objects.bulk_create(
            [AgencyMember(agency=a, user_id=ids[f"li{a.code}"]) for a in agencies],
            ignore_conflicts=True,
        )


def add_referrals(cursor, counties, password: str) -> tuple[int, int]:
    """The counties' agencies, then their cases' referrals in and out: (in, out) rows."""
    ensure_agencies(counties, password)
    ids = [county.id for county in counties]
    cursor.execute(INBOUND_SQL, {"counties": ids})
    inbound = cursor.rowcount
    cursor.execute(OUTBOUND_SQL, {"counties": ids})
    return inbound, cursor.rowcount
