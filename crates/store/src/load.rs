//! Reading partitions into a [`World`]: all of them at start, one at a time when another instance
//! changed it. Each partition is built exactly as the domain keeps it and handed to the world's
//! `replace_*`, which rebuilds the indexes.

use crate::access::AssignmentRuns;
use crate::error::StoreResult;
use crate::{accounts, subscriptions, tenants};
use sqlx::AnyConnection;
use tenantry_domain::{Partition, World};

/// What a load reports as it goes: the phase, and how many of its rows were read so far (told every
/// [`REPORT_EVERY`] rows of the large tables, and once at the end of each phase).
pub type Progress<'a> = &'a mut (dyn FnMut(&'static str, u64) + Send);

/// Rows between two reports.
pub(crate) const REPORT_EVERY: u64 = 100_000;

/// Counts the rows of a phase, reporting every [`REPORT_EVERY`].
pub(crate) struct Tally<'a> {
    phase: &'static str,
    rows: u64,
    progress: Progress<'a>,
}

impl<'a> Tally<'a> {
    pub(crate) fn new(phase: &'static str, progress: Progress<'a>) -> Self {
        Self {
            phase,
            rows: 0,
            progress,
        }
    }
    pub(crate) fn row(&mut self) {
        self.rows += 1;
        if self.rows.is_multiple_of(REPORT_EVERY) {
            (self.progress)(self.phase, self.rows);
        }
    }
    pub(crate) fn done(self) {
        (self.progress)(self.phase, self.rows);
    }
}

/// The whole world from `conn`'s snapshot; its role assignments from `beside` when given (see
/// [`crate::access::read_role_assignments_beside`]).
pub(crate) async fn world(
    conn: &mut AnyConnection,
    beside: Option<AssignmentRuns>,
    progress: Progress<'_>,
) -> StoreResult<World> {
    let mut world = World::new();
    let accounts = accounts::load(conn, None).await?;
    progress("personal accounts", accounts.len() as u64);
    for a in accounts {
        world.replace_account(a.id, Some(a));
    }
    let tenants = tenants::load_parts(conn, None, &mut *progress).await?;
    for (id, part) in tenants {
        world.replace_tenant(id, Some(part));
    }
    progress("directory indexes", 0);
    let subscriptions = subscriptions::load_parts(conn, None, beside, &mut *progress).await?;
    for (id, part) in subscriptions {
        world.replace_subscription(id, Some(part));
    }
    progress("subscription indexes", 0);
    Ok(world)
}

/// Replaces `p` in `world` with what the database holds (removes it when it is gone).
pub(crate) async fn partition(
    conn: &mut AnyConnection,
    p: Partition,
    world: &mut World,
) -> StoreResult<()> {
    match p {
        Partition::Account(id) => {
            let account = accounts::load(conn, Some(id)).await?.pop();
            world.replace_account(id, account);
        }
        Partition::Tenant(id) => {
            let part = tenants::load_parts(conn, Some(id), &mut |_, _| {})
                .await?
                .remove(&id);
            world.replace_tenant(id, part);
        }
        Partition::Subscription(id) => {
            let part = subscriptions::load_parts(conn, Some(id), None, &mut |_, _| {})
                .await?
                .remove(&id);
            world.replace_subscription(id, part);
        }
    }
    Ok(())
}
