//! Custom roles at home in a management group over HTTP, on SQLite and PostgreSQL: the Azure CLI's
//! `role definition create/list/delete` with the group as assignable scope, `role assignment create
//! --scope` the group with the custom role, and a principal so assigned acting in a subscription below.

use crate::management_groups::ci_admin_and_owner;
use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_cli_custom_roles_at_management_groups() {
    for store in both().await {
        let srv = ci_admin_and_owner(&store).await;
        run_az_script(&srv, "group_roles_cli.py", &[]);
        assert_memory_matches_database(&srv.svc).await;
    }
}
