-- id: scan-floor
-- name: Scan floor of the seed rule
-- description: Reads and decodes the columns the seed rule needs from DeviceLogonEvents with
--   its Public filter, and nothing more: the least work any engine can do for the rule.
-- source: lakehunt benches
-- tables: DeviceLogonEvents

SELECT
    count(Timestamp) AS Timestamps,
    count(DeviceId) AS DeviceIds,
    count(AccountDomain) AS AccountDomains,
    count(AccountName) AS AccountNames,
    count(LogonType) AS LogonTypes,
    count(RemoteIP) AS RemoteIPs,
    count(ActionType) AS ActionTypes
FROM DeviceLogonEvents
WHERE RemoteIPType = 'Public'
