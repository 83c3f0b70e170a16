//! Go's behaviour where KEDA's verdicts (or an Azure SDK's requests) depend on it: exact
//! grammars and error wording. Kept together and out of the documented API: the other
//! crates of the workspace use them so that no second copy drifts.

pub mod json;
pub mod strconv;
pub mod time;
pub mod url;
