//! Scale-out over NATS `JetStream`: the `queue.nats` section of the config, the connection, and
//! the streams the three roles share (see docs/scale-out.md).
//!
//! - [`edge`]: `docnorm run` with this section claims inbox files as usual but publishes each
//!   one to the files stream instead of running the plugins.
//! - [`worker`]: `docnorm worker` takes files from that stream (a durable pull consumer that
//!   all workers share), runs the chain and publishes the records.
//! - [`sink`]: `docnorm sink` writes the records (and the failures) into folders.
//!
//! Every name derives from `queue.nats.name` (`docnorm` by default): the subjects
//! `docnorm.files`, `docnorm.records` and `docnorm.failed`, the streams `DOCNORM_FILES`
//! (work queue) and `DOCNORM_RECORDS` (records and failures), the consumers
//! `docnorm_workers` and `docnorm_sink`, and the object store bucket `docnorm_files` for files
//! too large to travel in a message. Each role creates what it uses when it is missing.

pub mod edge;
pub mod headers;
mod pull;
pub mod sink;
pub mod worker;

use std::num::{NonZeroU64, NonZeroUsize};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use async_nats::jetstream::{self, object_store::ObjectStore, stream};
use schemars::JsonSchema;
use serde::Deserialize;
use tracing::{info, warn};

/// Where the daemon's work goes besides its own folders, under `queue` in the config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct QueueConfig {
    /// NATS `JetStream`: with this section, `docnorm run` publishes the files it claims
    /// instead of processing them, for `docnorm worker` to process and `docnorm sink` to
    /// write (see docs/scale-out.md). Without it, `docnorm run` does everything itself.
    pub nats: Option<Nats>,
}

/// The `queue.nats` section as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NatsConfig {
    /// The servers to connect to (`nats://host:port`, or `tls://host:port` for TLS); the
    /// client learns the rest of the cluster from them.
    pub servers: Vec<String>,
    /// The prefix of every subject, stream, consumer and bucket (letters, digits, `_`, `-`),
    /// so several deployments can share one cluster.
    pub name: String,
    /// Copies of each stream in the cluster (1 to 5; 3 for a three-node cluster).
    pub replicas: NonZeroUsize,
    /// How long a worker may hold a file without word before the server hands it to another
    /// worker, in milliseconds. Workers send progress every third of it while they work, so
    /// it only matters when a worker dies or is cut off; it must exceed
    /// `run.plugin_time_limit_ms`.
    pub ack_wait_ms: NonZeroU64,
    /// How long the server remembers message ids to drop a second copy of a file or a
    /// record, in milliseconds.
    pub duplicate_window_ms: NonZeroU64,
    /// Files larger than this go through the object store instead of inside the message (the
    /// server's `max_payload` lowers it further).
    pub inline_max_bytes: NonZeroUsize,
    /// How long records and failures are kept in their stream, in hours (0: until removed).
    pub records_max_age_hours: u64,
    /// User name, with `password`.
    pub user: Option<String>,
    /// Password for `user`.
    pub password: Option<Secret>,
    /// Authentication token.
    pub token: Option<Secret>,
    /// A `.creds` file (JWT and `NKey` seed) from the operator.
    pub creds_file: Option<PathBuf>,
}

impl Default for NatsConfig {
    fn default() -> Self {
        Self {
            servers: vec!["nats://127.0.0.1:4222".to_owned()],
            name: "docnorm".to_owned(),
            replicas: NonZeroUsize::MIN,
            ack_wait_ms: NonZeroU64::new(120_000).expect("not zero"),
            duplicate_window_ms: NonZeroU64::new(3_600_000).expect("not zero"),
            inline_max_bytes: NonZeroUsize::new(512 << 10).expect("not zero"),
            records_max_age_hours: 24 * 7,
            user: None,
            password: None,
            token: None,
            creds_file: None,
        }
    }
}

/// A secret read when connecting, from a file or an environment variable; never logged.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// A file holding it (a trailing line end is dropped).
    pub file: Option<PathBuf>,
    /// An environment variable holding it.
    pub env: Option<String>,
}

/// The `queue.nats` section, checked: what the roles are built from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(try_from = "NatsConfig")]
#[schemars(with = "NatsConfig")]
pub struct Nats {
    /// The servers.
    pub servers: Vec<String>,
    /// The prefix of every name.
    pub name: String,
    /// Copies of each stream.
    pub replicas: usize,
    /// How long a delivered file waits for word from its worker.
    pub ack_wait: Duration,
    /// How long message ids are remembered.
    pub duplicate_window: Duration,
    /// The largest file sent inside its message.
    pub inline_max_bytes: usize,
    /// How long records are kept (zero: until removed).
    pub records_max_age: Duration,
    /// How the client proves who it is.
    pub auth: Auth,
}

/// How the client authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Not at all.
    None,
    /// User and password.
    UserPassword(String, Secret),
    /// A token.
    Token(Secret),
    /// A credentials file.
    CredsFile(PathBuf),
}

impl TryFrom<NatsConfig> for Nats {
    type Error = String;

    fn try_from(config: NatsConfig) -> Result<Self, String> {
        if config.servers.is_empty() {
            return Err("queue.nats.servers: name at least one server".to_owned());
        }
        if config.name.is_empty()
            || !config
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(format!(
                "queue.nats.name: `{}` must be letters, digits, `_` or `-`",
                config.name
            ));
        }
        if config.replicas.get() > 5 {
            return Err("queue.nats.replicas: at most 5".to_owned());
        }
        let auth = match (
            config.user,
            config.password,
            config.token,
            config.creds_file,
        ) {
            (None, None, None, None) => Auth::None,
            (Some(user), Some(password), None, None) => {
                Auth::UserPassword(user, password.checked("password")?)
            }
            (None, None, Some(token), None) => Auth::Token(token.checked("token")?),
            (None, None, None, Some(file)) => Auth::CredsFile(file),
            (Some(_), None, ..) | (None, Some(_), ..) => {
                return Err("queue.nats: `user` and `password` go together".to_owned());
            }
            _ => {
                return Err(
                    "queue.nats: give one of `user` and `password`, `token` or `creds_file`"
                        .to_owned(),
                );
            }
        };
        Ok(Self {
            servers: config.servers,
            name: config.name,
            replicas: config.replicas.get(),
            ack_wait: Duration::from_millis(config.ack_wait_ms.get()),
            duplicate_window: Duration::from_millis(config.duplicate_window_ms.get()),
            inline_max_bytes: config.inline_max_bytes.get(),
            records_max_age: Duration::from_secs(config.records_max_age_hours * 3600),
            auth,
        })
    }
}

impl Secret {
    fn checked(self, key: &str) -> Result<Self, String> {
        match (&self.file, &self.env) {
            (Some(_), None) | (None, Some(_)) => Ok(self),
            _ => Err(format!(
                "queue.nats.{key}: give either `file` or `env`, not both or neither"
            )),
        }
    }

    /// Reads the secret; the error names where it was looked for, never its value.
    pub fn read(&self) -> anyhow::Result<String> {
        if let Some(file) = &self.file {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("{}: cannot read the secret", file.display()))?;
            return Ok(text.trim_end_matches(['\n', '\r']).to_owned());
        }
        let var = self.env.as_deref().unwrap_or_default();
        std::env::var(var).with_context(|| format!("environment variable {var} is not set"))
    }

    /// Where it is read from, for reports.
    pub fn origin(&self) -> String {
        match (&self.file, &self.env) {
            (Some(file), _) => format!("file {}", file.display()),
            (None, Some(var)) => format!("environment variable {var}"),
            (None, None) => "nowhere".to_owned(),
        }
    }
}

impl Auth {
    /// How the client authenticates, for `docnorm check` and the logs (no secret in it).
    pub fn describe(&self) -> String {
        match self {
            Self::None => "no credentials".to_owned(),
            Self::UserPassword(user, password) => {
                format!("user {user}, password from {}", password.origin())
            }
            Self::Token(token) => format!("token from {}", token.origin()),
            Self::CredsFile(file) => format!("credentials file {}", file.display()),
        }
    }

    /// Checks that the secrets can be read, without keeping them.
    pub fn check(&self) -> anyhow::Result<()> {
        match self {
            Self::None => Ok(()),
            Self::UserPassword(_, secret) | Self::Token(secret) => secret.read().map(drop),
            Self::CredsFile(file) => std::fs::metadata(file)
                .map(drop)
                .with_context(|| format!("{}: cannot read the credentials file", file.display())),
        }
    }
}

/// Checks what involves other sections: a worker must not lose a file to another while a
/// plugin call may still run.
pub fn check(nats: &Nats, plugin_time_limit: Duration) -> Result<(), String> {
    if nats.ack_wait <= plugin_time_limit {
        return Err(format!(
            "queue.nats.ack_wait_ms ({}) must exceed run.plugin_time_limit_ms ({})",
            nats.ack_wait.as_millis(),
            plugin_time_limit.as_millis()
        ));
    }
    Ok(())
}

/// The subjects, streams, consumers and bucket of one deployment.
#[derive(Debug, Clone)]
pub struct Names {
    /// Where files are published.
    pub files: String,
    /// Where records are published.
    pub records: String,
    /// Where failures are published.
    pub failed: String,
    /// The work-queue stream of files.
    pub files_stream: String,
    /// The stream of records and failures.
    pub records_stream: String,
    /// The consumer all workers share.
    pub workers: String,
    /// The consumer all sinks share.
    pub sink: String,
    /// The object store bucket for large files.
    pub bucket: String,
}

impl Names {
    fn of(name: &str) -> Self {
        let upper = name.to_ascii_uppercase().replace('-', "_");
        Self {
            files: format!("{name}.files"),
            records: format!("{name}.records"),
            failed: format!("{name}.failed"),
            files_stream: format!("{upper}_FILES"),
            records_stream: format!("{upper}_RECORDS"),
            workers: format!("{name}_workers"),
            sink: format!("{name}_sink"),
            bucket: format!("{name}_files"),
        }
    }
}

/// A connection to the cluster with the deployment's names.
pub struct Broker {
    /// `JetStream` over the connection.
    pub js: jetstream::Context,
    /// The deployment's names.
    pub names: Names,
    /// The checked section.
    pub config: Nats,
}

impl Broker {
    /// Connects as `role` (shown to the server as `docnorm-<role>`). The client reconnects by
    /// itself for as long as the process runs; disconnections and reconnections are logged.
    pub async fn connect(config: &Nats, role: &str) -> anyhow::Result<Self> {
        let options = match &config.auth {
            Auth::None => async_nats::ConnectOptions::new(),
            Auth::UserPassword(user, password) => {
                async_nats::ConnectOptions::with_user_and_password(user.clone(), password.read()?)
            }
            Auth::Token(token) => async_nats::ConnectOptions::with_token(token.read()?),
            Auth::CredsFile(file) => async_nats::ConnectOptions::with_credentials_file(file)
                .await
                .with_context(|| format!("{}: cannot read the credentials file", file.display()))?,
        };
        let client = options
            .name(format!("docnorm-{role}"))
            .max_reconnects(None)
            .event_callback(|event| async move {
                match event {
                    async_nats::Event::Connected => info!("connected to NATS"),
                    async_nats::Event::Disconnected => warn!("disconnected from NATS"),
                    other => info!(event = %other, "NATS"),
                }
            })
            .connect(config.servers.as_slice())
            .await
            .with_context(|| {
                format!(
                    "cannot connect to NATS at {} ({})",
                    config.servers.join(", "),
                    config.auth.describe()
                )
            })?;
        let js = jetstream::new(client);
        Ok(Self {
            js,
            names: Names::of(&config.name),
            config: config.clone(),
        })
    }

    /// The work-queue stream of files: a message is removed once a worker acknowledges it.
    pub async fn files_stream(&self) -> anyhow::Result<stream::Stream> {
        self.stream(stream::Config {
            name: self.names.files_stream.clone(),
            subjects: vec![self.names.files.clone()],
            retention: stream::RetentionPolicy::WorkQueue,
            ..self.stream_defaults()
        })
        .await
    }

    /// The stream of records and failures, kept `records_max_age_hours`.
    pub async fn records_stream(&self) -> anyhow::Result<stream::Stream> {
        self.stream(stream::Config {
            name: self.names.records_stream.clone(),
            subjects: vec![self.names.records.clone(), self.names.failed.clone()],
            retention: stream::RetentionPolicy::Limits,
            max_age: self.config.records_max_age,
            ..self.stream_defaults()
        })
        .await
    }

    /// The object store for files too large for a message (and for the inputs of failures).
    pub async fn objects(&self) -> anyhow::Result<ObjectStore> {
        if let Ok(store) = self.js.get_object_store(&self.names.bucket).await {
            return Ok(store);
        }
        self.js
            .create_object_store(jetstream::object_store::Config {
                bucket: self.names.bucket.clone(),
                num_replicas: self.config.replicas,
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await
            .with_context(|| format!("cannot create the object store {}", self.names.bucket))
    }

    fn stream_defaults(&self) -> stream::Config {
        stream::Config {
            storage: stream::StorageType::File,
            num_replicas: self.config.replicas,
            duplicate_window: self.config.duplicate_window,
            ..Default::default()
        }
    }

    async fn stream(&self, config: stream::Config) -> anyhow::Result<stream::Stream> {
        let name = config.name.clone();
        self.js
            .get_or_create_stream(config)
            .await
            .with_context(|| format!("cannot open or create the stream {name}"))
    }

    /// Publishes `payload` with `headers` to `subject` and waits for the server to store it;
    /// returns whether the server dropped it as a duplicate (same `Nats-Msg-Id` within the
    /// window).
    pub async fn publish(
        &self,
        subject: &str,
        headers: async_nats::HeaderMap,
        payload: Vec<u8>,
    ) -> anyhow::Result<bool> {
        let ack = self
            .js
            .publish_with_headers(subject.to_owned(), headers, payload.into())
            .await
            .with_context(|| format!("cannot publish to {subject}"))?
            .await
            .with_context(|| format!("no acknowledgement from {subject}"))?;
        Ok(ack.duplicate)
    }
}

/// Checks the section for `docnorm check` and says what it found.
pub fn describe(nats: &Nats) -> anyhow::Result<String> {
    nats.auth.check()?;
    let names = Names::of(&nats.name);
    Ok(format!(
        "queue.nats: {} as {} ({}); streams {} and {}, {} replica(s)",
        nats.servers.join(", "),
        nats.name,
        nats.auth.describe(),
        names.files_stream,
        names.records_stream,
        nats.replicas
    ))
}

/// Fails unless the config has a `queue.nats` section; `role` names the command.
pub fn required<'a>(queue: &'a QueueConfig, role: &str) -> anyhow::Result<&'a Nats> {
    match &queue.nats {
        Some(nats) => Ok(nats),
        None => bail!("docnorm {role} needs a queue.nats section in the config"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Nats, String> {
        serde_saphyr::from_str::<Nats>(text).map_err(|e| e.to_string())
    }

    #[test]
    fn an_empty_section_takes_the_defaults() {
        let nats = parse("{}").unwrap();
        assert_eq!(nats.servers, ["nats://127.0.0.1:4222"]);
        assert_eq!(nats.auth, Auth::None);
        assert_eq!(nats.ack_wait, Duration::from_secs(120));
    }

    #[test]
    fn names_follow_the_prefix() {
        let names = Names::of("news-feed");
        assert_eq!(names.files, "news-feed.files");
        assert_eq!(names.files_stream, "NEWS_FEED_FILES");
        assert_eq!(names.workers, "news-feed_workers");
    }

    #[test]
    fn a_password_needs_a_user_and_one_source() {
        let err = parse("password: {env: X}").unwrap_err();
        assert!(err.contains("go together"), "{err}");
        let err = parse("user: a\npassword: {env: X, file: /x}").unwrap_err();
        assert!(err.contains("either `file` or `env`"), "{err}");
        let err = parse("token: {env: X}\ncreds_file: /x").unwrap_err();
        assert!(err.contains("one of"), "{err}");
    }

    #[test]
    fn a_bad_name_or_unknown_key_is_refused() {
        assert!(parse("name: a.b").unwrap_err().contains("queue.nats.name"));
        assert!(parse("ack_wait: 5").unwrap_err().contains("ack_wait"));
    }

    #[test]
    fn ack_wait_must_exceed_the_plugin_time_limit() {
        let nats = parse("ack_wait_ms: 1000").unwrap();
        assert!(check(&nats, Duration::from_millis(999)).is_ok());
        let err = check(&nats, Duration::from_secs(1)).unwrap_err();
        assert!(err.contains("must exceed"), "{err}");
    }

    #[test]
    fn a_secret_never_shows_in_its_description() {
        let secret = Secret {
            file: None,
            env: Some("DOCNORM_TEST_NO_SUCH_VARIABLE".to_owned()),
        };
        let auth = Auth::Token(secret);
        assert_eq!(
            auth.describe(),
            "token from environment variable DOCNORM_TEST_NO_SUCH_VARIABLE"
        );
        assert!(auth.check().is_err());
    }
}
