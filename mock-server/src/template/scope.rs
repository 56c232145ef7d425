//! What a template is evaluated against: the roots a request binds (path, query, body, the caller, the
//! entities loaded so far), and scopes layered over others.

use serde_json::{Map, Value};

/// What expressions read: named roots (`path`, `body`, `account`, …) and the ids of named entities.
pub(crate) trait Scope {
    /// The value bound to `root`.
    fn root(&self, root: &str) -> Option<&Value>;
    /// The id (or ids) of the entity bound to `root`, for `root.$id`.
    fn id(&self, root: &str) -> Option<Value>;
}

impl Scope for Map<String, Value> {
    fn root(&self, root: &str) -> Option<&Value> {
        self.get(root)
    }
    fn id(&self, _root: &str) -> Option<Value> {
        None
    }
}

/// A scope over another, with a few more roots (an item of `$each`, the id being created).
pub(crate) struct Layered<'a> {
    /// Roots that shadow the base's.
    pub(crate) top: &'a Map<String, Value>,
    /// Everything else.
    pub(crate) base: &'a dyn Scope,
}

impl Scope for Layered<'_> {
    fn root(&self, root: &str) -> Option<&Value> {
        self.top.get(root).or_else(|| self.base.root(root))
    }
    fn id(&self, root: &str) -> Option<Value> {
        self.base.id(root)
    }
}

/// A scope whose bound values an answer may take instead of copying (the last use of a large list).
pub(crate) trait Owned: Scope {
    /// The value bound to `root`, to take parts of; `None` for values the scope does not own.
    fn bound_mut(&mut self, root: &str) -> Option<&mut Value>;
}
