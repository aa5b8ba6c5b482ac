//! A cooperative time limit for plugin calls.
//!
//! The host can abandon a plugin call that runs past its time limit, but a thread cannot be
//! stopped from outside: an abandoned call would keep a core busy until it ends. So the
//! [`Chain`](crate::Chain), when it is given a time limit, sets a deadline for the thread
//! before each plugin call and clears it after; a plugin's long loops ask [`expired`] (or
//! tick a [`Ticker`]) now and then and give up with the error of [`check`] once it has
//! passed. Outside a chain with a time limit nothing ever expires.
//!
//! The deadline lives in this crate's thread-local state, so only plugins linked into the
//! host (the built-in ones) see it; a native library has its own copy of this crate and is
//! abandoned at the limit as before.
//!
//! ```
//! use docnorm_plugin_api::PluginError;
//! use docnorm_plugin_api::deadline::Ticker;
//!
//! fn count_words(text: &str) -> Result<usize, PluginError> {
//!     let mut ticker = Ticker::default();
//!     let mut words = 0;
//!     for _word in text.split_whitespace() {
//!         ticker.tick()?;
//!         words += 1;
//!     }
//!     Ok(words)
//! }
//! assert_eq!(count_words("no deadline is set here").unwrap(), 5);
//! ```

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::error::PluginError;

thread_local! {
    /// When the current plugin call must end, and the limit it was given (for the message).
    static DEADLINE: Cell<Option<(Instant, Duration)>> = const { Cell::new(None) };
}

/// Whether the current plugin call has run past its time limit. Costs a thread-local read,
/// plus a clock read while a deadline is set.
pub fn expired() -> bool {
    DEADLINE
        .with(Cell::get)
        .is_some_and(|(at, _)| Instant::now() >= at)
}

/// `Err` naming the time limit once the current plugin call has run past it.
pub fn check() -> Result<(), PluginError> {
    match DEADLINE.with(Cell::get) {
        Some((at, limit)) if Instant::now() >= at => Err(PluginError::Limit(format!(
            "the plugin call ran past its time limit of {} ms and was stopped",
            limit.as_millis()
        ))),
        _ => Ok(()),
    }
}

/// Counts the iterations of a loop and checks the deadline every [`Ticker::EVERY`] of them,
/// so that a loop over millions of small items pays next to nothing for it.
#[derive(Debug, Default)]
pub struct Ticker {
    count: u32,
}

impl Ticker {
    /// How many ticks pass between two checks.
    pub const EVERY: u32 = 1024;

    /// Counts one iteration; every [`Self::EVERY`]th returns the error of [`check`] once the
    /// deadline has passed.
    pub fn tick(&mut self) -> Result<(), PluginError> {
        self.count = self.count.wrapping_add(1);
        if self.count.is_multiple_of(Self::EVERY) {
            check()
        } else {
            Ok(())
        }
    }

    /// Like [`tick`](Self::tick), as a yes or no for loops that cannot return an error.
    pub fn expired(&mut self) -> bool {
        self.tick().is_err()
    }
}

/// Sets the deadline of the current thread to `limit` from now until the guard is dropped
/// (also when the plugin panics). Without a limit nothing is set.
pub(crate) fn enter(limit: Option<Duration>) -> Guard {
    let previous = DEADLINE.with(Cell::get);
    if let Some(limit) = limit {
        let at = Instant::now().checked_add(limit);
        DEADLINE.with(|d| d.set(at.map(|at| (at, limit))));
    }
    Guard { previous }
}

/// Restores the deadline that was set before [`enter`].
pub(crate) struct Guard {
    previous: Option<(Instant, Duration)>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.previous));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_expires_without_a_deadline() {
        assert!(!expired());
        assert!(check().is_ok());
    }

    #[test]
    fn a_deadline_expires_and_is_cleared_by_its_guard() {
        {
            let _guard = enter(Some(Duration::ZERO));
            assert!(expired());
            let err = check().unwrap_err().to_string();
            assert!(err.contains("time limit of 0 ms"), "{err}");
        }
        assert!(!expired());
        let _guard = enter(Some(Duration::from_secs(3600)));
        assert!(!expired());
    }

    #[test]
    fn a_ticker_checks_every_so_often() {
        let _guard = enter(Some(Duration::ZERO));
        let mut ticker = Ticker::default();
        let first_error = (1..=2 * Ticker::EVERY).find(|_| ticker.tick().is_err());
        assert_eq!(first_error, Some(Ticker::EVERY));
    }
}
