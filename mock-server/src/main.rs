//! `concord-mock`: the mock server on localhost, with the demo data loaded.

// No function over 80 lines (the threshold is in clippy.toml).
#![warn(clippy::too_many_lines)]

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, FromArgMatches};
use concord_mock::contract::Contract;
use concord_mock::state::DemoData;

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
    /// and prefix: run several behind one load balancer. A Redis Cluster:
    /// `redis+cluster://host:port,host:port` (or several comma-separated `redis://` URLs).
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
    VerifyUpstream(VerifyArgs),
}

/// What `verify-upstream` is told.
#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// `API=URL`, or a bare URL when one API is served.
    #[arg(value_name = "API=URL")]
    upstream: String,
    /// Send the operations that change state too (for sandboxes).
    #[arg(long = "unsafe")]
    include_unsafe: bool,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Text,
    Json,
    Junit,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = parse();
    if cli.health_check {
        return concord_mock::health_probe::probe(cli.port, cli.admin_token.as_deref()).await;
    }
    match run(cli).await {
        Ok(code) | Err(code) => code,
    }
}

/// The command line, `--version` naming the contract it serves as well as the program.
fn parse() -> Cli {
    let version: &'static str = Box::leak(
        format!(
            "{} (contract {})",
            env!("CARGO_PKG_VERSION"),
            concord_mock::contract_version()
        )
        .into_boxed_str(),
    );
    let matches = Cli::command().version(version).get_matches();
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    }
}

/// Everything but the health probe; `Err` is a mistake already reported on stderr.
async fn run(cli: Cli) -> Result<ExitCode, ExitCode> {
    init_log(&cli);
    concord_mock::raise_open_files_limit();
    check_admin(&cli)?;
    let (contract, custom) = on_own_thread(|| load_contract(&cli.spec))?;
    if cli.explain {
        print!("{}", contract.explain());
        return Ok(ExitCode::SUCCESS);
    }
    let demo_data = load_demo_data(cli.demo_data.as_deref(), &contract, custom)?;
    if let Some(Command::VerifyUpstream(args)) = &cli.command {
        return Ok(verify_upstream(contract, demo_data, args, cli.upstream_timeout).await);
    }
    let env = |name: &str| std::env::var(name).ok();
    let upstreams =
        concord_mock::upstream::configure(&contract, &cli.upstream, &env).map_err(fail)?;
    if cli.self_check {
        return Ok(self_check(contract, demo_data).await);
    }
    let config = config(cli, contract, demo_data, upstreams.clone());
    let server = MockServer::start(config).await.map_err(|e| {
        // The cause chain, so that "connection refused" is on the line, not four levels down.
        let mut message = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            message.push_str(": ");
            message.push_str(&c.to_string());
            cause = c.source();
        }
        eprintln!("error: {message}");
        ExitCode::from(1)
    })?;
    announce(&server, &upstreams);
    return_startup_memory();
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// Hands the memory that start-up freed (the demo data's parse, the tenants' seeding) back to the system
/// now. The allocator would do so only when it next allocates, so an idle mock kept about 1 MiB it no longer
/// used (BENCHMARKS.md, "What is shipped, measured as shipped").
#[allow(unsafe_code)]
fn return_startup_memory() {
    // SAFETY: `mi_collect` takes no pointers; any thread may call it at any time.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// A mistake in what the mock was given: the message, and status 2.
fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn init_log(cli: &Cli) {
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
}

/// Refuses an admin token nobody could present, and an admin API open to the network by accident.
fn check_admin(cli: &Cli) -> Result<(), ExitCode> {
    if cli
        .admin_token
        .as_deref()
        .is_some_and(|t| t.trim().is_empty())
    {
        return Err(fail(
            "--admin-token is empty: no client could present it, so the admin API and the web page \
             would be locked. Give a token, or leave the option out.",
        ));
    }
    if !cli.host.is_loopback() && cli.admin_token.is_none() && !cli.allow_open_admin {
        return Err(fail(format!(
            "refusing to listen on {} without --admin-token: anyone on the network could reset or read \
             the state. Pass --admin-token TOKEN (or set CONCORD_MOCK_ADMIN_TOKEN), or --allow-open-admin \
             (CONCORD_MOCK_ALLOW_OPEN_ADMIN=true) if that is what you want.",
            cli.host
        )));
    }
    Ok(())
}

/// Runs `work` on a thread that ends with it. Compiling the document parses all of it into values that are
/// garbage a moment later; freed on the main thread they would stay with its allocator heap for the life of
/// the process, on a finished thread they go back to the system (anonymous RSS 0.5 MiB lower, BENCHMARKS.md).
fn on_own_thread<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(work)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The document served: those given with `--spec` (then `true`), or the embedded one. A mistake in either
/// is the message and status 2, never a panic.
fn load_contract(spec: &[PathBuf]) -> Result<(Arc<Contract>, bool), ExitCode> {
    if spec.is_empty() {
        let contract = Contract::try_embedded()
            .map_err(|e| fail(format!("the embedded document (spec/openapi.yaml): {e}")))?;
        return Ok((contract, false));
    }
    let paths: Vec<&std::path::Path> = spec.iter().map(PathBuf::as_path).collect();
    let contract = Contract::load_all(&paths).map_err(fail)?;
    Ok((Arc::new(contract), true))
}

/// The state every tenant starts from: another document brings its examples, and `--demo-data` adds to
/// them (its entities win); the embedded document has its own demo data, which `--demo-data` replaces.
fn load_demo_data(
    demo_data: Option<&std::path::Path>,
    contract: &Contract,
    custom: bool,
) -> Result<DemoData, ExitCode> {
    let given = demo_data
        .map(concord_mock::demo_data::load)
        .transpose()
        .map_err(fail)?;
    Ok(match (custom, given) {
        (true, given) => {
            let mut demo_data = contract.demo_data();
            for (kind, entities) in given.unwrap_or_default() {
                demo_data.entry(kind).or_default().extend(entities);
            }
            demo_data
        }
        (false, Some(given)) => given,
        (false, None) => concord_mock::demo_data::embedded(),
    })
}

/// `--self-check`: what does not hold on stdout, then the totals; 1 if anything does not hold.
async fn self_check(contract: Arc<Contract>, demo_data: DemoData) -> ExitCode {
    let report = concord_mock::self_check::every_documented_answer(contract, demo_data).await;
    for finding in &report.findings {
        println!("{finding}");
    }
    println!(
        "{} documented answers asked for and {} requests sent through inferred resources, {} wrong",
        report.pairs,
        report.flow_requests,
        report.findings.len()
    );
    if report.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn config(
    cli: Cli,
    contract: Arc<Contract>,
    demo_data: DemoData,
    upstreams: Vec<concord_mock::upstream::Upstream>,
) -> MockConfig {
    MockConfig {
        addr: SocketAddr::new(cli.host, cli.port),
        contract: Some(contract),
        demo_data,
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
            upstreams,
            timeout: std::time::Duration::from_secs(cli.upstream_timeout.max(1)),
            strict: cli.upstream_strict,
            record: cli.record,
            ..concord_mock::upstream::UpstreamConfig::default()
        },
        ..MockConfig::default()
    }
}

/// Where everything is, on stdout. Best effort: a closed stdout (a supervisor that stopped reading) must
/// not stop the server.
fn announce(server: &MockServer, upstreams: &[concord_mock::upstream::Upstream]) {
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
    for upstream in upstreams {
        let _ = writeln!(
            out,
            "  {} → {} (validating proxy; drift: {}/__mock/drift)",
            upstream.api,
            upstream.url,
            server.url()
        );
    }
    let _ = out.flush();
}

/// `verify-upstream`: the report on stdout, the exit status for CI.
async fn verify_upstream(
    contract: Arc<Contract>,
    demo_data: DemoData,
    args: &VerifyArgs,
    timeout_secs: u64,
) -> ExitCode {
    let VerifyArgs {
        upstream: given,
        include_unsafe,
        format,
    } = args;
    let (include_unsafe, format) = (*include_unsafe, *format);
    let env = |name: &str| std::env::var(name).ok();
    let upstream = match concord_mock::upstream::Upstream::parse(given, &contract) {
        Ok(upstream) => upstream.with_env_credentials(&contract, &env),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let verify = concord_mock::verify_upstream::Verify {
        contract,
        demo_data,
        upstream,
        include_unsafe,
        timeout: std::time::Duration::from_secs(timeout_secs.max(1)),
    };
    let verification = match verify.run().await {
        Ok(verification) => verification,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let format = match format {
        ReportFormat::Text => concord_mock::verify_upstream::Format::Text,
        ReportFormat::Json => concord_mock::verify_upstream::Format::Json,
        ReportFormat::Junit => concord_mock::verify_upstream::Format::Junit,
    };
    print!("{}", verification.render(format));
    ExitCode::from(verification.exit_code())
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
