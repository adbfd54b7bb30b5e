-- The county-wide record pages (issue 18, core/record_pages/): every record of a kind,
-- newest first, filtered and counted with its footer sums, at ≈1,000,000 inspections of
-- 100,000 units, each answer within 300 ms.
--
-- Each kind is ordered by its own date (the page's default order is a walk from the
-- index's end); the unit's id in the same index lets a filter on units (乡镇, 报送单位, the
-- search) be checked during that walk without reading the records. The inspections'
-- other indexes also carry the summed columns (隐患数, 重大隐患数), so a date range, a
-- 检查方式 or a set of units is counted and summed from an index alone.

CREATE INDEX inspections_day ON inspections (inspected_on, unit_id);
CREATE INDEX inspections_day_sums ON inspections (inspected_on, hazards, major_hazards);
CREATE INDEX inspections_unit_sums ON inspections (unit_id, inspected_on, hazards, major_hazards);
CREATE INDEX inspections_method ON inspections (method, inspected_on, hazards, major_hazards);
CREATE INDEX accidents_day ON accidents (occurred_on, unit_id);
CREATE INDEX penalties_day ON penalties (decided_on, unit_id);
CREATE INDEX violations_day ON violations (occurred_on, unit_id);
CREATE INDEX commitments_day ON commitments (signed_on, unit_id);
CREATE INDEX honours_day ON honours (honoured_on, unit_id);
CREATE INDEX units_reporter ON units (reporter);

-- Each unit's inspections counted and summed, kept by the triggers below whoever writes
-- (the window, an import, a copy): the footer of a page filtered by units only (乡镇,
-- 报送单位, a search matching most of the county) reads 100,000 of these rows instead of
-- 1,000,000 inspections. Derived data: not audited, not copied (the copy's own triggers
-- rebuild it).
CREATE TABLE inspection_unit_totals (
    unit_id       INTEGER PRIMARY KEY,
    records       INTEGER NOT NULL,
    hazards       INTEGER NOT NULL,
    major_hazards INTEGER NOT NULL
) STRICT;
INSERT INTO inspection_unit_totals (unit_id, records, hazards, major_hazards)
    SELECT unit_id, count(*), sum(hazards), sum(major_hazards) FROM inspections
    GROUP BY unit_id;

CREATE TRIGGER inspections_totals_insert AFTER INSERT ON inspections BEGIN
    INSERT INTO inspection_unit_totals (unit_id, records, hazards, major_hazards)
        VALUES (NEW.unit_id, 1, NEW.hazards, NEW.major_hazards)
        ON CONFLICT (unit_id) DO UPDATE SET
            records = inspection_unit_totals.records + 1,
            hazards = inspection_unit_totals.hazards + excluded.hazards,
            major_hazards = inspection_unit_totals.major_hazards + excluded.major_hazards;
END;
CREATE TRIGGER inspections_totals_delete AFTER DELETE ON inspections BEGIN
    UPDATE inspection_unit_totals SET
        records = records - 1,
        hazards = hazards - OLD.hazards,
        major_hazards = major_hazards - OLD.major_hazards
        WHERE unit_id = OLD.unit_id;
END;
CREATE TRIGGER inspections_totals_update AFTER UPDATE ON inspections BEGIN
    UPDATE inspection_unit_totals SET
        records = records - 1,
        hazards = hazards - OLD.hazards,
        major_hazards = major_hazards - OLD.major_hazards
        WHERE unit_id = OLD.unit_id;
    INSERT INTO inspection_unit_totals (unit_id, records, hazards, major_hazards)
        VALUES (NEW.unit_id, 1, NEW.hazards, NEW.major_hazards)
        ON CONFLICT (unit_id) DO UPDATE SET
            records = inspection_unit_totals.records + 1,
            hazards = inspection_unit_totals.hazards + excluded.hazards,
            major_hazards = inspection_unit_totals.major_hazards + excluded.major_hazards;
END;
