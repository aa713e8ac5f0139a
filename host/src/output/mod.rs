//! Renderers, one per format.

pub mod human;
