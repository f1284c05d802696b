//! Virtual time for the AWS SDK: a sleep implementation and a time source driven by a clock of
//! their own, so that a client's real retry backoff and timeouts run in a test without waiting
//! and without measuring wall-clock time.
//!
//! Give the clock to the SDK configuration (`sleep_impl` and `time_source`) and run the calls
//! inside [`VirtualClock::run`]: whenever the calls can make no progress without time passing,
//! the clock jumps to the earliest pending sleep and wakes it. The calls must not wait on real
//! I/O (answer them in process: `aws_smithy_mocks`, or [`crate::net::stalled_http_client`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

use aws_sdk_ec2::config::{AsyncSleep, Sleep};
use aws_smithy_async::time::TimeSource;

/// Polls of the driven future (with a yield to the runtime between them) after which it is
/// taken to be waiting for time to pass.
const IDLE_POLLS: usize = 20;

/// A clock that only moves when everything run on it waits for a sleep.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    state: Arc<Mutex<State>>,
}

#[derive(Debug)]
struct State {
    start: SystemTime,
    elapsed: Duration,
    next_id: u64,
    sleepers: BTreeMap<u64, Sleeper>,
}

#[derive(Debug)]
struct Sleeper {
    wake_at: Duration,
    waker: Option<Waker>,
}

impl Default for VirtualClock {
    fn default() -> Self {
        VirtualClock::new()
    }
}

impl VirtualClock {
    /// A clock reading the current wall-clock time, then moving only by virtual sleeps.
    pub fn new() -> VirtualClock {
        VirtualClock {
            state: Arc::new(Mutex::new(State {
                start: SystemTime::now(),
                elapsed: Duration::ZERO,
                next_id: 0,
                sleepers: BTreeMap::new(),
            })),
        }
    }

    /// The clock's current time (its [`TimeSource`] reading): deadlines of a test on virtual
    /// time are computed from it.
    pub fn time(&self) -> SystemTime {
        TimeSource::now(self)
    }

    /// Virtual time passed since the clock was made.
    pub fn elapsed(&self) -> Duration {
        self.lock().elapsed
    }

    /// Runs `future` to completion on virtual time.
    ///
    /// # Panics
    /// When the future is pending with no sleep to wake (it waits on something else).
    pub async fn run<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        loop {
            for _ in 0..IDLE_POLLS {
                let polled = std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await;
                if let Poll::Ready(output) = polled {
                    return output;
                }
                tokio::task::yield_now().await;
            }
            assert!(
                self.advance(),
                "the future waits on something other than virtual time (real I/O?)"
            );
        }
    }

    /// Moves the clock to the earliest pending sleep and wakes every sleep then due; false
    /// when nothing sleeps.
    fn advance(&self) -> bool {
        let mut state = self.lock();
        let Some(next) = state.sleepers.values().map(|s| s.wake_at).min() else {
            return false;
        };
        state.elapsed = state.elapsed.max(next);
        let now = state.elapsed;
        for sleeper in state.sleepers.values_mut() {
            if sleeper.wake_at <= now {
                if let Some(waker) = sleeper.waker.take() {
                    waker.wake();
                }
            }
        }
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock is a failed test already; keep its state readable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl AsyncSleep for VirtualClock {
    fn sleep(&self, duration: Duration) -> Sleep {
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        let wake_at = state.elapsed + duration;
        state.sleepers.insert(
            id,
            Sleeper {
                wake_at,
                waker: None,
            },
        );
        Sleep::new(VirtualSleep {
            clock: self.clone(),
            id,
            wake_at,
        })
    }
}

impl TimeSource for VirtualClock {
    fn now(&self) -> SystemTime {
        let state = self.lock();
        state.start + state.elapsed
    }
}

/// One sleep on the virtual clock; unregisters itself when dropped (a timeout that did not
/// fire).
struct VirtualSleep {
    clock: VirtualClock,
    id: u64,
    wake_at: Duration,
}

impl Future for VirtualSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.clock.lock();
        if state.elapsed >= self.wake_at {
            state.sleepers.remove(&self.id);
            return Poll::Ready(());
        }
        if let Some(sleeper) = state.sleepers.get_mut(&self.id) {
            sleeper.waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl Drop for VirtualSleep {
    fn drop(&mut self) {
        self.clock.lock().sleepers.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sleeps_end_in_order_of_virtual_time() {
        let clock = VirtualClock::new();
        let (short, long) = (
            clock.sleep(Duration::from_secs(1)),
            clock.sleep(Duration::from_secs(5)),
        );
        let order = clock
            .run(async {
                tokio::select! {
                    _ = long => "long",
                    _ = short => "short",
                }
            })
            .await;
        assert_eq!(order, "short");
        assert_eq!(clock.elapsed(), Duration::from_secs(1));
        clock.run(clock.sleep(Duration::from_secs(2))).await;
        assert_eq!(clock.elapsed(), Duration::from_secs(3));
        let started = clock.now();
        assert_eq!(started, clock.lock().start + Duration::from_secs(3));
    }
}
