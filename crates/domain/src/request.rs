//! The life of a request: submitted (ส่งคำร้อง) → received (เจ้าหน้าที่รับเรื่อง) → in progress
//! (กำลังดำเนินการ) → completed (ดำเนินการสำเร็จ); rejected, with a reason, from any open state.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Submitted,
    Received,
    InProgress,
    Completed,
    Rejected,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a request cannot go from {from} to {to}")]
    NotAllowed { from: Status, to: Status },
    #[error("a rejection needs a reason the citizen can read")]
    ReasonRequired,
}

impl Status {
    pub const ALL: [Status; 5] = [Self::Submitted, Self::Received, Self::InProgress, Self::Completed, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Received => "received",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The message-catalogue key of the status's name (`request.status.submitted` …).
    pub fn message_key(self) -> &'static str {
        match self {
            Self::Submitted => "request.status.submitted",
            Self::Received => "request.status.received",
            Self::InProgress => "request.status.in_progress",
            Self::Completed => "request.status.completed",
            Self::Rejected => "request.status.rejected",
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, Self::Completed | Self::Rejected)
    }

    /// Checks a status change; `reason` is required (non-blank) for a rejection.
    pub fn transition(self, to: Status, reason: Option<&str>) -> Result<Status, TransitionError> {
        let allowed = match (self, to) {
            (Self::Submitted, Self::Received) | (Self::Received, Self::InProgress) | (Self::InProgress, Self::Completed) => true,
            (from, Self::Rejected) => from.is_open(),
            _ => false,
        };
        if !allowed {
            return Err(TransitionError::NotAllowed { from: self, to });
        }
        if to == Self::Rejected && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(TransitionError::ReasonRequired);
        }
        Ok(to)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `DEMO-2569-000123`: tenant prefix, Buddhist year, sequence within the tenant and year.
pub fn reference(prefix: &str, buddhist_year: i32, sequence: i64) -> String {
    format!("{}-{buddhist_year}-{sequence:06}", prefix.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    #[test]
    fn the_happy_path_moves_one_step_at_a_time() {
        assert_eq!(Submitted.transition(Received, None), Ok(Received));
        assert_eq!(Received.transition(InProgress, None), Ok(InProgress));
        assert_eq!(InProgress.transition(Completed, None), Ok(Completed));
        assert!(Submitted.transition(Completed, None).is_err());
        assert!(Completed.transition(InProgress, None).is_err());
    }

    #[test]
    fn rejection_needs_an_open_request_and_a_reason() {
        for from in [Submitted, Received, InProgress] {
            assert_eq!(from.transition(Rejected, Some("เอกสารไม่ครบ")), Ok(Rejected));
            assert_eq!(from.transition(Rejected, Some("  ")), Err(TransitionError::ReasonRequired));
        }
        assert!(matches!(Completed.transition(Rejected, Some("x")), Err(TransitionError::NotAllowed { .. })));
        assert!(matches!(Rejected.transition(Rejected, Some("x")), Err(TransitionError::NotAllowed { .. })));
    }

    #[test]
    fn statuses_round_trip_and_references_are_padded() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(reference("demo", 2569, 123), "DEMO-2569-000123");
    }
}
