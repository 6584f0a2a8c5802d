-- id: lakehunt-variant-of-a6d76204-efb2-4ccd-a068-d5a9e6876236
-- name: Device Logons from Unknown IPs (as its comment reads)
-- description: A variant of the Sentinel rule that does what its comment says: it removes
--   public IPs that identity logons mark as INTERNAL_NETWORK, where the original removes
--   IPs seen from any other ISP.
-- source: lakehunt, after Azure Sentinel's Device Logons from Unknown IPs
-- tables: DeviceLogonEvents, DeviceNetworkInfo, IdentityLogonEvents
--
-- The original keeps `ISP != "INTERNAL_NETWORK"` under a comment that says it removes
-- internal IPs. This variant keeps `ISP == "INTERNAL_NETWORK"` instead; nothing else differs.

WITH
-- DeviceLogonEvents
-- | where RemoteIPType == "Public"
public_logons AS (
    SELECT
        Timestamp,
        coalesce(DeviceId, '') AS DeviceId,
        coalesce(AccountDomain, '') AS AccountDomain,
        coalesce(AccountName, '') AS AccountName,
        coalesce(LogonType, '') AS LogonType,
        coalesce(RemoteIP, '') AS RemoteIP,
        coalesce(ActionType, '') AS ActionType
    FROM DeviceLogonEvents
    -- A NULL type is '' to Kusto, which is not "Public" either.
    WHERE RemoteIPType = 'Public'
),

-- DeviceNetworkInfo
-- | project NetworkInfo = todynamic(IPAddresses)
-- | mvexpand NetworkInfo
network_info AS (
    -- The legacy mvexpand stops at 128 values per row. A null, a scalar or text that is not
    -- JSON expands to one value; an empty array to none.
    SELECT unnest(kql_mv_expand(kql_todynamic(IPAddresses), 128)) AS NetworkInfo
    FROM DeviceNetworkInfo
),

-- | project IpAddress = tostring(parse_json(NetworkInfo).IPAddress)
-- | distinct IpAddress
device_ips AS (
    -- A value without an IPAddress member gives '', which then matches a '' RemoteIP.
    SELECT DISTINCT kql_tostring(kql_member(NetworkInfo, 'IPAddress')) AS IpAddress
    FROM network_info
),

-- IdentityLogonEvents
-- | where ISP == "INTERNAL_NETWORK"
internal_identity_logons AS (
    -- DISTINCT changes no answer of an anti-join and keeps its hash table to one entry per IP.
    SELECT DISTINCT coalesce(IPAddress, '') AS IPAddress
    FROM IdentityLogonEvents
    WHERE ISP = 'INTERNAL_NETWORK'
),

-- | join kind=leftanti (device_ips) on $left.RemoteIP == $right.IpAddress
-- | join kind=leftanti (internal_identity_logons) on $left.RemoteIP == $right.IPAddress
unexplained_logons AS (
    SELECT *
    FROM public_logons AS logon
    WHERE NOT EXISTS (SELECT 1 FROM device_ips AS d WHERE d.IpAddress = logon.RemoteIP)
      AND NOT EXISTS (SELECT 1 FROM internal_identity_logons AS i WHERE i.IPAddress = logon.RemoteIP)
),

-- | summarize EarliestEvent = min(Timestamp), LatestEvent = max(Timestamp),
--     Instances = count(), DistinctMachines = dcount(DeviceId)
--     by AccountDomain, AccountName, LogonType, RemoteIP, ActionType
per_machine AS (
    -- Summarising per machine first counts distinct machines exactly (one row each) without
    -- keeping a set of DeviceIds for every finding.
    SELECT
        AccountDomain, AccountName, LogonType, RemoteIP, ActionType, DeviceId,
        min(Timestamp) AS EarliestEvent,
        max(Timestamp) AS LatestEvent,
        count(*) AS Instances
    FROM unexplained_logons
    GROUP BY AccountDomain, AccountName, LogonType, RemoteIP, ActionType, DeviceId
)
SELECT
    AccountDomain,
    AccountName,
    LogonType,
    RemoteIP,
    ActionType,
    min(EarliestEvent) AS EarliestEvent,
    max(LatestEvent) AS LatestEvent,
    sum(Instances) AS Instances,
    count(*) AS DistinctMachines
FROM per_machine
GROUP BY AccountDomain, AccountName, LogonType, RemoteIP, ActionType
ORDER BY AccountDomain, AccountName, LogonType, RemoteIP, ActionType
