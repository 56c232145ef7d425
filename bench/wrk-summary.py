"""wrk's --latency report on stdin → "req/s p50 p90 p99 max" (latencies in ms, DIGITS decimals; default 2).

Used by bench/run.sh and bench/proxy.sh."""
import re
import sys

digits = int(sys.argv[1]) if len(sys.argv) > 1 else 2
text = sys.stdin.read()


def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
pct = {p: ms(v) for p, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M)}
mx = ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", text).group(1))
print(f"{rps:.0f} " + " ".join(f"{x:.{digits}f}" for x in (pct["50"], pct["90"], pct["99"], mx)))
