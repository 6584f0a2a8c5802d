//! Lakes on object storage, against real emulators on loopback: Azurite (Microsoft's Azure
//! Storage emulator) for `az://` and `abfss://` lakes, moto's S3 server for `s3://` ones. A
//! lake generated on disk is uploaded through object_store, and the `lakehunt` binary, given
//! the store's settings in its environment as a user would, must find in it what it finds on
//! disk: the same findings, the same files pruned by a time window. Ingest reads Storage
//! export containers and writes lakes on a store. Errors name the URL and what to set, and
//! never show a credential.
//!
//! Each test starts its own emulator on a free loopback port from the binaries that
//! `.ci/services install` puts in `~/.cache/lakehunt/services/bin` (or `$LAKEHUNT_SERVICES/bin`)
//! and stops it when done. Without them the tests fail, saying how to install them.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ::object_store::aws::AmazonS3Builder;
use ::object_store::azure::MicrosoftAzureBuilder;
use ::object_store::path::Path as StorePath;
use ::object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use chrono::NaiveDate;
use lakehunt::generate::{GenerateOptions, generate};

use crate::common::texts;
use crate::exports::write_storage_export;

/// Azurite's well-known development account and key (public, documented by Microsoft).
const AZURITE_ACCOUNT: &str = "devstoreaccount1";
const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// moto accepts any key; these are what the tests give.
const S3_KEY_ID: &str = "testing";
const S3_SECRET: &str = "testing";

/// Creates an Azurite container: object_store has no call for it, and the request must be
/// signed with the account key (Shared Key), which Node (Azurite's runtime) can do.
const CREATE_CONTAINER_JS: &str = r#"
const [port, container, account, key] = process.argv.slice(1);
const crypto = require('crypto');
const http = require('http');
const date = new Date().toUTCString();
const version = '2021-08-06';
const path = `/${account}/${container}`;
const toSign = ['PUT', '', '', '', '', '', '', '', '', '', '', '',
  `x-ms-date:${date}`, `x-ms-version:${version}`,
  `/${account}${path}\nrestype:container`].join('\n');
const signature = crypto.createHmac('sha256', Buffer.from(key, 'base64'))
  .update(toSign, 'utf8').digest('base64');
const request = http.request({
  host: '127.0.0.1', port, method: 'PUT', path: `${path}?restype=container`,
  headers: { 'x-ms-date': date, 'x-ms-version': version, 'Content-Length': 0,
             'Authorization': `SharedKey ${account}:${signature}` },
}, (response) => {
  let body = '';
  response.on('data', (chunk) => body += chunk);
  response.on('end', () => {
    if (response.statusCode !== 201) { console.error(response.statusCode, body); process.exit(1); }
  });
});
request.on('error', (e) => { console.error(e.message); process.exit(1); });
request.end();
"#;

/// Where `.ci/services install` puts the emulators.
fn services() -> PathBuf {
    match std::env::var_os("LAKEHUNT_SERVICES") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = std::env::var_os("HOME").expect("HOME is set");
            Path::new(&home).join(".cache/lakehunt/services")
        }
    }
}

fn installed(name: &str) -> PathBuf {
    let binary = services().join("bin").join(name);
    assert!(
        binary.exists(),
        "{} is not installed: run `.ci/services install` (it puts Azurite and moto's S3 server \
         in {}), then run the tests again",
        binary.display(),
        services().display()
    );
    binary
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Sends one bodiless HTTP request to 127.0.0.1:`port` and returns the status code.
fn http_status(port: u16, method: &str, path: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok());
    status.ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {answer:.80}")))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Azurite,
    S3,
}

/// An emulator running on a loopback port, stopped when dropped.
struct Emulator {
    kind: Kind,
    port: u16,
    child: Child,
    log: tempfile::NamedTempFile,
    _workdir: tempfile::TempDir,
}

impl Emulator {
    fn azurite() -> Emulator {
        let binary = installed("azurite-blob");
        Emulator::start(Kind::Azurite, binary, |port, command| {
            command.arg("--blobHost").arg("127.0.0.1").arg("--blobPort").arg(port.to_string());
            command.args(["--inMemoryPersistence", "--skipApiVersionCheck", "--loose"]);
        })
    }

    fn s3() -> Emulator {
        let binary = installed("moto_server");
        Emulator::start(Kind::S3, binary, |port, command| {
            command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        })
    }

    fn start(kind: Kind, binary: PathBuf, arguments: impl Fn(u16, &mut Command)) -> Emulator {
        let workdir = tempfile::tempdir().unwrap();
        let log = tempfile::NamedTempFile::new().unwrap();
        let port = free_port();
        let mut command = Command::new(&binary);
        arguments(port, &mut command);
        command
            .current_dir(workdir.path())
            .stdin(Stdio::null())
            .stdout(log.reopen().unwrap())
            .stderr(log.reopen().unwrap());
        let child = command.spawn().unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
        let mut emulator = Emulator { kind, port, child, log, _workdir: workdir };
        emulator.wait_until_it_answers();
        emulator
    }

    fn wait_until_it_answers(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if http_status(self.port, "GET", "/").is_ok() {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("{:?} exited ({status}): {}", self.kind, self.log_text());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{:?} did not answer on port {} in 60 s: {}", self.kind, self.port, self.log_text());
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The environment a user gives lakehunt to reach this emulator.
    fn env(&self) -> Vec<(&'static str, String)> {
        match self.kind {
            Kind::Azurite => vec![
                ("AZURE_STORAGE_USE_EMULATOR", "true".into()),
                ("AZURITE_BLOB_STORAGE_URL", self.endpoint()),
            ],
            Kind::S3 => vec![
                ("AWS_ENDPOINT", self.endpoint()),
                ("AWS_ALLOW_HTTP", "true".into()),
                ("AWS_REGION", "us-east-1".into()),
                ("AWS_ACCESS_KEY_ID", S3_KEY_ID.into()),
                ("AWS_SECRET_ACCESS_KEY", S3_SECRET.into()),
            ],
        }
    }

    fn create_container(&self, name: &str) {
        match self.kind {
            Kind::Azurite => {
                let output = Command::new("node")
                    .args(["-e", CREATE_CONTAINER_JS])
                    .arg(self.port.to_string())
                    .args([name, AZURITE_ACCOUNT, AZURITE_KEY])
                    .output()
                    .expect("node (Azurite's runtime) runs");
                let (_, stderr) = texts(&output);
                assert!(output.status.success(), "creating container {name}: {stderr}");
            }
            Kind::S3 => {
                let status = http_status(self.port, "PUT", &format!("/{name}")).unwrap();
                assert_eq!(status, 200, "creating bucket {name}");
            }
        }
    }

    /// The emulator's container or bucket `name`, as the tests write to it.
    fn store(&self, name: &str) -> Arc<dyn ObjectStore> {
        match self.kind {
            Kind::Azurite => Arc::new(
                MicrosoftAzureBuilder::new()
                    .with_account(AZURITE_ACCOUNT)
                    .with_access_key(AZURITE_KEY)
                    .with_endpoint(format!("{}/{AZURITE_ACCOUNT}", self.endpoint()))
                    .with_allow_http(true)
                    .with_container_name(name)
                    .build()
                    .unwrap(),
            ),
            Kind::S3 => Arc::new(
                AmazonS3Builder::new()
                    .with_endpoint(self.endpoint())
                    .with_allow_http(true)
                    .with_region("us-east-1")
                    .with_access_key_id(S3_KEY_ID)
                    .with_secret_access_key(S3_SECRET)
                    .with_bucket_name(name)
                    .build()
                    .unwrap(),
            ),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies every file under `dir` into `store` below `prefix`, keeping relative paths.
async fn upload(store: &dyn ObjectStore, dir: &Path, prefix: &str) -> usize {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for file in &files {
        let relative = file.strip_prefix(dir).unwrap().to_str().unwrap();
        let name = [prefix, relative].iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>();
        let location = StorePath::parse(name.join("/")).unwrap();
        let bytes = std::fs::read(file).unwrap();
        store.put(&location, PutPayload::from(bytes)).await.unwrap();
    }
    files.len()
}

/// A small generated lake: three days from 2026-02-01, one file per table and day.
fn generated(dir: &Path) -> PathBuf {
    let out = dir.join("lake");
    let mut options = GenerateOptions::new(&out);
    options.logons = 20_000;
    options.devices = 200;
    options.days = 3;
    options.seed = 5;
    options.start = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    generate(&options).expect("the lake is generated");
    out
}

/// Runs the `lakehunt` binary with `args` and only the store settings in `env` (none of the
/// caller's AZURE_* or AWS_* variables).
fn lakehunt_with(args: &[&str], env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lakehunt"));
    command.args(args).env("RUST_LOG", "warn");
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("AZURE") || name.starts_with("AWS_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    command.output().expect("lakehunt runs")
}

/// Runs `args`, which must succeed, and returns its standard output and error.
fn succeed(args: &[&str], env: &[(&str, String)]) -> (String, String) {
    let output = lakehunt_with(args, env);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "lakehunt {}: {stderr}", args.join(" "));
    (stdout, stderr)
}

/// Runs `args`, which must fail with exit code 1, and returns its standard error.
fn fail(args: &[&str], env: &[(&str, String)]) -> String {
    let output = lakehunt_with(args, env);
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "lakehunt {}: {stderr}", args.join(" "));
    stderr
}

/// The run summary without its time, which differs between runs.
fn summary_without_time(stderr: &str) -> String {
    let last = last_line(stderr);
    last.rsplit_once(", ").map_or(last, |(before, _)| before).to_string()
}

/// The findings on `url` equal those on disk, whole and in a window, and the window prunes
/// the same partitions on the store as on disk.
fn assert_store_lake_hunts_as_on_disk(url: &str, disk: &str, env: &[(&str, String)]) {
    let (on_disk, disk_summary) = succeed(&["run", "--lake", disk, "--format", "csv"], &[]);
    let (on_store, store_summary) = succeed(&["run", "--lake", url, "--format", "csv"], env);
    assert!(on_disk.lines().count() > 10, "the lake has findings: {on_disk}");
    assert_eq!(on_store, on_disk, "{url}");
    assert_eq!(summary_without_time(&store_summary), summary_without_time(&disk_summary));

    let window = ["--from", "2026-02-02", "--to", "2026-02-02"];
    let run = |lake: &str, env: &[(&str, String)]| {
        let args = [&["run", "--lake", lake, "--format", "csv"][..], &window].concat();
        succeed(&args, env).0
    };
    let windowed = run(disk, &[]);
    assert!(windowed.lines().count() > 1 && windowed.len() < on_disk.len(), "{windowed}");
    assert_eq!(run(url, env), windowed, "{url} in a window");

    let explain = [&["explain", "--analyze", "--lake", url][..], &window].concat();
    let (plan, _) = succeed(&explain, env);
    let expected = format!(
        "DeviceLogonEvents: 1 file(s) read, 2 pruned by partition, at {url}/DeviceLogonEvents/"
    );
    assert!(plan.contains(&expected), "{expected} in:\n{plan}");
}

#[tokio::test]
async fn a_lake_in_azurite_gives_the_findings_of_the_same_lake_on_disk() {
    let azurite = Emulator::azurite();
    let dir = tempfile::tempdir().unwrap();
    let lake = generated(dir.path());
    azurite.create_container("lakes");
    assert!(upload(azurite.store("lakes").as_ref(), &lake, "hunts/lake").await >= 9);
    let disk = lake.to_str().unwrap();

    assert_store_lake_hunts_as_on_disk("az://lakes/hunts/lake", disk, &azurite.env());
    let abfss = format!("abfss://lakes@{AZURITE_ACCOUNT}.dfs.core.windows.net/hunts/lake");
    assert_store_lake_hunts_as_on_disk(&abfss, disk, &azurite.env());
    // The form Azure's tools write, the account first, when it is the configured account.
    let with_account = format!("az://{AZURITE_ACCOUNT}/lakes/hunts/lake");
    assert_store_lake_hunts_as_on_disk(&with_account, disk, &azurite.env());
}

#[tokio::test]
async fn a_lake_in_an_s3_bucket_gives_the_findings_of_the_same_lake_on_disk() {
    let s3 = Emulator::s3();
    let dir = tempfile::tempdir().unwrap();
    let lake = generated(dir.path());
    s3.create_container("lakes");
    assert!(upload(s3.store("lakes").as_ref(), &lake, "hunts/lake").await >= 9);

    assert_store_lake_hunts_as_on_disk("s3://lakes/hunts/lake", lake.to_str().unwrap(), &s3.env());
}

#[test]
fn azure_errors_name_the_url_and_what_to_set_and_never_the_key() {
    let azurite = Emulator::azurite();
    azurite.create_container("lakes");

    let stderr = fail(&["run", "--lake", "az://nosuch/lake"], &azurite.env());
    assert!(stderr.contains("lake az://nosuch/lake: container nosuch does not exist"), "{stderr}");
    assert!(stderr.contains("AZURE_STORAGE_ACCOUNT_NAME"), "{stderr}");

    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("capture.json");
    std::fs::write(&capture, "{}\r\n").unwrap();
    let from = capture.to_str().unwrap();
    let stderr = fail(&["ingest", "--from", from, "--to", "az://nosuch/lake"], &azurite.env());
    assert!(stderr.contains("--to az://nosuch/lake: container nosuch does not exist"), "{stderr}");
    let stderr = fail(&["ingest", "--from", "az://nosuch", "--to", "unused"], &azurite.env());
    assert!(stderr.contains("--from az://nosuch: container nosuch does not exist"), "{stderr}");

    // A wrong key: Azurite checks Shared Key signatures as Azure does.
    let wrong_key = "d3JvbmcgYnV0IHdlbGwgZm9ybWVkIGtleSBmb3IgYXp1cml0ZSB0ZXN0cw==";
    let mut env = azurite.env();
    env.push(("AZURE_STORAGE_ACCOUNT_KEY", wrong_key.into()));
    env.push(("RUST_LOG", "debug".into()));
    let stderr = fail(&["run", "--lake", "az://lakes/lake"], &env);
    assert!(stderr.contains("lake az://lakes/lake: storage account devstoreaccount1"), "{stderr}");
    assert!(stderr.contains("refused the credentials"), "{stderr}");
    assert!(stderr.contains("AZURE_STORAGE_ACCOUNT_KEY"), "{stderr}");
    assert!(!stderr.contains(wrong_key), "the key is never shown: {stderr}");

    // No account and no emulator: nothing says where to go.
    let stderr = fail(&["run", "--lake", "az://lakes/lake"], &[]);
    assert!(stderr.contains("lake az://lakes/lake: no storage account"), "{stderr}");
    assert!(stderr.contains("set AZURE_STORAGE_ACCOUNT_NAME"), "{stderr}");
}

#[test]
fn s3_errors_name_the_url_and_what_to_set_and_never_the_secret() {
    let s3 = Emulator::s3();

    let stderr = fail(&["run", "--lake", "s3://nosuch/lake"], &s3.env());
    assert!(stderr.contains("lake s3://nosuch/lake: bucket nosuch does not exist at"), "{stderr}");
    assert!(stderr.contains("AWS_ENDPOINT"), "{stderr}");

    // An endpoint where nothing listens, with a secret that must not leak, logs included.
    let secret = "s3cr3t-VALUE-that-must-never-be-printed";
    let closed = free_port();
    let env = vec![
        ("AWS_ENDPOINT", format!("http://127.0.0.1:{closed}")),
        ("AWS_ALLOW_HTTP", "true".into()),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE".into()),
        ("AWS_SECRET_ACCESS_KEY", secret.into()),
        ("RUST_LOG", "debug".into()),
    ];
    let stderr = fail(&["run", "--lake", "s3://lakes/lake"], &env);
    let expected = format!("lake s3://lakes/lake: cannot reach http://127.0.0.1:{closed}");
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("check AWS_ENDPOINT"), "{stderr}");
    assert!(!stderr.contains(secret), "the secret is never shown: {stderr}");

    // No credentials at all (and no instance metadata to fall back on).
    let env = vec![
        ("AWS_ENDPOINT", s3.endpoint()),
        ("AWS_ALLOW_HTTP", "true".into()),
        ("AWS_METADATA_ENDPOINT", format!("http://127.0.0.1:{closed}")),
    ];
    let stderr = fail(&["run", "--lake", "s3://lakes/lake"], &env);
    assert!(stderr.contains("lake s3://lakes/lake: no credentials"), "{stderr}");
    assert!(stderr.contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), "{stderr}");

    // A plain-http endpoint is refused unless allowed, and the message says how.
    let env: Vec<_> = s3.env().into_iter().filter(|(k, _)| *k != "AWS_ALLOW_HTTP").collect();
    let stderr = fail(&["run", "--lake", "s3://lakes/lake"], &env);
    assert!(stderr.contains("set AWS_ALLOW_HTTP=true"), "{stderr}");

    // Credentials in the URL are refused without being repeated.
    let stderr = fail(&["run", "--lake", "s3://lakes/lake?X-Amz-Signature=0123456789abcdef"], &[]);
    assert!(stderr.contains("lake s3://lakes/lake: credentials do not belong in the URL"));
    assert!(!stderr.contains("0123456789abcdef"), "{stderr}");
}

#[tokio::test]
async fn ingest_reads_storage_export_containers_and_writes_a_lake_on_the_store() {
    let azurite = Emulator::azurite();
    let dir = tempfile::tempdir().unwrap();
    let original = generated(dir.path());
    let export = dir.path().join("export");
    let rows = write_storage_export(&original, &export, true);
    let mut containers: Vec<String> = std::fs::read_dir(&export)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    containers.sort();
    assert_eq!(containers.len(), 3);
    for container in &containers {
        azurite.create_container(container);
        upload(azurite.store(container).as_ref(), &export.join(container), "").await;
    }
    azurite.create_container("lakes");
    let env = azurite.env();

    let mut ingested = 0;
    // As the issue writes it: the account first, then the container.
    let to = format!("az://{AZURITE_ACCOUNT}/lakes/ingested");
    for container in &containers {
        let from = format!("az://{AZURITE_ACCOUNT}/{container}");
        let (_, stderr) = succeed(&["ingest", "--from", &from, "--to", &to], &env);
        let count = last_line(&stderr).split(' ').next().unwrap().replace(',', "");
        ingested += count.parse::<usize>().unwrap_or_else(|_| panic!("{stderr}"));
    }
    assert_eq!(ingested, rows);
    let disk = original.to_str().unwrap();
    let (on_disk, _) = succeed(&["run", "--lake", disk, "--format", "csv"], &[]);
    let hunt = ["run", "--lake", "az://lakes/ingested", "--format", "csv"];
    assert_eq!(succeed(&hunt, &env).0, on_disk);

    // Again: nothing new. Then a file of a commit the manifest does not list, as a run that
    // stopped before its manifest leaves: the next run removes it, and no row is doubled.
    let from = format!("az://{}", containers[0]);
    let again = ["ingest", "--from", &from, "--to", "az://lakes/ingested"];
    let (_, stderr) = succeed(&again, &env);
    assert!(last_line(&stderr).starts_with("0 row(s) ingested"), "{stderr}");
    let lake = azurite.store("lakes");
    let day = StorePath::parse("ingested/DeviceLogonEvents/date=2026-02-01").unwrap();
    let listed: Vec<_> = futures::TryStreamExt::try_collect(lake.list(Some(&day))).await.unwrap();
    let committed = lake.get(&listed[0].location).await.unwrap().bytes().await.unwrap();
    let orphan = day.clone().join("ingest-19700101T000000000Z-0-00000.parquet");
    lake.put(&orphan, PutPayload::from(committed)).await.unwrap();
    let (_, stderr) = succeed(&again, &env);
    assert!(stderr.contains("removed 1 file(s) left by an interrupted ingest"), "{stderr}");
    assert!(lake.head(&orphan).await.is_err(), "the orphan is gone");
    assert_eq!(succeed(&hunt, &env).0, on_disk);
}

#[tokio::test]
async fn ingest_reads_an_export_below_a_bucket_prefix_into_a_local_lake() {
    let s3 = Emulator::s3();
    let dir = tempfile::tempdir().unwrap();
    let original = generated(dir.path());
    let export = dir.path().join("export");
    let rows = write_storage_export(&original, &export, false);
    s3.create_container("exports");
    upload(s3.store("exports").as_ref(), &export, "defender/2026-02").await;
    let local = dir.path().join("ingested");
    let to = local.to_str().unwrap();

    let from = "s3://exports/defender/2026-02";
    let (_, stderr) = succeed(&["ingest", "--from", from, "--to", to], &s3.env());

    let expected = format!("{} row(s) ingested", thousands(rows));
    assert!(last_line(&stderr).starts_with(&expected), "{stderr}");
    let disk = original.to_str().unwrap();
    let (on_disk, _) = succeed(&["run", "--lake", disk, "--format", "csv"], &[]);
    assert_eq!(succeed(&["run", "--lake", to, "--format", "csv"], &[]).0, on_disk);
    let manifest = std::fs::read_to_string(local.join(lakehunt::ingest::MANIFEST_FILE)).unwrap();
    assert!(manifest.contains("\"s3://exports/defender/2026-02/insights-logs-"), "{manifest}");
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or_default()
}

fn thousands(n: usize) -> String {
    lakehunt::report::thousands(n as u64)
}
