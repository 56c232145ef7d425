//! `concord-mock`: the mock server on localhost, with the demo data loaded.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches};

// The request path allocates many small, short-lived values; mimalloc handles that far better than glibc's
// allocator (measured: bench/run.sh, BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use concord_mock::{MockConfig, MockServer};

/// A stateful mock of the Magicline, Paysafe, ES Loyalty and MasStack APIs.
#[derive(Debug, clap::Parser)]
#[command(version, about)]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1", env = "CONCORD_MOCK_HOST")]
    host: IpAddr,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 4010, env = "CONCORD_MOCK_PORT")]
    port: u16,
    /// Demo data to start every tenant from (`{kind: {id: entity}}`), instead of the embedded demo data.
    /// `--seed` is its former name.
    #[arg(
        long = "demo-data",
        alias = "seed",
        value_name = "FILE",
        global = true,
        env = "CONCORD_MOCK_DEMO_DATA"
    )]
    demo_data: Option<PathBuf>,
    /// Serve this OpenAPI 3.0 document (YAML or JSON) instead of the embedded one. Operations without
    /// declared rules get rules inferred from their REST paths (create, read, list, update, delete) or
    /// answer their documented success example; the demo data comes from the document's examples, and
    /// `--demo-data` adds to it (credentials, for instance).
    /// Repeat it to serve several documents on one origin (each its own API; a path two of them define is
    /// an error; component names they share get the document's title as a prefix).
    #[arg(long, value_name = "FILE", global = true)]
    spec: Vec<PathBuf>,
    /// Print the rules inferred for the document's operations (as `x-concord-rules` to paste and refine)
    /// and the demo data taken from its examples, then exit.
    #[arg(long)]
    explain: bool,
    /// Ask for every documented answer of every operation (`Prefer: code=…`, in-process) and check each
    /// against its schema, print what does not hold, then exit (1 if anything does not).
    #[arg(long)]
    self_check: bool,
    /// Keep state in this SQLite file: every acknowledged write survives restarts and crashes.
    #[arg(long, value_name = "FILE", conflicts_with = "redis_url")]
    state_file: Option<PathBuf>,
    /// Keep state in Redis (`redis://host:port/db`), shared by every replica started with the same URL
    /// and prefix: run several behind one load balancer.
    #[arg(long, value_name = "URL", env = "CONCORD_MOCK_REDIS_URL")]
    redis_url: Option<String>,
    /// The first part of every Redis key, so several independent mocks can share one Redis.
    #[arg(
        long,
        value_name = "PREFIX",
        default_value = "concord",
        env = "CONCORD_MOCK_REDIS_PREFIX"
    )]
    redis_prefix: String,
    /// How long a Redis call may take before the request answers 503, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    redis_timeout_ms: u64,
    /// How many requests the journal keeps.
    #[arg(long, default_value_t = 1000)]
    journal: usize,
    /// How many MiB the journal may hold; past it the oldest entries go (bodies are cut at 16 KiB each).
    #[arg(long, value_name = "MIB", default_value_t = 32)]
    journal_mib: usize,
    /// The most tenants held in memory; a write that would create one more answers 503 (`X-Mock-Error`
    /// says why) until some are deleted or reset.
    #[arg(long, value_name = "N", default_value_t = concord_mock::state::DEFAULT_MAX_TENANTS)]
    max_tenants: usize,
    /// How long a client may take to send a request's headers, in seconds; also how long a kept-alive
    /// connection may stay idle. Past it the connection is closed (half-sent requests hold nothing).
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    header_timeout: u64,
    /// Require `Authorization: Bearer <TOKEN>` on the admin API (`/__mock/`).
    #[arg(long, env = "CONCORD_MOCK_ADMIN_TOKEN", value_name = "TOKEN")]
    admin_token: Option<String>,
    /// Listen on a non-loopback address without an admin token.
    #[arg(long, env = "CONCORD_MOCK_ALLOW_OPEN_ADMIN")]
    allow_open_admin: bool,
    /// A host name the admin API and the web page answer for, besides loopback names and the bound
    /// address (repeatable, or comma-separated in the variable; `*` for any). Requests naming another
    /// `Host` are refused (DNS rebinding).
    #[arg(
        long = "allowed-host",
        value_name = "HOST",
        env = "CONCORD_MOCK_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    allowed_hosts: Vec<String>,
    /// Ask the mock listening on --port (this machine) for `/__mock/health`, with the admin token if one is
    /// set, and exit 0 when it is healthy, 1 when not: a container's health check, where no curl exists.
    #[arg(long)]
    health_check: bool,
    /// Forward an API's requests to its real (sandbox) server, checking every exchange against the
    /// contract: `API=URL` (`magicline=https://sandbox.example.com`; a bare URL when one API is served),
    /// repeatable; also `CONCORD_MOCK_UPSTREAM_<ID>=URL`. Sandbox credentials that replace the client's
    /// (demo) ones: `CONCORD_MOCK_UPSTREAM_<ID>_<SCHEME OR HEADER>`.
    #[arg(long, value_name = "API=URL")]
    upstream: Vec<String>,
    /// How long an upstream may take to answer, body included, in seconds (longer: 504).
    #[arg(long, value_name = "SECS", default_value_t = 30, global = true)]
    upstream_timeout: u64,
    /// Answer an exchange with the upstream that drifted from the contract with a 502 listing the
    /// violations, instead of passing the vendor's answer on.
    #[arg(long)]
    upstream_strict: bool,
    /// Record the upstreams' answers into every tenant's state from the start (`POST /__mock/recording`
    /// stops and starts it per tenant).
    #[arg(long)]
    record: bool,
    #[command(subcommand)]
    command: Option<Command>,
    /// Log filter (`info`, `debug`, `concord_mock=debug,tower_http=info`, …).
    #[arg(long, default_value = "info", env = "RUST_LOG")]
    log: String,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Send each documented example request of the API's safe operations (GET, HEAD) to URL with the
    /// credentials from the environment, print how the answers differ from the contract, and exit 1 on
    /// drift, 2 when the upstream does not answer.
    VerifyUpstream {
        /// `API=URL`, or a bare URL when one API is served.
        #[arg(value_name = "API=URL")]
        upstream: String,
        /// Send the operations that change state too (for sandboxes).
        #[arg(long = "unsafe")]
        include_unsafe: bool,
        /// How to print the report.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Text,
    Json,
    Junit,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // `--version` names the contract it serves as well as the program.
    let version: &'static str = Box::leak(
        format!(
            "{} (contract {})",
            env!("CARGO_PKG_VERSION"),
            concord_mock::contract_version()
        )
        .into_boxed_str(),
    );
    let matches = Cli::command().version(version).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if cli.health_check {
        return concord_mock::health_probe::probe(cli.port, cli.admin_token.as_deref()).await;
    }
    // A self-check's requests are its report, not a log.
    let level = if cli.self_check || cli.command.is_some() {
        "warn"
    } else {
        &cli.log
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(level).unwrap_or_else(|_| "info".into()),
        )
        .init();
    concord_mock::raise_open_files_limit();
    if cli
        .admin_token
        .as_deref()
        .is_some_and(|t| t.trim().is_empty())
    {
        eprintln!(
            "error: --admin-token is empty: no client could present it, so the admin API and the web page              would be locked. Give a token, or leave the option out."
        );
        return std::process::ExitCode::from(2);
    }
    if !cli.host.is_loopback() && cli.admin_token.is_none() && !cli.allow_open_admin {
        eprintln!(
            "error: refusing to listen on {} without --admin-token: anyone on the network could reset or read \
             the state. Pass --admin-token TOKEN (or set CONCORD_MOCK_ADMIN_TOKEN), or --allow-open-admin \
             (CONCORD_MOCK_ALLOW_OPEN_ADMIN=true) if that is what you want.",
            cli.host
        );
        return std::process::ExitCode::from(2);
    }
    // The document served: one given with `--spec`, or the embedded one. A mistake in either is the
    // message and status 2, never a panic.
    let custom = !cli.spec.is_empty();
    let loaded = if custom {
        let paths: Vec<&std::path::Path> = cli.spec.iter().map(PathBuf::as_path).collect();
        concord_mock::contract::Contract::load_all(&paths).map(std::sync::Arc::new)
    } else {
        concord_mock::contract::Contract::try_embedded()
            .map_err(|e| format!("the embedded document (spec/openapi.yaml): {e}"))
    };
    let contract = match loaded {
        Ok(contract) => contract,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    if cli.explain {
        print!("{}", contract.explain());
        return std::process::ExitCode::SUCCESS;
    }
    let seed = match cli
        .demo_data
        .as_deref()
        .map(concord_mock::fixtures::load)
        .transpose()
    {
        Ok(seed) => seed,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let fixtures = match (custom, seed) {
        // Another document brings its examples; `--demo-data` adds to them (its entities win).
        (true, seed) => {
            let mut fixtures = contract.seed();
            for (kind, entities) in seed.unwrap_or_default() {
                fixtures.entry(kind).or_default().extend(entities);
            }
            fixtures
        }
        (false, Some(seed)) => seed,
        (false, None) => concord_mock::fixtures::demo(),
    };
    let env = |name: &str| std::env::var(name).ok();
    if let Some(Command::VerifyUpstream {
        upstream,
        include_unsafe,
        format,
    }) = &cli.command
    {
        return verify_upstream(
            contract,
            fixtures,
            upstream,
            *include_unsafe,
            *format,
            cli.upstream_timeout,
        )
        .await;
    }
    let upstreams = match concord_mock::upstream::configure(&contract, &cli.upstream, &env) {
        Ok(upstreams) => upstreams,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    if cli.self_check {
        let report =
            concord_mock::self_check::every_documented_answer(contract, fixtures.clone()).await;
        for finding in &report.findings {
            println!("{finding}");
        }
        println!(
            "{} documented answers asked for and {} requests sent through inferred resources, {} wrong",
            report.pairs,
            report.flow_requests,
            report.findings.len()
        );
        return if report.findings.is_empty() {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        };
    }
    let config = MockConfig {
        addr: SocketAddr::new(cli.host, cli.port),
        contract: Some(contract),
        fixtures,
        state_file: cli.state_file,
        redis: cli.redis_url.map(|url| concord_mock::state::RedisConfig {
            url,
            prefix: cli.redis_prefix,
            timeout: std::time::Duration::from_millis(cli.redis_timeout_ms.max(1)),
        }),
        journal_capacity: cli.journal,
        journal_bytes: cli.journal_mib.saturating_mul(1024 * 1024),
        max_tenants: cli.max_tenants,
        admin_token: cli.admin_token,
        allowed_hosts: cli.allowed_hosts,
        header_timeout: std::time::Duration::from_secs(cli.header_timeout.max(1)),
        upstream: concord_mock::upstream::UpstreamConfig {
            upstreams: upstreams.clone(),
            timeout: std::time::Duration::from_secs(cli.upstream_timeout.max(1)),
            strict: cli.upstream_strict,
            record: cli.record,
            ..concord_mock::upstream::UpstreamConfig::default()
        },
        ..MockConfig::default()
    };
    let server = match MockServer::start(config).await {
        Ok(server) => server,
        Err(e) => {
            // The cause chain, so that "connection refused" is on the line, not four levels down.
            let mut message = e.to_string();
            let mut cause = std::error::Error::source(&e);
            while let Some(c) = cause {
                message.push_str(": ");
                message.push_str(&c.to_string());
                cause = c.source();
            }
            eprintln!("error: {message}");
            return std::process::ExitCode::from(1);
        }
    };
    // Best effort: a closed stdout (a supervisor that stopped reading) must not stop the server.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "Concord mock server listening on {}", server.url());
    let _ = writeln!(
        out,
        "  web page (explorer and dashboard): {}{}",
        server.url(),
        concord_mock::ui::UI_PATH
    );
    let _ = writeln!(
        out,
        "  spec: {0}/openapi.yaml   admin: {0}/__mock/health",
        server.url()
    );
    for upstream in &upstreams {
        let _ = writeln!(
            out,
            "  {} → {} (validating proxy; drift: {}/__mock/drift)",
            upstream.api,
            upstream.url,
            server.url()
        );
    }
    let _ = out.flush();
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    std::process::ExitCode::SUCCESS
}

/// `verify-upstream`: the report on stdout, the exit status for CI.
async fn verify_upstream(
    contract: std::sync::Arc<concord_mock::contract::Contract>,
    fixtures: concord_mock::state::Fixtures,
    given: &str,
    include_unsafe: bool,
    format: ReportFormat,
    timeout_secs: u64,
) -> std::process::ExitCode {
    let env = |name: &str| std::env::var(name).ok();
    let upstream = match concord_mock::upstream::Upstream::parse(given, &contract) {
        Ok(upstream) => upstream.with_env_credentials(&contract, &env),
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let verify = concord_mock::verify_upstream::Verify {
        contract,
        fixtures,
        upstream,
        include_unsafe,
        timeout: std::time::Duration::from_secs(timeout_secs.max(1)),
    };
    let verification = match verify.run().await {
        Ok(verification) => verification,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let format = match format {
        ReportFormat::Text => concord_mock::verify_upstream::Format::Text,
        ReportFormat::Json => concord_mock::verify_upstream::Format::Json,
        ReportFormat::Junit => concord_mock::verify_upstream::Format::Junit,
    };
    print!("{}", verification.render(format));
    std::process::ExitCode::from(verification.exit_code())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
