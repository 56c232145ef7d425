//! Which vendor API a call goes to: [`Api`] is generated from the contract's tags
//! (`sdk/src/generated_facade.rs`); a new vendor folder adds a variant with `cargo regen`.

use std::fmt;

pub use crate::facade::Api;

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
