"""Synthetic source extracts: a realistic city's births, written in the reference formats.

`generator.generate(SynthesisSpec(...))` is pure (a seed in, frames out);
`files.write_extracts` writes them. The population and the planted events are data, in
`population.py` and `events.py`.
"""
