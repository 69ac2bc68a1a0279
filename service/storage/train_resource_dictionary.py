"""Train a zstd dictionary for stored resources on the synthetic region's, as ingest stores
them (`resource_json.py` says why and how the dictionary is used).

    .venv/bin/python -m service.storage.train_resource_dictionary DICTIONARY_ID OUT_FILE

Only for a new dictionary: the one in use is part of the stored format and is never retrained
in place. Synthetic data only, so the dictionary holds no real patient's text.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import zstandard

from fhir_mappings.extract_file import file_sha256
from fhir_mappings.fhir.naming import Naming
from fhir_mappings.mapping.model import default_mapping
from fhir_mappings.row_pipeline import build_resources, plan_extract, row_outcomes
from fhir_mappings.synthetic.files import write_extracts
from fhir_mappings.synthetic.generator import generate
from fhir_mappings.synthetic.spec import SynthesisSpec
from service.cli.demo import DEMO_EXTRACTS
from service.storage.resource_json import LEVEL
from service.storage.resource_writes import stored_json

DICTIONARY_BYTES = 32_000  # larger ones compressed the demo's resources no smaller
SAMPLES = 20_000


def training_samples(folder: Path, now: datetime) -> list[bytes]:
    write_extracts(generate(SynthesisSpec(births_per_year=3_000, years=1, seed=7)), folder)
    samples: list[bytes] = []
    naming = Naming()
    for source, name in DEMO_EXTRACTS.items():
        path = folder / name
        plan = plan_extract(
            path, default_mapping(source), file_sha256=file_sha256(path), today=now.date()
        )
        for outcome in row_outcomes(plan):
            if outcome.status == "accepted":
                for resource in build_resources(plan, outcome, naming=naming, recorded=now):
                    samples.append(stored_json(resource, version=1, now=now))
    return random.Random(7).sample(samples, min(SAMPLES, len(samples)))


def main() -> None:
    dictionary_id, out_file = int(sys.argv[1]), Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as folder:
        samples = training_samples(Path(folder), datetime.now(UTC))
    dictionary = zstandard.train_dictionary(
        DICTIONARY_BYTES, samples, dict_id=dictionary_id, level=LEVEL
    )
    out_file.write_bytes(dictionary.as_bytes())
    print(f"{out_file}: dictionary {dictionary_id}, {len(samples):,} resources", file=sys.stderr)


if __name__ == "__main__":
    main()
