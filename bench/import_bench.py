"""Archive import speed (not a test): 10,000 assets and their customers from CSV.

    .venv/bin/python bench/import_bench.py [--assets 10000] [--url postgresql+psycopg2://…]

Writes a customers file (one customer per 5 assets, each with two sites) and two assets files
(the second changes every asset's model) in a temporary directory; imports the customers and
the assets into a fresh SQLite database and, with `--url`, into that database too (it is
EMPTIED first: give it a scratch database); imports the assets again (every row unchanged),
then the changed ones (every row updated); prints the wall time and rows per second of each.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.archive_import import columns, import_archive
from db.demo import STANDARD_PROFILE
from db.profiles import load_profile_file, store_profile
from db.session import create_schema, drop_schema, make_engine, session_factory, transaction

ASSETS_PER_CUSTOMER = 5
REGIONS = ("qingdao", "jinan", "yantai", "weifang")
CATEGORIES = ("camera", "display", "audio", "network")


def write_files(folder: Path, assets: int) -> tuple[Path, Path, Path]:
    customers = folder / "customers.csv"
    with customers.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, columns("customers"))
        writer.writeheader()
        for n in range(assets // ASSETS_PER_CUSTOMER):
            sites = [{"id": f"C{n:06d}-S{s}", "name": f"site {s}"} for s in (1, 2)]
            writer.writerow(
                {
                    "id": f"C{n:06d}",
                    "name": f"客户 {n}",
                    "contact_name": "王强",
                    "contact_phone": f"+86 532 {n:08d}",
                    "region": REGIONS[n % len(REGIONS)],
                    "key_account": n % 10 == 0,
                    "sla_profile": "standard",
                    "sites": json.dumps(sites),
                }
            )
    return customers, write_assets(folder, assets, "HK-DS-2CD"), write_assets(folder, assets, "V2")


def write_assets(folder: Path, assets: int, model: str) -> Path:
    path = folder / f"assets-{model}.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, columns("assets"))
        writer.writeheader()
        for n in range(assets):
            customer = n // ASSETS_PER_CUSTOMER
            writer.writerow(
                {
                    "serial": f"SN-{n:08d}",
                    "model": model,
                    "category": CATEGORIES[n % len(CATEGORIES)],
                    "customer_id": f"C{customer:06d}",
                    "site_id": f"C{customer:06d}-S{n % 2 + 1}",
                    "invoice_date": f"2025-{n % 12 + 1:02d}-15",
                    "warranty_months": 12 + 12 * (n % 3),
                    "warranty_components": json.dumps({"bulb": 6}) if n % 4 == 1 else "",
                }
            )
    return path


def timed(label: str, rows: int, step: Callable[[], list[str]]) -> None:
    start = time.perf_counter()
    output = step()
    seconds = time.perf_counter() - start
    print(f"  {label:<22} {seconds:7.2f} s  {rows / seconds:9,.0f} rows/s   {output[-1]}")


def run(url: str, files: tuple[Path, Path, Path], count: int) -> None:
    customers, assets, changed = files
    engine = make_engine(url)
    drop_schema(engine)
    create_schema(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        store_profile(session, load_profile_file(STANDARD_PROFILE))
    print(engine.url.render_as_string(hide_password=True))
    customer_rows = count // ASSETS_PER_CUSTOMER
    timed("customers", customer_rows, lambda: import_archive(sessions, customers))
    timed("assets", count, lambda: import_archive(sessions, assets))
    timed("assets again (no-op)", count, lambda: import_archive(sessions, assets))
    timed("assets, all changed", count, lambda: import_archive(sessions, changed))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--url", help="also this database, which is emptied first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = write_files(Path(folder), args.assets)
        run(f"sqlite:///{Path(folder) / 'bench.db'}", files, args.assets)
        if args.url:
            run(args.url, files, args.assets)


if __name__ == "__main__":
    main()
