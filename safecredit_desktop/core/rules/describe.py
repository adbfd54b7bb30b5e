"""A profile's rules in Chinese, as 设置 → 信用规则 shows them to a bureau."""

from __future__ import annotations

from safecredit_desktop.core.rules.profile import Mode, Profile


def describe_profile(profile: Profile) -> list[str]:
    """Lines of plain Chinese: grades in evaluation order with their criteria, then the
    supervision intervals and the deadlines. A line starting with "#" is a heading."""
    lines = [f"# {profile.title}", profile.rules_of, ""]
    if profile.internal_only and profile.internal_notice:
        lines += [f"注意：{profile.internal_notice}", ""]
    lines.append("# 评定顺序")
    order = "、".join(f"{g}（{profile.label(g)}）" for g in profile.evaluation_order)
    lines.append(
        f"依次判断 {order}，符合即定级；都不符合的评为 "
        f"{profile.fallback}（{profile.label(profile.fallback)}）。"
    )
    for letter in profile.evaluation_order:
        grade = profile.grades[letter]
        tier = f"，监管层级：{grade.tier.name}" if grade.tier else ""
        lines += ["", f"# {letter}级（{grade.label}{tier}）"]
        if grade.criteria:
            joined = "符合下列任一情形：" if grade.mode is Mode.ANY else "同时符合下列全部条件："
            lines.append(joined)
            lines += [f"  {n}. {c.text}（{c.code}）" for n, c in enumerate(grade.criteria, 1)]
        if grade.measures:
            lines.append(f"监管措施：{grade.measures}")
    fallback = profile.grades[profile.fallback]
    if profile.fallback not in profile.evaluation_order:
        lines += ["", f"# {profile.fallback}级（{fallback.label}）", "不属于以上各级的单位。"]
    for list_def in profile.lists:
        kind = "守信激励" if list_def.incentive else "失信惩戒"
        lines += ["", f"# {list_def.name}（{kind}）"]
        joined = "符合下列任一情形：" if list_def.mode is Mode.ANY else "同时符合下列全部条件："
        lines.append(joined)
        lines += [f"  {n}. {c.text}（{c.code}）" for n, c in enumerate(list_def.criteria, 1)]
        period = f"列入期限：{list_def.period_months} 个月，自公布之日起"
        if list_def.accident_period_months:
            by_grade = "、".join(
                f"{g}事故 {m} 个月" for g, m in list_def.accident_period_months.items()
            )
            period += f"（依据为{by_grade}）"
        lines.append(period)
        if list_def.early_removal_months is not None:
            lines.append(f"列入满 {list_def.early_removal_months} 个月可申请提前移出")
        if list_def.names_persons:
            lines.append("相关责任人员与单位一同列入")
        if profile.internal_only:
            lines.append("只作内部管理使用，不公布")
    lines += ["", "# 检查频次"]
    for letter in "ABCD":
        months = profile.interval_months[letter]
        lines.append(f"{letter}级（{profile.label(letter)}）：至少每 {months} 个月检查一次")
    lines.append(
        f"高危行业（{'、'.join(sorted(profile.high_risk_categories))}，及标为高危的单位）："
        f"至少每 {profile.high_risk_interval_months} 个月检查一次"
    )
    d = profile.deadlines
    lines += [
        "",
        "# 期限",
        f"异议答复：受理后 {d.objection_answer_working_days} 个工作日内",
        f"提出异议：告知书送达后 {d.objection_raise_working_days} 个工作日内",
        f"信用修复：记录之日起满 {d.repair_min_months} 个月后方可申请（生产安全事故不能信用修复）",
        "",
        "# 行业类别",
        "、".join(profile.categories),
    ]
    return lines
