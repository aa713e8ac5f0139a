//! What several rules share: the secret-flow wording (TFG010–TFG014) and the OAuth client
//! rule plumbing (TFG020–TFG049), the meta rules' dispatch (TFG900–TFG902). Rule-specific words stay in each rule's file.

pub(crate) mod client;
pub(crate) mod flow;
pub(crate) mod suppression;
