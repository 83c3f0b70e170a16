//! Azure DevOps at `dev.azure.localhost:<port>/<organization>`: agent pools
//! (`_apis/distributedtask/pools`, by `poolName` or all) and a pool's job requests
//! (`pools/<id>/jobrequests`, `$top`, `completedRequestCount=0`), for a personal access token
//! of the organization (Basic, any user) or a bearer token this stand-in issued for Azure
//! DevOps to a member. Without a credential it answers as the service does: 203 and the
//! sign-in page.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use serde_json::{json, Value};

use crate::server::{percent_decode, Answer};
use crate::state::State;
use crate::Shared;

const JSON: &str = "application/json; charset=utf-8";
/// The host every organization is under (`dev.azure.com` in Azure).
pub const HOST: &str = "dev.azure.localhost";
/// Azure DevOps' resource (the audience of tokens for `<it>/.default`).
pub const AUDIENCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";

#[derive(Default)]
pub struct Pool {
    pub name: String,
    /// Job requests, newest first (as the service lists them).
    pub jobs: Vec<Value>,
}

#[derive(Default)]
pub struct Organization {
    pub pats: BTreeSet<String>,
    /// Application (client) ids that are members of the organization.
    pub members: BTreeSet<String>,
    pub pools: BTreeMap<i64, Pool>,
}

pub fn is_devops(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    name.eq_ignore_ascii_case(HOST)
}

/// The service's error body (`{"$id", "innerException", "message", "typeName", "typeKey", ...}`).
pub fn error(status: u16, type_key: &str, message: &str) -> Answer {
    let body = json!({
        "$id": "1",
        "innerException": null,
        "message": message,
        "typeName": format!("Microsoft.TeamFoundation.DistributedTask.WebApi.{type_key}, Microsoft.TeamFoundation.DistributedTask.WebApi"),
        "typeKey": type_key,
        "errorCode": 0,
        "eventId": 3000,
    });
    Answer::new(status, JSON, body.to_string())
}

/// An injected fault, in Azure DevOps' words.
pub fn fault(status: u16) -> Answer {
    match status {
        429 => error(
            429,
            "RequestBlockedException",
            "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'Concurrency' in namespace 'User'.",
        ),
        500 => error(
            500,
            "VssServiceException",
            "TF246017: Azure DevOps Services could not connect to the database.",
        ),
        _ => error(status, "InjectedFault", "Injected fault."),
    }
}

fn sign_in_page() -> Answer {
    Answer::new(
        203,
        "text/html; charset=utf-8",
        "<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head><body></body></html>".to_owned(),
    )
}

/// The caller's access to `org`: `None` answers 203 (anonymous), `Some(false)` 401.
fn authorized(state: &State, org: &Organization, authorization: &str) -> Option<bool> {
    if let Some(basic) = authorization.strip_prefix("Basic ") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(basic.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        let pat = decoded.split_once(':').map_or("", |(_, p)| p);
        return Some(org.pats.contains(pat));
    }
    authorization.strip_prefix("Bearer ")?;
    let member = state
        .bearer_client(authorization, AUDIENCE)
        .is_some_and(|client| org.members.contains(&client));
    Some(member)
}

fn pool_json(id: i64, pool: &Pool) -> Value {
    json!({
        "createdOn": "2024-01-01T00:00:00.000Z", "autoProvision": false, "autoUpdate": true,
        "autoSize": true, "targetSize": null, "agentCloudId": null,
        "id": id, "scope": "00000000-0000-0000-0000-000000000001", "name": pool.name,
        "isHosted": false, "poolType": "automation", "size": 0, "isLegacy": false, "options": "none",
    })
}

fn list(values: Vec<Value>) -> Answer {
    Answer::new(
        200,
        JSON,
        json!({"count": values.len(), "value": values}).to_string(),
    )
}

pub fn get(shared: &Shared, path: &str, query: &str, authorization: &str) -> Answer {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let org_name = percent_decode(parts.next().unwrap_or(""));
    let rest = parts.next().unwrap_or("");
    let params: BTreeMap<String, String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(&v.replace('+', " ")))
        })
        .collect();
    let state = shared.state();
    let Some(org) = state.devops.get(&org_name) else {
        return error(
            404,
            "OrganizationNotFoundException",
            &format!("TF400813: The organization '{org_name}' was not found."),
        );
    };
    match authorized(&state, org, authorization) {
        None => return sign_in_page(),
        Some(false) => {
            return Answer::new(
                401,
                "text/html; charset=utf-8",
                "<html><body>Access Denied: The Personal Access Token used has expired or is not valid.</body></html>".to_owned(),
            )
        }
        Some(true) => {}
    }
    let segments: Vec<&str> = rest.split('/').collect();
    match segments.as_slice() {
        ["_apis", "distributedtask", "pools"] => {
            let pools = org
                .pools
                .iter()
                .filter(|(_, p)| params.get("poolName").is_none_or(|n| *n == p.name))
                .map(|(id, p)| pool_json(*id, p))
                .collect();
            list(pools)
        }
        ["_apis", "distributedtask", "pools", id, "jobrequests"] => {
            let Some(pool) = id.parse::<i64>().ok().and_then(|id| org.pools.get(&id)) else {
                return error(
                    404,
                    "TaskAgentPoolNotFoundException",
                    &format!("No agent pool found with identifier {id}."),
                );
            };
            let unfinished = params.get("completedRequestCount").map(String::as_str) == Some("0");
            let top = params
                .get("$top")
                .and_then(|t| t.parse::<usize>().ok())
                .unwrap_or(usize::MAX);
            let jobs = pool
                .jobs
                .iter()
                .filter(|j| !unfinished || j.get("result").is_none_or(Value::is_null))
                .take(top)
                .cloned()
                .collect();
            list(jobs)
        }
        _ => error(
            404,
            "ResourceNotFoundException",
            &format!("The resource {path} was not found."),
        ),
    }
}
