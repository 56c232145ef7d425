//! The names a template's expressions may reference, checked when the declaration compiles.

use std::collections::BTreeSet;

/// Names an expression may reference, so that a typo is a start-up error rather than a silent absence.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    bound: BTreeSet<String>,
    /// Open scopes accept any root (error templates, where the context is the problem).
    open: bool,
}

impl Names {
    /// A scope that knows these roots.
    pub(crate) fn of<I: IntoIterator<Item = S>, S: Into<String>>(roots: I) -> Names {
        Names {
            bound: roots.into_iter().map(Into::into).collect(),
            open: false,
        }
    }

    /// A scope that accepts any root.
    pub(crate) fn open() -> Names {
        Names {
            bound: BTreeSet::new(),
            open: true,
        }
    }

    /// Adds a root.
    pub(crate) fn bind(&mut self, root: impl Into<String>) {
        self.bound.insert(root.into());
    }

    /// This scope with more roots.
    pub(crate) fn with<I: IntoIterator<Item = S>, S: Into<String>>(&self, roots: I) -> Names {
        let mut names = self.clone();
        names.bound.extend(roots.into_iter().map(Into::into));
        names
    }

    pub(super) fn check(&self, root: &str) -> Result<(), String> {
        if self.open || self.bound.contains(root) {
            Ok(())
        } else {
            Err(format!(
                "unknown name `{root}` (known here: {})",
                self.bound.iter().cloned().collect::<Vec<_>>().join(", ")
            ))
        }
    }
}
