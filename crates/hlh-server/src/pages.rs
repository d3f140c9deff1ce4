//! The frame every page shares (title, navigation, stylesheet), error pages, and HTML escaping. Pages
//! are plain HTML forms: nothing needs JavaScript.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

pub use hlh_report::svg::escape;

/// The pages of the navigation bar, in its order: (path, label).
const NAVIGATION: [(&str, &str); 5] = [
    ("/", "Open a study"),
    ("/problems", "Problems"),
    ("/protocol", "Protocol"),
    ("/report", "Report"),
    ("/score", "Bedside scores"),
];

/// The stylesheet, served at `/app.css` (the policy allows no inline style on the app's own pages).
pub const STYLESHEET: &str = include_str!("app.css");

/// A whole page: `current` is the navigation entry to mark, `study` the name of the open study.
pub fn page(title: &str, current: &str, study: Option<&str>, body: &str) -> String {
    let mut navigation = String::new();
    for (path, label) in NAVIGATION {
        let marked = if path == current {
            " aria-current=\"page\""
        } else {
            ""
        };
        navigation.push_str(&format!("<a href=\"{path}\"{marked}>{label}</a>"));
    }
    let study = match study {
        Some(name) => format!("<p class=\"study\">Open study: <b>{}</b></p>", escape(name)),
        None => "<p class=\"study\">No study open</p>".to_string(),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · hlh</title>\n<link rel=\"stylesheet\" href=\"/app.css\">\n\
         <link rel=\"icon\" href=\"data:,\">\n</head>\n<body>\n\
         <header><span class=\"brand\">hlh</span><nav>{navigation}</nav>{study}</header>\n\
         <main>\n<h1>{title}</h1>\n{body}\n</main>\n\
         <footer>Everything stays on this computer: this server listens only here and sends nothing \
         anywhere.</footer>\n</body>\n</html>\n",
        title = escape(title)
    )
}

/// Messages (problems, errors) as an HTML list, each escaped.
pub fn message_list<S: AsRef<str>>(messages: &[S]) -> String {
    let items: String = messages
        .iter()
        .map(|message| format!("<li>{}</li>", escape(message.as_ref())))
        .collect();
    format!("<ul>{items}</ul>")
}

/// The hidden field that every form carries.
pub fn form_token_field(token: &str) -> String {
    format!("<input type=\"hidden\" name=\"form_token\" value=\"{token}\">")
}

/// A request refused or failed, shown as a page with its status.
#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub title: String,
    pub message: String,
}

impl Refusal {
    pub fn new(status: StatusCode, title: &str, message: &str) -> Refusal {
        Refusal {
            status,
            title: title.into(),
            message: message.into(),
        }
    }

    pub fn bad_request(message: &str) -> Refusal {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "The request was not understood",
            message,
        )
    }

    /// A request that failed inside the server (a bug): said plainly, without its details.
    pub fn internal() -> Refusal {
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "The request could not be completed; the server goes on. Please try again.",
        )
    }

    pub fn stale_form() -> Refusal {
        Refusal::new(
            StatusCode::FORBIDDEN,
            "The form has expired",
            "This form was made by another start of hlh serve. Open the page again and resend it.",
        )
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = format!(
            "<p class=\"refusal\">{}</p>\n<p><a href=\"/\">Back to the start page</a></p>",
            escape(&self.message)
        );
        (self.status, Html(page(&self.title, "", None, &body))).into_response()
    }
}
