//! `hlh serve [STUDY] [--port N] [--bind ADDRESS]`: the local web app (docs/serve.md).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use crate::Outcome;

pub fn run(study: Option<PathBuf>, bind: IpAddr, port: u16) -> anyhow::Result<Outcome> {
    if !bind.is_loopback() {
        eprintln!(
            "{}: listening on {bind}, which other machines can reach: anyone who has the printed address \
             sees the study. The default, 127.0.0.1, keeps the app on this machine.",
            crate::output::paint_warning("warning")
        );
    }
    let options = hlh_server::ServeOptions {
        study,
        address: SocketAddr::new(bind, port),
    };
    let served = hlh_server::serve(options, |listening| {
        println!("Open {} in your browser.", listening.url);
        eprintln!(
            "Uploads go to {} (only you can open it; removed at exit). Ctrl-C stops.",
            listening.private_folder.display()
        );
    });
    match served {
        Ok(()) => Ok(Outcome::Success),
        Err(error) => {
            eprintln!("{}: {error}", crate::output::paint_error("error"));
            Ok(Outcome::InvalidInput)
        }
    }
}
