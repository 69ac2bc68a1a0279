"""Statistical Process Control as NHS "Making Data Count" and qicharts2 define it: pure functions
of numbers in, frames out, so an analyst can check any chart against the published packages."""

from alerts.spc.attribute_charts import p_chart, u_chart
from alerts.spc.icons import assurance, variation_icon
from alerts.spc.runs import anhoej
from alerts.spc.xmr import xmr

__all__ = ["anhoej", "assurance", "p_chart", "u_chart", "variation_icon", "xmr"]
