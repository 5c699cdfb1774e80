#!/bin/sh
# tiers.sh - tier guidance and incident levels (docs/outage.md, "Tiers and
# levels"): the default tier table (schemas/tiers-default.profile) and a
# station's own (STATIONDIR/tiers.profile); `outage status` and `station
# info` show the tier that applies now and the level by duration; capturing
# in a department whose tier has not come warns and records the reason, and
# is never refused; IT's tier escalation brings the tier forward.
. "$(dirname "$0")/../lib.sh"
TZ=Asia/Shanghai
export TZ
CAT=$(cd "$(dirname "$0")/../data" && pwd)/capture-catalog.csv
C=$T/central
BULU_OPERATOR=护士甲
export BULU_OPERATOR
now() { BULU_NOW="$1"; export BULU_NOW; }
q() { sqlite3 "$BULU_HOME/journal.db" "$1"; }
status() { bulu outage status | sed -n "s/^$1: //p"; }

now '2026-11-20 07:00'
expect 0 bulu central init --dir "$C"
BULU_HOME=$T/WARD
export BULU_HOME
expect 0 bulu station init --station WARD --dept 内科一病区 --role ward --central-pubkey "$C/central-sign.pub"
expect 0 bulu catalog load "$CAT"
expect 0 bulu outage status
check "no episode: none open" grep -qx 'outage: none open' "$T/out"
expect 0 bulu outage declare --central "$C" --cause database --at '2026-11-20 08:00' --level IV --out "$T/n1.notice"
expect 0 bulu outage start --notice "$T/n1.notice"

now '2026-11-20 09:00'
check "declared, with its notice" [ "$(status declared | cut -c1-3)" = yes ]
check "1 h after the start: tier by time 30min" [ "$(status tier_by_time)" = 30min ]
check "the level declared and by duration" [ "$(status level)" = 'IV declared, IV by duration' ]
check "the ward's tier (6h) has not come" [ "$(status dept_tier)" = '内科一病区 6h: not yet (尚未到转入时间)' ]
expect 0 bulu station info
check "station info shows the tier too" grep -q '^dept_tier: 内科一病区 6h: not yet' "$T/out"
expect 0 bulu capture order --patient ZY1 --item D001:1 --at "$BULU_NOW"
check "capturing before the tier: a warning" grep -q 'has not come' "$T/err"
check "the warning asks for a reason" grep -q 'give --tier-reason' "$T/err"
expect 0 bulu capture order --patient ZY2 --item D001:1 --at "$BULU_NOW" --tier-reason '危重病人,医生要求'
check "the reason given is recorded with the tier" \
	[ "$(q "SELECT body->>'before_tier' || '|' || (body->>'tier_reason') FROM entries WHERE kind = 'order' ORDER BY seq DESC LIMIT 1")" = '6h|危重病人,医生要求' ]

now '2026-11-20 14:30'
check "6.5 h: tier by time 6h" [ "$(status tier_by_time)" = 6h ]
check "6.5 h: level III by duration" [ "$(status level)" = 'IV declared, III by duration' ]
check "the ward is on paper now" [ "$(status dept_tier)" = '内科一病区 6h: on paper now (已转入手工)' ]
expect 0 bulu capture order --patient ZY3 --item D001:1 --at "$BULU_NOW"
check "after the tier came: no warning" sh -c "! grep -q 'has not come' '$T/err'"
check "after the tier came: nothing recorded" [ "$(q "SELECT body->>'before_tier' IS NULL FROM entries WHERE kind = 'order' ORDER BY seq DESC LIMIT 1")" = 1 ]

# IT escalates the tier: 24h in force brings every department to paper at once
BULU_HOME=$T/LAB
expect 0 bulu station init --station LAB --dept 检验科 --role exam --central-pubkey "$C/central-sign.pub"
expect 0 bulu catalog load "$CAT"
now '2026-11-20 08:20'
expect 0 bulu outage start --notice "$T/n1.notice"
check "the lab's tier (6h) has not come at 08:20" [ "$(status dept_tier)" = '检验科 6h: not yet (尚未到转入时间)' ]
expect 0 bulu outage declare --central "$C" --outage OUT-20261120-0800 --tier 24h --at '2026-11-20 08:25' --out "$T/n2.notice"
expect 0 bulu outage apply --notice "$T/n2.notice"
check "after the escalation: in force 24h" [ "$(status tier_in_force)" = 24h ]
check "after the escalation: the lab is on paper" [ "$(status dept_tier)" = '检验科 6h: on paper now (已转入手工)' ]

# the hospital's own table: the lab at 30 min; levels with IV < 4h
BULU_HOME=$T/WARD
cat >"$BULU_HOME/tiers.profile" <<'EOF'
# our hospital
tier 30min 30m 病区 检验
tier 24h 24h *
level IV 4h
level III 12h
level II 24h
level I -
EOF
now '2026-11-20 11:00'
check "own table: the ward at 30min" [ "$(status dept_tier)" = '内科一病区 30min: on paper now (已转入手工)' ]
check "own table: 3 h is still level IV (< 4h)" [ "$(status level)" = 'IV declared, IV by duration' ]
printf 'tier 6h 6h 病区\ntier 30min 30m *\nlevel I -\n' >"$BULU_HOME/tiers.profile"
expect 2 bulu outage status
check "a tier earlier than the one above: refused, naming line and column" grep -q 'tiers.profile: line 2: column 3' "$T/err"
printf 'tier 30min 30m *\nlevels IV 2h\n' >"$BULU_HOME/tiers.profile"
expect 2 bulu outage status
check "an unknown line: refused, naming it" grep -q 'line 2: column 1' "$T/err"
rm "$BULU_HOME/tiers.profile"
expect 0 bulu journal verify
finish
