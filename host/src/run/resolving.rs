//! The host's view for the core's resolver: (Cluster)TriggerAuthentications from the
//! controller's watches, the Secrets and ConfigMaps a resolution needs read by name
//! beforehand (one GET per object, however many keys and triggers read it).

use std::collections::BTreeMap;
use std::sync::Arc;

use scalecore::resolve::{self, AuthSpec, Found, Need, View};

use super::kubeapi::{Kube, KubeError};

/// One object's data as read, or why it could not be (shared by every key read from it).
enum Data {
    Secret(BTreeMap<String, Vec<u8>>),
    ConfigMap(BTreeMap<String, String>),
    Failed(Arc<KubeError>),
}

/// Secrets and ConfigMaps read for one ScaledObject's triggers.
#[derive(Default)]
pub struct Fetched(BTreeMap<Need, Data>);

impl Fetched {
    /// Reads what `needs` names and was not read yet.
    pub async fn fetch(&mut self, kube: &Kube, needs: impl IntoIterator<Item = Need>) {
        for need in needs {
            if self.0.contains_key(&need) {
                continue;
            }
            let data = if need.kind == "Secret" {
                kube.secret_data(&need.namespace, &need.name)
                    .await
                    .map(Data::Secret)
            } else {
                kube.config_map_data(&need.namespace, &need.name)
                    .await
                    .map(Data::ConfigMap)
            };
            self.0
                .insert(need, data.unwrap_or_else(|e| Data::Failed(Arc::new(e))));
        }
    }
}

/// One trigger's view: its authentication (already looked up in the watched store, and
/// answered for whichever kind the trigger names) and what was fetched.
pub struct HostView<'a> {
    pub auth: Option<&'a AuthSpec>,
    pub fetched: &'a Fetched,
}

impl HostView<'_> {
    fn data(&self, kind: &'static str, namespace: &str, name: &str) -> Option<&Data> {
        self.fetched.0.get(&Need {
            kind,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        })
    }

    fn auth(&self) -> Result<Found<AuthSpec>, Arc<KubeError>> {
        Ok(self.auth.cloned().map_or(Found::Absent, Found::Value))
    }
}

impl View for HostView<'_> {
    type Error = Arc<KubeError>;

    fn trigger_authentication(&self, _: &str, _: &str) -> Result<Found<AuthSpec>, Self::Error> {
        self.auth()
    }

    fn cluster_trigger_authentication(&self, _: &str) -> Result<Found<AuthSpec>, Self::Error> {
        self.auth()
    }

    fn secret_key(
        &self,
        namespace: &str,
        name: &str,
        key: &str,
    ) -> Result<Found<Option<String>>, Self::Error> {
        match self.data("Secret", namespace, name) {
            Some(Data::Secret(data)) => match data.get(key) {
                // The bytes stay out of the error: they are the secret.
                Some(v) => String::from_utf8(v.clone())
                    .map(|v| Found::Value(Some(v)))
                    .map_err(|_| {
                        Arc::new(KubeError::NotUtf8 {
                            namespace: namespace.to_owned(),
                            name: name.to_owned(),
                            key: key.to_owned(),
                        })
                    }),
                None => Ok(Found::Value(None)),
            },
            Some(Data::Failed(e)) => Err(e.clone()),
            _ => Ok(Found::Unknown),
        }
    }

    fn secret_data(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Found<BTreeMap<String, String>>, Self::Error> {
        match self.data("Secret", namespace, name) {
            // A variable that is not UTF-8 cannot be a scaler's parameter: it is left out.
            Some(Data::Secret(data)) => Ok(Found::Value(
                data.iter()
                    .filter_map(|(k, v)| Some((k.clone(), String::from_utf8(v.clone()).ok()?)))
                    .collect(),
            )),
            Some(Data::Failed(e)) => Err(e.clone()),
            _ => Ok(Found::Unknown),
        }
    }

    fn config_map_key(
        &self,
        namespace: &str,
        name: &str,
        key: &str,
    ) -> Result<Found<Option<String>>, Self::Error> {
        match self.data("ConfigMap", namespace, name) {
            Some(Data::ConfigMap(data)) => Ok(Found::Value(data.get(key).cloned())),
            Some(Data::Failed(e)) => Err(e.clone()),
            _ => Ok(Found::Unknown),
        }
    }

    fn config_map_data(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Found<BTreeMap<String, String>>, Self::Error> {
        match self.data("ConfigMap", namespace, name) {
            Some(Data::ConfigMap(data)) => Ok(Found::Value(data.clone())),
            Some(Data::Failed(e)) => Err(e.clone()),
            _ => Ok(Found::Unknown),
        }
    }
}

/// Resolves `req` through the watched authentication `auth`: first which Secrets and ConfigMaps
/// it reads (fetched into `fetched` unless already there), then the values.
pub async fn resolve(
    kube: &Kube,
    fetched: &mut Fetched,
    auth: Option<&AuthSpec>,
    req: &resolve::Request<'_>,
) -> Result<resolve::Resolved, resolve::ResolveError<Arc<KubeError>>> {
    let needs = {
        let view = HostView {
            auth,
            fetched: &Fetched::default(),
        };
        resolve::needs(&view, req).map_err(resolve::ResolveError::Authentication)?
    };
    fetched.fetch(kube, needs).await;
    resolve::resolve(&HostView { auth, fetched }, req)
}
