-- Schema version 18 (issue 20, a city's roll-up): the index of inspections by unit alone
-- is dropped. inspections_unit_sums (unit_id, inspected_on, hazards, major_hazards) begins
-- with the same column, so every lookup by unit (grading, a unit's records, the foreign
-- key's check when a unit is deleted) uses that one; keeping both made each inspection
-- written update one index more (a tenth of the writing of a county's inspections).

DROP INDEX IF EXISTS inspections_unit;
