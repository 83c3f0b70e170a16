//! Watches: the raw wire (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR 410) and kube-runtime's
//! `watcher`, which must recover from dropped streams and from compaction (410 -> relist).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use std::time::Duration;

use futures::{Stream, StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{
    Api, ListParams, Patch, PatchParams, PostParams, VersionMatch, WatchEvent, WatchParams,
};
use kube::runtime::{reflector, watcher, WatchStreamExt};
use scalecore_standin_kube::KubeStandin;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(10);

async fn next<S: Stream + Unpin>(stream: &mut S) -> S::Item {
    tokio::time::timeout(WAIT, stream.next())
        .await
        .expect("timed out waiting for a watch event")
        .expect("stream ended")
}

fn name_of(d: &Deployment) -> String {
    d.metadata.name.clone().unwrap()
}

/// Polls until `check` holds, or fails after WAIT.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn raw_watch_added_modified_deleted_and_bookmarks() {
    let standin = KubeStandin::start().await.unwrap();
    standin.set_bookmark_interval(Duration::from_millis(100));
    let client = common::client(&standin).await;
    standin.apply(common::deployment("pre", 1)).unwrap();
    let api: Api<Deployment> = Api::default_namespaced(client);

    // resourceVersion=0: the current state first, as synthetic ADDED events.
    let mut stream = api
        .watch(&WatchParams::default().timeout(20), "0")
        .await
        .unwrap()
        .boxed();
    match next(&mut stream).await.unwrap() {
        WatchEvent::Added(d) => assert_eq!(name_of(&d), "pre"),
        other => panic!("{other:?}"),
    }
    let web: Deployment = serde_json::from_value(common::deployment("web", 2)).unwrap();
    api.create(&PostParams::default(), &web).await.unwrap();
    api.patch(
        "web",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": 3}})),
    )
    .await
    .unwrap();
    api.delete("web", &Default::default()).await.unwrap();

    let mut seen = Vec::new();
    let mut bookmark_rv = None;
    while seen.last().map(String::as_str) != Some("DELETED web") {
        match next(&mut stream).await.unwrap() {
            WatchEvent::Added(d) => seen.push(format!("ADDED {}", name_of(&d))),
            WatchEvent::Modified(d) => seen.push(format!(
                "MODIFIED {} {}",
                name_of(&d),
                d.spec.unwrap().replicas.unwrap()
            )),
            WatchEvent::Deleted(d) => seen.push(format!("DELETED {}", name_of(&d))),
            WatchEvent::Bookmark(b) => bookmark_rv = Some(b.metadata.resource_version),
            WatchEvent::Error(e) => panic!("{e:?}"),
        }
    }
    // ADDED, the controller's status update, the patch, its status update, the delete.
    assert_eq!(
        seen,
        vec![
            "ADDED web",
            "MODIFIED web 2",
            "MODIFIED web 3",
            "MODIFIED web 3",
            "DELETED web"
        ]
    );
    // With nothing else happening a BOOKMARK arrives carrying the latest resourceVersion.
    while bookmark_rv.as_deref() != Some(standin.resource_version().to_string().as_str()) {
        if let WatchEvent::Bookmark(b) = next(&mut stream).await.unwrap() {
            bookmark_rv = Some(b.metadata.resource_version);
        }
    }

    // Resuming from a version replays only what came after it.
    let from = api
        .get("pre")
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut replay = api
        .watch(&WatchParams::default().timeout(5), &from)
        .await
        .unwrap()
        .boxed();
    match next(&mut replay).await.unwrap() {
        WatchEvent::Added(d) => assert_eq!(name_of(&d), "web"),
        other => panic!("{other:?}"),
    }

    // A label selector filters the stream.
    standin.apply(common::deployment("other", 1)).unwrap();
    let wp = WatchParams::default().labels("app=other").timeout(5);
    let mut filtered = api.watch(&wp, "0").await.unwrap().boxed();
    match next(&mut filtered).await.unwrap() {
        WatchEvent::Added(d) => assert_eq!(name_of(&d), "other"),
        other => panic!("{other:?}"),
    }
    // Leaving the selector reads as DELETED, coming back as ADDED.
    let relabel = |app: &str| {
        let mut d = common::deployment("other", 1);
        d["metadata"]["labels"]["app"] = json!(app);
        d
    };
    standin.apply(relabel("gone")).unwrap();
    standin.apply(relabel("other")).unwrap();
    let mut kinds = Vec::new();
    while kinds.len() < 2 {
        match next(&mut filtered).await.unwrap() {
            WatchEvent::Added(d) => kinds.push(format!("ADDED {}", name_of(&d))),
            WatchEvent::Deleted(d) => kinds.push(format!("DELETED {}", name_of(&d))),
            WatchEvent::Bookmark(_) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(kinds, vec!["DELETED other", "ADDED other"]);
}

#[tokio::test]
async fn compaction_expires_old_versions_with_410() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let api: Api<Deployment> = Api::default_namespaced(client);
    standin.apply(common::deployment("a", 1)).unwrap();
    let old = standin.resource_version().to_string();
    standin.apply(common::deployment("b", 1)).unwrap();
    standin.compact();

    let mut stream = api
        .watch(&WatchParams::default(), &old)
        .await
        .unwrap()
        .boxed();
    match next(&mut stream).await.unwrap() {
        WatchEvent::Error(status) => {
            assert_eq!((status.code, status.reason.as_str()), (410, "Expired"));
            assert!(status.message.starts_with("too old resource version"));
        }
        other => panic!("expected ERROR 410, got {other:?}"),
    }
    // The current version is still good, and an exact LIST at an expired one is 410 too.
    let current = standin.resource_version().to_string();
    let _ok = api
        .watch(&WatchParams::default().timeout(1), &current)
        .await
        .unwrap();
    let lp = ListParams::default().at(&old).matching(VersionMatch::Exact);
    match api.list(&lp).await {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 410),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        api.list(
            &ListParams::default()
                .at(&current)
                .matching(VersionMatch::Exact)
        )
        .await
        .unwrap()
        .items
        .len(),
        2
    );
}

#[tokio::test]
async fn bounded_history_expires_what_it_no_longer_holds() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let api: Api<Deployment> = Api::default_namespaced(client);
    standin.set_history_cap(3);
    let start = standin.resource_version();
    for replicas in 1..=3 {
        // Each apply is two events: the write and the controller's status update.
        standin.apply(common::deployment("web", replicas)).unwrap();
    }
    let mut expired = api
        .watch(&WatchParams::default().timeout(5), &start.to_string())
        .await
        .unwrap()
        .boxed();
    match next(&mut expired).await.unwrap() {
        WatchEvent::Error(status) => assert_eq!(status.code, 410),
        other => panic!("{other:?}"),
    }
    // The last three events are still there to replay.
    let recent = (standin.resource_version() - 3).to_string();
    let mut replay = api
        .watch(&WatchParams::default().timeout(5), &recent)
        .await
        .unwrap()
        .boxed();
    match next(&mut replay).await.unwrap() {
        WatchEvent::Modified(d) => assert_eq!(d.spec.unwrap().replicas, Some(2)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn watcher_sees_changes_and_recovers_from_dropped_streams() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    standin.apply(common::deployment("pre", 1)).unwrap();
    let api: Api<Deployment> = Api::default_namespaced(client);
    let mut stream = watcher(api.clone(), watcher::Config::default()).boxed();

    assert!(matches!(
        next(&mut stream).await.unwrap(),
        watcher::Event::Init
    ));
    match next(&mut stream).await.unwrap() {
        watcher::Event::InitApply(d) => assert_eq!(name_of(&d), "pre"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        next(&mut stream).await.unwrap(),
        watcher::Event::InitDone
    ));

    // Polling after the change opens the watch, so it is live when it is dropped.
    standin.apply(common::deployment("web", 1)).unwrap();
    match next(&mut stream).await.unwrap() {
        watcher::Event::Apply(d) => assert_eq!(name_of(&d), "web"),
        other => panic!("{other:?}"),
    }
    standin.drop_watches();
    standin
        .delete("apps/v1", "Deployment", None, "pre")
        .unwrap();
    loop {
        match next(&mut stream).await.unwrap() {
            // The controller's status update for web.
            watcher::Event::Apply(d) => assert_eq!(name_of(&d), "web"),
            watcher::Event::Delete(d) => {
                assert_eq!(name_of(&d), "pre");
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // The watcher resumed from its last version: one LIST, at least two WATCHes.
    let requests = standin.requests();
    let lists = requests
        .iter()
        .filter(|r| r.method == "GET" && !r.query.contains("watch="))
        .count();
    let watches = requests
        .iter()
        .filter(|r| r.query.contains("watch=true"))
        .count();
    assert_eq!(lists, 1);
    assert!(watches >= 2, "{requests:?}");
}

#[tokio::test]
async fn reflector_relists_after_410_and_loses_nothing() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    standin.apply(common::deployment("a", 1)).unwrap();
    let api: Api<Deployment> = Api::default_namespaced(client);
    let (reader, writer) = reflector::store::<Deployment>();
    let stream = reflector(writer, watcher(api, watcher::Config::default()))
        .default_backoff()
        .applied_objects();
    let task = tokio::spawn(async move {
        // Errors are the 503s injected below; the backoff absorbs them.
        let _ = stream.into_stream().for_each(|_| async {}).await;
    });
    let names = |reader: &reflector::Store<Deployment>| -> BTreeSet<String> {
        reader.state().iter().map(|d| name_of(d)).collect()
    };
    eventually("initial list", || {
        names(&reader) == BTreeSet::from(["a".to_string()])
    })
    .await;

    // Keep the watcher out while things change, then forget the history it would resume from.
    standin.fail_next_matching(Some("GET"), "/deployments", 503, 1000);
    standin.drop_watches();
    eventually("a refused re-watch", || {
        standin.requests().iter().any(|r| r.status == 503)
    })
    .await;
    standin.apply(common::deployment("b", 1)).unwrap();
    standin.delete("apps/v1", "Deployment", None, "a").unwrap();
    let mut c = common::deployment("c", 4);
    c["metadata"]["labels"]["version"] = json!("2");
    standin.apply(c).unwrap();
    standin.compact();
    standin.clear_faults();

    eventually("relist after 410", || {
        names(&reader) == BTreeSet::from(["b".to_string(), "c".to_string()])
    })
    .await;
    let c = reader
        .state()
        .into_iter()
        .find(|d| name_of(d) == "c")
        .unwrap();
    assert_eq!(c.spec.as_ref().unwrap().replicas, Some(4));
    let lists = standin
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.status == 200 && !r.query.contains("watch="))
        .count();
    assert_eq!(lists, 2, "expected a relist after the 410");
    task.abort();
}

#[tokio::test]
async fn streaming_list_watcher_gets_initial_events_end_bookmark() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    standin.apply(common::deployment("a", 1)).unwrap();
    standin.apply(common::deployment("b", 1)).unwrap();
    let api: Api<Deployment> = Api::default_namespaced(client);
    let mut stream = watcher(
        api,
        watcher::Config::default().streaming_lists().labels("app=b"),
    )
    .boxed();
    assert!(matches!(
        next(&mut stream).await.unwrap(),
        watcher::Event::Init
    ));
    match next(&mut stream).await.unwrap() {
        watcher::Event::InitApply(d) => assert_eq!(name_of(&d), "b"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        next(&mut stream).await.unwrap(),
        watcher::Event::InitDone
    ));
    standin.apply(common::deployment("a", 5)).unwrap();
    let mut b = common::deployment("b", 2);
    b["metadata"]["annotations"] = json!({"note": "x"});
    standin.apply(b).unwrap();
    match next(&mut stream).await.unwrap() {
        watcher::Event::Apply(d) => assert_eq!(
            (name_of(&d), d.spec.unwrap().replicas),
            ("b".to_string(), Some(2))
        ),
        other => panic!("{other:?}"),
    }
    assert!(standin
        .requests()
        .iter()
        .all(|r| r.query.contains("watch=true")));
}
