"""The seed rule, "Device Logons from Unknown IPs", in DuckDB with Kusto's semantics.

Usage: duckdb_hunt.py LAKE OUT.parquet

Kusto's semantics kept here, as lakehunt keeps them:
- strings are never null: a NULL reads as '' in comparisons, join keys, group keys and counts;
- todynamic: NULL or '' is null, valid JSON is its value, any other text is a JSON string;
- mvexpand: an array gives one row per element (at most 128), a bag one row per property
  (a one-key bag), anything else (null, scalar, string) one row of itself;
- tostring of a missing member or of a JSON null is '';
- dcount is exact.
DuckDB keeps timestamps with a time zone in microseconds: Kusto's 100 ns ticks are cut to
microseconds on read, so the harness compares timestamps at microsecond precision.
"""

import sys

import duckdb


def hunt_sql(lake: str, out: str) -> str:
    def files(table: str) -> str:
        return f"read_parquet('{lake}/{table}/**/*.parquet', hive_partitioning = false)"

    return f"""
COPY (
WITH
public_logons AS (
    SELECT Timestamp,
           coalesce(DeviceId, '') AS DeviceId,
           coalesce(AccountDomain, '') AS AccountDomain,
           coalesce(AccountName, '') AS AccountName,
           coalesce(LogonType, '') AS LogonType,
           coalesce(RemoteIP, '') AS RemoteIP,
           coalesce(ActionType, '') AS ActionType
    FROM {files('DeviceLogonEvents')}
    WHERE RemoteIPType = 'Public'
),
network_info AS (
    SELECT CASE
               WHEN IPAddresses IS NULL OR IPAddresses = '' THEN NULL
               WHEN json_valid(IPAddresses) THEN IPAddresses::JSON
               ELSE to_json(IPAddresses)
           END AS info
    FROM {files('DeviceNetworkInfo')}
),
expanded AS (
    SELECT unnest(CASE json_type(info)
               WHEN 'ARRAY' THEN (json_extract(info, '$[*]'))[1:128]
               WHEN 'OBJECT' THEN (list_transform(json_keys(info),
                   lambda k: json_object(k, json_extract(info, '$."' || replace(k, '"', '\\"') || '"'))
               ))[1:128]
               ELSE [info]
           END) AS element
    FROM network_info
),
device_ips AS (
    SELECT DISTINCT coalesce(json_extract_string(element, '$.IPAddress'), '') AS IpAddress
    FROM expanded
),
outside_identity_logons AS (
    SELECT DISTINCT coalesce(IPAddress, '') AS IPAddress
    FROM {files('IdentityLogonEvents')}
    WHERE coalesce(ISP, '') <> 'INTERNAL_NETWORK'
)
SELECT AccountDomain, AccountName, LogonType, RemoteIP, ActionType,
       min(Timestamp) AS EarliestEvent,
       max(Timestamp) AS LatestEvent,
       count(*) AS Instances,
       count(DISTINCT DeviceId) AS DistinctMachines
FROM public_logons AS logon
WHERE NOT EXISTS (SELECT 1 FROM device_ips AS d WHERE d.IpAddress = logon.RemoteIP)
  AND NOT EXISTS (SELECT 1 FROM outside_identity_logons AS i WHERE i.IPAddress = logon.RemoteIP)
GROUP BY AccountDomain, AccountName, LogonType, RemoteIP, ActionType
ORDER BY AccountDomain, AccountName, LogonType, RemoteIP, ActionType
) TO '{out}' (FORMAT parquet)
"""


def main() -> None:
    lake, out = sys.argv[1], sys.argv[2]
    connection = duckdb.connect()
    connection.execute(hunt_sql(lake, out))


if __name__ == "__main__":
    main()
