//! One module per subcommand.

pub mod check;
pub mod rules;
pub mod apply;
pub mod destroy;
pub mod plan;
pub mod rotate;
pub mod token;
