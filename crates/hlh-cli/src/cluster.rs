//! `hlh cluster scheduler | executor`: Ballista's own scheduler and executor (the `ballista-scheduler`
//! and `ballista-executor` crates, the version `hlh omop find --cluster` speaks), so that one binary is
//! enough on every node of a cluster (docs/cluster.md).
//!
//! Ballista's own log lines are not printed: its plans carry the person ids of the exposed (the cohort's
//! queries list them), and a log is no place for patient identifiers.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use ballista_core::config::TaskSchedulingPolicy;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::{SchedulerConfig, TaskDistributionPolicy};
use ballista_scheduler::scheduler_process::start_server;
use clap::Subcommand;
use hlh_omop::cluster::Scheduler;

use crate::Outcome;

/// How often an executor tells the scheduler it is alive; the scheduler's `--executor-timeout` must be
/// longer.
const HEARTBEAT_SECONDS: u64 = 5;

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Start a Ballista scheduler: it plans the queries and hands their tasks to the executors; its REST
    /// API (/api/executors, /api/jobs) shows the cluster
    Scheduler {
        /// The address to listen on; only this machine can reach the default. The executors and the
        /// clients of other machines need an address they can reach (0.0.0.0: all of this machine's)
        #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
        bind: IpAddr,
        /// The port of the scheduler (gRPC and REST)
        #[arg(long, value_name = "N", default_value_t = 50050)]
        port: u16,
        /// Seconds without a heartbeat after which an executor is taken for lost and its tasks run
        /// again on the others
        #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(HEARTBEAT_SECONDS + 1..))]
        executor_timeout: u64,
    },
    /// Start a Ballista executor that registers with a scheduler and runs the tasks it is given
    Executor {
        /// The scheduler, HOST:PORT (the port 50050 when left out)
        #[arg(long, value_name = "HOST:PORT")]
        scheduler: String,
        /// The address to listen on; only this machine can reach the default
        #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
        bind: IpAddr,
        /// The host name or address the scheduler gives clients and other executors to fetch this
        /// executor's results from (by default the address it connected from)
        #[arg(long, value_name = "HOST")]
        external_host: Option<String>,
        /// The Arrow Flight port: results and shuffle data are fetched from it
        #[arg(long, value_name = "N", default_value_t = 50051)]
        port: u16,
        /// The gRPC port the scheduler sends tasks to
        #[arg(long, value_name = "N", default_value_t = 50052)]
        grpc_port: u16,
        /// Where shuffle files and spills are written (by default a fresh temporary folder)
        #[arg(long, value_name = "DIR")]
        work_dir: Option<PathBuf>,
        /// Tasks run at once (0: one per core)
        #[arg(long, value_name = "N", default_value_t = 0)]
        slots: usize,
    },
}

pub fn run(command: ClusterCommand) -> anyhow::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the cluster's runtime")?;
    match command {
        ClusterCommand::Scheduler {
            bind,
            port,
            executor_timeout,
        } => runtime.block_on(scheduler(SocketAddr::new(bind, port), executor_timeout)),
        ClusterCommand::Executor {
            scheduler,
            bind,
            external_host,
            port,
            grpc_port,
            work_dir,
            slots,
        } => {
            let Scheduler {
                host: scheduler_host,
                port: scheduler_port,
            } = Scheduler::from_host_port(&scheduler).map_err(|why| {
                anyhow::anyhow!(
                    "--scheduler {scheduler:?}: {why}; it is HOST:PORT, e.g. 127.0.0.1:50050"
                )
            })?;
            let work_dir = work_dir
                .map(|dir| {
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                    dir.to_str()
                        .map(str::to_string)
                        .with_context(|| format!("{} is not a UTF-8 path", dir.display()))
                })
                .transpose()?;
            let config = ExecutorProcessConfig {
                bind_host: bind.to_string(),
                external_host,
                port,
                grpc_port,
                scheduler_host,
                scheduler_port,
                // The scheduler may be starting at the same time.
                scheduler_connect_timeout_seconds: 30,
                vcores: slots,
                task_scheduling_policy: TaskSchedulingPolicy::PushStaged,
                work_dir,
                executor_heartbeat_interval_seconds: HEARTBEAT_SECONDS,
                // A finished job's shuffle files are removed by the scheduler's request; this sweeps
                // what a lost scheduler left.
                job_data_clean_up_interval_seconds: 3600,
                job_data_ttl_seconds: 24 * 3600,
                ..ExecutorProcessConfig::default()
            };
            eprintln!(
                "Ballista executor {} on {bind} (Flight {port}, gRPC {grpc_port}), registering with {scheduler}",
                ballista_core::BALLISTA_VERSION
            );
            runtime
                .block_on(start_executor_process(Arc::new(config)))
                .map_err(|e| anyhow::anyhow!("the executor stopped: {e}"))?;
            Ok(Outcome::Success)
        }
    }
}

async fn scheduler(address: SocketAddr, executor_timeout: u64) -> anyhow::Result<Outcome> {
    let config = SchedulerConfig {
        bind_host: address.ip().to_string(),
        bind_port: address.port(),
        external_host: address.ip().to_string(),
        scheduling_policy: TaskSchedulingPolicy::PushStaged,
        // One task per executor in turn: the scans spread over the machines.
        task_distribution: TaskDistributionPolicy::RoundRobin,
        executor_timeout_seconds: executor_timeout,
        expire_dead_executor_interval_seconds: HEARTBEAT_SECONDS,
        no_executors_grace_period_seconds: executor_timeout,
        // The REST API's plans list person ids: no page of another site may read them through a
        // browser (Ballista's default lets https://nightlies.apache.org and http://localhost:8080 do
        // so). The scheduler's own origin needs no permission, so no other is given one.
        cors_allowed_origins: format!("http://{address}"),
        ..SchedulerConfig::default()
    };
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| anyhow::anyhow!("cannot start the scheduler: {e}"))?;
    eprintln!(
        "Ballista scheduler {} on {address}: executors at http://{address}/api/executors, jobs at http://{address}/api/jobs",
        ballista_core::BALLISTA_VERSION
    );
    start_server(cluster, address, Arc::new(config))
        .await
        .map_err(|e| anyhow::anyhow!("the scheduler stopped: {e}"))?;
    Ok(Outcome::Success)
}
