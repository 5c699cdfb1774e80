# tests/lib.sh - sourced by every CLI test script in tests/cli/.
#
#   . "$(dirname "$0")/../lib.sh"
#   t_station ST1 cashier          # a fresh station in $T/ST1 (BULU_HOME points at it)
#   expect 0 bulu journal verify    # run, check the exit status
#   expect_err 2 'row 3' bulu capture charge ...   # the status, then stderr
#   grep_err 'row 3'                # one check: the last stderr matches
#   check "DESC" [ "$a" = b ]        # one simple command
#   check_sh "DESC" '[ -f "$x" ] && [ -f "$y" ]'   # a compound condition, whole
#   if need minisign; then ...; fi  # a missing tool is a failure, not a pass
#   ok "what was shown"             # count a passed check
#   fail "what went wrong"          # count a failure (the script goes on)
#
# Each run of `expect` leaves stdout in $T/out and stderr in $T/err.  The
# script ends with `finish`, which prints "N passed, N failed" and exits
# non-zero on any failure; with BULU_FAILFAST set, the first failure ends
# the script (scripts/mutate.py only needs to know that one check failed).
#
# Invariant: every condition a check names is counted.  `check` runs one
# simple command, so `check D [ a ] && [ b ]` or `check D cmd | grep x`
# would leave the part after it uncounted (the shell, not `check`, runs it);
# such a condition goes to check_sh as one string.  tests/cli/lint.sh
# refuses those shapes in every script.
set -u
LC_ALL=C.UTF-8
export LC_ALL
: "${BULU:?BULU must point at the bulu binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/bulu-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
# The head record's mirror (docs/journal-format.md) goes outside the
# station directory: keep it inside the test's directory.
XDG_STATE_HOME="$T/state"
export XDG_STATE_HOME
export BULU_NOW="" BULU_OPERATOR="" BULU_VERBOSE=""
unset BULU_HOME BULU_PASSPHRASE_FILE
T_NAME=$(basename "$0" .sh)
T_PASS=0
T_FAIL=0

bulu() { "$BULU" "$@"; }

ok() { T_PASS=$((T_PASS + 1)); }
fail() {
	T_FAIL=$((T_FAIL + 1))
	printf '%s: FAIL: %s\n' "$T_NAME" "$*" >&2
	if [ -s "$T/err" ]; then sed 's/^/    stderr: /' "$T/err" | head -5 >&2; fi
	# BULU_FAILFAST (make mutate): the first failure ends the script
	if [ -n "${BULU_FAILFAST:-}" ]; then
		finish
		exit 1
	fi
	return 0
}

# expect STATUS COMMAND...: run COMMAND, pass if it exits STATUS.
expect() {
	want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" = "$want" ]; then ok; else fail "exit $got, wanted $want: $*"; fi
	return 0
}

# expect_err STATUS PATTERN COMMAND...: two checks: COMMAND exits STATUS,
# and its stderr matches the grep pattern PATTERN.
expect_err() {
	_want=$1 _pat=$2
	shift 2
	expect "$_want" "$@"
	grep_err "$_pat" "stderr of '$*' lacks '$_pat'"
}

# grep_err PATTERN [DESCRIPTION], grep_out PATTERN [DESCRIPTION]: one check:
# the last `expect`'s stderr (stdout) matches the grep pattern PATTERN.
grep_err() {
	if grep -q -- "$1" "$T/err"; then ok; else fail "${2:-stderr lacks '$1'}"; fi
}
grep_out() {
	if grep -q -- "$1" "$T/out"; then ok; else fail "${2:-stdout lacks '$1'}"; fi
}

# check DESCRIPTION COMMAND...: pass if COMMAND (one simple command) succeeds.
check() {
	d=$1
	shift
	if "$@"; then ok; else fail "$d"; fi
}

# check_sh DESCRIPTION SHELL: pass if the shell text SHELL, evaluated whole
# (pipes, && and || included, with the script's functions and variables),
# succeeds.  Quote SHELL with '' so that it is expanded when evaluated.
check_sh() {
	if eval "$2"; then ok; else fail "$1"; fi
}

# need TOOL...: true when every TOOL is a command here (a Python module
# when written py:MODULE); otherwise one failure naming what is missing, so
# that checks which depend on it cannot pass by being left out.
need() {
	for _need in "$@"; do
		case $_need in
		py:*) python3 -c "import ${_need#py:}" 2>/dev/null && continue ;;
		*) command -v "$_need" >/dev/null 2>&1 && continue ;;
		esac
		fail "$_need is not installed: the checks that need it cannot run (scripts/install-deps.sh)"
		return 1
	done
}

# t_station ID ROLE [DEPT]: make a station in $T/ID and point BULU_HOME at it.
t_station() {
	BULU_HOME="$T/$1"
	export BULU_HOME
	"$BULU" station init --station "$1" --dept "${3:-门诊收费}" --role "$2" >/dev/null 2>"$T/err" ||
		{ fail "station init $1"; return 1; }
}

# t_outage_station ID: a cashier station ready to capture: the fixture
# catalog tests/data/capture-catalog.csv (items D001, D002, ...), an invoice
# book 000001-099999, and an open outage episode.
t_outage_station() {
	t_station "$1" cashier || return 1
	"$BULU" catalog load tests/data/capture-catalog.csv >/dev/null 2>&1 || { fail "catalog load"; return 1; }
	"$BULU" invoice add-book --from 000001 --to 099999 >/dev/null 2>&1 || { fail "add-book"; return 1; }
	"$BULU" outage start >/dev/null 2>&1 || { fail "outage start"; return 1; }
}

# t_charge_forms N FILE: an import CSV of N one-line charge forms (item D001).
t_charge_forms() {
	{
		echo "form,kind,operator,patient_id,patient_name,dept,doctor,item_code,qty,unit_price,invoice_no,pay_method,fee_type,occurred_at,ref_form,note"
		i=1
		while [ "$i" -le "$1" ]; do echo "F$i,charge,op,P$i,,,,D001,1,,,cash,,,,"; i=$((i + 1)); done
	} >"$2"
}

# t_snapshot FILE: a canonical dump of the journal's entries, to compare.
t_snapshot() {
	sqlite3 "$BULU_HOME/journal.db" "SELECT seq, hex(hash) FROM entries ORDER BY seq" >"$1"
}

finish() {
	printf '%s: %d passed, %d failed\n' "$T_NAME" "$T_PASS" "$T_FAIL"
	[ "$T_FAIL" -eq 0 ]
}
