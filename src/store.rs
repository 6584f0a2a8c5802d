//! Where lakes and exports live: a local folder, an Azure Blob Storage or ADLS Gen2 container
//! (`az://<container>/<path>`, `abfss://<container>@<account>.dfs.core.windows.net/<path>`)
//! or an S3 bucket (`s3://<bucket>/<path>`), each resolved to an [`ObjectStore`] and a path
//! inside it. Everything that reads or writes a lake goes through the store, so a lake on a
//! store is read and pruned exactly as one on disk.
//!
//! Stores take their settings and credentials from the environment, as object_store reads
//! it (`AZURE_STORAGE_ACCOUNT_NAME`, `AZURE_STORAGE_ACCOUNT_KEY`, `AZURE_STORAGE_USE_EMULATOR`,
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT`, `AWS_REGION`, ...). Opening
//! a location lists it once, with few retries, so that a missing container or bucket,
//! refused or missing credentials and an unreachable endpoint stop a run at once, with the
//! location and what to set. Credentials never reach a message: URLs that carry them are
//! refused, and [`redact`] blanks their values in any text lakehunt prints or logs.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use datafusion::execution::object_store::ObjectStoreUrl;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::client::{HttpError, HttpErrorKind};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{
    BackoffConfig, ClientConfigKey, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
};
use url::Url;

/// Azurite's well-known development account, which object_store uses with the emulator.
const EMULATOR_ACCOUNT: &str = "devstoreaccount1";

/// Where Azurite listens unless `AZURITE_BLOB_STORAGE_URL` says otherwise.
const EMULATOR_URL: &str = "http://127.0.0.1:10000";

/// What replaces a credential in printed text.
const REDACTED: &str = "<redacted>";

/// The kind of place a location is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// A folder on a local file system.
    Local,
    /// An Azure Blob Storage or ADLS Gen2 container.
    Azure,
    /// An S3 (or S3-compatible) bucket.
    S3,
}

/// A location resolved to the store that holds it.
#[derive(Debug, Clone)]
pub struct Location {
    /// The location as the user gave it (less a trailing `/`), for messages.
    pub display: String,
    /// The store holding it.
    pub store: Arc<dyn ObjectStore>,
    /// The path of the location inside the store.
    pub root: Path,
    /// The store's scheme and authority (`file:///`, `az://<container>/`, `s3://<bucket>/`),
    /// which makes a path a global name and by which DataFusion finds the store.
    pub store_url: ObjectStoreUrl,
    /// What kind of store it is.
    pub kind: StoreKind,
    /// The container or bucket, for a location on an object store.
    pub container: Option<String>,
}

/// What a location is opened for, which decides what a local path must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A lake to read (`--lake`): a local folder that exists.
    ReadLake,
    /// A lake to add to (ingest's `--to`): a local folder, created when missing.
    WriteLake,
    /// An export to read (ingest's `--from`): a local file or folder.
    ReadExport,
}

/// Why a location cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The location as the user gave it, less anything secret.
    pub location: String,
    /// What is wrong, and what to set or do.
    pub reason: String,
}

impl Location {
    /// Resolves `location` (a local path, or a `file://`, `az://`, `abfs[s]://` or `s3://`
    /// URL) for `purpose` and checks that it can be listed. On an object store a path needs
    /// no creating, but the container or bucket must exist.
    pub async fn open(location: &str, purpose: Purpose) -> Result<Location, Refusal> {
        let display = shown(location);
        let refuse = |reason: String| Refusal { location: display.clone(), reason };
        if !location.contains("://") {
            return local(std::path::Path::new(location), purpose, &display).map_err(refuse);
        }
        let url = Url::parse(location).map_err(|e| refuse(format!("is not a valid URL: {e}")))?;
        if url.password().is_some() || url.query().is_some() {
            return Err(refuse(
                "credentials do not belong in the URL; give them in the environment \
                 (AZURE_STORAGE_ACCOUNT_KEY, AZURE_STORAGE_SAS_KEY, AWS_SECRET_ACCESS_KEY, ...)"
                    .into(),
            ));
        }
        match url.scheme() {
            "file" => {
                let path = url
                    .to_file_path()
                    .map_err(|()| refuse("is not a local file URL (file:///<path>)".into()))?;
                local(&path, purpose, &display).map_err(refuse)
            }
            "az" | "abfs" | "abfss" | "adl" | "azure" => {
                let remote = Remote::azure(location, &url).map_err(refuse)?;
                remote.open(display.clone()).await.map_err(refuse)
            }
            "s3" | "s3a" => {
                let remote = Remote::s3(location, &url).map_err(refuse)?;
                remote.open(display.clone()).await.map_err(refuse)
            }
            other => Err(refuse(format!(
                "lakehunt reads local folders and az://<container>/<path>, \
                 abfss://<container>@<account>.dfs.core.windows.net/<path> and \
                 s3://<bucket>/<path> URLs, not {other}:// ones"
            ))),
        }
    }

    /// True for a folder on a local file system.
    pub fn is_local(&self) -> bool {
        self.kind == StoreKind::Local
    }

    /// A path inside the location as the user would write it.
    pub fn describe(&self, path: &Path) -> String {
        match path.prefix_match(&self.root) {
            Some(parts) => {
                let parts: Vec<String> = parts.map(|p| p.as_ref().to_string()).collect();
                if parts.is_empty() {
                    self.display.clone()
                } else {
                    format!("{}/{}", self.display, parts.join("/"))
                }
            }
            None => path.to_string(),
        }
    }

    /// The global name of a path in the store (`file:///...`, `az://<container>/...`).
    pub fn url(&self, path: &Path) -> String {
        format!("{}{}", self.store_url.as_str(), path)
    }

    /// `relative` (slash-separated) inside the location.
    pub fn child(&self, relative: &str) -> Path {
        relative
            .split('/')
            .filter(|p| !p.is_empty())
            .fold(self.root.clone(), |p, part| p.join(part))
    }

    /// Puts `bytes` at `path` so that no reader ever sees part of it. On a local disk they
    /// are written under a temporary name beside it (`.<name>.tmp`, which lakes skip) and
    /// renamed into place. Object stores have no atomic rename, but one put is atomic there:
    /// the object appears whole or not at all, so the final name is put directly.
    pub async fn put_whole(&self, path: &Path, bytes: Vec<u8>) -> object_store::Result<()> {
        if !self.is_local() {
            return self.store.put(path, PutPayload::from(bytes)).await.map(|_| ());
        }
        let temporary = match path.as_ref().rsplit_once(object_store::path::DELIMITER) {
            Some((folder, name)) => Path::parse(format!("{folder}/.{name}.tmp")),
            None => Path::parse(format!(".{path}.tmp")),
        }?;
        self.store.put(&temporary, PutPayload::from(bytes)).await?;
        self.store.rename(&temporary, path).await
    }
}

/// A local folder (or, for an export, a file), made absolute.
fn local(path: &std::path::Path, purpose: Purpose, display: &str) -> Result<Location, String> {
    if purpose == Purpose::WriteLake {
        std::fs::create_dir_all(path).map_err(|e| format!("cannot create the folder: {e}"))?;
    }
    let absolute = std::fs::canonicalize(path).map_err(|e| match purpose {
        Purpose::ReadExport => format!("cannot open it: {e}"),
        Purpose::ReadLake | Purpose::WriteLake => format!("cannot open the folder: {e}"),
    })?;
    if purpose != Purpose::ReadExport && !absolute.is_dir() {
        return Err("is not a folder".into());
    }
    let root = Path::from_absolute_path(&absolute).map_err(|e| e.to_string())?;
    Ok(Location {
        display: display.to_string(),
        store: Arc::new(LocalFileSystem::new()),
        root,
        store_url: ObjectStoreUrl::local_filesystem(),
        kind: StoreKind::Local,
        container: None,
    })
}

/// A location as it may be shown: without a trailing `/`, and for a URL without a password
/// or query (where SAS tokens go).
fn shown(location: &str) -> String {
    let trimmed = location.trim_end_matches('/');
    if trimmed.is_empty() {
        return location.to_string();
    }
    if !trimmed.contains("://") {
        return trimmed.to_string();
    }
    let Ok(mut url) = Url::parse(trimmed) else {
        return trimmed.split_once('?').map_or(trimmed, |(before, _)| before).to_string();
    };
    if url.password().is_some() {
        // Only URLs with a host have a password, and those accept an empty one.
        let _ = url.set_password(None);
    }
    url.set_query(None);
    url.set_fragment(None);
    url.as_str().trim_end_matches('/').to_string()
}

/// How object_store is configured for one container or bucket.
#[derive(Debug, Clone)]
enum Settings {
    Azure(Box<MicrosoftAzureBuilder>),
    S3(Box<AmazonS3Builder>),
}

/// A container or bucket to open, and the path inside it.
struct Remote {
    settings: Settings,
    container: String,
    root: Path,
}

/// What kept a store from answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// The container or bucket does not exist.
    NoContainer,
    /// The store refused the credentials.
    Refused,
    /// Nothing answered at the endpoint.
    Unreachable,
    /// Anything else.
    Other,
}

impl Remote {
    /// An Azure location. `az://` names the container first (`az://<container>/<path>`, as
    /// object_store, fsspec and DataFusion read it), unless its first part is the configured
    /// storage account: then the container comes next, as Azure's own tools write it
    /// (`az://<account>/<container>/<path>`).
    fn azure(location: &str, url: &Url) -> Result<Remote, String> {
        let host = url.host_str().unwrap_or_default();
        let configured = Settings::Azure(Box::new(MicrosoftAzureBuilder::from_env())).account();
        if url.scheme() == "az" && url.username().is_empty() && configured.as_deref() == Some(host)
        {
            let rest = url.path().trim_start_matches('/');
            let (container, path) = rest.split_once('/').unwrap_or((rest, ""));
            let builder =
                MicrosoftAzureBuilder::from_env().with_account(host).with_container_name(container);
            let root =
                Path::from_url_path(path).map_err(|e| format!("is not a usable path: {e}"))?;
            return Ok(Remote {
                settings: Settings::Azure(Box::new(builder)),
                container: container.to_string(),
                root,
            });
        }
        let container =
            if url.username().is_empty() { host.to_string() } else { url.username().to_string() };
        let builder = MicrosoftAzureBuilder::from_env().with_url(location);
        Ok(Remote { settings: Settings::Azure(Box::new(builder)), container, root: root_of(url)? })
    }

    fn s3(location: &str, url: &Url) -> Result<Remote, String> {
        let builder = AmazonS3Builder::from_env().with_url(location);
        Ok(Remote {
            settings: Settings::S3(Box::new(builder)),
            container: url.host_str().unwrap_or_default().to_string(),
            root: root_of(url)?,
        })
    }

    /// Builds the store and lists the location once, with few retries, so that a store that
    /// cannot be used is reported at once rather than after minutes of retrying.
    async fn open(self, display: String) -> Result<Location, String> {
        if self.container.is_empty() {
            return Err(format!("names no {}", self.settings.container_word()));
        }
        self.settings.check_http()?;
        let probe = self.settings.build(quick_retries()).map_err(|e| self.settings.unbuilt(&e))?;
        let prefix = (!self.root.as_ref().is_empty()).then_some(&self.root);
        if let Err(e) = probe.list_with_delimiter(prefix).await {
            return Err(self.settings.explain(&self.container, &e));
        }
        let store = self.settings.build(RetryConfig::default()).map_err(|e| redact_error(&e))?;
        let (kind, scheme) = match self.settings {
            Settings::Azure(_) => (StoreKind::Azure, "az"),
            Settings::S3(_) => (StoreKind::S3, "s3"),
        };
        let store_url = ObjectStoreUrl::parse(format!("{scheme}://{}", self.container))
            .map_err(|e| format!("cannot address the {}: {e}", self.settings.container_word()))?;
        Ok(Location {
            display,
            store,
            root: self.root,
            store_url,
            kind,
            container: Some(self.container),
        })
    }
}

impl Settings {
    fn build(&self, retry: RetryConfig) -> object_store::Result<Arc<dyn ObjectStore>> {
        let store: Arc<dyn ObjectStore> = match self {
            Settings::Azure(builder) => {
                Arc::new(builder.as_ref().clone().with_retry(retry).build()?)
            }
            Settings::S3(builder) => Arc::new(builder.as_ref().clone().with_retry(retry).build()?),
        };
        Ok(store)
    }

    fn container_word(&self) -> &'static str {
        match self {
            Settings::Azure(_) => "container",
            Settings::S3(_) => "bucket",
        }
    }

    fn azure_value(&self, key: AzureConfigKey) -> Option<String> {
        match self {
            Settings::Azure(builder) => builder.get_config_value(&key).filter(|v| !v.is_empty()),
            Settings::S3(_) => None,
        }
    }

    fn s3_value(&self, key: AmazonS3ConfigKey) -> Option<String> {
        match self {
            Settings::S3(builder) => builder.get_config_value(&key).filter(|v| !v.is_empty()),
            Settings::Azure(_) => None,
        }
    }

    fn emulated(&self) -> bool {
        self.azure_value(AzureConfigKey::UseEmulator).is_some_and(|v| truthy(&v))
    }

    /// The storage account, for Azure.
    fn account(&self) -> Option<String> {
        let named = self.azure_value(AzureConfigKey::AccountName);
        match self {
            Settings::Azure(_) if self.emulated() => {
                Some(named.unwrap_or_else(|| EMULATOR_ACCOUNT.into()))
            }
            Settings::Azure(_) => named,
            Settings::S3(_) => None,
        }
    }

    /// The endpoint requests go to, as messages name it.
    fn endpoint(&self) -> String {
        let endpoint = match self {
            Settings::Azure(_) if self.emulated() => {
                std::env::var("AZURITE_BLOB_STORAGE_URL").unwrap_or_else(|_| EMULATOR_URL.into())
            }
            Settings::Azure(_) => self.azure_value(AzureConfigKey::Endpoint).unwrap_or_else(|| {
                let account = self.account().unwrap_or_else(|| "<account>".into());
                format!("https://{account}.blob.core.windows.net")
            }),
            Settings::S3(_) => self.s3_value(AmazonS3ConfigKey::Endpoint).unwrap_or_else(|| {
                let region = self
                    .s3_value(AmazonS3ConfigKey::Region)
                    .or_else(|| self.s3_value(AmazonS3ConfigKey::DefaultRegion))
                    .unwrap_or_else(|| "us-east-1".into());
                format!("https://s3.{region}.amazonaws.com")
            }),
        };
        shown(&endpoint)
    }

    /// True when a credential is configured, rather than left to instance metadata.
    fn has_credentials(&self) -> bool {
        match self {
            Settings::Azure(_) => {
                self.emulated()
                    || [
                        AzureConfigKey::AccessKey,
                        AzureConfigKey::SasKey,
                        AzureConfigKey::Token,
                        AzureConfigKey::ClientSecret,
                        AzureConfigKey::FederatedTokenFile,
                        AzureConfigKey::MsiEndpoint,
                    ]
                    .into_iter()
                    .any(|key| self.azure_value(key).is_some())
                    || [AzureConfigKey::UseAzureCli, AzureConfigKey::SkipSignature]
                        .into_iter()
                        .any(|key| self.azure_value(key).is_some_and(|v| truthy(&v)))
            }
            Settings::S3(_) => {
                [
                    AmazonS3ConfigKey::AccessKeyId,
                    AmazonS3ConfigKey::SecretAccessKey,
                    AmazonS3ConfigKey::WebIdentityTokenFile,
                    AmazonS3ConfigKey::ContainerCredentialsRelativeUri,
                    AmazonS3ConfigKey::ContainerCredentialsFullUri,
                ]
                .into_iter()
                .any(|key| self.s3_value(key).is_some())
                    || self.s3_value(AmazonS3ConfigKey::SkipSignature).is_some_and(|v| truthy(&v))
            }
        }
    }

    /// object_store refuses plain-http endpoints unless told to allow them; saying which
    /// variable does that is clearer than the refusal.
    fn check_http(&self) -> Result<(), String> {
        let endpoint = self.endpoint();
        if !endpoint.starts_with("http://") || self.emulated() {
            return Ok(());
        }
        let (allowed, variable) = match self {
            Settings::Azure(builder) => (
                builder.get_config_value(&AzureConfigKey::Client(ClientConfigKey::AllowHttp)),
                "AZURE_ALLOW_HTTP",
            ),
            Settings::S3(builder) => (
                builder.get_config_value(&AmazonS3ConfigKey::Client(ClientConfigKey::AllowHttp)),
                "AWS_ALLOW_HTTP",
            ),
        };
        if allowed.is_some_and(|v| truthy(&v)) {
            return Ok(());
        }
        Err(format!("the endpoint {endpoint} is plain http: set {variable}=true to allow it"))
    }

    /// Why the store could not be configured, and what to set.
    fn unbuilt(&self, error: &object_store::Error) -> String {
        let text = redact_error(error);
        match self {
            Settings::Azure(_) if self.account().is_none() => format!(
                "no storage account: set AZURE_STORAGE_ACCOUNT_NAME (or write the URL as \
                 abfss://<container>@<account>.dfs.core.windows.net/<path>), or \
                 AZURE_STORAGE_USE_EMULATOR=true for Azurite ({text})"
            ),
            Settings::Azure(_) => format!(
                "cannot configure Azure storage ({text}); see the AZURE_STORAGE_* variables"
            ),
            Settings::S3(_) => {
                format!("cannot configure S3 ({text}); see the AWS_* variables")
            }
        }
    }

    /// What a failed listing of `container` means, and what to set.
    fn explain(&self, container: &str, error: &object_store::Error) -> String {
        let endpoint = self.endpoint();
        let cause = cause_of(error);
        // Without configured credentials object_store asks instance metadata for some, and
        // whatever went wrong after that is best answered with what to set.
        let fault = match fault_of(error) {
            Fault::NoContainer => Some(Fault::NoContainer),
            _ if !self.has_credentials() => None,
            fault => Some(fault),
        };
        match (self, fault) {
            (Settings::Azure(_), Some(Fault::NoContainer)) => format!(
                "container {container} does not exist in storage account {} at {endpoint}: \
                 create it, or check the URL (az://<container>/<path>) and \
                 AZURE_STORAGE_ACCOUNT_NAME",
                self.account().unwrap_or_default()
            ),
            (Settings::S3(_), Some(Fault::NoContainer)) => format!(
                "bucket {container} does not exist at {endpoint}: create it, or check the URL \
                 (s3://<bucket>/<path>), AWS_ENDPOINT and AWS_REGION"
            ),
            (Settings::Azure(_), Some(Fault::Refused)) => format!(
                "storage account {} at {endpoint} refused the credentials ({cause}): check \
                 AZURE_STORAGE_ACCOUNT_NAME and AZURE_STORAGE_ACCOUNT_KEY (or \
                 AZURE_STORAGE_SAS_KEY, or AZURE_STORAGE_CLIENT_ID, AZURE_STORAGE_CLIENT_SECRET \
                 and AZURE_STORAGE_TENANT_ID)",
                self.account().unwrap_or_default()
            ),
            (Settings::S3(_), Some(Fault::Refused)) => format!(
                "{endpoint} refused the credentials ({cause}): check AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)"
            ),
            (Settings::Azure(_), Some(Fault::Unreachable)) => format!(
                "cannot reach {endpoint} ({cause}): check AZURE_STORAGE_ENDPOINT, or \
                 AZURITE_BLOB_STORAGE_URL with AZURE_STORAGE_USE_EMULATOR=true for Azurite, and \
                 the network"
            ),
            (Settings::S3(_), Some(Fault::Unreachable)) => format!(
                "cannot reach {endpoint} ({cause}): check AWS_ENDPOINT and AWS_REGION, and the \
                 network"
            ),
            (Settings::Azure(_), None) => format!(
                "no credentials for storage account {} ({cause}): set \
                 AZURE_STORAGE_ACCOUNT_KEY (or AZURE_STORAGE_SAS_KEY, or AZURE_STORAGE_CLIENT_ID, \
                 AZURE_STORAGE_CLIENT_SECRET and AZURE_STORAGE_TENANT_ID), or \
                 AZURE_STORAGE_USE_EMULATOR=true for Azurite",
                self.account().unwrap_or_default()
            ),
            (Settings::S3(_), None) => format!(
                "no credentials ({cause}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or \
                 AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN), or run where instance \
                 credentials are available"
            ),
            (_, Some(Fault::Other)) => format!("cannot list it at {endpoint}: {cause}"),
        }
    }
}

/// The path inside the container or bucket a URL names.
fn root_of(url: &Url) -> Result<Path, String> {
    Path::from_url_path(url.path()).map_err(|e| format!("is not a usable path: {e}"))
}

/// Few and short retries: enough to ride out a blip, not to hide a wrong endpoint.
fn quick_retries() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            base: 2.0,
        },
        max_retries: 2,
        retry_timeout: Duration::from_secs(15),
    }
}

fn truthy(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on")
}

/// Every message in an error's chain, outermost first, redacted.
fn chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut messages = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        messages.push(redact(&e.to_string()).into_owned());
        next = e.source();
    }
    messages
}

fn redact_error(error: &object_store::Error) -> String {
    redact(&error.to_string()).into_owned()
}

fn fault_of(error: &object_store::Error) -> Fault {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = next {
        if let Some(http) = e.downcast_ref::<HttpError>()
            && matches!(http.kind(), HttpErrorKind::Connect | HttpErrorKind::Timeout)
        {
            return Fault::Unreachable;
        }
        next = e.source();
    }
    let text = chain(error).join(": ");
    if ["ContainerNotFound", "NoSuchBucket"].iter().any(|code| text.contains(code)) {
        return Fault::NoContainer;
    }
    let refused = [
        "AuthenticationFailed",
        "AuthorizationFailure",
        "AuthorizationPermissionMismatch",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AccessDenied",
        "401 Unauthorized",
        "403 Forbidden",
    ];
    if matches!(
        error,
        object_store::Error::Unauthenticated { .. } | object_store::Error::PermissionDenied { .. }
    ) || refused.iter().any(|code| text.contains(code))
    {
        return Fault::Refused;
    }
    Fault::Other
}

/// A short cause: the store's error code when its answer has one, else the innermost
/// message of the chain.
fn cause_of(error: &object_store::Error) -> String {
    let messages = chain(error);
    let text = messages.join(": ");
    if let Some(start) = text.find("<Code>") {
        let rest = &text[start + "<Code>".len()..];
        if let Some(end) = rest.find("</Code>") {
            return rest[..end].to_string();
        }
    }
    let innermost = messages.last().cloned().unwrap_or_default();
    let short: String = innermost.chars().take(300).collect();
    short.trim().to_string()
}

/// True for the names of environment variables that hold credentials.
fn is_secret_variable(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    (name.starts_with("AZURE_") || name.starts_with("AWS_"))
        && ["KEY", "SECRET", "TOKEN", "SAS", "PASSWORD"].iter().any(|word| name.contains(word))
}

/// `text` with the value of every credential in the environment (`AZURE_STORAGE_ACCOUNT_KEY`,
/// `AWS_SECRET_ACCESS_KEY`, tokens, SAS keys, ...) and every SAS signature (`sig=...`)
/// replaced by `<redacted>`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for (name, value) in std::env::vars_os() {
        let (Some(name), Some(value)) = (name.to_str(), value.to_str()) else {
            continue;
        };
        // Short values (flags, "testing") are not credentials worth blanking everywhere.
        if value.len() >= 8 && is_secret_variable(name) && out.contains(value) {
            out = Cow::Owned(out.replace(value, REDACTED));
        }
    }
    if out.contains("sig=") {
        out = Cow::Owned(blank_signatures(&out));
    }
    out
}

/// Blanks the value of every `sig=` query parameter.
fn blank_signatures(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("sig=") {
        let (before, after) = rest.split_at(at + "sig=".len());
        out.push_str(before);
        let end = after
            .find(|c: char| c == '&' || c == '"' || c == '\'' || c.is_whitespace())
            .unwrap_or(after.len());
        out.push_str(REDACTED);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shown_location_loses_its_password_and_query() {
        assert_eq!(shown("az://lake/hunts/"), "az://lake/hunts");
        assert_eq!(shown("s3://user:secret@bucket/lake"), "s3://user@bucket/lake");
        assert_eq!(
            shown("abfss://c@acct.dfs.core.windows.net/lake?sv=2022&sig=abc"),
            "abfss://c@acct.dfs.core.windows.net/lake"
        );
        assert_eq!(shown("/data/lake/"), "/data/lake");
    }

    #[test]
    fn signatures_are_blanked() {
        assert_eq!(
            blank_signatures("GET https://a/c?sv=1&sig=AbC%2B&se=2 failed; sig=x"),
            "GET https://a/c?sv=1&sig=<redacted>&se=2 failed; sig=<redacted>"
        );
    }

    #[test]
    fn credential_variables_are_recognised_by_name() {
        for name in [
            "AZURE_STORAGE_ACCOUNT_KEY",
            "AZURE_STORAGE_SAS_KEY",
            "AZURE_STORAGE_CLIENT_SECRET",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ] {
            assert!(is_secret_variable(name), "{name}");
        }
        for name in ["AZURE_STORAGE_ACCOUNT_NAME", "AWS_ENDPOINT", "AWS_REGION", "HOME"] {
            assert!(!is_secret_variable(name), "{name}");
        }
    }

    #[tokio::test]
    async fn urls_with_credentials_are_refused_without_repeating_them() {
        let refusal =
            Location::open("s3://bucket/lake?X-Amz-Signature=0123456789", Purpose::ReadLake)
                .await
                .unwrap_err();
        assert_eq!(refusal.location, "s3://bucket/lake");
        assert!(refusal.reason.contains("credentials do not belong in the URL"));
        assert!(!refusal.reason.contains("0123456789"));
    }

    #[tokio::test]
    async fn other_schemes_are_refused_by_name() {
        let refusal = Location::open("gs://bucket/lake", Purpose::ReadLake).await.unwrap_err();
        assert!(refusal.reason.contains("not gs:// ones"), "{}", refusal.reason);
    }

    #[tokio::test]
    async fn a_file_url_is_a_local_folder() {
        let dir = tempfile::tempdir().unwrap();
        let url = Url::from_directory_path(dir.path()).unwrap();
        let location = Location::open(url.as_str(), Purpose::ReadLake).await.unwrap();
        assert!(location.is_local());
        assert_eq!(location.store_url, ObjectStoreUrl::local_filesystem());
    }
}
