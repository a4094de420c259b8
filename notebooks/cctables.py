"""Reads the published (de-identified) metric tables of a commonclient run for the notebooks.

Where the tables are: the environment variable COMMONCLIENT_TABLES, default ``work/tables`` (the
``commonclient.storage.root`` of conf/local.conf); a relative path is taken from the repository
root, as the launcher takes it from the directory it is run in. Only the published zone is read
(``<root>/published/metrics``): tables after disclosure control, with no identifiers.

Each published metric table is a Delta table plus a CSV copy written from the same rows
(MetricsWriter). Debian's Python has no Parquet reader, so the rows are read from the CSV copy
and checked against the Delta table's current snapshot: the transaction log (``_delta_log``) is
replayed in order (add actions minus remove actions; old files of overwritten versions stay on
disk and are never read), and the CSV must have the snapshot's column names and as many rows as
the active files' ``numRecords`` add up to. The Delta schema also gives each column its type.
"""
import glob
import json
import os
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent


def tables_root():
    """The storage root of the run (COMMONCLIENT_TABLES, default work/tables)."""
    p = Path(os.environ.get("COMMONCLIENT_TABLES", "work/tables"))
    return p if p.is_absolute() else REPO_ROOT / p


def published_dir():
    return tables_root() / "published" / "metrics"


class DeltaSnapshot:
    """The current version of a Delta table from its JSON commits: version, schema, active files."""

    def __init__(self, path):
        self.path = Path(path)
        log = self.path / "_delta_log"
        commits = sorted(log.glob("[0-9]" * 20 + ".json"))
        if not commits:
            raise FileNotFoundError(f"{self.path} is not a Delta table (no commits in {log})")
        versions = [int(c.stem) for c in commits]
        if versions != list(range(len(versions))):
            raise ValueError(f"{self.path}: the JSON commits are not complete from version 0 "
                             f"(found {versions[:3]}...; older ones were cleaned up after a checkpoint, "
                             "which this reader does not read)")
        self.version = versions[-1]
        self.files = {}
        self.schema = None
        for c in commits:
            with open(c, encoding="utf-8") as f:
                for line in f:
                    if not line.strip():
                        continue
                    action = json.loads(line)
                    if "metaData" in action:
                        self.schema = json.loads(action["metaData"]["schemaString"])
                    elif "add" in action:
                        self.files[action["add"]["path"]] = action["add"]
                    elif "remove" in action:
                        self.files.pop(action["remove"]["path"], None)
        if self.schema is None:
            raise ValueError(f"{self.path}: no metaData action in the log")

    @property
    def columns(self):
        return [f["name"] for f in self.schema["fields"]]

    @property
    def types(self):
        return {f["name"]: f["type"] for f in self.schema["fields"]}

    @property
    def num_records(self):
        """Rows of the current version (sum of numRecords of the active files); None without stats."""
        total = 0
        for add in self.files.values():
            stats = add.get("stats")
            if not stats:
                return None
            total += json.loads(stats)["numRecords"]
        return total


_PANDAS_TYPES = {"integer": "Int64", "long": "Int64", "short": "Int64", "byte": "Int64",
                 "double": "float64", "float": "float64", "boolean": "boolean", "string": "string"}


def read_published(name):
    """One published metric table as a pandas DataFrame, typed and checked against its Delta snapshot."""
    table = published_dir() / name
    snap = DeltaSnapshot(table)
    parts = sorted(glob.glob(str(published_dir() / "csv" / name / "part-*.csv")))
    if not parts:
        raise FileNotFoundError(f"no CSV copy of {name} under {published_dir() / 'csv' / name}")
    dtypes = {c: _PANDAS_TYPES.get(t, "string") if isinstance(t, str) else "string"
              for c, t in snap.types.items()}
    frames = []
    for p in parts:  # Spark's CSV writer: header, quote ", escape \, null as an empty field
        df = pd.read_csv(p, dtype="string", keep_default_na=False, na_values=[""], escapechar="\\")
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    if list(df.columns) != snap.columns:
        raise ValueError(f"{name}: CSV columns {list(df.columns)} differ from the Delta schema {snap.columns}")
    if snap.num_records is not None and len(df) != snap.num_records:
        raise ValueError(f"{name}: CSV has {len(df)} rows, Delta version {snap.version} has {snap.num_records}")
    for c, t in dtypes.items():
        if t == "boolean":
            df[c] = df[c].str.lower().map({"true": True, "false": False}).astype("boolean")
        elif t == "Int64":
            df[c] = pd.to_numeric(df[c]).astype("Int64")
        elif t == "float64":
            df[c] = pd.to_numeric(df[c]).astype("float64")
    df.attrs["delta_version"] = snap.version
    df.attrs["table"] = str(table)
    return df


def describe(df):
    """One line naming the table and its Delta version, for the top of an analysis."""
    return f"{df.attrs['table']} (Delta version {df.attrs['delta_version']}, {len(df)} rows)"


def footnote(df):
    """The disclosure-control footnote and computing parameters the table carries."""
    if df.empty:
        return ""
    return f"{df['footnote'].iloc[0]}\nParameters: {df['parameters'].iloc[0]}"
