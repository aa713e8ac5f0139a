//! One module per subcommand.

pub mod apply;
pub mod check;
pub mod destroy;
pub mod fix;
pub mod plan;
pub mod rotate;
pub mod rules;
pub mod shell;
pub mod token;
