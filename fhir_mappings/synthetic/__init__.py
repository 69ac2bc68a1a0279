"""Synthetic source extracts: a realistic city's births, written in the reference formats.

`generate(SynthesisSpec(...))` is pure (a seed in, frames out); `files.write_extracts` writes them.
"""

from fhir_mappings.synthetic.generator import SynthesisSpec, SyntheticExtracts, generate

__all__ = ["SynthesisSpec", "SyntheticExtracts", "generate"]
