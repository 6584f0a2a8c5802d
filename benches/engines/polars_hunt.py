"""The seed rule, "Device Logons from Unknown IPs", in Polars with Kusto's semantics.

Usage: polars_hunt.py LAKE OUT.parquet

Kusto's semantics kept here, as lakehunt keeps them: strings are never null (NULL reads as
''), todynamic turns text that is not JSON into a JSON string, mvexpand gives one row per
array element (at most 128), one per property of a bag, and one row for anything else,
tostring of a missing member is '', and dcount is exact.

Polars's JSON decoder stops at the first invalid text, and a truncated export holds some. So
IPAddresses is decoded natively in slices; a slice that fails is halved until the texts Polars
cannot take are found, and only those are read by Python's json module.
"""

import json
import sys

import polars as pl

MVEXPAND_LIMIT = 128
ELEMENTS = pl.List(pl.Struct({"IPAddress": pl.String}))
SLICE = 8192


def scan(lake: str, table: str) -> pl.LazyFrame:
    return pl.scan_parquet(f"{lake}/{table}/**/*.parquet", hive_partitioning=False)


def kusto_tostring(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"))


def member_ip(element) -> str:
    if isinstance(element, dict):
        return kusto_tostring(element.get("IPAddress"))
    return ""


def ips_of_text(text):
    """The IpAddress values Kusto gives for one IPAddresses text, read by Python."""
    if text is None or text == "":
        return [""]
    try:
        value = json.loads(text)
    except ValueError:
        return [""]
    if isinstance(value, list):
        return [member_ip(e) for e in value[:MVEXPAND_LIMIT]]
    if isinstance(value, dict):
        bags = [{k: v} for k, v in list(value.items())[:MVEXPAND_LIMIT]]
        return [member_ip(bag) for bag in bags]
    return [""]


def ips_of_slice(texts: pl.Series) -> set:
    """Decodes arrays natively; halves a slice Polars refuses until the bad texts are found."""
    arrays = texts.filter(texts.str.starts_with("["))
    others = texts.filter(texts.is_null() | ~texts.str.starts_with("["))
    found = set()
    for text in others:
        found.update(ips_of_text(text))
    if arrays.len() == 0:
        return found
    try:
        decoded = arrays.str.json_decode(ELEMENTS).list.head(MVEXPAND_LIMIT)
    except pl.exceptions.ComputeError:
        if arrays.len() <= 16:
            for text in arrays:
                found.update(ips_of_text(text))
            return found
        half = arrays.len() // 2
        return found | ips_of_slice(arrays[:half]) | ips_of_slice(arrays[half:])
    elements = decoded.filter(decoded.list.len() > 0).explode()
    ips = elements.struct.field("IPAddress").fill_null("").unique()
    found.update(ips.to_list())
    return found


def device_ips(lake: str) -> pl.LazyFrame:
    texts = scan(lake, "DeviceNetworkInfo").select("IPAddresses").collect()["IPAddresses"]
    found = set()
    for start in range(0, texts.len(), SLICE):
        found |= ips_of_slice(texts[start : start + SLICE])
    return pl.LazyFrame({"IpAddress": sorted(found)}, schema={"IpAddress": pl.String})


def main() -> None:
    lake, out = sys.argv[1], sys.argv[2]
    keys = ["AccountDomain", "AccountName", "LogonType", "RemoteIP", "ActionType"]

    logons = (
        scan(lake, "DeviceLogonEvents")
        .filter(pl.col("RemoteIPType") == "Public")
        .select(
            pl.col("Timestamp"),
            *[pl.col(c).fill_null("") for c in ["DeviceId", *keys]],
        )
    )
    outside_identity_logons = (
        scan(lake, "IdentityLogonEvents")
        .filter(pl.col("ISP").fill_null("") != "INTERNAL_NETWORK")
        .select(pl.col("IPAddress").fill_null(""))
        .unique()
    )
    findings = (
        logons.join(device_ips(lake), left_on="RemoteIP", right_on="IpAddress", how="anti")
        .join(outside_identity_logons, left_on="RemoteIP", right_on="IPAddress", how="anti")
        .group_by(keys)
        .agg(
            pl.col("Timestamp").min().alias("EarliestEvent"),
            pl.col("Timestamp").max().alias("LatestEvent"),
            pl.len().cast(pl.Int64).alias("Instances"),
            pl.col("DeviceId").n_unique().cast(pl.Int64).alias("DistinctMachines"),
        )
        .sort(keys)
    )
    findings.collect().write_parquet(out)


if __name__ == "__main__":
    main()
