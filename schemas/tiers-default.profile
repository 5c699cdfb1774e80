# bulu tier table (分级转入手工) and incident levels (事件级别): the default,
# compiled into bulu.  A hospital copies this file, edits it, and gives it to
# the stations (STATIONDIR/tiers.profile) and to `bulu report incident --tiers`.
# docs/outage.md explains it.  UTF-8; '#' starts a comment.
#
#   tier NAME AFTER DEPT...   departments whose names contain DEPT go to paper
#                             AFTER the declared start (30m, 6h, 24h); '*' is
#                             every department.  A department takes the first
#                             tier that names it.
#   level NAME UP_TO          an outage up to UP_TO long has this level; '-' is
#                             "beyond" (the last).  Some plans say IV < 4h.
#
# The plans' variant that puts the pharmacy and the 120 desk at 6 h: move 药房
# from the 30min line to the 6h line and add 120 there.
tier 30min 30m 门诊挂号 挂号 住院登记 住院处 门诊医生 门诊 急诊 药房 收费
tier 6h 6h 住院医生 病区 护士站 手术室 医技 检验 放射 超声 影像 120
tier 24h 24h *
level IV 2h
level III 12h
level II 24h
level I -
