//! Who may ask: the request's `Host` must be this server's (DNS rebinding), every request must carry the
//! start token (in the printed URL once, then in an HttpOnly, SameSite=Strict cookie), and every POST a
//! same-origin `Origin` and the form token. Every response gets headers that let the page load nothing
//! from anywhere else.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::pages::Refusal;
use crate::App;

/// The cookie that carries the start token once the printed URL has been opened.
const TOKEN_COOKIE: &str = "hlh_token";

/// The query parameter of the printed URL.
const TOKEN_PARAMETER: &str = "token";

/// Nothing from outside: styles only from the server's own stylesheet, no script at all, forms posted
/// only to the server, pages framed only by the server (the report is shown in a frame of its page).
pub const APP_CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     frame-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'";

/// The report as `hlh report` writes it keeps its own inline style; it is sandboxed (no script, no
/// form, an opaque origin) and may fetch nothing.
pub const REPORT_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox";

/// What identifies a legitimate request to this server.
#[derive(Debug)]
pub struct Security {
    start_token: String,
    form_token: String,
    /// `Host` values that name this server: its loopback names with the port, or the address given
    /// with `--bind`.
    hosts: Vec<String>,
}

impl Security {
    /// Fresh tokens for a server listening on `address`.
    pub fn new(address: SocketAddr) -> Result<Security, getrandom::Error> {
        let port = address.port();
        let mut hosts = Vec::new();
        let ip = address.ip();
        if ip.is_loopback() || ip.is_unspecified() {
            hosts.push(format!("127.0.0.1:{port}"));
            hosts.push(format!("localhost:{port}"));
            hosts.push(format!("[::1]:{port}"));
        }
        if !ip.is_unspecified() {
            hosts.push(address.to_string());
        }
        hosts.dedup();
        Ok(Security {
            start_token: random_token()?,
            form_token: random_token()?,
            hosts,
        })
    }

    pub fn start_token(&self) -> &str {
        &self.start_token
    }

    /// The hidden field every form carries.
    pub fn form_token(&self) -> &str {
        &self.form_token
    }

    /// Whether a submitted form token is this server's.
    pub fn is_form_token(&self, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|submitted| same_secret(submitted, &self.form_token))
    }

    fn host_is_ours(&self, headers: &HeaderMap) -> bool {
        let hosts: Vec<&HeaderValue> = headers.get_all(header::HOST).iter().collect();
        match hosts.as_slice() {
            [host] => host.to_str().is_ok_and(|host| {
                self.hosts
                    .iter()
                    .any(|ours| ours.eq_ignore_ascii_case(host))
            }),
            _ => false,
        }
    }

    fn origin_is_ours(&self, headers: &HeaderMap) -> bool {
        let origins: Vec<&HeaderValue> = headers.get_all(header::ORIGIN).iter().collect();
        match origins.as_slice() {
            [origin] => origin.to_str().is_ok_and(|origin| {
                origin.strip_prefix("http://").is_some_and(|host| {
                    self.hosts
                        .iter()
                        .any(|ours| ours.eq_ignore_ascii_case(host))
                })
            }),
            _ => false,
        }
    }

    fn cookie_token_is_ours(&self, headers: &HeaderMap) -> bool {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|cookies| cookies.split(';'))
            .filter_map(|cookie| cookie.trim().split_once('='))
            .any(|(name, value)| name == TOKEN_COOKIE && same_secret(value, &self.start_token))
    }
}

/// 32 random bytes from the operating system, as 64 hexadecimal digits.
fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Compares a submitted secret with ours in time that does not depend on where they differ.
fn same_secret(submitted: &str, ours: &str) -> bool {
    submitted.len() == ours.len() && bool::from(submitted.as_bytes().ct_eq(ours.as_bytes()))
}

/// The start token of a query string, if it has one.
fn query_token(query: &str) -> Option<&str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == TOKEN_PARAMETER)
        .map(|(_, value)| value)
}

/// Every request passes here first: the host, then the token, then (for a POST) the origin; the page's
/// security headers are added to whatever comes back.
pub async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let mut response = check(&app, request, next).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(APP_CONTENT_SECURITY_POLICY),
        );
    }
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // Not `no-referrer`: with it, a browser sends `Origin: null` with the app's own forms. No
        // address of the app holds a patient value anyway.
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
        // Patient data: no page is kept by the browser's cache.
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}

async fn check(app: &App, request: Request, next: Next) -> Response {
    let security = &app.security;
    if !security.host_is_ours(request.headers()) {
        return Refusal::new(
            StatusCode::BAD_REQUEST,
            "Wrong address",
            "This server answers only at the address it printed when it started.",
        )
        .into_response();
    }
    if let Some(token) = request.uri().query().and_then(query_token) {
        if !same_secret(token, &security.start_token) {
            return no_token();
        }
        // The token leaves the address bar at once: it is set as a cookie and the page reloaded
        // without it.
        let cookie = format!("{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/");
        let mut response = (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, request.uri().path().to_string())],
        )
            .into_response();
        if let Ok(cookie) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        return response;
    }
    if !security.cookie_token_is_ours(request.headers()) {
        return no_token();
    }
    if request.method() != Method::GET
        && request.method() != Method::HEAD
        && !security.origin_is_ours(request.headers())
    {
        return Refusal::new(
            StatusCode::FORBIDDEN,
            "Refused",
            "A form may be sent to this server only from its own pages.",
        )
        .into_response();
    }
    next.run(request).await
}

fn no_token() -> Response {
    Refusal::new(
        StatusCode::FORBIDDEN,
        "Open the address hlh printed",
        "This page needs the address `hlh serve` printed when it started (it holds a key made at each \
         start). Copy it from the terminal into the browser.",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn only_this_servers_host_and_origin_are_accepted() {
        let security = Security::new("127.0.0.1:8123".parse().unwrap()).unwrap();
        for host in ["127.0.0.1:8123", "localhost:8123", "LOCALHOST:8123"] {
            assert!(
                security.host_is_ours(&headers(&[(header::HOST, host)])),
                "{host}"
            );
        }
        for host in [
            "evil.example:8123",
            "127.0.0.1:8124",
            "127.0.0.1",
            "localhost",
        ] {
            assert!(
                !security.host_is_ours(&headers(&[(header::HOST, host)])),
                "{host}"
            );
        }
        assert!(!security.host_is_ours(&HeaderMap::new()), "no Host");
        assert!(
            !security.host_is_ours(&headers(&[
                (header::HOST, "127.0.0.1:8123"),
                (header::HOST, "evil.example")
            ])),
            "two Hosts"
        );
        assert!(security.origin_is_ours(&headers(&[(header::ORIGIN, "http://127.0.0.1:8123")])));
        for origin in [
            "null",
            "http://evil.example",
            "https://127.0.0.1:8123",
            "http://127.0.0.1:8123.evil",
        ] {
            assert!(
                !security.origin_is_ours(&headers(&[(header::ORIGIN, origin)])),
                "{origin}"
            );
        }
    }

    #[test]
    fn tokens_are_random_and_compared_whole() {
        let a = Security::new("127.0.0.1:1".parse().unwrap()).unwrap();
        let b = Security::new("127.0.0.1:1".parse().unwrap()).unwrap();
        assert_eq!(a.start_token().len(), 64);
        assert_ne!(a.start_token(), b.start_token());
        assert_ne!(a.start_token(), a.form_token());
        assert!(a.is_form_token(Some(a.form_token())));
        assert!(!a.is_form_token(Some(&a.form_token()[..63])));
        assert!(!a.is_form_token(Some(b.form_token())));
        assert!(!a.is_form_token(None));
        let cookie = format!("other=1; {TOKEN_COOKIE}={}", a.start_token());
        assert!(a.cookie_token_is_ours(&headers(&[(header::COOKIE, &cookie)])));
        assert!(!b.cookie_token_is_ours(&headers(&[(header::COOKIE, &cookie)])));
    }
}
