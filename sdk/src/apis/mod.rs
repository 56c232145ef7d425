//! Calls grouped per vendor API; each delegates to the generated client.

mod es_loyalty;
mod magicline;
mod masstack;
mod paysafe;

pub use es_loyalty::EsLoyalty;
pub use magicline::Magicline;
pub use masstack::Masstack;
pub use paysafe::Paysafe;
