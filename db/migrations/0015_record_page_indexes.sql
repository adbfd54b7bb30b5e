-- The county-wide record pages (issue 18, core/record_pages/): every record of a kind,
-- newest first, filtered by date range and counted with its footer sums, at
-- ≈1,000,000 inspections. Each index orders a kind by its own date (the page's default
-- order is a walk from the index's end); the inspections' index also carries the summed
-- columns, so the count and the 隐患数 of a date range are read from the index alone.

CREATE INDEX inspections_day ON inspections (inspected_on, hazards, major_hazards);
CREATE INDEX accidents_day ON accidents (occurred_on);
CREATE INDEX penalties_day ON penalties (decided_on);
CREATE INDEX violations_day ON violations (occurred_on);
CREATE INDEX commitments_day ON commitments (signed_on);
CREATE INDEX honours_day ON honours (honoured_on);
