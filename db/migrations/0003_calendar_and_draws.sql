-- Schema version 3: the administrator's holiday table for years chinesecalendar does not
-- know, and 双随机 draws made immutable (only annulment may change a draw).

CREATE TABLE holidays (
    day  TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('休息日', '工作日')),
    name TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TRIGGER draws_no_delete BEFORE DELETE ON draws
BEGIN
    SELECT RAISE(ABORT, '双随机抽查记录不能删除，只能作废');
END;

CREATE TRIGGER draws_only_annul BEFORE UPDATE ON draws
WHEN OLD.annulled_at IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.drawn_at IS NOT OLD.drawn_at
  OR NEW.drawn_by IS NOT OLD.drawn_by OR NEW.year IS NOT OLD.year
  OR NEW.filters IS NOT OLD.filters OR NEW.ratios IS NOT OLD.ratios
  OR NEW.seed IS NOT OLD.seed OR NEW.pool IS NOT OLD.pool
  OR NEW.team_size IS NOT OLD.team_size
BEGIN
    SELECT RAISE(ABORT, '双随机抽查记录不能修改，只能作废一次');
END;

CREATE TRIGGER draw_selections_no_update BEFORE UPDATE ON draw_selections
BEGIN
    SELECT RAISE(ABORT, '双随机抽查结果不能修改');
END;

CREATE TRIGGER draw_selections_no_delete BEFORE DELETE ON draw_selections
BEGIN
    SELECT RAISE(ABORT, '双随机抽查结果不能删除');
END;
