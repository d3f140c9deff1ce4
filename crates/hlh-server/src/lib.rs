//! `hlh serve`: the study and the bedside scores in a browser, for one user on their own machine
//! (docs/serve.md). The only crate that knows HTTP.
//!
//! The engine is the command line's: a study is read by hlh-ingest (or hlh-workbook, hlh-redcap),
//! analysed by hlh-outcomes, laid out by hlh-report and hlh-docx; the bedside form is read as a
//! FINDINGS.json and scored by `hlh_criteria::every_score`. So the report it shows has the bytes
//! `hlh report` writes, and the scores are those `hlh score` prints.
//!
//! Invariant: the server reads only the study it was given (folder or file) and its private folder
//! (mode 0700, removed at exit), writes only the latter, and never puts a patient value in a URL, a log
//! line or a response header; every request passes `security::guard` first.

mod bedside;
mod open;
mod pages;
mod protocol_page;
mod report_page;
mod security;
mod study_pages;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::DefaultBodyLimit;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hlh_outcomes::{Analysis, Protocol};

pub use open::{MAX_ARCHIVE_ENTRIES, MAX_UNPACKED_BYTES, MAX_UPLOAD_BYTES};

use open::{OpenError, Opened};
use pages::Refusal;
use security::Security;

/// What `hlh serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// A study folder or workbook to open at start.
    pub study: Option<PathBuf>,
    /// Where to listen (port 0: any free port).
    pub address: SocketAddr,
}

/// The server once it listens: what to print for the user.
#[derive(Debug)]
pub struct Listening {
    /// The address to open, with the start token.
    pub url: String,
    /// The private folder that uploads go to (removed at exit).
    pub private_folder: PathBuf,
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    Study(String),
    Start(String),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Study(message) | ServeError::Start(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ServeError {}

/// The server's state: who may ask, where uploads go, and the open study.
#[derive(Debug)]
struct App {
    security: Security,
    private_folder: PathBuf,
    uploads: AtomicU64,
    current: Mutex<Option<Arc<Current>>>,
}

/// The open study with its protocol and analysis.
#[derive(Debug)]
struct Current {
    opened: Arc<Opened>,
    /// The study's own protocol: the defaults, then study.toml's `[protocol]`.
    study_protocol: Result<Protocol, Vec<String>>,
    /// The settings changed on the protocol page, by full name.
    edits: toml::Table,
    /// What the analysis reads: the study's protocol with the edits.
    protocol: Result<Protocol, Vec<String>>,
    /// `None` while the study or its protocol has an error.
    analysis: Option<Result<Analysis, String>>,
}

impl Current {
    /// Reads the study's protocol, applies `edits` and analyses.
    fn new(opened: Arc<Opened>, edits: toml::Table) -> Current {
        let study_protocol = Protocol::load(opened.ingested.settings.protocol.as_ref(), None);
        let protocol = study_protocol.clone().and_then(|mut protocol| {
            protocol
                .apply(&edits, "the protocol page")
                .map(|()| protocol)
        });
        let analysis = match &protocol {
            Ok(protocol) if !opened.ingested.has_errors() => Some(
                hlh_outcomes::analyze(&opened.ingested.study, protocol)
                    .map_err(|error| error.to_string()),
            ),
            _ => None,
        };
        Current {
            opened,
            study_protocol,
            edits,
            protocol,
            analysis,
        }
    }
}

impl App {
    fn current(&self) -> Option<Arc<Current>> {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set_current(&self, current: Current) {
        *self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(current));
    }

    fn study_name(&self) -> Option<String> {
        self.current().map(|current| current.opened.name.clone())
    }

    /// A new folder inside the private folder for one upload (mode 0700).
    fn upload_folder(&self) -> Result<PathBuf, OpenError> {
        let number = self.uploads.fetch_add(1, Ordering::Relaxed);
        let folder = self.private_folder.join(format!("upload-{number}"));
        private_folder(&folder).map_err(|error| OpenError {
            too_large: false,
            message: format!("the private folder cannot be written: {error}"),
        })?;
        Ok(folder)
    }
}

fn private_folder(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Runs blocking work (reading, analysing, writing a report) off the server's threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| Refusal::internal())
}

impl From<OpenError> for Refusal {
    fn from(error: OpenError) -> Refusal {
        let status = if error.too_large {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        Refusal::new(status, "The study could not be opened", &error.message)
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(study_pages::home))
        .route("/open", post(study_pages::open_path))
        .route(
            "/upload",
            post(study_pages::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/problems", get(study_pages::problems))
        .route(
            "/protocol",
            get(protocol_page::show).post(protocol_page::analyse_again),
        )
        .route("/report", get(report_page::show))
        .route("/report/view", get(report_page::view))
        .route("/download/{file}", get(report_page::download))
        .route("/score", get(bedside::form).post(bedside::score))
        .route("/app.css", get(stylesheet))
        .fallback(not_found)
        // Around every handler, inside the guard: a request larger than any form or upload is refused by its declared
        // length before its body is read.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            MAX_UPLOAD_BYTES + 1024 * 1024,
        ))
        // A bug in a handler is a page, and the server goes on.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| Refusal::internal().into_response(),
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            security::guard,
        ))
        .with_state(app)
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        pages::STYLESHEET,
    )
        .into_response()
}

async fn not_found() -> Refusal {
    Refusal::new(
        StatusCode::NOT_FOUND,
        "No such page",
        "There is no page at this address.",
    )
}

/// Starts the server, calls `on_listening` once it listens, and serves until Ctrl-C (or SIGTERM); the
/// private folder is removed on the way out.
///
/// # Errors
///
/// The study given cannot be opened, the address cannot be bound, or the operating system gives no
/// random numbers or temporary folder.
pub fn serve(
    options: ServeOptions,
    on_listening: impl FnOnce(&Listening),
) -> Result<(), ServeError> {
    let opened = match &options.study {
        Some(path) => {
            Some(open::open_path(path).map_err(|error| ServeError::Study(error.message))?)
        }
        None => None,
    };
    // A panic's message may quote a value of the study: only where it happened is printed.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map_or(String::new(), |l| format!(" at {}:{}", l.file(), l.line()));
        eprintln!("internal error{place}; the request was refused and the server goes on");
    }));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| ServeError::Start(format!("cannot start: {error}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.address)
            .await
            .map_err(|error| {
                ServeError::Start(format!("cannot listen on {}: {error}", options.address))
            })?;
        let address = listener
            .local_addr()
            .map_err(|error| ServeError::Start(format!("cannot listen: {error}")))?;
        let private = tempfile::Builder::new()
            .prefix("hlh-serve-")
            .tempdir()
            .and_then(|folder| {
                // Only this user may enter it, whatever the umask made of it.
                #[cfg(unix)]
                std::fs::set_permissions(
                    folder.path(),
                    std::os::unix::fs::PermissionsExt::from_mode(0o700),
                )?;
                Ok(folder)
            })
            .map_err(|error| ServeError::Start(format!("cannot make a private folder: {error}")))?;
        let security = Security::new(address).map_err(|error| {
            ServeError::Start(format!("no random numbers for the token: {error}"))
        })?;
        let host = if address.ip().is_unspecified() {
            format!("127.0.0.1:{}", address.port())
        } else {
            address.to_string()
        };
        let listening = Listening {
            url: format!("http://{host}/?token={}", security.start_token()),
            private_folder: private.path().to_path_buf(),
        };
        let app = Arc::new(App {
            security,
            private_folder: private.path().to_path_buf(),
            uploads: AtomicU64::new(0),
            current: Mutex::new(None),
        });
        if let Some(opened) = opened {
            app.set_current(Current::new(Arc::new(opened), toml::Table::new()));
        }
        on_listening(&listening);
        axum::serve(listener, router(app))
            .with_graceful_shutdown(stop_signal())
            .await
            .map_err(|error| ServeError::Start(format!("the server stopped: {error}")))?;
        drop(private);
        Ok(())
    })
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn stop_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
