#!/usr/bin/env python3
"""Independent reference values for StatisticsTests.cs (Optimization/Statistics).

Standard library only. Run:  python3 tests/SigmaFlow.Core.Tests/Optimization/reference_statistics.py
and paste the printed numbers into StatisticsTests.cs.

* Phi is computed in 400-digit decimal arithmetic from the everywhere-convergent series
  Phi(x) = 1/2 + phi(x) * sum_n x^(2n+1) / (1*3*5*...*(2n+1)), so it shares nothing with Cody's rational
  approximations used in C#; it is cross-checked against 0.5 * math.erfc(-x / sqrt 2).
* Phi^-1 is Newton's method on that decimal Phi, started from statistics.NormalDist().inv_cdf.
* SR0, PSR and DSR use those decimal Phi and Phi^-1.
* CSCV is computed naively from the raw T x N return matrix (not from block sums), with itertools.combinations.
* Quantiles are Hyndman-Fan type 7 written out by hand, cross-checked with statistics.quantiles(method="inclusive").
"""

import itertools
import math
import statistics
from decimal import Decimal, getcontext

getcontext().prec = 400


# ---------------------------------------------------------------- normal distribution in high precision

def _pi():
    # Machin: pi = 16 atan(1/5) - 4 atan(1/239)
    def atan_inv(n):
        x = Decimal(1) / n
        x2 = x * x
        term, total, k = x, x, 1
        while True:
            term *= -x2
            add = term / (2 * k + 1)
            if abs(add) < Decimal(10) ** -(getcontext().prec + 5):
                return total
            total += add
            k += 1
    return 16 * atan_inv(5) - 4 * atan_inv(239)


PI = _pi()
SQRT_2PI = (2 * PI).sqrt()


def phi_pdf(x: Decimal) -> Decimal:
    return (-(x * x) / 2).exp() / SQRT_2PI


def phi_cdf(x: Decimal) -> Decimal:
    if x == 0:
        return Decimal("0.5")
    x2 = x * x
    term = x
    total = x
    n = 0
    tiny = Decimal(10) ** -(getcontext().prec - 10)
    while True:
        n += 1
        term = term * x2 / (2 * n + 1)
        total += term
        if n > x2 and abs(term) < tiny * abs(total):
            break
    return Decimal("0.5") + phi_pdf(x) * total


def phi_inv(p: float) -> Decimal:
    target = Decimal(p)  # the exact value of the double
    x = Decimal(statistics.NormalDist().inv_cdf(p))
    for _ in range(60):
        step = (phi_cdf(x) - target) / phi_pdf(x)
        x -= step
        if abs(step) < Decimal(10) ** -60 * (abs(x) + 1):
            break
    return x


def cdf(x: float) -> float:
    return float(phi_cdf(Decimal(x)))


def inv(p: float) -> float:
    return float(phi_inv(p))


# ---------------------------------------------------------------- deflated Sharpe ratio

EULER_GAMMA = Decimal("0.57721566490153286060651209008240243104215933593992")
E = Decimal(1).exp()


def sr0(variance: float, trials: int) -> float:
    if trials == 1:
        return 0.0
    v = Decimal(variance)
    n = Decimal(trials)
    # Phi^-1(1 - q) = -Phi^-1(q), evaluated at the doubles 1/N and 1/(N e).
    first = -phi_inv(float(1 / n))
    second = -phi_inv(float(1 / (n * E)))
    return float(v.sqrt() * ((1 - EULER_GAMMA) * first + EULER_GAMMA * second))


def psr(sr: float, sr_b: float, t: int, skew: float, kurt: float) -> float:
    s, b, g3, g4 = Decimal(sr), Decimal(sr_b), Decimal(skew), Decimal(kurt)
    denominator = 1 - g3 * s + (g4 - 1) / 4 * s * s
    if denominator <= 0:
        return float("nan")
    z = (s - b) * Decimal(t - 1).sqrt() / denominator.sqrt()
    return float(phi_cdf(z))


def dsr(sr: float, variance: float, trials: int, t: int, skew: float, kurt: float) -> float:
    return psr(sr, sr0(variance, trials), t, skew, kurt)


# ---------------------------------------------------------------- CSCV, naively from the return matrix

def matrix(bars, scales, drifts_first, drifts_second, sources, seed):
    """r[t][j] = (u[src[j]] - 0.5) * scale[j] + drift[j], drift from the first list for t < bars / 2, else the second;
    u is an LCG draw (state = (1103515245 * state + 12345) mod 2^31, u = state / 2^31), one per trial per bar."""
    n = len(scales)
    state = seed
    rows = []
    for t in range(bars):
        u = []
        for _ in range(n):
            state = (1103515245 * state + 12345) % 2147483648
            u.append(state / 2147483648.0)
        drift = drifts_first if 2 * t < bars else drifts_second
        rows.append([(u[sources[j]] - 0.5) * scales[j] + drift[j] for j in range(n)])
    return rows


def sharpe(values):
    n = len(values)
    if n < 2:
        return float("nan")
    mean = sum(values) / n
    centred = sum((v - mean) ** 2 for v in values)
    squares = sum(v * v for v in values)
    if not centred > 1e-12 * squares:
        return float("nan")
    return mean / math.sqrt(centred / (n - 1))


def above(a, b):
    """a ranks strictly above b; NaN ranks below every number."""
    if math.isnan(a):
        return False
    if math.isnan(b):
        return True
    return a > b


def equal(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def cscv(rows, blocks):
    bars, n = len(rows), len(rows[0])
    bounds = [(b * bars // blocks, (b + 1) * bars // blocks) for b in range(blocks)]
    logits = []
    tied_splits = []
    for chosen in itertools.combinations(range(blocks), blocks // 2):
        ins = [t for b in chosen for t in range(*bounds[b])]
        outs = [t for b in range(blocks) if b not in chosen for t in range(*bounds[b])]
        is_perf = [sharpe([rows[t][j] for t in ins]) for j in range(n)]
        oos_perf = [sharpe([rows[t][j] for t in outs]) for j in range(n)]
        best = 0
        for j in range(1, n):
            if above(is_perf[j], is_perf[best]):
                best = j
        lower = sum(1 for j in range(n) if j != best and above(oos_perf[best], oos_perf[j]))
        ties = sum(1 for j in range(n) if j != best and equal(oos_perf[best], oos_perf[j]))
        omega = (1 + lower + 0.5 * ties) / (n + 1)
        logits.append(math.log(omega / (1 - omega)))
        tied_splits.append(ties > 0)
    pbo = sum(1 for x in logits if x <= 0) / len(logits)
    cscv.tied = sum(tied_splits)
    return pbo, statistics.median(logits), logits


# ---------------------------------------------------------------- quantiles (type 7)

def type7(sorted_values, p):
    n = len(sorted_values)
    h = (n - 1) * p
    j = math.floor(h)
    if j >= n - 1:
        return sorted_values[-1]
    return sorted_values[j] + (h - j) * (sorted_values[j + 1] - sorted_values[j])


# ---------------------------------------------------------------- output

def main():
    print("# Phi(x): x, value")
    for x in [0.0, 0.5, -0.5, 1.0, -1.0, 1.959963984540054, -1.959963984540054, 3.0, -3.0, 5.0, -5.0,
              7.5, -8.0, -10.0, -20.0, -30.0, -37.0]:
        value = cdf(x)
        check = 0.5 * math.erfc(-x / math.sqrt(2))
        assert abs(value - check) <= 1e-12 * value, (x, value, check)
        print(f"({x!r}, {value!r}),")

    print("# Phi^-1(p): p, value")
    for p in [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.025, 0.1, 0.3, 0.5, 0.6, 0.9, 0.975, 0.99,
              0.999999]:
        print(f"({p!r}, {inv(p)!r}),")

    print("# SR0(V, N): V, N, value")
    for v, n in [(0.01, 2), (0.01, 10), (0.01, 100), (0.01, 1000), (0.002, 1_000_000), (0.5 / 250, 100)]:
        print(f"({v!r}, {n}, {sr0(v, n)!r}),")

    print("# PSR(SR, SR_b, T, skew, kurt): value")
    for args in [(0.1, 0.0, 252, 0.0, 3.0), (0.05, 0.02, 1000, -0.5, 5.0), (-0.03, 0.0, 60, 1.0, 6.0),
                 (0.2, 0.25, 100, 0.0, 3.0)]:
        print(f"{args!r} -> {psr(*args)!r}")

    print("# DSR(SR, V, N, T, skew, kurt): value")
    periods = 250
    worked = (2.5 / math.sqrt(periods), 0.5 / periods, 100, 1250, -3.0, 10.0)
    print(f"worked example per-period SR = {worked[0]!r}, V = {worked[1]!r}")
    print(f"worked example SR0 (per period) = {sr0(worked[1], 100)!r}, annualised = {sr0(worked[1], 100) * math.sqrt(periods)!r}")
    for args in [worked, (0.2, 0.005, 50, 500, 0.3, 4.0), (0.1, 0.01, 1, 300, 0.0, 3.0)]:
        print(f"{args!r} -> {dsr(*args)!r}")

    print("# CSCV")
    overfit = matrix(
        bars=80,
        scales=[0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.0, 0.02],
        drifts_first=[0.004, 0.0003, 0.0006, 0.0016, 0.0012, 0.0015, 0.0, 0.0016],
        drifts_second=[-0.004, 0.0003, 0.0006, 0.0016, 0.0012, 0.0015, 0.0, 0.0016],
        sources=[0, 1, 2, 3, 4, 5, 6, 3],
        seed=20240607)
    for blocks in (4, 6, 8):
        pbo, median, logits = cscv(overfit, blocks)
        print(f"overfit S={blocks}: PBO = {pbo!r}, median = {median!r}, splits with an OOS tie = {cscv.tied}")
        print("  logits = [" + ", ".join(repr(x) for x in logits) + "]")

    dominant = matrix(
        bars=60,
        scales=[0.02, 0.02, 0.001, 0.02, 0.02, 0.02],
        drifts_first=[0.0, 0.0005, 0.01, -0.0005, 0.001, 0.0],
        drifts_second=[0.0, 0.0005, 0.01, -0.0005, 0.001, 0.0],
        sources=[0, 1, 2, 3, 4, 5],
        seed=7)
    pbo, median, logits = cscv(dominant, 6)
    print(f"dominant S=6: PBO = {pbo!r}, median = {median!r}, all logits ln 6 = {all(abs(x - math.log(6)) < 1e-14 for x in logits)}"
          f" ({math.log(6)!r}), splits = {len(logits)}")

    print("# Quantiles type 7")
    data = sorted([3.5, -1.0, 2.0, 8.0, 0.25, 4.0, 4.0, 10.0, -7.5, 6.0, 1.125])
    print(f"sorted = {data!r}")
    for p in [0.0, 0.05, 0.1, 0.25, 1 / 3, 0.5, 0.75, 0.9, 0.95, 1.0]:
        print(f"({p!r}, {type7(data, p)!r}),")
    cuts = statistics.quantiles(data, n=20, method="inclusive")
    bands = [cuts[0], cuts[4], cuts[9], cuts[14], cuts[18]]
    hand = [type7(data, p) for p in (0.05, 0.25, 0.5, 0.75, 0.95)]
    assert all(abs(a - b) <= 1e-12 for a, b in zip(bands, hand)), (bands, hand)
    print(f"bands = {hand!r}")
    two = [1.0, 2.0]
    print(f"two values [1, 2] bands = {[type7(two, p) for p in (0.05, 0.25, 0.5, 0.75, 0.95)]!r}")


if __name__ == "__main__":
    main()
