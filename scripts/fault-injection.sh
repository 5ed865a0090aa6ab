#!/usr/bin/env bash
# Kills a quick tiny reproduction with SIGKILL at random moments, resumes it each time, and checks
# that what it finally writes equals an uninterrupted run's and that every artifact it left parses.
#
# Usage: scripts/fault-injection.sh [--kills N] [--seed S] [--experiments E[,E...]] [--work DIR]
#   --kills N        how many times to kill the run (default 15)
#   --seed S         seeds the kill moments (default 1)
#   --experiments    which experiments to reproduce (default main-results,tau-sweep)
#   --work DIR       where the two run directories go (default: a new temporary directory)
# The command run is $CPIFT (default: the classes ./cpift builds, launched directly so that the
# process killed is the JVM itself). Exit 0 when every check passes, 1 when one fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kills=15; seed=1; experiments="main-results,tau-sweep"; work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) kills="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --experiments) experiments="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    *) echo "fault-injection: unknown argument $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
[ -n "$work" ] || work="$(mktemp -d)"
mkdir -p "$work"
if [ -n "${CPIFT:-}" ]; then
  read -r -a cpift <<<"$CPIFT"
else
  # build once, then launch the same classes every time (a rebuild during the run changes nothing)
  cp="$(CPIFT_PRINT_CLASSPATH=1 "$root/cpift")"
  cpift=(java -Xmx4g --add-modules jdk.incubator.vector -cp "$cp" org.cpift.cli.Cpift)
fi
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
args=(reproduce --preset tiny --quick --seeds 1 --experiments "$experiments")
RANDOM=$seed

echo "fault-injection: reference run (uninterrupted) in $work/ref"
t0=$(date +%s.%N)
"${cpift[@]}" "${args[@]}" --run-dir "$work/ref" --out "$work/ref/reports" >"$work/ref.log" 2>&1 \
  || { echo "FAIL: the uninterrupted run failed; see $work/ref.log"; exit 1; }
ref_ms=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%d", (b - a) * 1000 }')
echo "fault-injection: reference took $((ref_ms / 1000)) s"

cells() {
  if [ -d "$work/run/cells" ]; then find "$work/run/cells" -name '*.json' | wc -l; else echo 0; fi
}
survived=0; lost_total=0
for ((k = 1; k <= kills; k++)); do
  before=$(cells)
  "${cpift[@]}" "${args[@]}" --run-dir "$work/run" --out "$work/run/reports" >>"$work/run.log" 2>&1 &
  pid=$!
  # a moment anywhere in a run: from JVM start-up to well past the cells already done
  delay_ms=$((RANDOM % (ref_ms > 2000 ? ref_ms / 2 : 1000) + 300))
  sleep "$(awk -v m="$delay_ms" 'BEGIN { printf "%.3f", m / 1000 }')"
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    survived=$((survived + 1))
    echo "fault-injection: kill $k at ${delay_ms} ms: $before -> $(cells) cells finished"
  else
    wait "$pid" || { echo "FAIL: a resumed run failed on its own; see $work/run.log"; exit 1; }
    echo "fault-injection: kill $k: the run finished before the kill at ${delay_ms} ms"
  fi
done
echo "fault-injection: final resume"
"${cpift[@]}" "${args[@]}" --run-dir "$work/run" --out "$work/run/reports" >>"$work/run.log" 2>&1 \
  || { echo "FAIL: the final resume failed; see $work/run.log"; exit 1; }

fail=0
# every result, bar the wall times, equals the uninterrupted run's
for f in "$work"/ref/reports/*/results.csv; do
  rel="${f#"$work"/ref/reports/}"
  if ! diff <(grep -v -E ',[a-z_]*seconds,' "$f") \
            <(grep -v -E ',[a-z_]*seconds,' "$work/run/reports/$rel") >/dev/null; then
    echo "FAIL: $rel differs from the uninterrupted run's"; fail=1
  fi
done
# every artifact left in the run directory parses: JSON files and safetensors headers and sizes
python3 - "$work/run" <<'PY' || fail=1
import json, os, struct, sys
bad = n = 0
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(d, f)
        try:
            if f.endswith(".json"):
                json.load(open(p)); n += 1
            elif f.endswith(".safetensors"):
                b = open(p, "rb").read()
                (h,) = struct.unpack("<Q", b[:8])
                header = json.loads(b[8:8 + h].decode("utf-8"))
                end = max([v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"] + [0])
                assert 8 + h + end == len(b), "size"
                n += 1
        except Exception as e:
            bad += 1; print("FAIL: artifact %s does not parse: %s" % (p, e))
print("fault-injection: %d artifacts parse" % n)
sys.exit(1 if bad else 0)
PY
tmp=$(find "$work/run" -name '.*.tmp' | wc -l)
echo "fault-injection: $survived kills survived, $(cells) cells, $tmp temporary files left"
[ "$tmp" -eq 0 ] || { echo "FAIL: temporary files were left"; fail=1; }
[ $fail -eq 0 ] && echo "fault-injection: PASS (results equal the uninterrupted run's)"
exit $fail
