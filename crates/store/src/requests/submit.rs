//! Writing a submission. (Being built.)
