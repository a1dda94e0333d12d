//! Reading partitions into a [`World`]: all of them at start, one at a time when another instance
//! changed it. Each partition is built exactly as the domain keeps it and handed to the world's
//! `replace_*`, which rebuilds the indexes.

use crate::error::StoreResult;
use crate::{accounts, subscriptions, tenants};
use sqlx::AnyConnection;
use tenantry_domain::{Partition, World};

pub(crate) async fn world(conn: &mut AnyConnection) -> StoreResult<World> {
    let mut world = World::new();
    for a in accounts::load(conn, None).await? {
        world.replace_account(a.id, Some(a));
    }
    for (id, part) in tenants::load_parts(conn, None).await? {
        world.replace_tenant(id, Some(part));
    }
    for (id, part) in subscriptions::load_parts(conn, None).await? {
        world.replace_subscription(id, Some(part));
    }
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
            let part = tenants::load_parts(conn, Some(id)).await?.remove(&id);
            world.replace_tenant(id, part);
        }
        Partition::Subscription(id) => {
            let part = subscriptions::load_parts(conn, Some(id)).await?.remove(&id);
            world.replace_subscription(id, part);
        }
    }
    Ok(())
}
