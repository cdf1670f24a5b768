//! Reading and moving requests. (Being built.)
