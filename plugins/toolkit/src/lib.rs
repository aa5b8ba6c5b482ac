//! The low-level tools the built-in plugins share, so that each exists once.
//!
//! What belongs here: a tool two plugins need and that knows nothing of records or of any
//! plugin's rules: reading and writing dates by the one date policy ([`dates`]), character
//! classes ([`chars`]), word tables with typed flags ([`words`], [`flags!`]) and hashing
//! ([`hash`]).
//! What does not: record types and patches (the plugin API crate owns them), and the
//! heuristics that decide what a document says (each plugin owns its own).
//!
//! ```
//! use docnorm_toolkit::dates::{self, Normalized};
//!
//! // Whatever plugin reads it, a value gives the same date.
//! let read = dates::normalize("Mar. 4, 2021 at 9:05 a.m.");
//! assert_eq!(read.text().as_deref(), Some("2021-03-04T09:05:00"));
//! let found = dates::find("Updated 2:15 PM GMT, April 9, 2022").unwrap();
//! assert_eq!(found.value.to_string(), "2022-04-09T14:15:00Z");
//! assert_eq!(dates::normalize("2021-02-30"), Normalized::Impossible);
//! ```

pub mod chars;
pub mod dates;
mod flags;
pub mod hash;
pub mod words;
