"""Inequality statistics with the public-health conventions (PHEindicatormethods, FunnelPlotR):
confidence intervals, group comparisons, deprivation gradients, funnel limits and disclosure
control. Pure functions: numbers in, numbers out."""

from alerts.inequality.comparisons import rate_ratio, risk_ratio, traffic_light
from alerts.inequality.confidence import byar, count_ci, exact_poisson, wilson
from alerts.inequality.disclosure import DisclosedRate, disclose, disclose_rate
from alerts.inequality.funnel import funnel_curve, funnel_proportions
from alerts.inequality.gradient import SlopeIndex, sii

__all__ = [
    "DisclosedRate",
    "SlopeIndex",
    "byar",
    "count_ci",
    "disclose",
    "disclose_rate",
    "exact_poisson",
    "funnel_curve",
    "funnel_proportions",
    "rate_ratio",
    "risk_ratio",
    "sii",
    "traffic_light",
    "wilson",
]
