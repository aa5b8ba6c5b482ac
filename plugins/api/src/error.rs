//! Errors of plugins and of the chain that runs them.

/// What a plugin reports when it cannot handle a document it claimed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PluginError {
    /// The document is of the plugin's kind but broken, e.g. unterminated front matter.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The document exceeds a limit the plugin enforces (size, depth, alias expansion).
    #[error("limit exceeded: {0}")]
    Limit(String),
    /// Anything else.
    #[error("{0}")]
    Other(String),
    /// The process running the plugin failed while handling the document: it died, hung past
    /// the time limit or broke the protocol. It was replaced, so another attempt may work.
    #[error("{0}")]
    Crashed(String),
}

/// Why the chain could not produce a record for a document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// A plugin failed on the document.
    #[error("{path}: plugin {plugin}: {source}")]
    Plugin {
        /// The document's path.
        path: String,
        /// The failing plugin's name.
        plugin: String,
        /// What the plugin reported.
        source: PluginError,
    },
    /// A plugin's patch broke the contract: an undeclared field or a value of the wrong type.
    #[error("{path}: plugin {plugin}: rejected patch: {reason}")]
    Patch {
        /// The document's path.
        path: String,
        /// The offending plugin's name.
        plugin: String,
        /// What was wrong with the patch.
        reason: String,
    },
    /// No plugin recognised the document, so nothing gave it a body.
    #[error("{path}: no plugin recognised the document (sniffed as {format})")]
    Unclaimed {
        /// The document's path.
        path: String,
        /// What the document was sniffed as.
        format: String,
    },
    /// A chain was built with an invalid manifest.
    #[error("plugin {plugin}: {reason}")]
    Manifest {
        /// The plugin's name.
        plugin: String,
        /// What is wrong with its manifest.
        reason: String,
    },
}

impl ChainError {
    /// The plugin the error is about, if one was involved.
    pub fn plugin(&self) -> Option<&str> {
        match self {
            Self::Plugin { plugin, .. }
            | Self::Patch { plugin, .. }
            | Self::Manifest { plugin, .. } => Some(plugin),
            Self::Unclaimed { .. } => None,
        }
    }
}

/// The text of a caught panic (the payload of `std::panic::catch_unwind`'s error): the
/// message a `panic!` carried, or `unknown panic` for a payload that is not text.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages_are_the_text_panicked_with() {
        let caught = |f: fn()| std::panic::catch_unwind(f).unwrap_err();
        assert_eq!(panic_message(&*caught(|| panic!("plain"))), "plain");
        assert_eq!(
            panic_message(&*caught(|| panic!("formatted {}", 1 + 2))),
            "formatted 3"
        );
        assert_eq!(
            panic_message(&*caught(|| std::panic::panic_any(7_u8))),
            "unknown panic"
        );
    }
}
