//! Bounded, jittered retries (§5) and what a retry reads of an answer; bodies that may
//! carry a secret are wiped on drop.

use super::*;

/// Bounds on retrying. The defaults follow the Genesys SDKs (§5): honour `Retry-After` up to
/// 180 s, back off 0.5 s → 30 s with full jitter, and give up after `max_attempts` or when the
/// next wait would pass `max_total`.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
    pub max_retry_after: Duration,
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(180),
            max_total: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// Full-jitter exponential backoff for attempt `n` (0-based).
    pub fn backoff(&self, n: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32.checked_shl(n.min(16)).unwrap_or(u32::MAX));
        let ceiling = exp.min(self.cap);
        ceiling.mul_f64(0.5 + fastrand::f64() * 0.5)
    }

    /// Wait for a 429: the server's `Retry-After` plus up to 20 % jitter (so a crowd of
    /// clients does not return in lockstep), or backoff when the header is absent.
    /// `None` = the server asked for longer than we will wait.
    pub fn after_429(&self, retry_after: Option<u64>, n: u32) -> Option<Duration> {
        match retry_after {
            Some(s) if Duration::from_secs(s) > self.max_retry_after => None,
            Some(s) => {
                let d = Duration::from_secs(s);
                Some(
                    d + d.mul_f64(fastrand::f64() * 0.2)
                        + Duration::from_millis(fastrand::u64(0..100)),
                )
            }
            None => Some(self.backoff(n)),
        }
    }
}

/// One request's retry budget under a [`RetryPolicy`]: the attempt count and the time spent.
/// Both retry loops (API calls and the token endpoint) ask it when and how long to wait, so the
/// bounds and the rate-limit wording live once.
pub(super) struct Attempts<'p> {
    pub(super) policy: &'p RetryPolicy,
    pub(super) started: Instant,
    pub(super) n: u32,
}

impl<'p> Attempts<'p> {
    pub(super) fn new(policy: &'p RetryPolicy) -> Self {
        Attempts {
            policy,
            started: Instant::now(),
            n: 0,
        }
    }

    /// Another try fits: fewer than `max_attempts` and within `max_total` after `wait`.
    pub(super) fn fits(&self, wait: Duration) -> bool {
        self.n + 1 < self.policy.max_attempts
            && self.started.elapsed() + wait <= self.policy.max_total
    }

    /// The backoff before the next try, `None` when the budget is spent.
    pub(super) fn backoff(&self) -> Option<Duration> {
        let w = self.policy.backoff(self.n);
        self.fits(w).then_some(w)
    }

    /// The wait after a rate-limit answer, or why tfguard gives up (`still` names the state:
    /// "429", "rate limited").
    pub(super) fn rate_limited(
        &self,
        retry_after: Option<u64>,
        still: &str,
    ) -> Result<Duration, String> {
        let Some(w) = self.policy.after_429(retry_after, self.n) else {
            return Err(format!(
                "the server asked to wait {}s (Retry-After), more than the {}s tfguard waits",
                retry_after.unwrap_or_default(),
                self.policy.max_retry_after.as_secs()
            ));
        };
        if !self.fits(w) {
            return Err(format!(
                "still {still} after {} attempts over {}s",
                self.n + 1,
                self.started.elapsed().as_secs()
            ));
        }
        Ok(w)
    }
}

/// What both retry loops read of an answer: status, `Retry-After` (integer seconds), the
/// correlation id Genesys support asks for, and the body in a buffer wiped on drop.
pub(super) struct Answer {
    pub(super) status: StatusCode,
    pub(super) retry_after: Option<u64>,
    pub(super) correlation: Option<String>,
    pub(super) body: bytes_body::Body,
}

pub(super) async fn read_answer(r: reqwest::Response) -> Result<Answer, reqwest::Error> {
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    let correlation = header("inin-correlation-id");
    let status = r.status();
    let bytes = r.bytes().await?;
    Ok(Answer {
        status,
        retry_after,
        correlation,
        body: bytes_body::Body(bytes.to_vec()),
    })
}

/// Whether a retry of this request is safe after a lost response.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Idempotent {
    Yes,
    No,
}

pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) body: bytes_body::Body,
    pub(super) correlation: Option<String>,
}

/// Response bodies that may carry a secret are zeroised when dropped.
pub(super) mod bytes_body {
    use zeroize::Zeroize;

    pub struct Body(pub Vec<u8>);

    impl Drop for Body {
        fn drop(&mut self) {
            self.0.zeroize();
        }
    }
}
