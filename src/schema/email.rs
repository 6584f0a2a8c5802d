//! The Defender for Office 365 tables: emails, their attachments and URLs, what happened to
//! them after delivery, and Safe Links clicks.

use super::KustoType::{Bool, DateTime, Dynamic, Int, Long, String as Str};
use super::{ColumnDef, col};

/// Defender XDR's EmailEvents, 39 columns: email delivery and blocking events from Defender for
/// Office 365.
pub(super) static EMAIL_EVENTS: &[ColumnDef] = &[
    col("Timestamp", DateTime),
    col("NetworkMessageId", Str),
    col("InternetMessageId", Str),
    col("SenderMailFromAddress", Str),
    col("SenderFromAddress", Str),
    col("SenderDisplayName", Str),
    col("SenderObjectId", Str),
    col("SenderMailFromDomain", Str),
    col("SenderFromDomain", Str),
    col("SenderIPv4", Str),
    col("SenderIPv6", Str),
    col("RecipientEmailAddress", Str),
    col("RecipientObjectId", Str),
    col("Subject", Str),
    col("EmailClusterId", Long),
    col("EmailDirection", Str),
    col("DeliveryAction", Str),
    col("DeliveryLocation", Str),
    col("ThreatTypes", Str),
    col("ThreatNames", Str),
    col("DetectionMethods", Str),
    col("ConfidenceLevel", Str),
    col("BulkComplaintLevel", Int),
    col("EmailAction", Str),
    col("EmailActionPolicy", Str),
    col("EmailActionPolicyGuid", Str),
    col("AuthenticationDetails", Str),
    col("AttachmentCount", Int),
    col("UrlCount", Int),
    col("EmailLanguage", Str),
    col("Connectors", Str),
    col("OrgLevelAction", Str),
    col("OrgLevelPolicy", Str),
    col("UserLevelAction", Str),
    col("UserLevelPolicy", Str),
    col("ReportId", Str),
    col("AdditionalFields", Dynamic),
    col("LatestDeliveryLocation", Str),
    col("LatestDeliveryAction", Str),
];

/// Defender XDR's EmailAttachmentInfo, 15 columns: files attached to emails.
pub(super) static EMAIL_ATTACHMENT_INFO: &[ColumnDef] = &[
    col("Timestamp", DateTime),
    col("NetworkMessageId", Str),
    col("SenderFromAddress", Str),
    col("SenderDisplayName", Str),
    col("SenderObjectId", Str),
    col("RecipientEmailAddress", Str),
    col("RecipientObjectId", Str),
    col("FileName", Str),
    col("FileType", Str),
    col("SHA256", Str),
    col("FileSize", Long),
    col("ThreatTypes", Str),
    col("ThreatNames", Str),
    col("DetectionMethods", Str),
    col("ReportId", Str),
];

/// Defender XDR's EmailUrlInfo, 6 columns: URLs in emails and their attachments.
pub(super) static EMAIL_URL_INFO: &[ColumnDef] = &[
    col("Timestamp", DateTime),
    col("NetworkMessageId", Str),
    col("Url", Str),
    col("UrlDomain", Str),
    col("UrlLocation", Str),
    col("ReportId", Str),
];

/// Defender XDR's EmailPostDeliveryEvents, 12 columns: actions taken on emails after delivery (ZAP,
/// manual remediation).
pub(super) static EMAIL_POST_DELIVERY_EVENTS: &[ColumnDef] = &[
    col("Timestamp", DateTime),
    col("NetworkMessageId", Str),
    col("InternetMessageId", Str),
    col("Action", Str),
    col("ActionType", Str),
    col("ActionTrigger", Str),
    col("ActionResult", Str),
    col("RecipientEmailAddress", Str),
    col("DeliveryLocation", Str),
    col("ThreatTypes", Str),
    col("DetectionMethods", Str),
    col("ReportId", Str),
];

/// Defender XDR's UrlClickEvents, 12 columns: Safe Links clicks from email, Teams and Office apps.
pub(super) static URL_CLICK_EVENTS: &[ColumnDef] = &[
    col("Timestamp", DateTime),
    col("Url", Str),
    col("ActionType", Str),
    col("AccountUpn", Str),
    col("Workload", Str),
    col("NetworkMessageId", Str),
    col("ThreatTypes", Str),
    col("DetectionMethods", Str),
    col("IPAddress", Str),
    col("IsClickedThrough", Bool),
    col("UrlChain", Str),
    col("ReportId", Str),
];
