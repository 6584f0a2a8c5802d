//! How a DeviceLogonEvents row becomes Arrow columns: the row as the generator describes it,
//! and one builder per catalogue column. The `InitiatingProcess*` columns all come from the
//! row's Windows process, so a row can never pair one binary's hash with another's name.

use std::sync::Arc;

use datafusion::arrow::array::{
    BooleanBuilder, Int32Builder, Int64Builder, StringBuilder, TimestampNanosecondBuilder,
};

use crate::generate::sink::Columns;
use crate::generate::world::{Device, ProcessImage, ProcessInstance};

/// One row, borrowing every string.
pub(super) struct LogonRow<'a> {
    pub(super) timestamp: i64,
    pub(super) device: &'a Device,
    pub(super) action: &'static str,
    pub(super) logon_type: Option<&'static str>,
    pub(super) account_domain: Option<&'a str>,
    pub(super) account_name: &'a str,
    pub(super) account_sid: Option<&'a str>,
    pub(super) protocol: Option<&'static str>,
    pub(super) failure_reason: Option<&'static str>,
    pub(super) is_local_admin: Option<bool>,
    pub(super) logon_id: Option<i64>,
    pub(super) remote_device: Option<&'a str>,
    pub(super) remote_ip: Option<&'a str>,
    pub(super) remote_ip_type: Option<&'static str>,
    pub(super) remote_port: Option<i32>,
    pub(super) process: Option<(&'a ProcessImage, ProcessInstance)>,
    pub(super) session_id: Option<i64>,
    /// Device name and address of the remote session the initiating process runs in.
    pub(super) remote_session: Option<(&'a str, &'a str)>,
    pub(super) report_id: i64,
    pub(super) additional_fields: Option<&'static str>,
}

/// Builders for the 48 columns of one batch.
pub(super) struct LogonColumns {
    timestamp: TimestampNanosecondBuilder,
    device_id: StringBuilder,
    device_name: StringBuilder,
    action_type: StringBuilder,
    logon_type: StringBuilder,
    account_domain: StringBuilder,
    account_name: StringBuilder,
    account_sid: StringBuilder,
    protocol: StringBuilder,
    failure_reason: StringBuilder,
    is_local_admin: BooleanBuilder,
    logon_id: Int64Builder,
    remote_device_name: StringBuilder,
    remote_ip: StringBuilder,
    remote_ip_type: StringBuilder,
    remote_port: Int32Builder,
    process_account_domain: StringBuilder,
    process_account_name: StringBuilder,
    process_account_sid: StringBuilder,
    process_account_upn: StringBuilder,
    process_account_object_id: StringBuilder,
    process_integrity_level: StringBuilder,
    process_token_elevation: StringBuilder,
    process_sha1: StringBuilder,
    process_sha256: StringBuilder,
    process_md5: StringBuilder,
    process_file_name: StringBuilder,
    process_file_size: Int64Builder,
    process_company: StringBuilder,
    process_product: StringBuilder,
    process_product_version: StringBuilder,
    process_internal_name: StringBuilder,
    process_original_name: StringBuilder,
    process_description: StringBuilder,
    process_id: Int64Builder,
    process_command_line: StringBuilder,
    process_creation_time: TimestampNanosecondBuilder,
    process_folder_path: StringBuilder,
    process_parent_id: Int64Builder,
    process_parent_file_name: StringBuilder,
    process_parent_creation_time: TimestampNanosecondBuilder,
    report_id: Int64Builder,
    app_guard_container_id: StringBuilder,
    additional_fields: StringBuilder,
    process_session_id: Int64Builder,
    process_remote_session: BooleanBuilder,
    process_remote_session_device: StringBuilder,
    process_remote_session_ip: StringBuilder,
}

fn strings(rows: usize, bytes_per_row: usize) -> StringBuilder {
    StringBuilder::with_capacity(rows, rows * bytes_per_row)
}

fn instants(rows: usize) -> TimestampNanosecondBuilder {
    TimestampNanosecondBuilder::with_capacity(rows).with_timezone("UTC")
}

impl LogonColumns {
    pub(super) fn with_capacity(rows: usize) -> Self {
        LogonColumns {
            timestamp: instants(rows),
            device_id: strings(rows, 40),
            device_name: strings(rows, 20),
            action_type: strings(rows, 12),
            logon_type: strings(rows, 8),
            account_domain: strings(rows, 8),
            account_name: strings(rows, 12),
            account_sid: strings(rows, 44),
            protocol: strings(rows, 8),
            failure_reason: strings(rows, 1),
            is_local_admin: BooleanBuilder::with_capacity(rows),
            logon_id: Int64Builder::with_capacity(rows),
            remote_device_name: strings(rows, 4),
            remote_ip: strings(rows, 10),
            remote_ip_type: strings(rows, 6),
            remote_port: Int32Builder::with_capacity(rows),
            process_account_domain: strings(rows, 12),
            process_account_name: strings(rows, 6),
            process_account_sid: strings(rows, 8),
            process_account_upn: strings(rows, 0),
            process_account_object_id: strings(rows, 0),
            process_integrity_level: strings(rows, 6),
            process_token_elevation: strings(rows, 25),
            process_sha1: strings(rows, 40),
            process_sha256: strings(rows, 64),
            process_md5: strings(rows, 32),
            process_file_name: strings(rows, 10),
            process_file_size: Int64Builder::with_capacity(rows),
            process_company: strings(rows, 21),
            process_product: strings(rows, 38),
            process_product_version: strings(rows, 15),
            process_internal_name: strings(rows, 10),
            process_original_name: strings(rows, 10),
            process_description: strings(rows, 30),
            process_id: Int64Builder::with_capacity(rows),
            process_command_line: strings(rows, 20),
            process_creation_time: instants(rows),
            process_folder_path: strings(rows, 32),
            process_parent_id: Int64Builder::with_capacity(rows),
            process_parent_file_name: strings(rows, 11),
            process_parent_creation_time: instants(rows),
            report_id: Int64Builder::with_capacity(rows),
            app_guard_container_id: strings(rows, 0),
            additional_fields: strings(rows, 22),
            process_session_id: Int64Builder::with_capacity(rows),
            process_remote_session: BooleanBuilder::with_capacity(rows),
            process_remote_session_device: strings(rows, 1),
            process_remote_session_ip: strings(rows, 1),
        }
    }

    pub(super) fn push(&mut self, row: &LogonRow<'_>) {
        let device = row.device;
        self.timestamp.append_value(row.timestamp);
        self.device_id.append_value(&device.id);
        self.device_name.append_value(&device.fqdn);
        self.action_type.append_value(row.action);
        self.logon_type.append_option(row.logon_type);
        self.account_domain.append_option(row.account_domain);
        self.account_name.append_value(row.account_name);
        self.account_sid.append_option(row.account_sid);
        self.protocol.append_option(row.protocol);
        self.failure_reason.append_option(row.failure_reason);
        self.is_local_admin.append_option(row.is_local_admin);
        self.logon_id.append_option(row.logon_id);
        self.remote_device_name.append_option(row.remote_device);
        self.remote_ip.append_option(row.remote_ip);
        self.remote_ip_type.append_option(row.remote_ip_type);
        self.remote_port.append_option(row.remote_port);
        self.push_process(row);
        self.report_id.append_value(row.report_id);
        self.app_guard_container_id.append_value("");
        self.additional_fields.append_option(row.additional_fields);
        self.process_session_id.append_option(row.session_id);
        self.process_remote_session.append_value(row.remote_session.is_some());
        self.process_remote_session_device.append_option(row.remote_session.map(|(d, _)| d));
        self.process_remote_session_ip.append_option(row.remote_session.map(|(_, ip)| ip));
    }

    /// The `InitiatingProcess*` columns: a Windows system process running as SYSTEM.
    fn push_process(&mut self, row: &LogonRow<'_>) {
        let Some((image, instance)) = row.process else {
            self.push_no_process();
            return;
        };
        self.process_account_domain.append_value("nt authority");
        self.process_account_name.append_value("system");
        self.process_account_sid.append_value("S-1-5-18");
        self.process_account_upn.append_null();
        self.process_account_object_id.append_null();
        self.process_integrity_level.append_value("System");
        self.process_token_elevation.append_value("TokenElevationTypeDefault");
        self.process_sha1.append_value(&image.sha1);
        self.process_sha256.append_value(&image.sha256);
        self.process_md5.append_value(&image.md5);
        self.process_file_name.append_value(image.file_name);
        self.process_file_size.append_value(image.file_size);
        self.process_company.append_value("Microsoft Corporation");
        self.process_product.append_value("Microsoft\u{ae} Windows\u{ae} Operating System");
        self.process_product_version.append_value(row.device.os_build);
        self.process_internal_name.append_value(image.file_name);
        self.process_original_name.append_value(image.file_name);
        self.process_description.append_value(image.description);
        self.process_id.append_value(instance.id);
        self.process_command_line.append_value(image.command_line);
        self.process_creation_time.append_value(instance.created_nanos);
        self.process_folder_path.append_value(image.folder_path);
        self.process_parent_id.append_value(instance.parent_id);
        self.process_parent_file_name.append_value(image.parent_file_name);
        self.process_parent_creation_time.append_value(instance.parent_created_nanos);
    }

    fn push_no_process(&mut self) {
        for column in [
            &mut self.process_account_domain,
            &mut self.process_account_name,
            &mut self.process_account_sid,
            &mut self.process_account_upn,
            &mut self.process_account_object_id,
            &mut self.process_integrity_level,
            &mut self.process_token_elevation,
            &mut self.process_sha1,
            &mut self.process_sha256,
            &mut self.process_md5,
            &mut self.process_file_name,
            &mut self.process_company,
            &mut self.process_product,
            &mut self.process_product_version,
            &mut self.process_internal_name,
            &mut self.process_original_name,
            &mut self.process_description,
            &mut self.process_command_line,
            &mut self.process_folder_path,
            &mut self.process_parent_file_name,
        ] {
            column.append_null();
        }
        self.process_file_size.append_null();
        self.process_id.append_null();
        self.process_creation_time.append_null();
        self.process_parent_id.append_null();
        self.process_parent_creation_time.append_null();
    }

    pub(super) fn finish(&mut self) -> Columns {
        let mut c = Columns::default();
        c.add("Timestamp", Arc::new(self.timestamp.finish()));
        c.add("DeviceId", Arc::new(self.device_id.finish()));
        c.add("DeviceName", Arc::new(self.device_name.finish()));
        c.add("ActionType", Arc::new(self.action_type.finish()));
        c.add("LogonType", Arc::new(self.logon_type.finish()));
        c.add("AccountDomain", Arc::new(self.account_domain.finish()));
        c.add("AccountName", Arc::new(self.account_name.finish()));
        c.add("AccountSid", Arc::new(self.account_sid.finish()));
        c.add("Protocol", Arc::new(self.protocol.finish()));
        c.add("FailureReason", Arc::new(self.failure_reason.finish()));
        c.add("IsLocalAdmin", Arc::new(self.is_local_admin.finish()));
        c.add("LogonId", Arc::new(self.logon_id.finish()));
        c.add("RemoteDeviceName", Arc::new(self.remote_device_name.finish()));
        c.add("RemoteIP", Arc::new(self.remote_ip.finish()));
        c.add("RemoteIPType", Arc::new(self.remote_ip_type.finish()));
        c.add("RemotePort", Arc::new(self.remote_port.finish()));
        c.add("InitiatingProcessAccountDomain", Arc::new(self.process_account_domain.finish()));
        c.add("InitiatingProcessAccountName", Arc::new(self.process_account_name.finish()));
        c.add("InitiatingProcessAccountSid", Arc::new(self.process_account_sid.finish()));
        c.add("InitiatingProcessAccountUpn", Arc::new(self.process_account_upn.finish()));
        c.add(
            "InitiatingProcessAccountObjectId",
            Arc::new(self.process_account_object_id.finish()),
        );
        c.add("InitiatingProcessIntegrityLevel", Arc::new(self.process_integrity_level.finish()));
        c.add("InitiatingProcessTokenElevation", Arc::new(self.process_token_elevation.finish()));
        c.add("InitiatingProcessSHA1", Arc::new(self.process_sha1.finish()));
        c.add("InitiatingProcessSHA256", Arc::new(self.process_sha256.finish()));
        c.add("InitiatingProcessMD5", Arc::new(self.process_md5.finish()));
        c.add("InitiatingProcessFileName", Arc::new(self.process_file_name.finish()));
        c.add("InitiatingProcessFileSize", Arc::new(self.process_file_size.finish()));
        c.add("InitiatingProcessVersionInfoCompanyName", Arc::new(self.process_company.finish()));
        c.add("InitiatingProcessVersionInfoProductName", Arc::new(self.process_product.finish()));
        c.add(
            "InitiatingProcessVersionInfoProductVersion",
            Arc::new(self.process_product_version.finish()),
        );
        c.add(
            "InitiatingProcessVersionInfoInternalFileName",
            Arc::new(self.process_internal_name.finish()),
        );
        c.add(
            "InitiatingProcessVersionInfoOriginalFileName",
            Arc::new(self.process_original_name.finish()),
        );
        c.add(
            "InitiatingProcessVersionInfoFileDescription",
            Arc::new(self.process_description.finish()),
        );
        c.add("InitiatingProcessId", Arc::new(self.process_id.finish()));
        c.add("InitiatingProcessCommandLine", Arc::new(self.process_command_line.finish()));
        c.add("InitiatingProcessCreationTime", Arc::new(self.process_creation_time.finish()));
        c.add("InitiatingProcessFolderPath", Arc::new(self.process_folder_path.finish()));
        c.add("InitiatingProcessParentId", Arc::new(self.process_parent_id.finish()));
        c.add("InitiatingProcessParentFileName", Arc::new(self.process_parent_file_name.finish()));
        c.add(
            "InitiatingProcessParentCreationTime",
            Arc::new(self.process_parent_creation_time.finish()),
        );
        c.add("ReportId", Arc::new(self.report_id.finish()));
        c.add("AppGuardContainerId", Arc::new(self.app_guard_container_id.finish()));
        c.add("AdditionalFields", Arc::new(self.additional_fields.finish()));
        c.add("InitiatingProcessSessionId", Arc::new(self.process_session_id.finish()));
        c.add("IsInitiatingProcessRemoteSession", Arc::new(self.process_remote_session.finish()));
        c.add(
            "InitiatingProcessRemoteSessionDeviceName",
            Arc::new(self.process_remote_session_device.finish()),
        );
        c.add(
            "InitiatingProcessRemoteSessionIP",
            Arc::new(self.process_remote_session_ip.finish()),
        );
        c
    }
}
