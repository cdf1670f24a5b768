//! The dashboard: requests by status and category, identities waiting, and how long completed
//! requests took (the median in working days over 30 and 90 days), within the staff reach.

use std::collections::BTreeMap;

use access::authz::{Granted, ViewQueues};
use chrono::{DateTime, Duration, Utc};
use domain::locale::thai_date;
use domain::working_days::Calendar;
use sea_orm::DbErr;
use uuid::Uuid;

use super::reach_items;
use crate::App;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dashboard {
    /// (category id, status) → count.
    pub by_category_status: BTreeMap<(Uuid, String), i64>,
    pub by_status: BTreeMap<String, i64>,
    pub identities_waiting: u64,
    /// Median working days from submission to completion, over the last 30 and 90 days.
    pub median_days_30: Option<f64>,
    pub median_days_90: Option<f64>,
    pub completed_30: usize,
    pub completed_90: usize,
}


fn median(mut values: Vec<i64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 0 { (values[mid - 1] + values[mid]) as f64 / 2.0 } else { values[mid] as f64 })
}

/// The dashboard; working days are counted with the tenant's `calendar`.
pub async fn load(app: &App, granted: &Granted<ViewQueues>, calendar: &Calendar, now: DateTime<Utc>) -> Result<Dashboard, DbErr> {
    let scope = granted.scope();
    let reach = reach_items(&app.db, scope, granted.reach()).await?;
    let categories: BTreeMap<Uuid, Uuid> = store::services::item_categories(&app.db, scope).await?.into_iter().collect();
    let mut board = Dashboard::default();
    for (status, item, n) in store::requests::process::count_by_status(&app.db, scope, reach.as_deref()).await? {
        *board.by_status.entry(status.clone()).or_default() += n;
        if let Some(category) = categories.get(&item) {
            *board.by_category_status.entry((*category, status)).or_default() += n;
        }
    }
    board.identities_waiting = store::citizens::identities_waiting(&app.db, scope).await?;
    let completed = store::requests::process::completed_since(&app.db, scope, reach.as_deref(), now - Duration::days(90)).await?;
    let took = |since: DateTime<Utc>| -> Vec<i64> {
        completed
            .iter()
            .filter(|(_, _, done)| *done >= since)
            .map(|(_, submitted, done)| calendar.working_days_between(thai_date(*submitted), thai_date(*done)))
            .collect()
    };
    let (last_30, last_90) = (took(now - Duration::days(30)), took(now - Duration::days(90)));
    board.completed_30 = last_30.len();
    board.completed_90 = last_90.len();
    board.median_days_30 = median(last_30);
    board.median_days_90 = median(last_90);
    Ok(board)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3.0));
        assert_eq!(median(vec![4, 1, 2, 3]), Some(2.5));
    }
}
