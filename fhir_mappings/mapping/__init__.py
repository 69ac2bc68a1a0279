"""Declarative source mappings: a mapping file per source format, interpreted by a small engine.

`load_mapping(path)` reads and checks a mapping file; `RowMapper(mapping, header)` maps one source
row at a time to a canonical record plus findings. The default mappings for the reference formats
live in `defaults/`.
"""
