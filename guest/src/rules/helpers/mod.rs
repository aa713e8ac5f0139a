//! What several rules share: the context and the sink every rule gets, the secret-flow
//! wording (TFG010–TFG014), the OAuth client rule plumbing (TFG020–TFG049) and the meta rules'
//! dispatch (TFG900–TFG902). Rule-specific words stay in each rule's file.

pub(crate) mod client;
pub mod context;
pub(crate) mod flow;
pub mod sink;
pub(crate) mod suppression;
