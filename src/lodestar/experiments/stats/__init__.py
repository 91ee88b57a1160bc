"""The statistics of experiments: pure functions of per-arm summary statistics.

    arms.py        Arm (n, sum, sum of squares[, pre-exposure sums for CUPED]), Options,
                   Comparison (one variant against the control), Analysis, Unanalysable
    effects.py     the difference between two arms and its variance: absolute, or relative
                   by the delta method; CUPED-adjusted when pre-exposure sums are given
    frequentist.py Welch's t-test / the two-proportion test, fixed-horizon or sequential
                   (always-valid intervals)
    bayesian.py    a normal model of the effect: chance to beat control, expected loss,
                   credible interval; flat or informative prior
    srm.py         sample-ratio mismatch: chi-square of exposures against the planned split
    multiple.py    Holm and Benjamini-Hochberg adjustments across metrics
    power.py       sample size and duration before starting
    analyze.py     all of it for a list of arms (what the CLI and the results page call)

docs/experiments-statistics.md says where each formula comes from.
"""
