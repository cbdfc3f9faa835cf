//! CPU time spent by the whole machine and by the server over a stretch of a
//! scenario (Linux `/proc`): when every core was busy, a burst's latency is
//! its queue for the CPU, and CPU per request is what can bring it down.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};

/// `/proc`'s clock ticks per second (`getconf CLK_TCK`; 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// A reading to compare a later one with.
pub struct CpuClock {
    at: Instant,
    machine_busy: u64,
    server: u64,
    server_pid: u32,
}

/// What was spent between two readings.
pub struct CpuSpent {
    pub wall: Duration,
    /// CPU seconds of every process on the machine.
    pub machine: f64,
    /// CPU seconds of the server process.
    pub server: f64,
}

impl CpuClock {
    pub fn start(server_pid: u32) -> Result<Self> {
        Ok(CpuClock {
            at: Instant::now(),
            machine_busy: machine_busy_ticks()?,
            server: process_ticks(server_pid)?,
            server_pid,
        })
    }

    pub fn spent(&self) -> Result<CpuSpent> {
        let wall = self.at.elapsed();
        Ok(CpuSpent {
            wall,
            machine: (machine_busy_ticks()? - self.machine_busy) as f64 / TICKS_PER_SECOND,
            server: (process_ticks(self.server_pid)? - self.server) as f64 / TICKS_PER_SECOND,
        })
    }
}

impl CpuSpent {
    /// How busy the machine's cores were, 0–100 %.
    pub fn machine_load(&self, cores: usize) -> f64 {
        100.0 * self.machine / (self.wall.as_secs_f64() * cores as f64)
    }

    /// "machine 97 % of 2 cores for 340 ms; per send 6.6 ms CPU (server 2.1 ms)".
    pub fn per(&self, n: usize, what: &str) -> String {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        format!(
            "machine {:.0} % of {cores} cores for {:.0} ms; per {what} {:.2} ms CPU (server \
             {:.2} ms)",
            self.machine_load(cores),
            self.wall.as_secs_f64() * 1000.0,
            1000.0 * self.machine / n as f64,
            1000.0 * self.server / n as f64,
        )
    }
}

/// Ticks every core spent not idle since boot (`/proc/stat`'s `cpu` line:
/// all fields but idle and iowait).
fn machine_busy_ticks() -> Result<u64> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let fields: Vec<u64> = stat
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("cpu "))
        .ok_or_else(|| anyhow!("no cpu line in /proc/stat"))?
        .split_whitespace()
        .take(8)
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let (idle, iowait) = (fields[3], fields[4]);
    Ok(fields.iter().sum::<u64>() - idle - iowait)
}

/// User plus system ticks of a process (`/proc/PID/stat` fields 14 and 15,
/// counted after the command's closing parenthesis).
fn process_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_name = stat
        .rsplit_once(')')
        .ok_or_else(|| anyhow!("odd /proc/{pid}/stat"))?
        .1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After ")": state is field 3, so utime (14) and stime (15) are at 11 and 12.
    let ticks = |i: usize| -> Result<u64> {
        fields
            .get(i)
            .ok_or_else(|| anyhow!("short /proc/{pid}/stat"))?
            .parse()
            .map_err(Into::into)
    };
    Ok(ticks(11)? + ticks(12)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process_and_the_machine() {
        let clock = CpuClock::start(std::process::id()).unwrap();
        // Spin until this process has used 0.3 s of CPU (however busy the
        // machine is), or give up after 20 s.
        let give_up = Instant::now() + Duration::from_secs(20);
        let mut spin = 0u64;
        while clock.spent().unwrap().server < 0.3 && Instant::now() < give_up {
            for _ in 0..100_000 {
                spin = std::hint::black_box(spin.wrapping_add(1));
            }
        }
        let spent = clock.spent().unwrap();
        assert!(spent.server >= 0.3, "process {}", spent.server);
        // The machine's count includes this process (ticks are 10 ms).
        assert!(
            spent.machine >= spent.server - 0.02,
            "{} < {}",
            spent.machine,
            spent.server
        );
        assert!(spent.wall >= Duration::from_millis(150), "{:?}", spent.wall);
        let shown = spent.per(1, "spin");
        assert!(shown.starts_with("machine "), "{shown}");
    }
}
