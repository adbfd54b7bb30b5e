-- Schema version 7 (grading.md Revision 2): the new columns of workbook.md.
-- 企业信息 成立日期 (a unit exists from it); 行政处罚 加重罚款 (安全生产法第一百一十四条,
-- two to five times) and the columns of the national 双公示 publicity: 违法行为类型,
-- 处罚依据, 处罚类别 (several separated by 、), 处罚内容.

ALTER TABLE units ADD COLUMN founded_on TEXT;

ALTER TABLE penalties ADD COLUMN violation_type TEXT NOT NULL DEFAULT '';
ALTER TABLE penalties ADD COLUMN legal_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE penalties ADD COLUMN penalty_types TEXT NOT NULL DEFAULT '';
ALTER TABLE penalties ADD COLUMN penalty_content TEXT NOT NULL DEFAULT '';
ALTER TABLE penalties ADD COLUMN aggravated_fine INTEGER NOT NULL DEFAULT 0
    CHECK (aggravated_fine IN (0, 1));
