"""Perinatal indicators: the catalogue (data), counting over the analytic projection, the
statistics on the counts (rates, comparisons, SPC, gradients) and where the results are kept."""
