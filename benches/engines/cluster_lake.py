"""A copy of a lake whose DeviceLogonEvents files are each sorted by RemoteIPType, then by
Timestamp: the layout lever of the benchmark. Rows with the same RemoteIPType then share pages
and row groups, so a scan filtered on it skips the others by their statistics.

Usage: cluster_lake.py LAKE COPY

COPY must not exist. The other tables of LAKE are linked, not copied. Each file keeps its date
partition, zstd level 1, row groups of 1M rows, page statistics and a page index, as
`lakehunt generate` writes them; only the order of the rows changes.
"""

import os
import sys
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

TABLE = "DeviceLogonEvents"


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    lake, copy = Path(sys.argv[1]), Path(sys.argv[2])
    if copy.exists():
        sys.exit(f"{copy} exists; give a new folder")
    if not (lake / TABLE).is_dir():
        sys.exit(f"{lake} has no {TABLE} folder")
    staging = copy.with_name(copy.name + ".partial")
    staging.mkdir(parents=True)
    for entry in lake.iterdir():
        if entry.name != TABLE:
            os.symlink(entry.resolve(), staging / entry.name)
    for source in sorted((lake / TABLE).glob("*/*.parquet")):
        table = pq.read_table(source)
        order = pc.sort_indices(
            table,
            sort_keys=[
                ("RemoteIPType", "ascending", "at_start"),
                ("Timestamp", "ascending", "at_start"),
            ],
        )
        target = staging / source.relative_to(lake)
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            table.take(order),
            target,
            row_group_size=1024 * 1024,
            compression="zstd",
            compression_level=1,
            write_statistics=True,
            write_page_index=True,
        )
        print(target.relative_to(staging), flush=True)
    staging.rename(copy)


if __name__ == "__main__":
    main()
