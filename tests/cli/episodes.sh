#!/bin/sh
# episodes.sh - `bulu outage start|end` (docs/bulu.1, capture/outage.c): every
# refusal exits 2, says why, prints no "saved" line and leaves the journal
# as it was; at most one episode is open at a time, and an end closes it.
. "$(dirname "$0")/../lib.sh"
t_station OS cashier || { finish; exit 1; }
BULU_OPERATOR=it1
export BULU_OPERATOR
# refused STATUS PATTERN ARGS...: `bulu outage ARGS` exits STATUS with PATTERN
# on stderr, nothing on stdout, and the journal unchanged.
refused() {
	_st=$1 _p=$2
	shift 2
	t_snapshot "$T/before"
	expect_err "$_st" "$_p" bulu outage "$@"
	check "outage $*: nothing reported saved" [ ! -s "$T/out" ]
	t_snapshot "$T/after"
	check "outage $*: the journal unchanged" cmp -s "$T/before" "$T/after"
}
open_ep() { sqlite3 "$BULU_HOME/journal.db" "SELECT episode FROM entries ORDER BY seq DESC LIMIT 1"; }

# no episode yet: an end is refused
refused 2 'no outage episode is open' end
refused 2 'no outage episode is open' end --at '2026-11-21 12:00'
# usage: start-only options on end, bad times, ids, arguments
refused 2 'belong to `bulu outage start`' end --drill
refused 2 'belong to `bulu outage start`' end --episode OUT-X
refused 2 'belong to `bulu outage start`' end --level II
refused 2 'not a time' start --at 'yesterday noon'
refused 2 'not a time' start --at '2026-13-01 08:00'
refused 2 'not a time' end --at '2026-11-21 25:00'
refused 2 'episode' start --episode 'OUT 1'
refused 2 'episode' start --episode ''
refused 2 'episode' start --episode "$(printf 'E%.0s' $(seq 1 49))"
refused 2 'DRILL-' start --episode DRILL-X
refused 2 'DRILL-' start --drill --episode OUT-X
refused 2 'unexpected argument' start now
refused 2 'unknown option' start --bogus
refused 2 'UTF-8' start --note "$(printf 'bad \377 byte')"
check "no entry was added by any refusal" [ "$(sqlite3 "$BULU_HOME/journal.db" "SELECT count(*) FROM entries")" = 1 ]

# a 48-character id is the longest
expect 0 bulu outage start --at '2026-11-21 08:30' --episode "$(printf 'E%.0s' $(seq 1 48))"
grep_out "^saved BL-OS-2 outage_start $(printf 'E%.0s' $(seq 1 48))$"
expect 0 bulu outage end --at '2026-11-21 09:00'
grep_out '^saved BL-OS-3 outage_end'

# one open at a time: a second start, real or drill, is refused
expect 0 bulu outage start --at '2026-11-21 10:30'
grep_out '^saved BL-OS-4 outage_start OUT-20261121-1030$'
check "the episode id comes from --at" [ "$(open_ep)" = OUT-20261121-1030 ]
refused 2 'OUT-20261121-1030 is still open' start --at '2026-11-21 10:45'
refused 2 'OUT-20261121-1030 is still open' start --drill
refused 2 'OUT-20261121-1030 is still open' start --episode OUT-OTHER
expect 0 bulu outage end --at '2026-11-21 18:00'
check "the end carries the episode it closes" [ "$(open_ep)" = OUT-20261121-1030 ]
# ended: a second end is refused
refused 2 'no outage episode is open' end
refused 2 'no outage episode is open' end --at '2026-11-21 19:00'

# a drill: the same rule, and a real start is refused while it is open
expect 0 bulu outage start --drill --at '2026-11-22 09:00'
check "a drill's id" [ "$(open_ep)" = DRILL-20261122-0900 ]
check "a drill's start says drill" [ "$(sqlite3 "$BULU_HOME/journal.db" "SELECT json_extract(body, '\$.drill') FROM entries ORDER BY seq DESC LIMIT 1")" = 1 ]
refused 2 'DRILL-20261122-0900 is still open' start --at '2026-11-22 09:30'
refused 2 'DRILL-20261122-0900 is still open' start --drill --at '2026-11-22 09:30'
expect 0 bulu outage end
refused 2 'no outage episode is open' end
# and once closed, a new episode starts
expect 0 bulu outage start --at '2026-11-23 08:00' --level II --note 'HIS 数据库宕机'
check "level and note kept" [ "$(sqlite3 "$BULU_HOME/journal.db" "SELECT json_extract(body, '\$.level') || '|' || json_extract(body, '\$.note') FROM entries ORDER BY seq DESC LIMIT 1")" = 'II|HIS 数据库宕机' ]
check "the journal holds 8 entries" [ "$(sqlite3 "$BULU_HOME/journal.db" "SELECT count(*) FROM entries")" = 8 ]
expect 0 bulu journal verify
finish
