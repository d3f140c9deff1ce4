//! The CDM's queries on a Ballista cluster (`hlh omop find --cluster df://HOST:PORT`, docs/cluster.md).
//!
//! The client sends each query's logical plan to the scheduler, which plans it, cuts it into stages and
//! hands them to the executors; the client collects the (small) results and the rest of `find` runs here,
//! as it does embedded. The session is the embedded one's, with Ballista's own settings on top, so both
//! read the same files with the same filters.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::error::OmopError;

/// The scheduler's port when the address gives none (Ballista's default).
pub const SCHEDULER_PORT: u16 = 50050;

/// The pieces each scan is cut into on a cluster (Ballista's own default), whatever the client's cores:
/// the tasks of a stage, shared out over the executors' slots.
pub const CLUSTER_PARTITIONS: usize = 16;

/// How long the scheduler may take to accept a connection before it is called unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// A scheduler's address, `df://HOST:PORT` (the port 50050 when left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduler {
    pub host: String,
    pub port: u16,
}

impl Scheduler {
    /// Reads `df://HOST[:PORT]`.
    ///
    /// # Errors
    ///
    /// [`OmopError::Cluster`] for another scheme, an empty host or a port that is not a number.
    pub fn parse(url: &str) -> Result<Scheduler, OmopError> {
        url.strip_prefix("df://")
            .ok_or_else(|| "not a df:// address".to_string())
            .and_then(|rest| Scheduler::from_host_port(rest.trim_end_matches('/')))
            .map_err(|why| OmopError::Cluster {
                scheduler: url.to_string(),
                message: format!(
                    "{why}; the scheduler's address is df://HOST:PORT, e.g. df://127.0.0.1:50050"
                ),
            })
    }

    /// Reads `HOST[:PORT]`, the address an executor is given.
    ///
    /// # Errors
    ///
    /// What is wrong, for an empty host or a port that is not a number.
    pub fn from_host_port(text: &str) -> Result<Scheduler, String> {
        let (host, port) = match text.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse::<u16>()
                    .map_err(|_| format!("{port:?} is not a port"))?,
            ),
            None => (text, SCHEDULER_PORT),
        };
        if host.is_empty() || host.contains('/') {
            return Err("no host".into());
        }
        Ok(Scheduler {
            host: host.to_string(),
            port,
        })
    }

    pub fn url(&self) -> String {
        format!("df://{}:{}", self.host, self.port)
    }

    /// Whether the scheduler accepts a connection, asked before anything else so that a cluster that is
    /// not there is said within seconds rather than after a query's own retries.
    ///
    /// # Errors
    ///
    /// [`OmopError::Cluster`] naming the address and what the connection said.
    pub fn check_reachable(&self) -> Result<(), OmopError> {
        let unreachable = |why: String| {
            OmopError::Cluster {
            scheduler: self.url(),
            message: format!(
                "cannot reach the Ballista scheduler ({why}); start it with `hlh cluster scheduler`, or check the address"
            ),
        }
        };
        let addresses: Vec<_> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| unreachable(e.to_string()))?
            .collect();
        let mut last = String::from("the host has no address");
        for address in addresses {
            match TcpStream::connect_timeout(&address, CONNECT_TIMEOUT) {
                Ok(_) => return Ok(()),
                Err(e) => last = e.to_string(),
            }
        }
        Err(unreachable(last))
    }

    /// A session whose queries run on this scheduler's cluster, with the embedded session's settings.
    ///
    /// # Errors
    ///
    /// [`OmopError::Cluster`] when Ballista refuses the address.
    pub async fn context(&self, embedded: SessionConfig) -> Result<SessionContext, OmopError> {
        let config = embedded
            .with_target_partitions(CLUSTER_PARTITIONS)
            .upgrade_for_ballista()
            // The name each query's job has in the scheduler's job list; nothing of the CDM's.
            .with_ballista_job_name("hlh omop find")
            // Ballista's adaptive planner does not yet recover from a lost executor: the static planner
            // re-runs the lost tasks on the others.
            .with_ballista_adaptive_query_planner(false);
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_default_features()
            .build();
        SessionContext::remote_with_state(&self.url(), state)
            .await
            .map_err(|e| OmopError::Cluster {
                scheduler: self.url(),
                message: e.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_read_with_its_port_or_the_default_one() {
        assert_eq!(
            Scheduler::parse("df://10.0.0.5:6000").ok(),
            Some(Scheduler {
                host: "10.0.0.5".into(),
                port: 6000
            })
        );
        assert_eq!(
            Scheduler::parse("df://node1").ok().map(|s| s.port),
            Some(SCHEDULER_PORT)
        );
        // An executor's --scheduler: the same address without the scheme.
        assert_eq!(
            Scheduler::from_host_port("10.0.0.5:6000"),
            Scheduler::parse("df://10.0.0.5:6000").map_err(|e| e.to_string())
        );
        for wrong in [":50050", "node1:http", ""] {
            assert!(Scheduler::from_host_port(wrong).is_err(), "{wrong}");
        }
        for wrong in [
            "http://node1:50050",
            "df://:50050",
            "df://node1:http",
            "df://",
        ] {
            let error = Scheduler::parse(wrong).expect_err(wrong).to_string();
            assert!(
                error.contains(wrong) && error.contains("df://HOST:PORT"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_port_nobody_listens_on_is_unreachable_at_once() {
        // A port just freed: nothing listens on it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let scheduler = Scheduler {
            host: "127.0.0.1".into(),
            port,
        };
        let started = std::time::Instant::now();
        let error = scheduler.check_reachable().expect_err("nothing listens");
        assert!(
            started.elapsed() < CONNECT_TIMEOUT,
            "{:?}",
            started.elapsed()
        );
        let text = error.to_string();
        assert!(
            text.contains(&format!("df://127.0.0.1:{port}")) && text.contains("cannot reach"),
            "{text}"
        );
    }
}
